import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { floatToHalf, halfToFloat } from "@/lib/vectors/float16";
import { encodeNpy, readNpyHeader, readNpyRows } from "@/lib/vectors/npy";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fieldmark-npy-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, data: Buffer): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, data);
  return file;
}

async function readAll(file: string, batch = 3): Promise<Float32Array[]> {
  const header = readNpyHeader(file);
  const rows: Float32Array[] = [];
  for await (const b of readNpyRows(file, header, batch)) rows.push(...b.rows);
  return rows;
}

describe(".npy reader", () => {
  const values = Array.from({ length: 7 * 5 }, (_, i) => Math.sin(i) * (i % 3 ? 1 : 100));

  it("reads float32 matrices exactly, in row batches", async () => {
    const file = write("f4.npy", encodeNpy(values, 7, 5, "f4"));
    expect(readNpyHeader(file)).toMatchObject({ dtype: "f4", rows: 7, cols: 5, littleEndian: true });
    expect(readNpyHeader(file).dataOffset % 64).toBe(0);
    const rows = await readAll(file);
    expect(rows).toHaveLength(7);
    expect(Array.from(rows[6])).toEqual(Array.from(Float32Array.from(values.slice(30, 35))));
  });

  it("reads float16 matrices to within half precision", async () => {
    const file = write("f2.npy", encodeNpy(values, 7, 5, "f2"));
    const rows = await readAll(file, 4);
    rows
      .flatMap((r) => Array.from(r))
      .forEach((v, i) => expect(Math.abs(v - values[i])).toBeLessThanOrEqual(Math.abs(values[i]) / 1024 + 1e-7));
  });

  it("converts half precision like NumPy (normals, subnormals, infinities, rounding to even)", () => {
    expect(halfToFloat(0x3c00)).toBe(1);
    expect(halfToFloat(0xc000)).toBe(-2);
    expect(halfToFloat(0x0001)).toBe(2 ** -24);
    expect(halfToFloat(0x7bff)).toBe(65504);
    expect(halfToFloat(0x7c00)).toBe(Infinity);
    expect(floatToHalf(1 + 2 ** -11)).toBe(0x3c00); // a tie rounds to even
    expect(floatToHalf(65520)).toBe(0x7c00);
    expect(floatToHalf(2 ** -24)).toBe(0x0001);
    for (let h = 0; h < 0x7c00; h += 37) expect(floatToHalf(halfToFloat(h))).toBe(h);
  });

  it("reads big-endian and format 2.0 headers", async () => {
    const dict = "{'descr': '>f4', 'fortran_order': False, 'shape': (2, 2), }".padEnd(64 - 12 - 1) + "\n";
    const head = Buffer.alloc(12);
    Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 2, 0]).copy(head);
    head.writeUInt32LE(dict.length, 8);
    const data = Buffer.alloc(16);
    [1, 2, 3, 4].forEach((v, i) => data.writeFloatBE(v, 4 * i));
    const file = write("be.npy", Buffer.concat([head, Buffer.from(dict), data]));
    expect((await readAll(file)).map((r) => Array.from(r))).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });

  it("rejects what is not a 2-D float matrix, naming the file", () => {
    const bad = (name: string, dict: string, extra = 0) => {
      const d = dict.padEnd(64 - 10 - 1) + "\n";
      const head = Buffer.alloc(10);
      Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(head);
      head.writeUInt16LE(d.length, 8);
      return write(name, Buffer.concat([head, Buffer.from(d), Buffer.alloc(extra)]));
    };
    expect(() =>
      readNpyHeader(bad("int.npy", "{'descr': '<i8', 'fortran_order': False, 'shape': (2, 2), }", 32)),
    ).toThrow(/int\.npy: vectors must be float16, float32 or float64, not dtype '<i8'/);
    expect(() => readNpyHeader(bad("1d.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", 16))).toThrow(
      /1d\.npy: expected a 2-D matrix/,
    );
    expect(() =>
      readNpyHeader(bad("fortran.npy", "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", 16)),
    ).toThrow(/fortran\.npy: Fortran-order/);
    expect(() =>
      readNpyHeader(bad("short.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", 15)),
    ).toThrow(/short\.npy: truncated/);
    expect(() => readNpyHeader(write("text.npy", Buffer.from("hello world, not numpy")))).toThrow(
      /text\.npy: not a NumPy/,
    );
  });
});
