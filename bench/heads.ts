// Head benchmark: one forward and backward pass and an SGD step of the head alone, on fixed
// embeddings, for each head and class count, on every backend present. Heads are timed
// interleaved (round-robin, rotating order); medians and the ratio of each head to a bias-free
// Dense head measured in the same rounds; tensors left behind per step; kernels per step. Where
// the fused head kernels serve the backend (cpu, webgpu), A-Softmax also runs on composite ops.
// A head whose kernel is wider than C (sub-center ArcFace: K columns per class) is also compared
// with a Dense head of that many units.
// Usage: npm run bench -- heads [--classes 10,1000,10575] [--heads ArcFace,SubCenterArcFace] [--runs 7] [--backends cpu,wasm] [--name F] [--out DIR]
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { FUSED_KERNEL_BACKENDS, HEADS, marginCrossEntropy, useFusedKernels } from 'tfjs-angular-margin';
import { availableBackends, machine, median, RESULTS_DIR, timeInterleaved, useBackend, writeResults } from './common.js';

/** A Dense head without bias (the reference cost), then every head of the library's registry, with its defaults. */
const LAYERS: Record<string, (units: number) => tfl.layers.Layer> = {
  'Dense (no bias)': (units) => tfl.layers.dense({ units, useBias: false }),
  ...Object.fromEntries(
    Object.values(HEADS).map((head) => [head.className, (units: number) => (head as { create(args: { units: number }): tfl.layers.Layer }).create({ units })]),
  ),
};
/** Run with useFusedKernels(false), on the backends with fused kernels. */
const COMPOSITE = `${HEADS.angularSoftmax.className} (composite ops)`;

/** Kernels that tf.profile lists but that move no data: views, and the scopes of ops and custom gradients. */
function dispatches(names: string[]): number {
  return names.filter((n) => n !== 'Reshape' && n !== 'Identity' && !n.endsWith('__op')).length;
}

const { values } = parseArgs({
  options: {
    classes: { type: 'string', default: '10,1000,10575' },
    heads: { type: 'string' },
    batch: { type: 'string', default: '256' },
    dim: { type: 'string', default: '512' },
    runs: { type: 'string', default: '7' },
    warmup: { type: 'string', default: '2' },
    backends: { type: 'string' },
    name: { type: 'string', default: 'heads' },
    out: { type: 'string', default: RESULTS_DIR },
  },
});
const B = Number(values.batch);
const D = Number(values.dim);
const classes = values.classes.split(',').map(Number);
const backends = values.backends ? values.backends.split(',') : await availableBackends(false);
const DENSE = 'Dense (no bias)';
const chosen = values.heads?.split(',');
const unknown = chosen?.filter((name) => !(name in LAYERS) && name !== COMPOSITE);
if (unknown?.length) throw new Error(`--heads: expected names among ${[...Object.keys(LAYERS), COMPOSITE].join(', ')}, but got ${unknown.join(', ')}`);
/** Whether a head is benchmarked: all without --heads; Dense always, as the reference. */
const benchmarked = (name: string) => name === DENSE || chosen == null || chosen.includes(name);

