// Writes what a run produced: results.json, metrics.csv, SVG figures and an index.html.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { angularStatistics, pairVerification, seededRandom } from 'tfjs-angular-margin';
import type { HeadKind } from './networks.js';
import { escapeXml, lineChart, movingAverage, scatter2d, sphere3d } from './plots.js';
import type { HeadResult } from './train.js';

/** Test accuracy reported by the TensorFlow 1 reference (its test figures ran training steps on test batches). */
export const REFERENCE_ACCURACY: Partial<Record<HeadKind, number>> = { original: 0.9775, modified: 0.9847, angular: 0.9896 };

export const HEAD_TITLES: Record<HeadKind, string> = {
  original: 'original softmax',
  modified: 'modified softmax',
  angular: 'angular softmax (A-Softmax)',
  cosface: 'CosFace',
  arcface: 'ArcFace',
  combined: 'combined margin',
};

export interface RunInfo {
  command: string;
  config: Record<string, unknown>;
  backend: { name: string; detail: string };
  hardware: Record<string, unknown>;
  data: { source: string; train: number; test: number };
  totalSeconds: number;
}

export function summarize(r: HeadResult) {
  const stats = angularStatistics(r.embeddings, r.labels);
  const verification = pairVerification(r.embeddings, r.labels, { pairs: 3000, folds: 10, seed: 1 });
  const perEpoch = new Map<number, { loss: number; accuracy: number; count: number }>();
  for (const s of r.steps) {
    const e = perEpoch.get(s.epoch) ?? { loss: 0, accuracy: 0, count: 0 };
    e.loss += s.loss;
    e.accuracy += s.accuracy;
    e.count++;
    perEpoch.set(s.epoch, e);
  }
  return {
    testAccuracy: r.testAccuracy,
    testLoss: r.testLoss,
    referenceAccuracy: REFERENCE_ACCURACY[r.head] ?? null,
    trainSeconds: r.trainSeconds,
    evalSeconds: r.evalSeconds,
    msPerStep: r.msPerStep,
    parameters: r.parameters,
    angular: {
      meanIntraClassAngleDegrees: stats.meanIntraClassAngle,
      maxIntraClassAngleDegrees: stats.maxIntraClassAngle,
      minInterClassAngleDegrees: stats.minInterClassAngle,
      minInterClassPair: stats.minInterClassPair,
      meanIntraClassAngleByClassDegrees: stats.meanIntraClassAngleByClass,
    },
    verification: { accuracy: verification.accuracy, std: verification.std, pairs: verification.samePairs + verification.differentPairs, folds: verification.foldAccuracies.length },
    epochs: [...perEpoch.entries()].map(([epoch, e]) => ({ epoch, loss: e.loss / e.count, accuracy: e.accuracy / e.count })),
    curves: {
      loss: r.steps.map((s) => s.loss),
      accuracy: r.steps.map((s) => s.accuracy),
      lr: r.steps.map((s) => s.lr),
      lambda: r.steps.map((s) => s.lambda),
    },
  };
}

/** A deterministic subset of at most `max` indices, for figures. */
export function plotSubset(count: number, max: number, seed: number): number[] {
  const all = Array.from({ length: count }, (_, i) => i);
  if (count <= max) return all;
  const rand = seededRandom(seed);
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  return all.slice(0, max).sort((a, b) => a - b);
}

function table(results: HeadResult[], summaries: Array<ReturnType<typeof summarize>>): string[][] {
  return results.map((r, i) => {
    const s = summaries[i]!;
    return [HEAD_TITLES[r.head], s.testAccuracy.toFixed(4), REFERENCE_ACCURACY[r.head]?.toFixed(4) ?? '—', s.testLoss.toFixed(4), s.angular.meanIntraClassAngleDegrees.toFixed(2), s.angular.minInterClassAngleDegrees.toFixed(2), `${s.verification.accuracy.toFixed(4)} ± ${s.verification.std.toFixed(4)}`, s.trainSeconds.toFixed(1)];
  });
}

export const TABLE_HEADER = ['head', 'test accuracy', 'reference', 'test loss', 'mean intra-class angle (°)', 'min inter-class angle (°)', 'pair verification (10-fold)', 'train time (s)'];

