// The text side of the reference CLIP tokenizer (simple_tokenizer.py): clean, lowercase, then split
// into the pieces that BPE encodes one by one.
import { ftfyFixText } from "./ftfy-fixes";
import { pythonHtmlUnescape } from "./html-unescape";

// Python's str.isspace() set, which is also what `re`'s \s and str.strip() use. It differs from
// JavaScript's \s: it includes U+001C-U+001F and U+0085 and leaves out U+FEFF.
const PY_SPACE = "\\t-\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const PY_SPACE_RUN = new RegExp(`[${PY_SPACE}]+`, "g");
const PY_SPACE_CHAR = new RegExp(`[${PY_SPACE}]`);

/** str.strip(): by hand, since an end-anchored regex is quadratic on long inner runs of spaces. */
function pyStrip(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && PY_SPACE_CHAR.test(text[start])) start++;
  while (end > start && PY_SPACE_CHAR.test(text[end - 1])) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

/** basic_clean: ftfy.fix_text, html.unescape twice, strip. */
export function basicClean(text: string): string {
  return pyStrip(pythonHtmlUnescape(pythonHtmlUnescape(ftfyFixText(text))));
}

/** whitespace_clean: every whitespace run becomes one space, then strip. */
export function whitespaceClean(text: string): string {
  return pyStrip(text.replace(PY_SPACE_RUN, " "));
}

/** The text exactly as the reference tokenizer splits it: cleaned and lowercased. */
export function cleanClipText(text: string): string {
  return whitespaceClean(basicClean(text)).toLowerCase();
}

// The reference pattern (Python `regex`, IGNORECASE). After whitespace_clean the only whitespace
// left is " ", so [^\s...] is written [^ ...]: JavaScript's \s would also swallow U+FEFF, which the
// reference keeps as a symbol.
const CLIP_PIECE = /<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|\p{L}+|\p{N}|[^ \p{L}\p{N}]+/giu;

/** The pieces of cleaned text that BPE encodes separately (findall of the reference pattern). */
export function splitClipPieces(cleaned: string): string[] {
  // U+0345 (combining ypogegrammeni) folds to a Greek letter: under IGNORECASE Python's `regex`
  // puts it in no class, so findall skips it like a space, whereas V8 counts it as a letter.
  // Checked over every code point assigned in Unicode 14: no other character is classed differently.
  const text = cleaned.includes("\u0345") ? cleaned.replaceAll("\u0345", " ") : cleaned;
  return text.match(CLIP_PIECE) ?? [];
}