const rows: Array<Record<string, unknown>> = [];
const backendDetails: Record<string, string> = {};
for (const backend of backends) {
  const info = await useBackend(backend, false);
  backendDetails[info.name] = info.detail;
  console.log(`backend ${info.name}: ${info.detail}`);
  for (const C of classes) {
    // Large heads take seconds a step on CPU backends: fewer rounds there.
    const heavy = C * D > 1e6 && (info.name === 'cpu' || info.name === 'wasm');
    const runs = heavy ? Math.min(5, Number(values.runs)) : Number(values.runs);
    const warmup = heavy ? 1 : Number(values.warmup);
    const x = tf.randomNormal([B, D], 0, 1, 'float32', 1);
    const labels = tf.randomUniform([B], 0, C, 'int32', 2);
    const targets = tf.oneHot(labels, C);
    const heads = Object.entries(LAYERS);
    if (FUSED_KERNEL_BACKENDS.includes(info.name)) heads.push([COMPOSITE, LAYERS[HEADS.angularSoftmax.className]!]);
    const contender = (name: string, head: tfl.layers.Layer, y: tf.Tensor = targets) => {
      const margin = !name.startsWith(DENSE);
      const fused = name !== COMPOSITE;
      const forward = () => (margin ? head.apply([x, labels], { training: true }) : head.apply(x)) as tf.Tensor;
      tf.tidy(forward); // builds the head, so that its kernel exists before minimize lists variables
      const optimizer = tf.train.sgd(0.01);
      const step = async () => {
        const before = useFusedKernels(fused);
        const loss = optimizer.minimize(() => marginCrossEntropy(y, forward()), true)!;
        useFusedKernels(before);
        await loss.data();
        loss.dispose();
      };
      return { name, head, optimizer, step };
    };
    const made = heads.filter(([name]) => benchmarked(name)).map(([name, make]) => contender(name, make(C)));
    // The width of each head's kernel [D, W]; a Dense head of each width above C, as their reference.
    const widthOf = new Map(made.map(({ name, head }) => [name, head.getWeights()[0]!.shape[1]!]));
    const wideDense = (width: number) => `${DENSE}, ${width} units`;
    const wideTargets = [...new Set([...widthOf.values()].filter((w) => w > C))].map((width) => {
      const y = tf.oneHot(labels, width);
      made.push(contender(wideDense(width), tfl.layers.dense({ units: width, useBias: false }), y));
      return y;
    });
    const kernels = new Map<string, number>();
    for (const { name, step } of made) kernels.set(name, dispatches((await tf.profile(step)).kernels.map((k) => k.name)));
    const timed = await timeInterleaved(made, warmup, runs);
    const denseTimes = timed.get(DENSE)!.times;
    const dense = median(denseTimes);
    for (const { name, head, optimizer } of made) {
      const { times, leakedPerStep } = timed.get(name)!;
      const ms = median(times);
      // The median of the round-by-round ratios: each round times every head once, so a slowdown of
      // the shared machine that lasts a round or longer cancels out of these.
      const pairedRatioToDense = median(times.map((t, r) => t / denseTimes[r]!));
      const kernelsPerStep = kernels.get(name)!;
      const width = widthOf.get(name) ?? C;
      // Against the Dense head of the kernel's own width (heads with a kernel wider than C).
      const wideTimes = width > C ? timed.get(wideDense(width))!.times : null;
      const pairedRatioToSameWidth = wideTimes && median(times.map((t, r) => t / wideTimes[r]!));
      rows.push({
        backend: info.name,
        classes: C,
        head: name,
        medianMs: ms,
        ratioToDense: ms / dense,
        pairedRatioToDense,
        ...(wideTimes && { pairedRatioToSameWidth }),
        kernelsPerStep,
        leakedPerStep,
        runs,
        times,
      });
      console.log(
        `  C=${C} ${name.padEnd(20)} ${ms.toFixed(2)} ms  ×${(ms / dense).toFixed(2)} (per round ×${pairedRatioToDense.toFixed(2)})  kernels ${kernelsPerStep}  leaked/step ${leakedPerStep}`,
      );
      optimizer.dispose();
      head.dispose();
    }
    tf.dispose([x, labels, targets, ...wideTargets]);
  }
}

const md = [
  `Head step (forward, backward, SGD update) at B = ${B}, D = ${D}; median of the timed runs after warm-up; ratio to the bias-free Dense head in the same run: of the medians, and the median of the ratios round by round (each round times every head once, in rotating order).`,
  'Kernels: those tf.profile lists in one step, views (Reshape, Identity) and op scopes left out. On cpu and webgpu the heads use the fused kernels; the "composite ops" row is A-Softmax with useFusedKernels(false).',
  `Machine: ${JSON.stringify(machine())}. Backends: ${Object.entries(backendDetails)
    .map(([name, detail]) => `${name} (${detail})`)
    .join('; ')}.`,
  '',
  '| backend | C | head | median ms | × Dense | × Dense, per round | kernels / step | tensors leaked / step |',
  '| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |',
  ...rows.map(
    (r) =>
      `| ${r.backend} | ${r.classes} | ${r.head} | ${(r.medianMs as number).toFixed(2)} | ${(r.ratioToDense as number).toFixed(2)} | ${(r.pairedRatioToDense as number).toFixed(2)} | ${r.kernelsPerStep} | ${r.leakedPerStep} |`,
  ),
  '',
  ...rows
    .filter((r) => r.pairedRatioToSameWidth != null)
    .flatMap((r) => [
      `${r.backend}, C = ${r.classes}: ${r.head} against the Dense head of its kernel's width, per round: × ${(r.pairedRatioToSameWidth as number).toFixed(2)}.`,
      '',
    ]),
].join('\n');
await writeResults(values.name, { batch: B, dim: D, machine: machine(), backends: backendDetails, rows }, md, values.out);
console.log(`\n${md}`);