/** The results table as aligned text for the terminal. */
export function textTable(results: HeadResult[], summaries: Array<ReturnType<typeof summarize>>): string {
  const rows = [TABLE_HEADER, ...table(results, summaries)];
  const widths = TABLE_HEADER.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((v, c) => v.padEnd(widths[c]!)).join('  ')).join('\n');
}

/** Writes every output file; returns the per-head summaries it computed (for the terminal table). */
export async function writeReport(out: string, results: HeadResult[], info: RunInfo, maxPlotPoints: number, seed: number): Promise<Array<ReturnType<typeof summarize>>> {
  await mkdir(out, { recursive: true });
  const summaries = results.map(summarize);
  const put = (name: string, text: string) => writeFile(join(out, name), text);
  await put('results.json', JSON.stringify({ ...info, heads: Object.fromEntries(results.map((r, i) => [r.head, summaries[i]])) }, null, 2) + '\n');
  const csv = ['head,step,epoch,loss,accuracy,lr,lambda'];
  for (const r of results) for (const s of r.steps) csv.push(`${r.head},${s.step},${s.epoch},${s.loss},${s.accuracy},${s.lr},${s.lambda ?? ''}`);
  await put('metrics.csv', csv.join('\n') + '\n');

  const figures: Array<{ head: HeadKind; file: string }> = [];
  for (const r of results) {
    const subset = plotSubset(r.embeddings.length, maxPlotPoints, seed);
    const points = subset.map((i) => r.embeddings[i]!);
    const labels = subset.map((i) => r.labels[i]!);
    const dim = points[0]?.length ?? 0;
    const title = `${HEAD_TITLES[r.head]}: ${points.length} test embeddings, accuracy ${r.testAccuracy.toFixed(4)}`;
    if (dim === 2) {
      const file = `embeddings-2d-${r.head}.svg`;
      await put(file, scatter2d({ title, points, labels, weights: r.weights }));
      figures.push({ head: r.head, file });
    } else if (dim === 3) {
      const file = `embeddings-3d-${r.head}.svg`;
      await put(file, sphere3d({ title, points, labels, weights: r.weights }));
      figures.push({ head: r.head, file });
    }
  }
  const window = Math.max(1, Math.round((results[0]?.steps.length ?? 1) / 100));
  const curve = (key: 'loss' | 'accuracy') => results.map((r) => ({ name: r.head, x: r.steps.map((s) => s.step + 1), y: movingAverage(r.steps.map((s) => s[key]), window) }));
  await put('loss.svg', lineChart({ title: `training loss (moving average over ${window} steps)`, series: curve('loss'), xLabel: 'step', yLabel: 'loss' }));
  await put('accuracy.svg', lineChart({ title: `training accuracy (moving average over ${window} steps)`, series: curve('accuracy'), xLabel: 'step', yLabel: 'accuracy' }));

  const rows = table(results, summaries).map((r) => `<tr>${r.map((v) => `<td>${escapeXml(v)}</td>`).join('')}</tr>`);
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>tfjs-angular-margin: MNIST</title>
<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}td:first-child{text-align:left}img{max-width:100%}</style></head>
<body><h1>MNIST: original, modified and angular softmax</h1>
<p>Backend: ${escapeXml(info.backend.detail)}. Command: <code>${escapeXml(info.command)}</code>. Total time ${info.totalSeconds.toFixed(1)} s.
Test figures: all ${info.data.test} test images, plain logits (no margin), no training step on test data. The reference column is the TensorFlow 1 re-implementation's README, whose test figures were measured while training on the test batches.</p>
<table><tr>${TABLE_HEADER.map((h) => `<th>${escapeXml(h)}</th>`).join('')}</tr>
${rows.join('\n')}</table>
${figures.map((f) => `<h2>${escapeXml(HEAD_TITLES[f.head])}</h2><img src="${f.file}" alt="embeddings of the ${f.head} head">`).join('\n')}
<h2>Training curves</h2><img src="loss.svg" alt="training loss"><img src="accuracy.svg" alt="training accuracy">
</body></html>
`;
  await put('index.html', html);
  return summaries;
}
