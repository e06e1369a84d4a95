// Filter-gradient benchmark: for every distinct convolution of an MNIST example network (the paper
// network by default), the backend's own Conv2DBackpropFilter kernel against conv2dFilterGradient
// (the op behind registerFastConvGradients) with each method, 'transposed' and 'taps', on the same
// x and dy, timed interleaved. Also checks that they agree (largest difference to the stock
// result, relative to its largest entry), and sums the time per training step over the network's
// layers, each shape counted as often as it occurs.
// Usage: npm run bench -- conv [--network paper] [--batch 256] [--runs 10] [--backends webgpu] [--name F] [--out DIR]
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { conv2dFilterGradient } from 'tfjs-angular-margin/fast-kernels';
import { buildTrunk, type Network } from '../tools/networks.js';
import { availableBackends, machine, median, RESULTS_DIR, timeInterleaved, useBackend, writeResults } from './common.js';

const { values } = parseArgs({
  options: {
    network: { type: 'string', default: 'paper' },
    batch: { type: 'string', default: '256' },
    runs: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    backends: { type: 'string' },
    name: { type: 'string', default: 'conv-gradients' },
    out: { type: 'string', default: RESULTS_DIR },
  },
});
const B = Number(values.batch);

interface ConvShape {
  key: string;
  inH: number;
  inW: number;
  inC: number;
  filterShape: [number, number, number, number];
  strides: [number, number];
  pad: 'same' | 'valid';
  outH: number;
  outW: number;
  count: number;
}

/** The distinct convolutions of the network, with how many layers share each. */
function convShapes(network: Network): ConvShape[] {
  const trunk = buildTrunk(network, 2, 1);
  const shapes = new Map<string, ConvShape>();
  for (const layer of trunk.layers) {
    if (layer.getClassName() !== 'Conv2D') continue;
    const config = layer.getConfig() as { kernelSize: number[]; strides: number[]; padding: 'same' | 'valid'; filters: number };
    const [, inH, inW, inC] = (layer.input as tfl.SymbolicTensor).shape as number[];
    const [, outH, outW] = (layer.output as tfl.SymbolicTensor).shape as number[];
    const filterShape: [number, number, number, number] = [config.kernelSize[0]!, config.kernelSize[1]!, inC!, config.filters];
    const strides: [number, number] = [config.strides[0]!, config.strides[1]!];
    const key = `${inH}×${inW}×${inC} → ${outH}×${outW}×${config.filters}, ${filterShape[0]}×${filterShape[1]}, stride ${strides[0]}, ${config.padding}`;
    const seen = shapes.get(key);
    if (seen != null) seen.count++;
    else shapes.set(key, { key, inH: inH!, inW: inW!, inC: inC!, filterShape, strides, pad: config.padding, outH: outH!, outW: outW!, count: 1 });
  }
  trunk.dispose();
  return [...shapes.values()];
}

