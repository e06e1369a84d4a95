// The evaluation functions never hold an N × N matrix: measured in a fresh process on wasm (its
// memory is the process's own), at sizes where that matrix would dwarf the bounds. The full case
// (60,000 × 128) is in bench/evaluation.ts. Process-level: cpu lane only.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runProgram } from '../helpers.js';

const TSX = join(process.cwd(), 'node_modules', '.bin', 'tsx');
const CHILD = join(process.cwd(), 'test', 'fixtures', 'evaluation_memory.ts');
const ROWS = 20_000;
const PAIR_ROWS = 8_000;
const DIM = 128;
const MiB = 2 ** 20;

interface Measured {
  peakBytes: number;
  rssGrowth: number;
  seconds: number;
}

describe.runIf((process.env.TFJS_BACKEND ?? 'cpu') === 'cpu')('evaluation memory (a fresh process on wasm)', () => {
  it(`retrieval over ${ROWS} rows, a search among them and verification over all pairs of ${PAIR_ROWS} stay within chunks of 2^24 scores`, async () => {
    const r = await runProgram(TSX, [CHILD, String(ROWS), String(PAIR_ROWS), String(DIM)]);
    expect(r.stderr.replace(/=+\nHi, looks like[^]*?=+\n/, '').trim()).toBe('');
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { inputBytes: number; retrieval: Measured; search: Measured; verification: Measured };
    // Backend memory: the inputs and at most two chunks of 2^24 float32 scores alive at once.
    const bound = report.inputBytes + 2 * 4 * 2 ** 24;
    for (const [name, rows] of [
      ['retrieval', ROWS],
      ['search', ROWS],
      ['verification', PAIR_ROWS],
    ] as const) {
      expect(report[name].peakBytes, name).toBeLessThan(bound);
      expect(4 * rows * rows, `${name}: an N × N float32 matrix would exceed the bound`).toBeGreaterThan(bound);
    }
    // Process memory: retrieval keeps per query only its ranks; verification keeps every pair's
    // float32 score on the host (N(N − 1)/2 · 4 bytes, 128 MB here) and sorts them.
    expect(report.retrieval.rssGrowth / MiB).toBeLessThan(400);
    expect(report.verification.rssGrowth / MiB).toBeLessThan((((PAIR_ROWS * (PAIR_ROWS - 1)) / 2) * 4) / MiB + 250);
  }, 300_000);
});
