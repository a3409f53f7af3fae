// HTML entity decoding exactly as the reference CLIP tokenizer sees it: Python's html.unescape
// (applied twice after ftfy) and ftfy's own stricter unescape_html step. Ported rule for rule,
// so odd inputs ("&ampfoo", "&#128;", "&NTILDE;") decode the same way.
import { HTML5_ENTITIES, LEGACY_ENTITY_NAMES } from "./html5-entities";

/** Bytes 0x80-0x9F read as Windows-1252, as browsers do; the five unassigned bytes stay as they are. */
export const WINDOWS_1252_C1: ReadonlyMap<number, string> = new Map(
  [..."€\x81‚ƒ„…†‡ˆ‰Š‹Œ\x8dŽ\x8f\x90‘’“”•–—˜™š›œ\x9džŸ"].map((ch, i) => [0x80 + i, ch]),
);

// Python's html._invalid_charrefs: numeric references that HTML5 replaces rather than decodes.
const INVALID_CHARREFS = new Map<number, string>([[0x00, "\ufffd"], [0x0d, "\r"], ...WINDOWS_1252_C1]);

/** Python's html._invalid_codepoints: numeric references that decode to nothing. */
function isInvalidCodepoint(n: number): boolean {
  return (
    (n >= 0x1 && n <= 0x8) ||
    n === 0xb ||
    (n >= 0xe && n <= 0x1f) ||
    (n >= 0x7f && n <= 0x9f) ||
    (n >= 0xfdd0 && n <= 0xfdef) ||
    (n & 0xfffe) === 0xfffe
  );
}

function decodeNumericReference(digits: string, radix: 10 | 16): string {
  const n = parseInt(digits, radix); // huge values lose precision but still land above 0x10FFFF
  const replaced = INVALID_CHARREFS.get(n);
  if (replaced !== undefined) return replaced;
  if ((n >= 0xd800 && n <= 0xdfff) || n > 0x10ffff) return "\ufffd";
  if (isInvalidCodepoint(n)) return "";
  return String.fromCodePoint(n);
}

/** A named reference `s` (what follows "&", maybe ending in ";"), decoded as Python does it. */
function decodeNamedReference(s: string): string {
  if (s.endsWith(";")) {
    const full = HTML5_ENTITIES.get(s.slice(0, -1));
    if (full !== undefined) return full;
  } else if (LEGACY_ENTITY_NAMES.has(s)) {
    return HTML5_ENTITIES.get(s)!;
  }
  // The longest legacy name at the start wins ("&notit;" -> "¬it;"); only legacy names can be
  // prefixes, since the name itself holds no ";" before its end.
  for (let x = s.length - 1; x > 1; x--) {
    const prefix = s.slice(0, x);
    if (LEGACY_ENTITY_NAMES.has(prefix)) return HTML5_ENTITIES.get(prefix)! + s.slice(x);
  }
  return "&" + s;
}

// Python's html._charref, character for character ("u" so {1,32} counts code points, as Python does).
const CHARREF = /&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)/gu;

/** Python's html.unescape. */
export function pythonHtmlUnescape(text: string): string {
  if (!text.includes("&")) return text;
  return text.replace(CHARREF, (_, s: string) => {
    if (s[0] !== "#") return decodeNamedReference(s);
    const body = s.endsWith(";") ? s.slice(1, -1) : s.slice(1);
    return body[0] === "x" || body[0] === "X"
      ? decodeNumericReference(body.slice(1), 16)
      : decodeNumericReference(body, 10);
  });
}

// ftfy.chardata.HTML_ENTITY_RE: only semicolon-terminated references, unlike html.unescape.
const FTFY_ENTITY = /&#?[0-9A-Za-z]{1,24};/g;

/**
 * ftfy's unescape_html: HTML5 names with a semicolon, the uppercased form of an all-lowercase name
 * when that form means nothing else ("&NTILDE;" -> "Ñ"), and numeric references that decode fully.
 */
export function ftfyUnescapeHtml(text: string): string {
  if (!text.includes("&")) return text;
  return text.replace(FTFY_ENTITY, (entity) => {
    const name = entity.slice(1, -1);
    if (name[0] === "#") {
      const decoded = pythonHtmlUnescape(entity);
      return decoded.includes(";") ? entity : decoded;
    }
    const exact = HTML5_ENTITIES.get(name);
    if (exact !== undefined) return exact;
    const lower = name.toLowerCase();
    const lowerValue = HTML5_ENTITIES.get(lower);
    if (lowerValue !== undefined && name === lower.toUpperCase() && pythonHtmlUnescape(entity) === entity) {
      return lowerValue.toUpperCase();
    }
    return entity;
  });
}