const backends = values.backends ? values.backends.split(',') : await availableBackends(false);
const rows: Array<Record<string, unknown>> = [];
for (const backend of backends) {
  const info = await useBackend(backend, false);
  if (tf.getKernel('Conv2DBackpropFilter', info.name) == null) {
    console.log(`backend ${info.name}: no Conv2DBackpropFilter kernel of its own; nothing to compare`);
    continue;
  }
  console.log(`backend ${info.name}: ${info.detail}`);
  for (const s of convShapes(values.network as Network)) {
    const x = tf.randomNormal([B, s.inH, s.inW, s.inC], 0, 1, 'float32', 1) as tf.Tensor4D;
    const dy = tf.randomNormal([B, s.outH, s.outW, s.filterShape[3]], 0, 1, 'float32', 2) as tf.Tensor4D;
    const stock = () =>
      tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: s.strides, pad: s.pad, dataFormat: 'NHWC', filterShape: s.filterShape }) as tf.Tensor;
    const variants: Record<string, () => tf.Tensor> = {
      stock,
      transposed: () => conv2dFilterGradient(x, dy, s.filterShape, s.strides, s.pad, 1, 'transposed'),
      taps: () => conv2dFilterGradient(x, dy, s.filterShape, s.strides, s.pad, 1, 'taps'),
    };
    // A step ends with a scalar read, so that the timing includes the work but not a large download.
    const step = (f: () => tf.Tensor) => async () => {
      const total = tf.tidy(() => tf.sum(f()));
      await total.data();
      total.dispose();
    };
    const row: Record<string, unknown> = { backend: info.name, shape: s.key, layers: s.count, batch: B };
    const expected = stock();
    for (const name of ['transposed', 'taps']) {
      const extremes = tf.tidy(() => tf.stack([tf.max(tf.abs(tf.sub(variants[name]!(), expected))), tf.max(tf.abs(expected))]));
      const [largestDifference, largest] = await extremes.data(); // async: webgpu in Node reads no other way
      row[`${name}Difference`] = largestDifference! / Math.max(1e-30, largest!);
      extremes.dispose();
    }
    expected.dispose();
    const timed = await timeInterleaved(
      Object.entries(variants).map(([name, f]) => ({ name, step: step(f) })),
      Number(values.warmup),
      Number(values.runs),
    );
    for (const name of Object.keys(variants)) {
      row[`${name}Ms`] = median(timed.get(name)!.times);
      row[`${name}Times`] = timed.get(name)!.times;
    }
    rows.push(row);
    const ms = (name: string) => row[`${name}Ms`] as number;
    console.log(`  ${s.key} (×${s.count}): stock ${ms('stock').toFixed(2)} ms, transposed ${ms('transposed').toFixed(2)} ms, taps ${ms('taps').toFixed(2)} ms`);
    tf.dispose([x, dy]);
  }
}

const totals = [...new Set(rows.map((r) => r.backend as string))].map((backend) => {
  const mine = rows.filter((r) => r.backend === backend);
  const sum = (k: string) => mine.reduce((t, r) => t + (r[k] as number) * (r.layers as number), 0);
  return { backend, stockMs: sum('stockMs'), transposedMs: sum('transposedMs'), tapsMs: sum('tapsMs') };
});
const f = (v: unknown, digits = 2) => (v as number).toFixed(digits);
const md = [
  `Filter gradient (Conv2DBackpropFilter) of each distinct convolution of the ${values.network} network at batch ${B}: the backend's own kernel ("stock") against conv2dFilterGradient (registerFastConvGradients) with method 'transposed' and 'taps'; median ms of ${values.runs} interleaved runs. "diff" is max |method − stock| / max |stock|.`,
  `Machine: ${JSON.stringify(machine())}.`,
  '',
  '| backend | convolution | layers | stock | transposed | taps | transposed / stock | taps / stock | diff transposed | diff taps |',
  '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...rows.map(
    (r) =>
      `| ${r.backend} | ${r.shape} | ${r.layers} | ${f(r.stockMs)} | ${f(r.transposedMs)} | ${f(r.tapsMs)} | ${f((r.transposedMs as number) / (r.stockMs as number))} | ${f((r.tapsMs as number) / (r.stockMs as number))} | ${(r.transposedDifference as number).toExponential(1)} | ${(r.tapsDifference as number).toExponential(1)} |`,
  ),
  ...totals.map(
    (t) =>
      `| ${t.backend} | **all layers of one training step** | | ${f(t.stockMs, 1)} | ${f(t.transposedMs, 1)} | ${f(t.tapsMs, 1)} | ${f(t.transposedMs / t.stockMs)} | ${f(t.tapsMs / t.stockMs)} | | |`,
  ),
  '',
].join('\n');
await writeResults(values.name, { network: values.network, batch: B, machine: machine(), rows, totals }, md, values.out);
console.log(`\n${md}`);
