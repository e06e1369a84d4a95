import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runProgramOk } from './helpers.js';

const root = process.cwd();

/** The first TypeScript block after `heading` in a Markdown file (README by default). */
function readmeBlockAfter(heading: string, file = 'README.md'): string | undefined {
  const readme = readFileSync(join(root, file), 'utf8');
  return /```ts\n([\s\S]*?)```/.exec(readme.slice(readme.indexOf(heading)))?.[1];
}

describe('README quickstart', () => {
  it('is examples/quickstart.ts, verbatim', () => {
    expect(readmeBlockAfter('## Quickstart')).toBe(readFileSync(join(root, 'examples', 'quickstart.ts'), 'utf8'));
  });

  it('runs: the loss falls, it classifies, and the reloaded model gives the same embeddings', async () => {
    const out = await runProgramOk(join(root, 'node_modules', '.bin', 'tsx'), [join(root, 'examples', 'quickstart.ts')]);
    const loss = /training loss: ([\d.]+) -> ([\d.]+)/.exec(out);
    expect(loss, out).not.toBeNull();
    expect(Number(loss![2])).toBeLessThan(Number(loss![1]) * 0.5);
    const accuracy = Number(/accuracy: ([\d.]+)/.exec(out)?.[1]);
    expect(accuracy).toBeGreaterThan(0.9);
    expect(Number(/largest embedding difference after reload: ([\d.e-]+)/.exec(out)?.[1])).toBe(0);
    expect(out).toMatch(/^backend: (wasm|cpu)$/m);
    expect(out).toMatch(/^lambda after training: 0\.0100$/m); // lambdaScheduleFor(80) at step 80
    // The embedding model it saved loads in plain tfjs, without this library.
    const plain = JSON.parse(
      await runProgramOk(join(root, 'node_modules', '.bin', 'tsx'), [
        join(root, 'test', 'fixtures', 'load_plain.ts'),
        join(tmpdir(), 'tfjs-angular-margin-quickstart-embeddings'),
      ]),
    ) as { shape: number[]; finite: boolean; classNames: string[] };
    expect(plain).toEqual({ shape: [2, 3], finite: true, classNames: ['InputLayer', 'Dense', 'Dense'] });
  });
});

describe('training guide: the resume recipe', () => {
  it('is examples/resume.ts, verbatim', () => {
    expect(readmeBlockAfter('## Saving and resuming training', 'docs/guide/training.md')).toBe(readFileSync(join(root, 'examples', 'resume.ts'), 'utf8'));
  });

  it('runs: a model saved with its optimizer, loaded and compiled again, continues exactly as the uninterrupted one', async () => {
    const out = await runProgramOk(join(root, 'node_modules', '.bin', 'tsx'), [join(root, 'examples', 'resume.ts')]);
    expect(Number(/largest weight difference from an uninterrupted run: ([\d.e-]+)/.exec(out)?.[1])).toBe(0);
  });
});

describe('training guide: the fitDataset recipe', () => {
  it('is examples/fit_dataset.ts, verbatim, and runs: the loss falls', async () => {
    expect(readmeBlockAfter('## Training from a tf.data dataset', 'docs/guide/training.md')).toBe(
      readFileSync(join(root, 'examples', 'fit_dataset.ts'), 'utf8'),
    );
    const out = await runProgramOk(join(root, 'node_modules', '.bin', 'tsx'), [join(root, 'examples', 'fit_dataset.ts')]);
    const [, first, last] = /fitDataset loss: ([\d.]+) -> ([\d.]+)/.exec(out) ?? [];
    expect(Number(last)).toBeLessThan(Number(first) * 0.5);
  });
});

describe('evaluation guide', () => {
  it('is examples/evaluate.ts, verbatim, and runs: unseen identities retrieved and matched, the index reloads', async () => {
    expect(readmeBlockAfter('## The whole path, runnable', 'docs/guide/evaluation.md')).toBe(readFileSync(join(root, 'examples', 'evaluate.ts'), 'utf8'));
    const out = await runProgramOk(join(root, 'node_modules', '.bin', 'tsx'), [join(root, 'examples', 'evaluate.ts')]);
    const [, p1, mapAtR] = /unseen identities: P@1 ([\d.]+), MAP@R ([\d.]+)/.exec(out) ?? [];
    expect(Number(p1)).toBeGreaterThan(0.8);
    expect(Number(mapAtR)).toBeGreaterThan(0.5);
    expect(Number(/matched right .*: (\d+) of 100/.exec(out)?.[1])).toBeGreaterThanOrEqual(70);
    expect(out).toContain('reloaded index gives the same matches: true');
  });
});
