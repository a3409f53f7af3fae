import fc from "fast-check";

// Shared by the fuzz tests.

/** Byte-level damage to a valid file: cut it, flip bytes, insert bytes (often CSV/JSON punctuation). */
export function mutatedBytes(valid: Buffer): fc.Arbitrary<Buffer> {
  const interesting = fc.constantFrom(0x22, 0x2c, 0x0a, 0x0d, 0x00, 0xff, 0xc3, 0x7b, 0x5d, 0x3a, 0x20, 0x27);
  const byte = fc.oneof(fc.integer({ min: 0, max: 255 }), interesting);
  const edit = fc.oneof(
    fc.record({ kind: fc.constant("cut" as const), at: fc.nat() }),
    fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), byte }),
    fc.record({
      kind: fc.constant("insert" as const),
      at: fc.nat(),
      bytes: fc.array(byte, { minLength: 1, maxLength: 4 }),
    }),
  );
  return fc.array(edit, { minLength: 1, maxLength: 4 }).map((edits) => {
    let b = Buffer.from(valid);
    for (const e of edits) {
      const at = b.length ? e.at % (b.length + 1) : 0;
      if (e.kind === "cut") b = b.subarray(0, at);
      else if (e.kind === "flip") {
        if (at < b.length) b[at] = e.byte;
      } else b = Buffer.concat([b.subarray(0, at), Buffer.from(e.bytes), b.subarray(at)]);
    }
    return b;
  });
}
