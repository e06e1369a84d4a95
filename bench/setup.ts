// What each CPU set-up of tfjs in Node costs (the choices useFastCpu makes): a training step of a
// small convolutional backbone (B = 64, 16×16×3 images) and of an ArcFace head of 1,000 classes on
// 512-D embeddings (B = 128), each on cpu with and without registerFastConvGradients, and on wasm
// with and without registerFastMatMul, timed interleaved (rounds alternate the set-ups; the backend
// switches each step). Medians and ratios come from the same rounds.
// Usage: npm run bench -- setup [--runs 5] [--warmup 1] [--name setup-cpu] [--out DIR]
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { arcFace, marginCrossEntropy } from 'tfjs-angular-margin';
import { registerFastConvGradients, registerFastMatMul, restoreConvGradients, restoreMatMul } from 'tfjs-angular-margin/fast-kernels';
import { machine, median, RESULTS_DIR, timeInterleaved, useBackend, writeResults, type Contender } from './common.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '1' },
    name: { type: 'string', default: 'setup-cpu' },
    out: { type: 'string', default: RESULTS_DIR },
  },
});

/** A set-up: a backend and which of the library's kernels replace its own. */
interface Setup {
  name: string;
  backend: 'cpu' | 'wasm';
  fastConv: boolean;
  fastMatMul: boolean;
}

async function activate(setup: Setup): Promise<void> {
  await tf.setBackend(setup.backend);
  restoreMatMul();
  restoreConvGradients({ backends: ['cpu', 'wasm'] });
  if (setup.fastMatMul) registerFastMatMul({ backends: [setup.backend] });
  if (setup.fastConv) registerFastConvGradients({ backends: [setup.backend] });
}

/** One Adam step of a model on a batch, ended by reading the loss. */
function stepOf(
  model: tfl.LayersModel,
  inputs: tf.Tensor | tf.Tensor[],
  targets: tf.Tensor,
  loss: (y: tf.Tensor, p: tf.Tensor) => tf.Scalar,
  optimizer: tf.Optimizer,
): () => Promise<void> {
  return async () => {
    const cost = optimizer.minimize(() => loss(targets, model.apply(inputs, { training: true }) as tf.Tensor), true)!;
    await cost.data();
    cost.dispose();
  };
}

/** The contenders of a workload, each building its model on its own backend (weights live on a backend). */
async function contendersOf(setups: Setup[], build: () => { step: () => Promise<void> }): Promise<Contender[]> {
  const out: Contender[] = [];
  for (const setup of setups) {
    await activate(setup);
    const { step } = build();
    out.push({
      name: setup.name,
      step: async () => {
        await activate(setup);
        await step();
      },
    });
  }
  return out;
}

const convBackbone = () => {
  const images = tf.randomNormal([64, 16, 16, 3], 0, 1, 'float32', 1);
  const targets = tf.oneHot(
    tf.tensor1d(
      Array.from({ length: 64 }, (_, i) => i % 10),
      'int32',
    ),
    10,
  );
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [16, 16, 3], filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tfl.layers.conv2d({ filters: 64, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
      tfl.layers.conv2d({ filters: 128, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 10 }),
    ],
  });
  return { step: stepOf(model, images, targets, marginCrossEntropy, tf.train.adam(1e-3)) };
};

const arcFaceHead = () => {
  const embeddings = tfl.input({ shape: [512] });
  const labels = tfl.input({ shape: [1] });
  const model = tfl.model({ inputs: [embeddings, labels], outputs: arcFace({ units: 1000 }).apply([embeddings, labels]) as tfl.SymbolicTensor });
  const classOf = Array.from({ length: 128 }, (_, i) => i % 1000);
  const inputs = [tf.randomNormal([128, 512], 0, 1, 'float32', 2), tf.tensor2d(classOf, [128, 1])];
  return { step: stepOf(model, inputs, tf.oneHot(tf.tensor1d(classOf, 'int32'), 1000), marginCrossEntropy, tf.train.adam(1e-3)) };
};

const runs = Number(values.runs);
const warmup = Number(values.warmup);
await useBackend('cpu', true); // registers the cpu and wasm backends (and checks they are installed)
await useBackend('wasm', true);
const workloads: Array<{ name: string; setups: Setup[]; build: () => { step: () => Promise<void> } }> = [
  {
    name: 'conv backbone step (B = 64, 16×16×3, three 3×3 convolutions)',
    build: convBackbone,
    setups: [
      { name: 'cpu', backend: 'cpu', fastConv: false, fastMatMul: false },
      { name: 'cpu + registerFastConvGradients', backend: 'cpu', fastConv: true, fastMatMul: false },
      { name: 'wasm + registerFastConvGradients + registerFastMatMul (useFastCpu)', backend: 'wasm', fastConv: true, fastMatMul: true },
    ],
  },
  {
    name: 'ArcFace head step (B = 128, D = 512, C = 1,000)',
    build: arcFaceHead,
    setups: [
      { name: 'cpu', backend: 'cpu', fastConv: false, fastMatMul: false },
      { name: 'wasm', backend: 'wasm', fastConv: false, fastMatMul: false },
      { name: 'wasm + registerFastMatMul (useFastCpu)', backend: 'wasm', fastConv: false, fastMatMul: true },
    ],
  },
];

const results = [];
let markdown = `# CPU set-ups of tfjs in Node (\`npm run bench -- setup --runs ${runs}\`)\n\n${JSON.stringify(machine())}\n\nMedian ms per training step over ${runs} interleaved rounds (after ${warmup} warm-up step each); ratio to the first row, from the same rounds.\n`;
for (const workload of workloads) {
  const contenders = await contendersOf(workload.setups, workload.build);
  const times = await timeInterleaved(contenders, warmup, runs);
  const first = median(times.get(workload.setups[0]!.name)!.times);
  markdown += `\n## ${workload.name}\n\n| set-up | median ms | × the first | leaked tensors per step |\n| --- | ---: | ---: | ---: |\n`;
  for (const setup of workload.setups) {
    const t = times.get(setup.name)!;
    const m = median(t.times);
    markdown += `| ${setup.name} | ${m.toFixed(0)} | ${(m / first).toFixed(3)} | ${t.leakedPerStep.toFixed(1)} |\n`;
    results.push({ workload: workload.name, setup: setup.name, medianMs: m, times: t.times, ratioToFirst: m / first, leakedPerStep: t.leakedPerStep });
    console.log(`${workload.name} — ${setup.name}: ${m.toFixed(1)} ms (${(m / first).toFixed(3)} × the first)`);
  }
}
await writeResults(values.name, { machine: machine(), runs, warmup, results }, markdown, values.out);
console.log(`written: ${values.out}${values.name}.md`);
