// Network benchmark: training-step time (forward, backward, Adam update) at batch 256 of the MNIST
// example's networks, per backend present. Convolutional networks are timed with each filter
// gradient the backend can use, side by side: tfjs's own Conv2DBackpropFilter ('stock') and
// registerFastConvGradients' with its methods 'transposed' and 'taps'; wasm has no stock kernel.
// Each is timed with tfjs's Adam ('adam') and with the example's FlatAdam ('flat'), which updates
// all weights in a few large kernels, and with the backend's own matrix product ('stock') and
// registerFastMatMul's ('fast', which transposes operands before the product); with a fast filter
// gradient, also with the backend's own input gradient ('stock') or registerFastConvGradients'
// ('phases').
// The paper network on the pure-JS cpu backend takes minutes a step and is skipped unless
// --include-slow is given.
// Usage: npm run bench -- networks [--batch 256] [--runs 3] [--networks quick,cnn,cnn-wide,paper]
//        [--backends webgpu] [--conv-gradients stock,transposed,taps] [--optimizers adam,flat]
//        [--mat-muls stock,fast] [--input-gradients stock,phases] [--include-slow] [--name F] [--out DIR]
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { marginCrossEntropy, modifiedSoftmax } from 'tfjs-angular-margin';
import { registerFastMatMul, restoreMatMul } from 'tfjs-angular-margin/fast-kernels';
import { FlatAdam } from '../tools/flat_adam.js';
import { buildTrunk, isConvolutional, type Network } from '../tools/networks.js';
import { availableBackends, convGradientSwitch, machine, median, RESULTS_DIR, timeInterleaved, useBackend, writeResults, type ConvGradient } from './common.js';

const { values } = parseArgs({
  options: {
    batch: { type: 'string', default: '256' },
    runs: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '1' },
    networks: { type: 'string', default: 'quick,cnn,paper' },
    backends: { type: 'string' },
    'conv-gradients': { type: 'string', default: 'stock,transposed,taps' },
    optimizers: { type: 'string', default: 'adam,flat' },
    'mat-muls': { type: 'string', default: 'stock,fast' },
    'input-gradients': { type: 'string', default: 'stock,phases' },
    name: { type: 'string', default: 'networks' },
    out: { type: 'string', default: RESULTS_DIR },
    'include-slow': { type: 'boolean', default: false },
  },
});
const B = Number(values.batch);
const networks = values.networks.split(',') as Network[];
const wanted = values['conv-gradients'].split(',') as ConvGradient[];
const optimizers = values.optimizers.split(',');
for (const o of optimizers) if (o !== 'adam' && o !== 'flat') throw new Error(`--optimizers takes adam and flat, but got "${o}"`);
const matMuls = values['mat-muls'].split(',');
const inputGradients = values['input-gradients'].split(',');
for (const g of inputGradients) if (g !== 'stock' && g !== 'phases') throw new Error(`--input-gradients takes stock and phases, but got "${g}"`);
for (const m of matMuls) if (m !== 'stock' && m !== 'fast') throw new Error(`--mat-muls takes stock and fast, but got "${m}"`);
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
    const gradients = isConvolutional(network) ? convGradient.available.filter((v) => wanted.includes(v)) : [null];
    // The input gradient by phases comes with registerFastConvGradients' filter gradient only.
    const inputs = (gradient: ConvGradient | null) => (gradient == null || gradient === 'stock' ? ['stock'] : inputGradients);
    const variants = gradients.flatMap((gradient) =>
      inputs(gradient).flatMap((inputGradient) => optimizers.flatMap((optimizer) => matMuls.map((matMul) => ({ gradient, inputGradient, optimizer, matMul })))),
    );
    const trunk = buildTrunk(network, 2, 1);
    const head = modifiedSoftmax({ units: 10 });
    const made = new Map<string, tf.Optimizer>(optimizers.map((o) => [o, o === 'flat' ? new FlatAdam(1e-3) : tf.train.adam(1e-3)]));
    const x = tf.randomUniform([B, 784], 0, 1, 'float32', 1);
    const labels = tf.randomUniform([B], 0, 10, 'int32', 2);
    const targets = tf.oneHot(labels, 10);
    const forward = () => head.apply([trunk.apply(x, { training: true }) as tf.Tensor, labels], { training: true }) as tf.Tensor;
    tf.tidy(forward); // builds the head before minimize lists the variables
    // Each variant trains the same model (with its own optimizer state); it switches the
    // filter-gradient kernel first.
    const contenders = variants.map(({ gradient, inputGradient, optimizer, matMul }) => ({
      name: `${gradient ?? '-'}/${inputGradient}/${optimizer}/${matMul}`,
      gradient: gradient ?? '-',
      inputGradient: gradient == null ? '-' : inputGradient,
      optimizer,
      matMul,
      step: async () => {
        if (gradient != null) convGradient.use(gradient, inputGradient === 'phases');
        if (matMul === 'fast') registerFastMatMul({ backends: [info.name] });
        else restoreMatMul({ backends: [info.name] });
        const loss = made.get(optimizer)!.minimize(() => marginCrossEntropy(targets, forward()), true)!;
        await loss.data();
        loss.dispose();
      },
    }));
    const timed = await timeInterleaved(contenders, Number(values.warmup), Number(values.runs));
    for (const { name, gradient, inputGradient, optimizer, matMul } of contenders) {
      const { times, leakedPerStep } = timed.get(name)!;
      const ms = median(times);
      rows.push({
        backend: info.name,
        network,
        filterGradient: gradient,
        inputGradient,
        optimizer,
        matMul,
        convolutional: isConvolutional(network),
        parameters: trunk.countParams(),
        batch: B,
        medianMs: ms,
        samplesPerSecond: (B * 1000) / ms,
        leakedPerStep,
        times,
      });
      console.log(
        `  ${network.padEnd(6)} ${name.padEnd(16)} ${ms.toFixed(1)} ms/step  ${((B * 1000) / ms).toFixed(0)} samples/s  leaked/step ${leakedPerStep}`,
      );
    }
    tf.dispose([x, labels, targets]);
    made.forEach((o) => o.dispose());
    trunk.dispose();
  }
}

const md = [
  `Training step (forward, backward, Adam) at batch ${B} with a modified-softmax head; median of the timed runs after warm-up; the variants of one network (filter gradient, optimizer: tfjs's Adam or the example's FlatAdam, matrix product: the backend's own or registerFastMatMul's, input gradient: the backend's own or by phases) timed interleaved.`,
  `Machine: ${JSON.stringify(machine())}.`,
  '',
  '| backend | network | filter gradient | input gradient | optimizer | matrix product | parameters | median ms / step | samples / s | tensors leaked / step |',
  '| --- | --- | --- | --- | --- | --- | ---: | ---: | ---: | ---: |',
  ...rows.map((r) =>
    r.skipped
      ? `| ${r.backend} | ${r.network} | | | | | | not run: ${r.skipped} | | |`
      : `| ${r.backend} | ${r.network} | ${r.filterGradient} | ${r.inputGradient} | ${r.optimizer} | ${r.matMul} | ${r.parameters} | ${(r.medianMs as number).toFixed(1)} | ${(r.samplesPerSecond as number).toFixed(0)} | ${r.leakedPerStep} |`,
  ),
  '',
].join('\n');
await writeResults(values.name, { batch: B, machine: machine(), rows }, md, values.out);
console.log(`\n${md}`);
