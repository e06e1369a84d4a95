// Network benchmark: training-step time (forward, backward, Adam update) at batch 256 of the MNIST
// example's networks, per backend present. Convolutional networks are timed with each filter
// gradient the backend can use, side by side: tfjs's own Conv2DBackpropFilter ('stock') and
// registerFastConvGradients' with its methods 'transposed' and 'taps'; wasm has no stock kernel. The paper network on the pure-JS cpu backend takes minutes a step and is
// skipped unless --include-slow is given.
// Usage: npm run bench -- networks [--batch 256] [--runs 3] [--networks quick,cnn,paper]
//        [--backends webgpu] [--conv-gradients stock,transposed,taps] [--include-slow] [--name F] [--out DIR]
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { marginCrossEntropy, modifiedSoftmax } from 'tfjs-angular-margin';
import { buildTrunk, isConvolutional, type Network } from '../examples/mnist/networks.js';
import { availableBackends, convGradientSwitch, machine, median, RESULTS_DIR, timeInterleaved, useBackend, writeResults, type ConvGradient } from './common.js';

const { values } = parseArgs({ options: {
  batch: { type: 'string', default: '256' },
  runs: { type: 'string', default: '3' },
  warmup: { type: 'string', default: '1' },
  networks: { type: 'string', default: 'quick,cnn,paper' },
  backends: { type: 'string' },
  'conv-gradients': { type: 'string', default: 'stock,transposed,taps' },
  name: { type: 'string', default: 'networks' },
  out: { type: 'string', default: RESULTS_DIR },
  'include-slow': { type: 'boolean', default: false },
} });
const B = Number(values.batch);
const networks = values.networks!.split(',') as Network[];
const wanted = values['conv-gradients']!.split(',') as ConvGradient[];
const backends = values.backends ? values.backends.split(',') : await availableBackends(false);

const rows: Array<Record<string, unknown>> = [];
for (const backend of backends) {
  // Not `true`: that would register the fast kernel on wasm before the switch sees the stock ones.
  const info = await useBackend(backend, false);
  const convGradient = convGradientSwitch(info.name);
  console.log(`backend ${info.name}: ${info.detail}`);
  for (const network of networks) {
    if (network === 'paper' && info.name === 'cpu' && !values['include-slow']) {
      rows.push({ backend: info.name, network, skipped: 'cpu: minutes per step; run with --include-slow' });
      console.log(`  ${network}: skipped on cpu (--include-slow to run)`);
      continue;
    }
    const variants = isConvolutional(network) ? convGradient.available.filter((v) => wanted.includes(v)) : [null];
    const trunk = buildTrunk(network, 2, 1);
    const head = modifiedSoftmax({ units: 10 });
    const optimizer = tf.train.adam(1e-3);
    const x = tf.randomUniform([B, 784], 0, 1, 'float32', 1);
    const labels = tf.randomUniform([B], 0, 10, 'int32', 2);
    const targets = tf.oneHot(labels, 10);
    const forward = () => head.apply([trunk.apply(x, { training: true }) as tf.Tensor, labels], { training: true }) as tf.Tensor;
    tf.tidy(forward); // builds the head before minimize lists the variables
    // Each variant trains the same model; a variant switches the filter-gradient kernel first.
    const contenders = variants.map((variant) => ({
      name: variant ?? '-',
      step: async () => {
        if (variant != null) convGradient.use(variant);
        const loss = optimizer.minimize(() => marginCrossEntropy(targets, forward()), true)!;
        await loss.data();
        loss.dispose();
      },
    }));
    const timed = await timeInterleaved(contenders, Number(values.warmup), Number(values.runs));
    for (const { name } of contenders) {
      const { times, leakedPerStep } = timed.get(name)!;
      const ms = median(times);
      rows.push({ backend: info.name, network, filterGradient: name, convolutional: isConvolutional(network), parameters: trunk.countParams(), batch: B, medianMs: ms, samplesPerSecond: (B * 1000) / ms, leakedPerStep, times });
      console.log(`  ${network.padEnd(6)} ${name.padEnd(10)} ${ms.toFixed(1)} ms/step  ${((B * 1000) / ms).toFixed(0)} samples/s  leaked/step ${leakedPerStep}`);
    }
    tf.dispose([x, labels, targets]);
    optimizer.dispose();
    trunk.dispose();
  }
}

const md = [
  `Training step (forward, backward, Adam) at batch ${B} with a modified-softmax head; median of the timed runs after warm-up; filter gradients of one network timed interleaved.`,
  `Machine: ${JSON.stringify(machine())}.`,
  '',
  '| backend | network | filter gradient | parameters | median ms / step | samples / s | tensors leaked / step |',
  '| --- | --- | --- | ---: | ---: | ---: | ---: |',
  ...rows.map((r) => (r.skipped ? `| ${r.backend} | ${r.network} | | | not run: ${r.skipped} | | |` : `| ${r.backend} | ${r.network} | ${r.filterGradient} | ${r.parameters} | ${(r.medianMs as number).toFixed(1)} | ${(r.samplesPerSecond as number).toFixed(0)} | ${r.leakedPerStep} |`)),
  '',
].join('\n');
await writeResults(values.name!, { batch: B, machine: machine(), rows }, md, values.out);
console.log(`\n${md}`);
