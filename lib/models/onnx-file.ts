import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import onnxProto from "onnx-proto";
import type { onnx as OnnxTypes } from "onnx-proto";

// Reading, writing and building ONNX protobufs in Node (onnx-proto), so graph edits, test models
// and quantization need no Python at runtime.

export const { onnx } = onnxProto;
export type ModelProto = OnnxTypes.IModelProto;
export type GraphProto = OnnxTypes.IGraphProto;
export type NodeProto = OnnxTypes.INodeProto;
export type TensorProto = OnnxTypes.ITensorProto;
export type ValueInfoProto = OnnxTypes.IValueInfoProto;

export const DataType = onnx.TensorProto.DataType;
const AttrType = onnx.AttributeProto.AttributeType;

export function readOnnxModel(file: string): ModelProto {
  return onnx.ModelProto.decode(fs.readFileSync(file));
}

/** Writes atomically (temp file + rename) so a crash never leaves a half-written model behind. */
export function writeOnnxModel(model: ModelProto, file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const bytes = onnx.ModelProto.encode(model).finish();
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, bytes);
  fs.renameSync(tmp, file);
}

/** A file's sha256, read in 1 MB chunks (models can be hundreds of MB): keys derived-model caches. */
export function sha256File(file: string): string {
  const hash = crypto.createHash("sha256");
  const fd = fs.openSync(file, "r");
  try {
    const buf = Buffer.alloc(1 << 20);
    let n: number;
    while ((n = fs.readSync(fd, buf, 0, buf.length, null)) > 0) hash.update(buf.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest("hex");
}

/** Protobuf int64 fields arrive as Long objects or numbers. */
export function toNumber(v: unknown): number {
  if (typeof v === "number") return v;
  if (v && typeof (v as { toNumber?: unknown }).toNumber === "function")
    return (v as { toNumber(): number }).toNumber();
  return Number(v);
}

export function floatTensor(name: string, dims: number[], data: Float32Array): TensorProto {
  return {
    name,
    dims,
    dataType: DataType.FLOAT,
    rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
  };
}

export function int64Tensor(name: string, dims: number[], values: number[]): TensorProto {
  const data = BigInt64Array.from(values.map(BigInt));
  return { name, dims, dataType: DataType.INT64, rawData: new Uint8Array(data.buffer) };
}

export function int8Tensor(name: string, dims: number[], data: Int8Array): TensorProto {
  return {
    name,
    dims,
    dataType: DataType.INT8,
    rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
  };
}

/** A float initializer's values, whether stored as raw bytes or as a repeated float field. */
export function readFloatTensor(t: TensorProto): Float32Array {
  if (t.dataType !== DataType.FLOAT) throw new Error(`tensor ${t.name} is not float32 (data type ${t.dataType})`);
  if (t.rawData && t.rawData.length > 0) {
    const copy = new Uint8Array(t.rawData); // aligned copy: rawData may sit at any offset in the file buffer
    return new Float32Array(copy.buffer, 0, copy.byteLength / 4);
  }
  return Float32Array.from(t.floatData ?? []);
}

/** Any numeric initializer's values as doubles (float, int8/uint8, int32, int64; raw or typed fields). */
export function readTensorNumbers(t: TensorProto): Float64Array {
  const raw = t.rawData && t.rawData.length > 0 ? new Uint8Array(t.rawData) : null; // aligned copy
  switch (t.dataType) {
    case DataType.FLOAT:
      return Float64Array.from(readFloatTensor(t));
    case DataType.UINT8:
      return Float64Array.from(raw ?? t.int32Data ?? []);
    case DataType.INT8:
      return Float64Array.from(raw ? new Int8Array(raw.buffer) : (t.int32Data ?? []));
    case DataType.INT32:
      return Float64Array.from(raw ? new Int32Array(raw.buffer) : (t.int32Data ?? []));
    case DataType.INT64:
      return raw
        ? Float64Array.from(new BigInt64Array(raw.buffer), Number)
        : Float64Array.from((t.int64Data ?? []).map(toNumber));
    default:
      throw new Error(`tensor ${t.name} has unsupported data type ${t.dataType}`);
  }
}

export function tensorDims(t: TensorProto): number[] {
  return (t.dims ?? []).map(toNumber);
}

type AttrValue = number | number[] | string | TensorProto;

/** A node; integer attributes are written as INT(S), fractional numbers as FLOAT(S). */
export function node(
  opType: string,
  inputs: string[],
  outputs: string[],
  attrs: Record<string, AttrValue> = {},
  extra: { name?: string; domain?: string } = {},
): NodeProto {
  const attribute = Object.entries(attrs).map(([name, v]) => {
    if (typeof v === "string") return { name, type: AttrType.STRING, s: new TextEncoder().encode(v) };
    if (Array.isArray(v)) {
      return v.every(Number.isInteger)
        ? { name, type: AttrType.INTS, ints: v }
        : { name, type: AttrType.FLOATS, floats: v };
    }
    if (typeof v === "number")
      return Number.isInteger(v) && !FLOAT_ATTRS.has(name)
        ? { name, type: AttrType.INT, i: v }
        : { name, type: AttrType.FLOAT, f: v };
    return { name, type: AttrType.TENSOR, t: v };
  });
  return { opType, input: inputs, output: outputs, attribute, name: extra.name ?? outputs[0], domain: extra.domain };
}
// Attributes that are floats even when given a whole number (e.g. alpha = 1).
const FLOAT_ATTRS = new Set(["alpha", "beta", "epsilon", "gamma", "value_float"]);

/** A graph input/output description; dims may be symbolic names such as "batch". */
export function valueInfo(name: string, elemType: number, dims: (number | string)[]): ValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === "number" ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

export function makeModel(graph: GraphProto, opset: number, producer = "fieldmark"): ModelProto {
  return { irVersion: 8, producerName: producer, opsetImport: [{ domain: "", version: opset }], graph };
}

/** Graph inputs that are real inputs (older exports also list initializers as inputs). */
export function graphInputs(graph: GraphProto): ValueInfoProto[] {
  const inits = new Set((graph.initializer ?? []).map((t) => t.name));
  return (graph.input ?? []).filter((i) => !inits.has(i.name));
}
