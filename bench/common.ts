// Shared by the benchmarks: backends present on this machine, timing with medians, result files.
import { cpus, platform, release } from 'node:os';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { registerFastConvGradients, restoreConvGradients } from 'tfjs-angular-margin/fast-kernels';
import { selectBackend, type BackendInfo } from '../tools/backend.js';

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

/** One contender of an interleaved timing: a name and an asynchronous step that ends with a read. */
export interface Contender {
  name: string;
  step: () => Promise<void>;
}

/**
 * Times contenders side by side: each is warmed up `warmup` times, then `runs` rounds time every
 * contender once, in an order rotated each round, so that drifts of a shared, noisy machine fall
 * on all of them alike. Returns per contender the times in ms and the tensors left behind per step.
 */
export async function timeInterleaved(contenders: Contender[], warmup: number, runs: number): Promise<Map<string, { times: number[]; leakedPerStep: number }>> {
  const out = new Map(contenders.map((c) => [c.name, { times: [] as number[], leakedPerStep: 0 }]));
  for (const c of contenders) for (let i = 0; i < warmup; i++) await c.step();
  for (let r = 0; r < runs; r++) {
    for (let k = 0; k < contenders.length; k++) {
      const c = contenders[(k + r) % contenders.length]!;
      const before = tf.memory().numTensors;
      const t = performance.now();
      await c.step();
      out.get(c.name)!.times.push(performance.now() - t);
      out.get(c.name)!.leakedPerStep += (tf.memory().numTensors - before) / runs;
    }
  }
  return out;
}

export function machine(): Record<string, unknown> {
  const c = cpus();
  return { cpu: c[0]?.model ?? 'unknown', cores: c.length, platform: `${platform()} ${release()}`, node: process.version, tfjs: tf.version_core };
}

/** Writes `<dir>/<name>.json` and `<dir>/<name>.md`; `dir` defaults to bench/results. */
export async function writeResults(name: string, data: unknown, markdown: string, dir = RESULTS_DIR): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, `${name}.json`), JSON.stringify(data, null, 2) + '\n');
  await writeFile(join(dir, `${name}.md`), markdown);
}

/** The Conv2DBackpropFilter kernels a benchmark can compare on a backend: tfjs's own, or registerFastConvGradients' with a method. */
export type ConvGradient = 'stock' | 'transposed' | 'taps';

/**
 * Switches the backend's Conv2DBackpropFilter kernel between tfjs's own ('stock') and the one of
 * registerFastConvGradients with either method (with or without its Conv2DBackpropInput kernel),
 * and says which are possible there: wasm has no stock kernel, and registerFastConvGradients does
 * not serve the tensorflow backend.
 */
export function convGradientSwitch(backend: string): { available: ConvGradient[]; use: (which: ConvGradient, inputGradient?: boolean) => void } {
  restoreConvGradients({ backends: [backend] });
  const stock = tf.getKernel('Conv2DBackpropFilter', backend) != null;
  const fastPossible = ['wasm', 'webgpu', 'webgl', 'cpu'].includes(backend);
  const available: ConvGradient[] = [...(stock ? (['stock'] as const) : []), ...(fastPossible ? (['transposed', 'taps'] as const) : [])];
  let current: string | null = null;
  // inputGradient: registerFastConvGradients' input gradient too (with a fast filter gradient only).
  const use = (which: ConvGradient, inputGradient = false) => {
    if (`${which}/${inputGradient}` === current) return;
    if (!available.includes(which)) throw new Error(`the ${which} filter gradient is not available on ${backend}`);
    if (which === 'stock') restoreConvGradients({ backends: [backend] });
    else registerFastConvGradients({ backends: [backend], method: which, inputGradient });
    current = `${which}/${inputGradient}`;
  };
  return { available, use };
}
