// Saves killed with SIGKILL in real processes: after every file-system step of a large model's
// save, and at random moments. The folder must load, bit for bit, as the model before the save or
// the model it saved; the next save removes what the killed ones left. Process-level: cpu lane only.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { fileSystem } from '../../src/io/file_system.js';
import { seededRandom } from '../../src/util/seeded_random.js';
import { runProgram } from '../helpers.js';

const TSX = join(process.cwd(), 'node_modules', '.bin', 'tsx');
const CHILD = join(process.cwd(), 'test', 'fixtures', 'save_and_die.ts');
const ELEMENTS = 4_000_000; // 16 MB of weights: a save takes long enough to be killed inside its writes
const dir = mkdtempSync(join(tmpdir(), 'tfjs-am-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The weights' bytes of the model saved with `value` (as the child makes them). */
function weightsOf(value: number): Buffer {
  return Buffer.from(Float32Array.from({ length: ELEMENTS }, (_, i) => value + i / 1024).buffer);
}

/** Runs the child; resolves to its report when it lived, or null when it was killed. */
async function saveInChild(value: number, kill: string): Promise<{ steps: number; ms: number } | null> {
  const r = await runProgram(TSX, [CHILD, dir, String(value), kill, String(ELEMENTS)]);
  if (r.status === 0) return JSON.parse(r.stdout) as { steps: number; ms: number };
  if (r.status === null || r.status === 128 + 9) return null; // killed (tsx runs the program in a child and exits with 128 + SIGKILL)
  throw new Error(`save_and_die exited with ${r.status}:\n${r.stderr}`);
}

/** Which of the values the folder loads as, bit for bit; fails where it loads as neither. */
async function loadedValue(candidates: number[]): Promise<number> {
  const artifacts = await fileSystem(dir).load!();
  const bytes = Buffer.from(artifacts.weightData as ArrayBuffer);
  const match = candidates.find((v) => bytes.equals(weightsOf(v)));
  if (match === undefined) throw new Error(`the folder loads as none of the models ${candidates.join(', ')}`);
  return match;
}

describe.runIf((process.env.TFJS_BACKEND ?? 'cpu') === 'cpu')('fileSystem saves killed in real processes', () => {
  let steps = 0;
  let saveMs = 0;
  let current = 1;

  it('saves whole when nothing kills it, counting its file-system steps', async () => {
    const report = await saveInChild(current, 'none');
    expect(report).not.toBeNull();
    ({ steps, ms: saveMs } = report!);
    expect(steps).toBeGreaterThanOrEqual(8);
    expect(await loadedValue([current])).toBe(current);
  });

  it('loads as the old or the new model after a kill right after each step of a save', async () => {
    const outcomes: string[] = [];
    for (let k = 1; k <= steps; k++) {
      const next = current + 1;
      const report = await saveInChild(next, `step:${k}`);
      // The last steps come after the commit (clean-up): a kill there may leave either outcome too.
      current = await loadedValue([current, next]);
      outcomes.push(`${k}:${report === null ? 'killed' : 'lived'}→${current === next ? 'new' : 'old'}`);
    }
    // Kills before the commit keep the old model; the kill after the rename leaves the new one.
    expect(outcomes[0]).toMatch(/killed→old/);
    expect(outcomes.at(-1)).toMatch(/killed→new/);
  });

  it('loads as the old or the new model after kills at random moments', async () => {
    const rand = seededRandom(27);
    for (let i = 0; i < 10; i++) {
      const next = current + 1;
      await saveInChild(next, `after:${Math.round(rand() * saveMs * 1.2)}`); // the timer starts as the save does
      current = await loadedValue([current, next]);
    }
  });

  it('leaves only the model file and its weights after the next save that lives, and loads as it', async () => {
    const next = current + 1;
    expect(await saveInChild(next, 'none')).not.toBeNull();
    expect(await loadedValue([next])).toBe(next);
    const json = JSON.parse(
      tf.util.decodeString(new Uint8Array(await import('node:fs').then((fs) => fs.readFileSync(join(dir, 'model.json'))))),
    ) as tf.io.ModelJSON;
    expect(readdirSync(dir).sort()).toEqual(['model.json', json.weightsManifest[0]!.paths[0]!.slice(2)].sort());
  });

  it('keeps one whole model when saves of two processes run at once (5 pairs)', async () => {
    for (let pair = 0; pair < 5; pair++) {
      const [a, b] = [current + 1, current + 2];
      const [ra, rb] = await Promise.all([saveInChild(a, 'none'), saveInChild(b, 'none')]);
      expect([ra, rb]).not.toContain(null);
      current = await loadedValue([a, b]);
    }
  });
});
