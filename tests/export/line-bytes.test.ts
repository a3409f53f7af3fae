import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sortedOrder } from "@/lib/export/judgments-file";
import { LineBytes } from "@/lib/export/line-bytes";
import { PackedReader } from "@/lib/export/packed-text";

// The export's byte writer and packed reader against what they stand in for: Date#toISOString,
// String(n), Buffer.from(text); a sort by key.

describe("LineBytes", () => {
  it("writes times as Date#toISOString does, any millisecond of any year", () => {
    fc.assert(
      fc.property(fc.integer({ min: -8.64e15, max: 8.64e15 }), (ms) => {
        const out = new LineBytes();
        out.isoTime(ms);
        expect(out.result().toString("latin1")).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 2000, seed: 7 },
    );
    const out = new LineBytes();
    for (const ms of [0, -1, 86_399_999, 86_400_000, Date.UTC(2026, 11, 1, 23, 59, 59, 5)]) out.isoTime(ms);
    expect(out.result().toString()).toBe(
      "1970-01-01T00:00:00.000Z1969-12-31T23:59:59.999Z1970-01-01T23:59:59.999Z1970-01-02T00:00:00.000Z2026-12-01T23:59:59.005Z",
    );
  });

  it("writes integers, texts and bytes as they are, through many growths of its buffer", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.string({ unit: "grapheme" })), {
          maxLength: 40,
        }),
        (pieces) => {
          const out = new LineBytes();
          let expected = "";
          for (let round = 0; round < 200; round++) {
            for (const p of pieces) {
              if (typeof p === "number") out.int(p);
              else if (round % 2) out.once(p);
              else out.bytes(Buffer.from(p));
              expected += String(p);
            }
            out.end();
            expected += "\n";
          }
          expect(out.lines).toBe(200);
          expect(out.result().equals(Buffer.from(expected))).toBe(true);
        },
      ),
      { numRuns: 60, seed: 3 },
    );
  });
});

describe("PackedReader", () => {
  it("reads numbers (negative too), codes, texts and the rest; refuses what is not there", () => {
    const r = new PackedReader("12\u001f-34\u001fr\u001f\u001ftext\u001fthe rest\u001f with one");
    expect([r.number(), r.number(), r.char(), r.text(), r.text(), r.rest()]).toEqual([
      12,
      -34,
      "r",
      "",
      "text",
      "the rest\u001f with one",
    ]);
    expect(() => new PackedReader("1x\u001f").number()).toThrow(/unreadable number/);
    expect(() => new PackedReader("\u001f").number()).toThrow(/unreadable number/);
    expect(() => new PackedReader("ab").char()).toThrow(/unreadable value/);
    expect(() => new PackedReader("no separator").text()).toThrow(/missing/);
  });
});

describe("sortedOrder", () => {
  it("orders lines by key, packed into doubles or by comparator when keys are too large", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.oneof(fc.integer({ min: 0, max: 5_000 }), fc.integer({ min: 0, max: 2 ** 52 })), {
          maxLength: 300,
        }),
        (values) => {
          const keys = Float64Array.from(values);
          const expected = values.map((_, i) => i).sort((a, b) => values[a] - values[b]);
          expect([...sortedOrder(keys)]).toEqual(expected);
        },
      ),
      { numRuns: 300, seed: 11 },
    );
  });
});
