import os from "node:os";
import type pg from "pg";

// Vectors travel to PostgreSQL in pgvector's binary format (node-postgres sends a Buffer parameter as
// binary, so the server runs vector_recv): no float-to-text formatting in JS and no parsing on the
// server, which matters when millions of 512-d vectors are loaded. Layout, big-endian:
// int16 dim, int16 unused (0), then dim float4.

const littleEndianHost = os.endianness() === "LE";

/**
 * Writes floats big-endian at `at` (4-byte aligned in an own ArrayBuffer): a typed-array copy and one
 * native byte swap, several times faster than writeFloatBE per value, which matters for millions.
 */
function writeFloatsBE(buf: Buffer, at: number, v: ArrayLike<number>): void {
  if (!littleEndianHost || (buf.byteOffset + at) % 4 !== 0) {
    for (let i = 0; i < v.length; i++) buf.writeFloatBE(v[i], at + 4 * i);
    return;
  }
  new Float32Array(buf.buffer, buf.byteOffset + at, v.length).set(v);
  buf.subarray(at, at + 4 * v.length).swap32();
}

/** One vector as a binary `$n::vector` parameter. */
export function vectorParam(v: ArrayLike<number>): Buffer {
  const buf = Buffer.allocUnsafeSlow(4 + 4 * v.length);
  buf.writeInt16BE(v.length, 0);
  buf.writeInt16BE(0, 2);
  writeFloatsBE(buf, 4, v);
  return buf;
}

/**
 * Many vectors as one binary `$n::vector[]` parameter (PostgreSQL's binary array format). The element
 * type's oid is part of that format and differs per database, hence `vectorOid`.
 */
export function vectorArrayParam(vectors: ArrayLike<number>[], vectorOid: number): Buffer {
  const dim = vectors.length ? vectors[0].length : 0;
  const elementBytes = 4 + 4 * dim;
  const buf = Buffer.allocUnsafeSlow(20 + vectors.length * (4 + elementBytes)); // own buffer: aligned floats
  buf.writeInt32BE(1, 0); // dimensions
  buf.writeInt32BE(0, 4); // has nulls
  buf.writeInt32BE(vectorOid, 8);
  buf.writeInt32BE(vectors.length, 12);
  buf.writeInt32BE(1, 16); // lower bound
  let at = 20;
  for (const v of vectors) {
    if (v.length !== dim) throw new Error(`vectors of different lengths in one batch (${dim} and ${v.length})`);
    buf.writeInt32BE(elementBytes, at);
    buf.writeInt16BE(dim, at + 4);
    buf.writeInt16BE(0, at + 6);
    writeFloatsBE(buf, at + 8, v);
    at += elementBytes + 4;
  }
  return buf;
}

/** Parses pgvector's text output ("[0.1,0.2]"), for the few places that read a vector back. */
export function parseVectorText(text: string): Float32Array {
  const inner = text.trim().replace(/^\[/, "").replace(/\]$/, "");
  return inner ? Float32Array.from(inner.split(","), Number) : new Float32Array(0);
}

const oidCache = new WeakMap<object, number>();

/** The `vector` type's oid in this database (the extension's types get oids when it is created). */
export async function vectorTypeOid(pool: pg.Pool): Promise<number> {
  const cached = oidCache.get(pool);
  if (cached) return cached;
  const r = await pool.query<{ oid: number }>("SELECT 'vector'::regtype::oid::int AS oid");
  oidCache.set(pool, r.rows[0].oid);
  return r.rows[0].oid;
}
