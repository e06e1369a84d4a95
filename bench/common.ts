// Shared by the benchmarks: backends present on this machine, timing with medians, result files.
import { cpus, platform, release } from 'node:os';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend, type BackendInfo } from '../examples/mnist/backend.js';

export const RESULTS_DIR = new URL('./results/', import.meta.url).pathname;

/** The backends to benchmark: cpu and wasm always; webgpu and tensorflow when present. */
export async function availableBackends(convolutional: boolean): Promise<string[]> {
  const found: string[] = [];
  for (const name of ['tensorflow', 'webgpu', 'wasm', 'cpu'] as const) {
    try {
      await selectBackend(name, convolutional);
      found.push(name);
    } catch {
      // Not installed or no adapter: skipped, and said so in the table header.
    }
  }
  return found;
}

export async function useBackend(name: string, convolutional: boolean): Promise<BackendInfo> {
  return selectBackend(name as Parameters<typeof selectBackend>[0], convolutional);
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Runs `step` `warmup` times, then `runs` times, timing each (the step must end with a read of a
 * result, so that asynchronous backends are waited for). Returns the times in ms and the tensors
 * left behind per timed step.
 */
export async function timeSteps(step: () => Promise<void>, warmup: number, runs: number): Promise<{ times: number[]; leakedPerStep: number }> {
  for (let i = 0; i < warmup; i++) await step();
  const before = tf.memory().numTensors;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await step();
    times.push(performance.now() - t);
  }
  return { times, leakedPerStep: (tf.memory().numTensors - before) / runs };
}

export function machine(): Record<string, unknown> {
  const c = cpus();
  return { cpu: c[0]?.model ?? 'unknown', cores: c.length, platform: `${platform()} ${release()}`, node: process.version, tfjs: tf.version_core };
}

export async function writeResults(name: string, data: unknown, markdown: string): Promise<void> {
  await mkdir(RESULTS_DIR, { recursive: true });
  await writeFile(join(RESULTS_DIR, `${name}.json`), JSON.stringify(data, null, 2) + '\n');
  await writeFile(join(RESULTS_DIR, `${name}.md`), markdown);
}
