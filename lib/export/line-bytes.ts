// Lines written straight into bytes: the export's judgments.jsonl is a few hundred thousand lines, and
// made as JS strings (each line some twenty pieces) they cost more in garbage collection and in
// flattening than in anything else. Here every piece is bytes copied into one growing buffer: texts
// that repeat (ids, names, keys) are encoded once by the caller, numbers and times are
// written digit by digit. Callers write the lines in file order.

const DAY_MS = 86_400_000;
const FIRST_MS = -62_167_219_200_000; // 0000-01-01T00:00:00.000Z
const LAST_MS = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z

export class LineBytes {
  private buf: Buffer;
  private at = 0;
  private readonly days = new Map<number, Buffer>();
  lines = 0;

  /** `expected`: about how many bytes will be written (growing a buffer of tens of MB costs a copy each time) */
  constructor(expected = 1 << 20) {
    this.buf = Buffer.allocUnsafe(Math.max(1024, Math.ceil(expected)));
  }

  /** Ends a line. */
  end(): void {
    this.room(1);
    this.buf[this.at++] = 10;
    this.lines++;
  }

  /** What was written. */
  result(): Buffer {
    return this.buf.subarray(0, this.at);
  }

  /** Bytes as they are. */
  bytes(b: Uint8Array): void {
    const n = b.length;
    this.room(n);
    // a loop beats TypedArray#set's call for the short pieces lines are made of
    if (n < 16) {
      const buf = this.buf;
      let at = this.at;
      for (let i = 0; i < n; i++) buf[at++] = b[i];
      this.at = at;
    } else {
      this.buf.set(b, this.at);
      this.at += n;
    }
  }

  /** A text seen once (a history's JSON). */
  once(s: string): void {
    this.room(s.length * 3);
    this.at += this.buf.write(s, this.at, "utf8");
  }

  /** A non-negative integer in decimal. */
  int(n: number): void {
    if (!Number.isSafeInteger(n) || n < 0) return this.once(String(n));
    this.room(16);
    const start = this.at;
    do {
      this.buf[this.at++] = 48 + (n % 10);
      n = Math.floor(n / 10);
    } while (n > 0);
    this.buf.subarray(start, this.at).reverse();
  }

  /** Milliseconds since 1970 as Date#toISOString writes them: 2026-01-01T00:16:40.000Z. */
  isoTime(ms: number): void {
    // years 0000 to 9999 have toISOString's plain form; others (never a judgment's) are written by it
    if (!(ms >= FIRST_MS && ms <= LAST_MS)) return this.once(new Date(ms).toISOString());
    const day = Math.floor(ms / DAY_MS);
    let date = this.days.get(day);
    if (date === undefined)
      this.days.set(day, (date = Buffer.from(new Date(day * DAY_MS).toISOString().slice(0, 11), "latin1")));
    this.bytes(date);
    let t = ms - day * DAY_MS;
    const h = Math.floor(t / 3_600_000);
    t -= h * 3_600_000;
    const m = Math.floor(t / 60_000);
    t -= m * 60_000;
    const s = Math.floor(t / 1000);
    const milli = t - s * 1000;
    this.room(13);
    const b = this.buf;
    let i = this.at;
    b[i++] = 48 + Math.floor(h / 10);
    b[i++] = 48 + (h % 10);
    b[i++] = 58; // :
    b[i++] = 48 + Math.floor(m / 10);
    b[i++] = 48 + (m % 10);
    b[i++] = 58;
    b[i++] = 48 + Math.floor(s / 10);
    b[i++] = 48 + (s % 10);
    b[i++] = 46; // .
    b[i++] = 48 + Math.floor(milli / 100);
    b[i++] = 48 + (Math.floor(milli / 10) % 10);
    b[i++] = 48 + (milli % 10);
    b[i++] = 90; // Z
    this.at = i;
  }

  private room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(Math.ceil(this.buf.length * 1.5), this.at + n));
    this.buf.copy(bigger, 0, 0, this.at);
    this.buf = bigger;
  }
}
