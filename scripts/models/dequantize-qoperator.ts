import {
  DataType,
  floatTensor,
  node,
  readTensorNumbers,
  tensorDims,
  type ModelProto,
  type NodeProto,
  type TensorProto,
} from "@/lib/models/onnx-file";

// The float (fp32) twin of a statically quantized QOperator model (QLinearConv, QLinearAdd, ...), for
// comparing int8 against fp32 with the same pretrained weights (bench/embed: MobileNetV2). Weights and
// biases are dequantized; each quantized output's representable range becomes a Clip, which is where
// such models keep their fused ReLU/ReLU6. Tensor names are kept, now holding float values.

type Inits = Map<string, TensorProto>;

function numbers(inits: Inits, name: string): Float64Array {
  const t = inits.get(name);
  if (!t) throw new Error(`${name} is not a constant`);
  return readTensorNumbers(t);
}

/**
 * The quantized type's range as floats, [(qmin - zp) * scale, (qmax - zp) * scale], kept as a Clip
 * only where it starts at 0, i.e. where it is a fused ReLU/ReLU6; elsewhere it is mere saturation,
 * which a float model does not have.
 */
function rangeClip(
  inits: Inits,
  out: string,
  scaleName: string,
  zpName: string,
  nodes: NodeProto[],
  pre: string,
): void {
  const scale = numbers(inits, scaleName)[0];
  const zp = numbers(inits, zpName)[0];
  const [qmin, qmax] = inits.get(zpName)!.dataType === DataType.INT8 ? [-128, 127] : [0, 255];
  if (zp !== qmin) {
    nodes.push(node("Identity", [pre], [out]));
    return;
  }
  const lo = `${out}_clip_min`;
  const hi = `${out}_clip_max`;
  inits.set(lo, floatTensor(lo, [], Float32Array.of((qmin - zp) * scale)));
  inits.set(hi, floatTensor(hi, [], Float32Array.of((qmax - zp) * scale)));
  nodes.push(node("Clip", [pre, lo, hi], [out]));
}

/** (q - zp) * scale, with scale and zero point per tensor or per channel along `axis` (0 for Conv, 1 for MatMul's B). */
function dequantizeConstant(
  inits: Inits,
  q: string,
  scaleName: string,
  zpName: string,
  outName: string,
  axis = 0,
): string {
  const t = inits.get(q)!;
  const dims = tensorDims(t);
  const values = readTensorNumbers(t);
  const scale = numbers(inits, scaleName);
  const zp = numbers(inits, zpName);
  // elements between consecutive channels along `axis`
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const c = scale.length > 1 ? Math.floor(i / inner) % dims[axis] : 0;
    out[i] = (values[i] - zp[zp.length > 1 ? c : 0]) * scale[c];
  }
  inits.set(outName, floatTensor(outName, dims, out));
  return outName;
}

export function dequantizeQOperatorModel(model: ModelProto): ModelProto {
  const graph = model.graph!;
  const inits: Inits = new Map((graph.initializer ?? []).map((t) => [t.name!, t]));
  const nodes: NodeProto[] = [];
  const attrsOf = (n: NodeProto) => n.attribute ?? [];
  for (const n of graph.node ?? []) {
    const i = n.input!;
    const y = n.output![0];
    switch (n.opType) {
      case "QuantizeLinear":
        rangeClip(inits, y, i[1], i[2], nodes, i[0]);
        break;
      case "DequantizeLinear":
        nodes.push(node("Identity", [i[0]], [y]));
        break;
      case "QLinearConv": {
        const w = dequantizeConstant(inits, i[3], i[4], i[5], `${i[3]}_float`);
        const inputs = [i[0], w];
        if (i[8]) {
          // int32 bias at scale x_scale * w_scale
          const xs = numbers(inits, i[1])[0];
          const bias = numbers(inits, i[8]);
          const ws = numbers(inits, i[4]);
          const name = `${i[8]}_float`;
          inits.set(
            name,
            floatTensor(
              name,
              [bias.length],
              Float32Array.from(bias, (b, c) => b * xs * ws[ws.length > 1 ? c : 0]),
            ),
          );
          inputs.push(name);
        }
        nodes.push({ ...node("Conv", inputs, [`${y}_conv`]), attribute: attrsOf(n) });
        rangeClip(inits, y, i[6], i[7], nodes, `${y}_conv`);
        break;
      }
      case "QLinearAdd": {
        const b = inits.has(i[3]) ? dequantizeConstant(inits, i[3], i[4], i[5], `${i[3]}_float`) : i[3];
        nodes.push(node("Add", [i[0], b], [`${y}_add`]));
        rangeClip(inits, y, i[6], i[7], nodes, `${y}_add`);
        break;
      }
      case "QLinearMatMul": {
        const b = inits.has(i[3]) ? dequantizeConstant(inits, i[3], i[4], i[5], `${i[3]}_float`, 1) : i[3];
        nodes.push(node("MatMul", [i[0], b], [`${y}_matmul`]));
        rangeClip(inits, y, i[6], i[7], nodes, `${y}_matmul`);
        break;
      }
      case "QLinearGlobalAveragePool":
        nodes.push(node("GlobalAveragePool", [i[0]], [`${y}_pool`]));
        rangeClip(inits, y, i[3], i[4], nodes, `${y}_pool`);
        break;
      default:
        if (n.opType?.startsWith("QLinear")) throw new Error(`cannot dequantize ${n.opType}`);
        nodes.push(n);
    }
  }
  const used = new Set(nodes.flatMap((x) => x.input ?? []));
  const initializer = [...inits.values()].filter((t) => used.has(t.name!));
  return { ...model, graph: { ...graph, node: nodes, initializer } } as ModelProto;
}
