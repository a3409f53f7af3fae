import fs from "node:fs";
import { decodeHalves, floatToHalf } from "./float16";

// NumPy .npy files (format versions 1-3): a magic string, a header that is a Python dict literal, then
// the array in C order. Only 2-D float matrices are vectors; everything else gets a clear error.
// Read in row batches from a file descriptor, so a multi-gigabyte shard never sits in memory whole.

export type NpyDtype = "f2" | "f4" | "f8";
export type NpyHeader = {
  dtype: NpyDtype;
  littleEndian: boolean;
  rows: number;
  cols: number;
  dataOffset: number;
  bytesPerValue: number;
};

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // \x93NUMPY

/** Parses the header of a .npy file; throws, naming the file, if it is not a 2-D float matrix. */
export function readNpyHeader(file: string): NpyHeader {
  const fd = fs.openSync(file, "r");
  try {
    const size = fs.fstatSync(fd).size;
    const head = Buffer.alloc(Math.min(size, 65536 + 12));
    fs.readSync(fd, head, 0, head.length, 0);
    if (head.length < 10 || !head.subarray(0, 6).equals(MAGIC)) throw new Error(`${file}: not a NumPy .npy file`);
    const major = head[6];
    const lenBytes = major === 1 ? 2 : 4;
    if (major < 1 || major > 3) throw new Error(`${file}: unsupported .npy format version ${major}`);
    const headerLen = lenBytes === 2 ? head.readUInt16LE(8) : head.readUInt32LE(8);
    const start = 8 + lenBytes;
    if (start + headerLen > head.length) throw new Error(`${file}: .npy header is cut short or too long`);
    const dict = head.subarray(start, start + headerLen).toString(major === 3 ? "utf8" : "latin1");
    const descr = /'descr'\s*:\s*'([^']*)'/.exec(dict)?.[1];
    const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(dict)?.[1];
    const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(dict)?.[1];
    if (descr === undefined || fortran === undefined || shapeText === undefined)
      throw new Error(`${file}: unreadable .npy header ${dict.trim()}`);
    const m = /^([<>|=])(f)([248])$/.exec(descr);
    if (!m) throw new Error(`${file}: vectors must be float16, float32 or float64, not dtype '${descr}'`);
    if (fortran === "True")
      throw new Error(`${file}: Fortran-order arrays are not supported; save with np.ascontiguousarray`);
    const shape = shapeText
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean)
      .map(Number);
    if (shape.length !== 2 || shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
      throw new Error(`${file}: expected a 2-D matrix (rows x dimensions), got shape (${shapeText.trim()})`);
    }
    // zero-width rows take no bytes, so the size check below cannot bound the row count
    if (shape[1] === 0)
      throw new Error(`${file}: vectors need at least one dimension, got shape (${shapeText.trim()})`);
    const bytesPerValue = Number(m[3]);
    const dataOffset = start + headerLen;
    const expected = dataOffset + shape[0] * shape[1] * bytesPerValue;
    if (size < expected)
      throw new Error(
        `${file}: truncated: header says ${shape[0]} x ${shape[1]} but the file holds ${size - dataOffset} data bytes`,
      );
    return {
      dtype: `f${m[3]}` as NpyDtype,
      littleEndian: m[1] !== ">",
      rows: shape[0],
      cols: shape[1],
      dataOffset,
      bytesPerValue,
    };
  } finally {
    fs.closeSync(fd);
  }
}

/** Rows of a .npy matrix as float32 vectors, `batchRows` at a time. */
export async function* readNpyRows(
  file: string,
  header: NpyHeader,
  batchRows = 2048,
): AsyncGenerator<{ start: number; rows: Float32Array[] }> {
  const { rows, cols, bytesPerValue, littleEndian } = header;
  const rowBytes = cols * bytesPerValue;
  const handle = await fs.promises.open(file, "r");
  try {
    const buf = Buffer.alloc(Math.max(1, Math.min(rows, batchRows)) * rowBytes);
    for (let start = 0; start < rows; start += batchRows) {
      const n = Math.min(batchRows, rows - start);
      const { bytesRead } = await handle.read(buf, 0, n * rowBytes, header.dataOffset + start * rowBytes);
      if (bytesRead < n * rowBytes) throw new Error(`${file}: file ended early at row ${start}`);
      const out: Float32Array[] = [];
      for (let r = 0; r < n; r++) {
        const at = r * rowBytes;
        const v = new Float32Array(cols);
        if (header.dtype === "f2") decodeHalves(buf, at, cols, littleEndian, v);
        else if (header.dtype === "f4")
          for (let c = 0; c < cols; c++)
            v[c] = littleEndian ? buf.readFloatLE(at + 4 * c) : buf.readFloatBE(at + 4 * c);
        else
          for (let c = 0; c < cols; c++)
            v[c] = littleEndian ? buf.readDoubleLE(at + 8 * c) : buf.readDoubleBE(at + 8 * c);
        out.push(v);
      }
      yield { start, rows: out };
    }
  } finally {
    await handle.close();
  }
}

/** A .npy file (format 1.0, little-endian, C order) holding `rows` x `cols` values, float16 or float32. */
export function encodeNpy(values: ArrayLike<number>, rows: number, cols: number, dtype: "f2" | "f4" = "f4"): Buffer {
  if (values.length !== rows * cols) throw new Error(`encodeNpy: ${values.length} values for ${rows} x ${cols}`);
  let dict = `{'descr': '<${dtype}', 'fortran_order': False, 'shape': (${rows}, ${cols}), }`;
  const unpadded = 10 + dict.length + 1;
  dict += " ".repeat((64 - (unpadded % 64)) % 64) + "\n"; // data starts on a 64-byte boundary, as NumPy does
  const header = Buffer.alloc(10);
  MAGIC.copy(header);
  header[6] = 1;
  header[7] = 0;
  header.writeUInt16LE(dict.length, 8);
  const size = dtype === "f2" ? 2 : 4;
  const data = Buffer.alloc(values.length * size);
  for (let i = 0; i < values.length; i++) {
    if (dtype === "f2") data.writeUInt16LE(floatToHalf(values[i]), 2 * i);
    else data.writeFloatLE(values[i], 4 * i);
  }
  return Buffer.concat([header, Buffer.from(dict, "latin1"), data]);
}
