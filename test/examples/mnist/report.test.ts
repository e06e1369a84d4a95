// The MNIST report's figures stay small however long the run: training curves drawn at most 1,000
// points a series (metrics.csv keeps every step), the ROC from the run's figures.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { EmbeddingFigures } from '../../../examples/mnist/embedding_figures.js';
import { writeReport } from '../../../examples/mnist/report.js';
import type { HeadResult } from '../../../examples/mnist/train.js';

const out = mkdtempSync(join(tmpdir(), 'mnist-report-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const figures: EmbeddingFigures = {
  precisionAt1: 0.9,
  rPrecision: 0.8,
  mapAtR: 0.7,
  recallAt1: 0.9,
  auc: 0.95,
  eer: 0.1,
  tarAtFar: { far: 1e-3, tar: 0.5, threshold: 0.9 },
  genuinePairs: 2,
  impostorPairs: 4,
  roc: { far: [0, 1e-4, 1e-2, 1], tar: [0, 0.3, 0.6, 1] },
};

function run(head: 'original' | 'angularSoftmax', steps: number): HeadResult {
  return {
    head,
    seed: 1,
    testAccuracy: 0.9,
    testLoss: 0.3,
    trainSeconds: 1,
    evalSeconds: 1,
    msPerStep: 1,
    parameters: 10,
    modelPath: null,
    steps: Array.from({ length: steps }, (_, step) => ({
      step,
      epoch: 1 + Math.floor(step / 100),
      loss: 1 / (1 + step),
      accuracy: step / steps,
      lr: 0.001,
      lambda: null,
    })),
    embeddings: [
      [1, 0, 0],
      [0, 1, 0],
      [0.9, 0.1, 0],
      [0, 0, 1],
    ],
    labels: [0, 1, 0, 2],
    figures,
    unseen: null,
    weights: [
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ],
  };
}

describe('MNIST report', () => {
  it('names the dataset and its classes, draws each training curve with at most 1,000 points (first and last step kept) and keeps every step in metrics.csv', async () => {
    const info = {
      command: 'test',
      config: { classes: 3 },
      backend: { name: 'cpu', detail: 'cpu' },
      hardware: {},
      data: {
        evaluatedOn: 'test' as const,
        dataset: 'Fashion-MNIST',
        classNames: ['T-shirt/top', 'Trouser', 'Pullover'],
        classesCalled: 'classes',
        referenceAccuracy: {},
        source: 'test',
        train: 1,
        test: 4,
        unseen: 0,
      },
      totalSeconds: 1,
    };
    await writeReport(out, [run('original', 5628), run('angularSoftmax', 5628)], info, 100);
    for (const chart of ['loss.svg', 'accuracy.svg']) {
      const lines = [...readFileSync(join(out, chart), 'utf8').matchAll(/<polyline[^>]* points="([^"]*)"/g)].map((m) => m[1]!.split(' '));
      expect(lines).toHaveLength(2);
      for (const points of lines) {
        expect(points.length).toBeLessThanOrEqual(1001);
        expect(points.length).toBeGreaterThan(900);
      }
    }
    expect(readFileSync(join(out, 'metrics.csv'), 'utf8').trim().split('\n')).toHaveLength(1 + 2 * 5628);
    // The ROC: one series a head, from FAR 1e-5 on (log axis), here the three points with FAR > 0.
    const roc = [...readFileSync(join(out, 'roc.svg'), 'utf8').matchAll(/<polyline[^>]* points="([^"]*)"/g)].map((m) => m[1]!.split(' ').length);
    expect(roc).toEqual([3, 3]);
    // The dataset's title and class names: in the page and in the figure's legend.
    expect(readFileSync(join(out, 'index.html'), 'utf8')).toContain('<h1>Fashion-MNIST: ');
    expect(readFileSync(join(out, 'embeddings-3d-angularSoftmax.svg'), 'utf8')).toContain('>T-shirt/top</text>');
    // No published accuracies for this dataset: no reference column (MNIST's is in the smoke test).
    expect(readFileSync(join(out, 'summary.md'), 'utf8').split('\n')[0]).toBe(
      '| head | test accuracy | mean intra-class angle (°) | min inter-class angle (°) | P@1 | MAP@R | TAR @ FAR 0.001 | EER | train time (s) |',
    );
    const summary = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    const { roc: _drawn, ...kept } = figures;
    expect(summary.runs[0].heads.angularSoftmax.figures).toEqual(kept);
  });
});
