// IEEE 754 half precision, which Node 20 has no typed array for. NumPy writes '<f2' as these bits.

let table: Float32Array | undefined;

/** All 65,536 half-precision values as float32, built once: a lookup beats bit twiddling per value. */
function halfTable(): Float32Array {
  if (table) return table;
  table = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const frac = h & 0x3ff;
    table[h] =
      exp === 0
        ? sign * 2 ** -14 * (frac / 1024)
        : exp === 31
          ? frac
            ? NaN
            : sign * Infinity
          : sign * 2 ** (exp - 15) * (1 + frac / 1024);
  }
  return table;
}

export function halfToFloat(bits: number): number {
  return halfTable()[bits & 0xffff];
}

/** Decodes `count` little- or big-endian halves starting at `offset` in `buf`. */
export function decodeHalves(
  buf: Buffer,
  offset: number,
  count: number,
  littleEndian: boolean,
  out = new Float32Array(count),
): Float32Array {
  const t = halfTable();
  for (let i = 0, at = offset; i < count; i++, at += 2)
    out[i] = t[littleEndian ? buf.readUInt16LE(at) : buf.readUInt16BE(at)];
  return out;
}

/** Nearest half-precision bits for a number (round to nearest even), for writing test files. */
export function floatToHalf(value: number): number {
  const f32 = new Float32Array([value]);
  const x = new Uint32Array(f32.buffer)[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++;
  return sign | half;
}
