// The part of ftfy.fix_text (ftfy 6, default settings) that the reference CLIP tokenizer runs
// before tokenizing, in ftfy's order and repeated until nothing changes, as ftfy does.
//
// Not reproduced: ftfy's mojibake repair (fix_encoding), a heuristic that re-decodes text
// which *looks* mis-decoded (e.g. "cafÃ©" -> "café"). Correctly encoded text passes through it
// unchanged, which is what queries and captions are; none of the reference cases needs it.
import { ftfyUnescapeHtml, WINDOWS_1252_C1 } from "./html-unescape";

// fix_latin_ligatures: typographic ligatures and legacy digraphs split into their letters.
const LIGATURES = new Map<string, string>([
  ["Ĳ", "IJ"],
  ["ĳ", "ij"],
  ["ŉ", "ʼn"],
  ["Ǳ", "DZ"],
  ["ǲ", "Dz"],
  ["ǳ", "dz"],
  ["Ǆ", "DŽ"],
  ["ǅ", "Dž"],
  ["ǆ", "dž"],
  ["Ǉ", "LJ"],
  ["ǈ", "Lj"],
  ["ǉ", "lj"],
  ["Ǌ", "NJ"],
  ["ǋ", "Nj"],
  ["ǌ", "nj"],
  ["ﬀ", "ff"],
  ["ﬁ", "fi"],
  ["ﬂ", "fl"],
  ["ﬃ", "ffi"],
  ["ﬄ", "ffl"],
  ["ﬅ", "ſt"],
  ["ﬆ", "st"],
]);
const LIGATURE_CHARS = new RegExp(`[${[...LIGATURES.keys()].join("")}]`, "g");

// fix_character_width: full- and half-width forms (U+FF01-U+FFEF) to their NFKC form, and the
// ideographic space to a plain space; built the way ftfy builds its table.
const WIDTH_MAP = new Map<string, string>([["\u3000", " "]]);
for (let cp = 0xff01; cp < 0xfff0; cp++) {
  const ch = String.fromCodePoint(cp);
  const standard = ch.normalize("NFKC");
  if (standard !== ch) WIDTH_MAP.set(ch, standard);
}
const WIDTH_CHARS = /[\u3000\uff01-\uffef]/g;

// A surrogate not part of a pair (Python would have joined proper pairs first).
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const C1_CONTROLS = /[\x80-\x9f]/g;
const SINGLE_QUOTES = /[\u02bc\u2018-\u201b]/g;
const DOUBLE_QUOTES = /[\u201c-\u201f]/g;
const LINE_BREAKS = /\r\n|[\r\u2028\u2029\x85]/g;
// Python's \d in this pattern matches any decimal digit, hence \p{Nd}.
const TERMINAL_ESCAPES = /\x1b\[(?:\p{Nd}|;)*[a-zA-Z]/gu;
// remove_control_chars: C0 controls except tab, LF, FF, CR; DEL; deprecated format controls;
// the byte-order mark; interlinear annotation controls.
const CONTROL_CHARS = /[\x00-\x08\x0b\x0e-\x1f\x7f\u206a-\u206f\ufeff\ufff9-\ufffc]/g;

// Plain ASCII text without entities, escapes, controls or CR is a fixed point of every step.
const UNTOUCHED_ASCII = /^[\t\n\f\x20-\x25\x27-\x7e]*$/;

function fixSegment(segment: string, unescapeHtml: boolean): string {
  let text = segment;
  for (;;) {
    const before = text;
    if (unescapeHtml) text = ftfyUnescapeHtml(text);
    text = text.replace(C1_CONTROLS, (ch) => WINDOWS_1252_C1.get(ch.charCodeAt(0))!);
    text = text.replace(LIGATURE_CHARS, (ch) => LIGATURES.get(ch) ?? ch);
    text = text.replace(WIDTH_CHARS, (ch) => WIDTH_MAP.get(ch) ?? ch);
    text = text.replace(SINGLE_QUOTES, "'").replace(DOUBLE_QUOTES, '"');
    text = text.replace(LINE_BREAKS, "\n");
    text = text.replace(LONE_SURROGATE, "\ufffd"); // fix_surrogates
    text = text.replace(TERMINAL_ESCAPES, "");
    text = text.replace(CONTROL_CHARS, "");
    text = text.normalize("NFC");
    if (text === before) return text;
  }
}

/** ftfy.fix_text with its defaults, minus mojibake repair (see above). */
export function ftfyFixText(text: string): string {
  if (UNTOUCHED_ASCII.test(text)) return text;
  // ftfy works line by line; entity decoding ("auto") stops for good at the first line with a "<",
  // since that text is probably real HTML whose entities are meant literally.
  let unescapeHtml = true;
  let out = "";
  let pos = 0;
  while (pos < text.length) {
    const newline = text.indexOf("\n", pos);
    const end = newline < 0 ? text.length : newline + 1;
    const segment = text.slice(pos, end);
    if (unescapeHtml && segment.includes("<")) unescapeHtml = false;
    out += fixSegment(segment, unescapeHtml);
    pos = end;
  }
  return out;
}
