// The MNIST program's jobs: each finished run reaches the caller at once, so that a run stopped
// later (a failing job here) keeps what finished, and the file of finished runs holds its figures.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseOptions } from '../../../examples/mnist/cli.js';
import { runJobs, type Job } from '../../../examples/mnist/jobs.js';
import { FINISHED_RUNS_FILE, writeFinishedRuns } from '../../../examples/mnist/report.js';
import type { HeadResult } from '../../../examples/mnist/train.js';
import type { MnistSplit } from '../../../tools/mnist/idx.js';
import type { ProgramHead } from '../../../tools/networks.js';
import { seededRandom } from '../../../src/util/seeded_random.js';

const out = mkdtempSync(join(tmpdir(), 'mnist-jobs-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** n random 28 × 28 images with labels 0-9 in turn. */
function split(n: number, seed: number): MnistSplit {
  const rand = seededRandom(seed);
  return {
    images: Uint8Array.from({ length: n * 784 }, () => Math.floor(rand() * 256)),
    labels: Uint8Array.from({ length: n }, (_, i) => i % 10),
    count: n,
    rows: 28,
    cols: 28,
  };
}

describe('MNIST jobs', () => {
  it('hand each finished run to onResult at once, before a later job fails, and its figures reach finished-runs.json', async () => {
    const options = parseOptions(['--preset', 'tiny'])!;
    const context = {
      train: split(128, 1),
      evaluation: { test: split(50, 2) },
      config: { ...options, optimizer: 'adam' as const, classes: 10, saveModelsTo: null },
      backend: 'cpu' as const,
      convGradient: options.convGradient,
    };
    const jobs: Job[] = [
      { head: 'original', seed: 1 },
      { head: 'no-such-head' as ProgramHead, seed: 1 },
    ];
    const finished: Array<[HeadResult, number]> = [];
    const sink = { isTTY: false, write: () => {} };
    await expect(
      runJobs(jobs, context, 1, sink, (result, index) => {
        finished.push([result, index]);
      }),
    ).rejects.toThrow(); // an unknown head: the program's flags never let one through
    expect(finished.map(([r, i]) => [r.head, r.seed, i])).toEqual([['original', 1, 0]]);
    await writeFinishedRuns(
      out,
      finished.map(([r]) => r),
      { original: 0.9775 },
    );
    const file = JSON.parse(readFileSync(join(out, FINISHED_RUNS_FILE), 'utf8'));
    expect(file.finished).toBe(1);
    expect(file.runs[0]).toMatchObject({ head: 'original', seed: 1, testAccuracy: finished[0]![0].testAccuracy, steps: 8 });
  });
});
