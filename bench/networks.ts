// Network benchmark: training-step time (forward, backward, Adam update) at batch 256 of the MNIST
// example's networks, per backend present. The convolutional networks train on wasm only with
// registerFastConvGradients(). The paper network on the pure-JS cpu backend takes minutes a step
// and is skipped unless --include-slow is given.
// Usage: npm run bench -- networks [--batch 256] [--runs 3] [--include-slow]
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { marginCrossEntropy, modifiedSoftmax, registerFastConvGradients } from 'tfjs-angular-margin';
import { buildTrunk, isConvolutional, type Network } from '../examples/mnist/networks.js';
import { availableBackends, machine, median, timeInterleaved, useBackend, writeResults } from './common.js';

const { values } = parseArgs({ options: {
  batch: { type: 'string', default: '256' },
  runs: { type: 'string', default: '3' },
  warmup: { type: 'string', default: '1' },
  networks: { type: 'string', default: 'quick,cnn,paper' },
  backends: { type: 'string' },
  name: { type: 'string', default: 'networks' },
  'include-slow': { type: 'boolean', default: false },
} });
const B = Number(values.batch);
const networks = values.networks!.split(',') as Network[];
const backends = values.backends ? values.backends.split(',') : await availableBackends(true);

const rows: Array<Record<string, unknown>> = [];
for (const backend of backends) {
  const info = await useBackend(backend, true);
  if (info.name === 'wasm') registerFastConvGradients({ backends: ['wasm'] });
  console.log(`backend ${info.name}: ${info.detail}`);
  for (const network of networks) {
    if (network === 'paper' && info.name === 'cpu' && !values['include-slow']) {
      rows.push({ backend: info.name, network, skipped: 'cpu: minutes per step; run with --include-slow' });
      console.log(`  ${network}: skipped on cpu (--include-slow to run)`);
      continue;
    }
    const trunk = buildTrunk(network, 2, 1);
    const head = modifiedSoftmax({ units: 10 });
    const optimizer = tf.train.adam(1e-3);
    const x = tf.randomUniform([B, 784], 0, 1, 'float32', 1);
    const labels = tf.randomUniform([B], 0, 10, 'int32', 2);
    const targets = tf.oneHot(labels, 10);
    const forward = () => head.apply([trunk.apply(x, { training: true }) as tf.Tensor, labels], { training: true }) as tf.Tensor;
    tf.tidy(forward); // builds the head before minimize lists the variables
    const step = async () => {
      const loss = optimizer.minimize(() => marginCrossEntropy(targets, forward()), true)!;
      await loss.data();
      loss.dispose();
    };
    const { times, leakedPerStep } = (await timeInterleaved([{ name: network, step }], Number(values.warmup), Number(values.runs))).get(network)!;
    const ms = median(times);
    rows.push({ backend: info.name, network, convolutional: isConvolutional(network), parameters: trunk.countParams(), batch: B, medianMs: ms, samplesPerSecond: (B * 1000) / ms, leakedPerStep, times });
    console.log(`  ${network.padEnd(6)} ${ms.toFixed(1)} ms/step  ${((B * 1000) / ms).toFixed(0)} samples/s  leaked/step ${leakedPerStep}`);
    tf.dispose([x, labels, targets]);
    optimizer.dispose();
    trunk.dispose();
  }
}

const md = [
  `Training step (forward, backward, Adam) at batch ${B} with a modified-softmax head; median of the timed runs after warm-up.`,
  `Machine: ${JSON.stringify(machine())}.`,
  '',
  '| backend | network | parameters | median ms / step | samples / s | tensors leaked / step |',
  '| --- | --- | ---: | ---: | ---: | ---: |',
  ...rows.map((r) => (r.skipped ? `| ${r.backend} | ${r.network} | | not run: ${r.skipped} | | |` : `| ${r.backend} | ${r.network} | ${r.parameters} | ${(r.medianMs as number).toFixed(1)} | ${(r.samplesPerSecond as number).toFixed(0)} | ${r.leakedPerStep} |`)),
  '',
].join('\n');
await writeResults(values.name!, { batch: B, machine: machine(), rows }, md);
console.log(`\n${md}`);
