import { isUtf8 } from "node:buffer";

// Helpers for reading a file as a stream of byte chunks while still being able to say where
// something is: line/column of a byte offset, and the first byte that is not valid UTF-8.

/**
 * Turns absolute byte offsets into 1-based line and column, for offsets asked in increasing order.
 * Keeps only the last few chunks, so memory stays bounded on a gigabyte file.
 */
export class LineTracker {
  private chunks: { start: number; buf: Uint8Array }[] = [];
  private end = 0;
  private scanned = 0; // newlines are counted up to here
  private line = 1;
  private lineStart = 0;

  push(buf: Uint8Array): void {
    this.chunks.push({ start: this.end, buf });
    this.end += buf.length;
    while (this.chunks.length > 4) {
      this.advance(this.chunks[1].start);
      this.chunks.shift();
    }
  }

  private advance(to: number): void {
    for (const { start, buf } of this.chunks) {
      if (start + buf.length <= this.scanned) continue;
      if (start >= to) break;
      let i = Math.max(this.scanned, start) - start;
      const stop = Math.min(to, start + buf.length) - start;
      while (i < stop) {
        const nl = buf.indexOf(10, i);
        if (nl < 0 || nl >= stop) break;
        this.line++;
        this.lineStart = start + nl + 1;
        i = nl + 1;
      }
    }
    this.scanned = Math.max(this.scanned, Math.min(to, this.end));
  }

  /** Line and column (in bytes) of an offset; undefined when it lies before what is still known. */
  position(offset: number): { line: number; column: number } | undefined {
    if (offset < this.scanned) {
      // asked about an earlier place than last time (rare: an error pointing back): only exact if on the same line
      return offset >= this.lineStart ? { line: this.line, column: offset - this.lineStart + 1 } : undefined;
    }
    this.advance(offset);
    return { line: this.line, column: offset - this.lineStart + 1 };
  }
}

/** Offset of the first byte that does not start a valid UTF-8 sequence, or -1. */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    const n = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : 0;
    if (n === 0 || i + n > b.length - 1) return i;
    for (let k = 1; k <= n; k++) if ((b[i + k] & 0xc0) !== 0x80) return i;
    const c1 = b[i + 1];
    // overlong forms, UTF-16 surrogates, and code points past U+10FFFF
    if (
      (c === 0xe0 && c1 < 0xa0) ||
      (c === 0xed && c1 >= 0xa0) ||
      (c === 0xf0 && c1 < 0x90) ||
      (c === 0xf4 && c1 >= 0x90)
    )
      return i;
    i += n + 1;
  }
  return -1;
}

/**
 * Checks a byte stream chunk by chunk for valid UTF-8. A character split across two chunks is carried
 * over to the next check. Returns the absolute offset of the first bad byte, or -1.
 */
export class Utf8Checker {
  private carry: Uint8Array = new Uint8Array(0);
  private carryStart = 0;
  private offset = 0;

  check(chunk: Uint8Array): number {
    const start = this.carry.length ? this.carryStart : this.offset;
    const buf = this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk;
    this.offset += chunk.length;
    // hold back an incomplete last character
    let cut = buf.length;
    let i = buf.length - 1;
    while (i >= 0 && buf.length - i <= 3 && (buf[i] & 0xc0) === 0x80) i--;
    if (i >= 0 && buf[i] >= 0xc0) {
      const need = buf[i] >= 0xf0 ? 4 : buf[i] >= 0xe0 ? 3 : 2;
      if (buf.length - i < need) cut = i;
    }
    const whole = buf.subarray(0, cut);
    if (!isUtf8(whole)) return start + firstInvalidUtf8(whole);
    this.carry = cut < buf.length ? Uint8Array.from(buf.subarray(cut)) : new Uint8Array(0);
    this.carryStart = start + cut;
    return -1;
  }

  /** At the end of the stream: an incomplete character left over is invalid. */
  finish(): number {
    return this.carry.length ? this.carryStart : -1;
  }
}
