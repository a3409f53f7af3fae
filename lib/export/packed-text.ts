// Reading what the database packs into one text field (numbers and fixed-form values joined by the unit
// separator, U+001F): numbers are read digit by digit, so the hot loop over a few hundred thousand
// judgments makes no string it does not keep.

const SEPARATOR = 0x1f;

/** Reads the fields of one packed text in order; numbers digit by digit. A malformed field throws. */
export class PackedReader {
  private at = 0;
  constructor(private readonly packed: string) {}

  /** An integer, "-" allowed (a time before 1970). */
  number(): number {
    const p = this.packed;
    const start = this.at;
    const negative = p.charCodeAt(start) === 45;
    if (negative) this.at++;
    const digits = this.at;
    let x = 0;
    let c = p.charCodeAt(this.at);
    for (; c >= 48 && c <= 57; c = p.charCodeAt(++this.at)) x = x * 10 + c - 48;
    if (this.at === digits || c !== SEPARATOR) throw new Error(`unreadable number at "${p.slice(start, start + 20)}"`);
    this.at++;
    return negative ? -x : x;
  }

  /** One character followed by a separator (a value's code). */
  char(): string {
    const c = this.packed[this.at];
    if (this.packed.charCodeAt(this.at + 1) !== SEPARATOR)
      throw new Error(`unreadable value at "${this.packed.slice(this.at, this.at + 20)}"`);
    this.at += 2;
    return c;
  }

  text(): string {
    const end = this.packed.indexOf("\u001f", this.at);
    if (end < 0) throw new Error(`a field is missing after "${this.packed.slice(0, this.at)}"`);
    const out = this.packed.slice(this.at, end);
    this.at = end + 1;
    return out;
  }

  /** Everything after the last separator read: the last field, which may be any text. */
  rest(): string {
    return this.packed.slice(this.at);
  }
}
