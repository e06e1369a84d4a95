// The MNIST comparison: loads data, picks a backend, trains each head, writes the report.
import { cpus, platform, release, totalmem } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from './backend.js';
import type { MnistOptions } from './cli.js';
import { loadMnist } from './data.js';
import type { MnistSplit } from './idx.js';
import { isConvolutional } from './networks.js';
import { formatDuration, type ProgressSink } from './progress.js';
import { textTable, writeReport } from './report.js';
import { imagesToTensor, trainHead, type HeadResult } from './train.js';

function limit(split: MnistSplit, count: number | null): MnistSplit {
  if (count == null || count >= split.count) return split;
  const pixels = split.rows * split.cols;
  return { ...split, count, images: split.images.subarray(0, count * pixels), labels: split.labels.subarray(0, count) };
}

export async function runMnist(options: MnistOptions, command: string, sink: ProgressSink, log: (line: string) => void): Promise<HeadResult[]> {
  const started = performance.now();
  const backend = await selectBackend(options.backend, isConvolutional(options.network), options.convGradient);
  // FlatAdam saves kernel dispatches, which cost on a GPU; on cpu and wasm tfjs's Adam is faster.
  const optimizer = options.optimizer === 'auto' ? (backend.name === 'webgpu' ? 'flat-adam' : 'adam') : options.optimizer;
  log(`backend: ${backend.name} — ${backend.detail}; optimizer: ${optimizer}`);
  const mnist = await loadMnist(options.data, { log });
  const trainSplit = limit(mnist.train, options.trainSubset);
  const testSplit = limit(mnist.test, options.testSubset);
  log(`data: ${trainSplit.count} training and ${testSplit.count} test images from ${mnist.source}`);
  const train = { x: imagesToTensor(trainSplit), y: tf.tensor1d(trainSplit.labels, 'int32') };
  const test = { x: imagesToTensor(testSplit), y: tf.tensor1d(testSplit.labels, 'int32') };
  const results: HeadResult[] = [];
  for (const head of options.heads) {
    const r = await trainHead(head, train, test, { ...options, optimizer }, sink);
    log(`${head}: test accuracy ${r.testAccuracy.toFixed(4)}, test loss ${r.testLoss.toFixed(4)}, ${formatDuration(r.trainSeconds)} training (${r.msPerStep.toFixed(1)} ms/step)`);
    results.push(r);
  }
  tf.dispose([train.x, train.y, test.x, test.y]);
  const totalSeconds = (performance.now() - started) / 1000;
  const cpu = cpus();
  const { heads, ...config } = options;
  const summaries = await writeReport(options.out, results, {
    command,
    config: { heads, ...config, optimizer },
    backend,
    hardware: { cpu: cpu[0]?.model ?? 'unknown', cores: cpu.length, memoryGiB: +(totalmem() / 2 ** 30).toFixed(1), platform: `${platform()} ${release()}`, node: process.version },
    data: { source: mnist.source, train: trainSplit.count, test: testSplit.count },
    totalSeconds,
  }, options.maxPlotPoints, options.seed);
  log(`\n${textTable(results, summaries)}\n`);
  log(`total: ${formatDuration(totalSeconds)} (${totalSeconds.toFixed(1)} s) for ${options.heads.length} head(s); results in ${options.out}/ (open index.html)`);
  return results;
}
