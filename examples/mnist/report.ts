// Writes what a run produced: results.json, metrics.csv, SVG figures and an index.html.
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { angularStatistics } from 'tfjs-angular-margin';
import { seededRandom } from 'tfjs-angular-margin/testing';
import { headTitle, type ProgramHead } from '../../tools/networks.js';
import { permutation } from '../../tools/permutation.js';
import { escapeXml, lineChart, movingAverage, scatter2d, sphere3d, type Series } from '../../tools/plots.js';
import { REPORTED_FAR, type EmbeddingFigures } from './embedding_figures.js';
import type { HeadResult } from './train.js';

/** The most points a training curve draws (the figures stay small; metrics.csv keeps every step). */
const CURVE_POINTS = 1000;

/** The lowest false-accept rate drawn in the ROC figures. */
const ROC_MIN_FAR = 1e-5;

export interface RunInfo {
  command: string;
  config: Record<string, unknown>;
  backend: { name: string; detail: string };
  hardware: Record<string, unknown>;
  /** The dataset's title and class names, where the images came from, and the images of each set. */
  data: {
    evaluatedOn: 'test' | 'validation';
    dataset: string;
    classNames: readonly string[];
    classesCalled: string;
    referenceAccuracy: Readonly<Record<string, number>>;
    source: string;
    train: number;
    test: number;
    unseen: number;
  };
  totalSeconds: number;
}

/** The figures of results.json: all but the ROC's points, which are drawn in roc.svg. */
function kept(figures: EmbeddingFigures): Omit<EmbeddingFigures, 'roc'> {
  const { roc: _drawn, ...rest } = figures;
  return rest;
}

/** What one run (a head with a seed) measured; paths relative to the output folder `out`. */
function summarize(r: HeadResult, out: string, referenceAccuracy: Readonly<Record<string, number>>) {
  const stats = angularStatistics(r.embeddings, r.labels);
  const perEpoch = new Map<number, { loss: number; accuracy: number; count: number }>();
  for (const s of r.steps) {
    const e = perEpoch.get(s.epoch) ?? { loss: 0, accuracy: 0, count: 0 };
    e.loss += s.loss;
    e.accuracy += s.accuracy;
    e.count++;
    perEpoch.set(s.epoch, e);
  }
  return {
    seed: r.seed,
    testAccuracy: r.testAccuracy,
    testLoss: r.testLoss,
    referenceAccuracy: referenceAccuracy[r.head] ?? null,
    trainSeconds: r.trainSeconds,
    evalSeconds: r.evalSeconds,
    msPerStep: r.msPerStep,
    parameters: r.parameters,
    /** The saved embedding model's folder (a plain tfjs model), relative to the output folder, or null. */
    modelPath: r.modelPath == null ? null : relative(out, r.modelPath),
    steps: r.steps.length,
    /** λ of A-Softmax at the last training step (null for the other heads). */
    lambdaAtLastStep: r.steps.at(-1)?.lambda ?? null,
    angular: {
      meanIntraClassAngleDegrees: stats.meanIntraClassAngle,
      maxIntraClassAngleDegrees: stats.maxIntraClassAngle,
      minInterClassAngleDegrees: stats.minInterClassAngle,
      minInterClassPair: stats.minInterClassPair,
      meanIntraClassAngleByClassDegrees: stats.meanIntraClassAngleByClass,
    },
    /** Retrieval and verification among the test embeddings (of the trained classes, in the open set). */
    figures: kept(r.figures),
    /** The same among the test embeddings of the classes never trained on (open set), or null. */
    unseenFigures: r.unseen == null ? null : kept(r.unseen.figures),
    epochs: [...perEpoch.entries()].map(([epoch, e]) => ({ epoch, loss: e.loss / e.count, accuracy: e.accuracy / e.count })),
  };
}

export type RunSummary = ReturnType<typeof summarize>;

/** Mean, sample standard deviation (0 for one value) and count. */
export interface Spread {
  mean: number;
  sd: number;
  n: number;
}

export function spread(values: number[]): Spread {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, sd, n };
}

/** The figures summarized over seeds, per head. */
const SUMMARY_FIELDS = {
  testAccuracy: (s: RunSummary) => s.testAccuracy,
  minInterClassAngleDegrees: (s: RunSummary) => s.angular.minInterClassAngleDegrees,
  meanIntraClassAngleDegrees: (s: RunSummary) => s.angular.meanIntraClassAngleDegrees,
  precisionAt1: (s: RunSummary) => s.figures.precisionAt1,
  mapAtR: (s: RunSummary) => s.figures.mapAtR,
  rPrecision: (s: RunSummary) => s.figures.rPrecision,
  recallAt1: (s: RunSummary) => s.figures.recallAt1,
  tarAtFar: (s: RunSummary) => s.figures.tarAtFar.tar,
  eer: (s: RunSummary) => s.figures.eer,
  auc: (s: RunSummary) => s.figures.auc,
  unseenPrecisionAt1: (s: RunSummary) => s.unseenFigures?.precisionAt1 ?? null,
  unseenMapAtR: (s: RunSummary) => s.unseenFigures?.mapAtR ?? null,
  unseenRPrecision: (s: RunSummary) => s.unseenFigures?.rPrecision ?? null,
  unseenRecallAt1: (s: RunSummary) => s.unseenFigures?.recallAt1 ?? null,
  unseenTarAtFar: (s: RunSummary) => s.unseenFigures?.tarAtFar.tar ?? null,
  unseenEer: (s: RunSummary) => s.unseenFigures?.eer ?? null,
  unseenAuc: (s: RunSummary) => s.unseenFigures?.auc ?? null,
  trainSeconds: (s: RunSummary) => s.trainSeconds,
};

export type HeadSummary = { [K in keyof typeof SUMMARY_FIELDS]: Spread | null };

/** Per head, in the order the heads were trained: each field of {@link SUMMARY_FIELDS} over its seeds. */
function summarizeHeads(runs: Array<{ head: ProgramHead; summary: RunSummary }>): Map<ProgramHead, HeadSummary> {
  const out = new Map<ProgramHead, HeadSummary>();
  for (const head of new Set(runs.map((r) => r.head))) {
    const mine = runs.filter((r) => r.head === head).map((r) => r.summary);
    const entries = Object.entries(SUMMARY_FIELDS).map(([key, get]) => {
      const values = mine.map(get);
      return [key, values.some((v) => v == null) ? null : spread(values as number[])];
    });
    out.set(head, Object.fromEntries(entries) as HeadSummary);
  }
  return out;
}

/** A deterministic subset of at most `max` indices, for figures. */
function plotSubset(count: number, max: number, seed: number): number[] {
  if (count <= max) return Array.from({ length: count }, (_, i) => i);
  return Array.from(permutation(count, seededRandom(seed)).subarray(0, max)).sort((a, b) => a - b);
}

/** "0.9812 ± 0.0011" (no ± for a single seed). */
function formatSpread(s: Spread | null, digits: number): string {
  if (s == null) return '—';
  return s.n > 1 ? `${s.mean.toFixed(digits)} ± ${s.sd.toFixed(digits)}` : s.mean.toFixed(digits);
}

/** What writeReport computed, for the terminal table. */
export interface Report {
  heads: Map<ProgramHead, HeadSummary>;
  seeds: number;
  openSet: boolean;
  /** What the classes are called in the table: "digits", "classes". */
  classes: string;
  /** The dataset's published accuracies by head (a column where there are any, outside the open set, on the test set). */
  referenceAccuracy: Readonly<Record<string, number>>;
  /** The set the figures come from: the test set, or training images held out (`--validation`). */
  evaluatedOn: 'test' | 'validation';
}

/** Whether the table has the reference column: published accuracies exist, and the run measured them as they did (the test set, not an open set). */
function hasReference(report: Pick<Report, 'openSet' | 'referenceAccuracy' | 'evaluatedOn'>): boolean {
  return !report.openSet && report.evaluatedOn === 'test' && Object.keys(report.referenceAccuracy).length > 0;
}

function tableHeader(report: Pick<Report, 'seeds' | 'openSet' | 'classes' | 'referenceAccuracy' | 'evaluatedOn'>): string[] {
  const over = report.seeds > 1 ? ` (mean ± sd, ${report.seeds} seeds)` : '';
  const tar = `TAR @ FAR ${REPORTED_FAR}`;
  const figures = report.openSet
    ? [
        `MAP@R, seen ${report.classes}`,
        `P@1, unseen ${report.classes}`,
        `MAP@R, unseen ${report.classes}`,
        `${tar}, unseen ${report.classes}`,
        `EER, unseen ${report.classes}`,
      ]
    : ['P@1', 'MAP@R', tar, 'EER'];
  return [
    `head${over}`,
    `${report.evaluatedOn} accuracy`,
    ...(hasReference(report) ? ['reference'] : []),
    'mean intra-class angle (°)',
    'min inter-class angle (°)',
    ...figures,
    'train time (s)',
  ];
}

function tableRows(report: Report): string[][] {
  return [...report.heads.entries()].map(([head, s]) => [
    headTitle(head),
    formatSpread(s.testAccuracy, 4),
    ...(hasReference(report) ? [report.referenceAccuracy[head]?.toFixed(4) ?? '—'] : []),
    formatSpread(s.meanIntraClassAngleDegrees, 2),
    formatSpread(s.minInterClassAngleDegrees, 2),
    ...(report.openSet ? [s.mapAtR, s.unseenPrecisionAt1, s.unseenMapAtR, s.unseenTarAtFar, s.unseenEer] : [s.precisionAt1, s.mapAtR, s.tarAtFar, s.eer]).map(
      (v) => formatSpread(v, 4),
    ),
    formatSpread(s.trainSeconds, 0),
  ]);
}

/** The results table in Markdown (summary.md of a run), for README and docs. */
function markdownTable(report: Report): string {
  const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const header = tableHeader(report);
  return [row(header), row(header.map((_, i) => (i === 0 ? '---' : '---:'))), ...tableRows(report).map(row)].join('\n') + '\n';
}

/** The results table as aligned text for the terminal. */
export function textTable(report: Report): string {
  const header = tableHeader(report);
  const rows = [header, ...tableRows(report)];
  const widths = header.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((v, c) => v.padEnd(widths[c]!)).join('  ')).join('\n');
}

/**
 * Writes `name` in `out` whole, under a temporary name and then renamed: a full disk leaves no
 * truncated file, and the error names the file.
 */
async function writeWhole(out: string, name: string, text: string): Promise<void> {
  const path = join(out, name);
  try {
    await writeFile(`${path}.tmp`, text);
    await rename(`${path}.tmp`, path);
  } catch (e) {
    throw new Error(`cannot write ${path}: ${(e as Error).message}`);
  }
}

/** The file that holds the runs finished so far while a run goes on; the full report replaces it. */
export const FINISHED_RUNS_FILE = 'finished-runs.json';

/**
 * Writes the figures of the runs finished so far (head, seed and what results.json keeps of each)
 * to {@link FINISHED_RUNS_FILE}, so that a run stopped before its end loses only unfinished runs.
 */
export async function writeFinishedRuns(out: string, results: readonly HeadResult[], referenceAccuracy: Readonly<Record<string, number>>): Promise<void> {
  const runs = results.map((r) => ({ head: r.head, ...summarize(r, out, referenceAccuracy) }));
  await writeWhole(out, FINISHED_RUNS_FILE, JSON.stringify({ finished: runs.length, runs }, null, 2) + '\n');
}

/**
 * Writes every output file: results.json (every run and the per-head summary over seeds),
 * metrics.csv (every step of every run), summary.md (the table), the embedding figures and training curves of the first
 * seed, and index.html, then removes {@link FINISHED_RUNS_FILE}. Returns what the terminal table shows.
 */
export async function writeReport(out: string, results: HeadResult[], info: RunInfo, maxPlotPoints: number): Promise<Report> {
  await mkdir(out, { recursive: true }).catch((e: unknown) => {
    throw new Error(`cannot create the output folder ${out}: ${(e as Error).message}`);
  });
  const runs = results.map((r) => ({ head: r.head, summary: summarize(r, out, info.data.referenceAccuracy) }));
  const heads = summarizeHeads(runs);
  const seeds = [...new Set(results.map((r) => r.seed))];
  const report: Report = {
    heads,
    seeds: seeds.length,
    openSet: info.data.unseen > 0,
    classes: info.data.classesCalled,
    referenceAccuracy: info.data.referenceAccuracy,
    evaluatedOn: info.data.evaluatedOn,
  };
  const classNames = info.data.classNames;
  const put = (name: string, text: string) => writeWhole(out, name, text);
  const json = {
    ...info,
    summary: Object.fromEntries(heads),
    runs: seeds.map((seed) => ({ seed, heads: Object.fromEntries(runs.filter((r) => r.summary.seed === seed).map((r) => [r.head, r.summary])) })),
  };
  await put('results.json', JSON.stringify(json, null, 2) + '\n');
  const csv = ['seed,head,step,epoch,loss,accuracy,lr,lambda'];
  for (const r of results) for (const s of r.steps) csv.push(`${r.seed},${r.head},${s.step},${s.epoch},${s.loss},${s.accuracy},${s.lr},${s.lambda ?? ''}`);
  await put('metrics.csv', csv.join('\n') + '\n');
  await put('summary.md', markdownTable(report));

  const shown = results.filter((r) => r.seed === seeds[0]);
  const figures: Array<{ head: ProgramHead; file: string }> = [];
  for (const r of shown) {
    const subset = plotSubset(r.embeddings.length, maxPlotPoints, r.seed);
    const points = subset.map((i) => r.embeddings[i]!);
    const labels = subset.map((i) => r.labels[i]!);
    const dim = points[0]?.length ?? 0;
    const title = `${headTitle(r.head)}: ${points.length} ${info.data.evaluatedOn} embeddings, accuracy ${r.testAccuracy.toFixed(4)} (seed ${r.seed})`;
    if (dim === 2) {
      const file = `embeddings-2d-${r.head}.svg`;
      await put(file, scatter2d({ title, points, labels, weights: r.weights, classNames }));
      figures.push({ head: r.head, file });
    } else if (dim === 3) {
      const file = `embeddings-3d-${r.head}.svg`;
      await put(file, sphere3d({ title, points, labels, weights: r.weights, classNames }));
      figures.push({ head: r.head, file });
    }
  }
  const window = Math.max(1, Math.round((shown[0]?.steps.length ?? 1) / 100));
  // Smoothed over `window` steps, then drawn at most CURVE_POINTS points a series (every k-th step and the last).
  const every = Math.max(1, Math.ceil((shown[0]?.steps.length ?? 1) / CURVE_POINTS));
  const drawn = <T>(values: T[]) => values.filter((_, i) => i % every === 0 || i === values.length - 1);
  const curve = (key: 'loss' | 'accuracy') =>
    shown.map((r) => ({
      name: r.head,
      x: drawn(r.steps.map((s) => s.step + 1)),
      y: drawn(
        movingAverage(
          r.steps.map((s) => s[key]),
          window,
        ),
      ),
    }));
  const ofSeed = seeds.length > 1 ? `, seed ${seeds[0]}` : '';
  await put(
    'loss.svg',
    lineChart({ title: `training loss (moving average over ${window} steps${ofSeed})`, series: curve('loss'), xLabel: 'step', yLabel: 'loss' }),
  );
  const rocSeries = (of: (r: HeadResult) => EmbeddingFigures | undefined) =>
    shown.flatMap((r) => {
      const roc = of(r)?.roc;
      if (roc == null) return [];
      const onAxis = roc.far.flatMap((far, i) => (far >= ROC_MIN_FAR ? [i] : []));
      return [{ name: r.head, x: onAxis.map((i) => Math.log10(roc.far[i]!)), y: onAxis.map((i) => roc.tar[i]!) }];
    });
  const rocChart = (title: string, series: Series[]) =>
    lineChart({ title, series, xLabel: 'log10 false-accept rate', yLabel: 'true-accept rate', xRange: [Math.log10(ROC_MIN_FAR), 0] });
  const rocFigures = [
    { file: 'roc.svg', title: `ROC of all ${report.evaluatedOn} pairs${report.openSet ? ` of the seen ${report.classes}` : ''} (seed ${seeds[0]})` },
  ];
  await put(
    'roc.svg',
    rocChart(
      rocFigures[0]!.title,
      rocSeries((r) => r.figures),
    ),
  );
  if (report.openSet) {
    rocFigures.push({ file: 'roc-unseen.svg', title: `ROC of all ${report.evaluatedOn} pairs of the unseen ${report.classes} (seed ${seeds[0]})` });
    await put(
      'roc-unseen.svg',
      rocChart(
        rocFigures[1]!.title,
        rocSeries((r) => r.unseen?.figures),
      ),
    );
  }
  await put(
    'accuracy.svg',
    lineChart({ title: `training accuracy (moving average over ${window} steps${ofSeed})`, series: curve('accuracy'), xLabel: 'step', yLabel: 'accuracy' }),
  );

  const rows = tableRows(report).map((r) => `<tr>${r.map((v) => `<td>${escapeXml(v)}</td>`).join('')}</tr>`);
  const heldOut =
    report.evaluatedOn === 'validation'
      ? `Validation run: every figure below comes from the last ${info.data.test + info.data.unseen} training images, held out from training (--validation), where "test" says so; the test set was not read. `
      : '';
  const protocol =
    heldOut +
    (report.openSet
      ? `Open set: trained on the ${info.data.train} training images of the ${report.classes} ${classNames.slice(0, Number(info.config.classes)).join(', ')}; test accuracy over the ${info.data.test} test images of those ${report.classes}; retrieval (each test image a query among the others) and verification (all pairs, cosine similarity) among those and among the ${info.data.unseen} test images of the ${report.classes} never trained on (${classNames.slice(Number(info.config.classes)).join(', ')}).`
      : `Test figures: all ${info.data.test} test images, plain logits (no margin), no training step on test data; retrieval with each test image a query among the others, verification over all pairs (cosine similarity). The reference column is the TensorFlow 1 re-implementation's README, whose test figures were measured while training on the test batches.`);
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>tfjs-angular-margin: ${escapeXml(info.data.dataset)}</title>
<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}td:first-child{text-align:left}img{max-width:100%}</style></head>
<body><h1>${escapeXml(info.data.dataset)}${report.openSet ? ', open set' : ''}: ${escapeXml([...report.heads.keys()].map(headTitle).join(', '))}</h1>
<p>Backend: ${escapeXml(info.backend.detail)}. Command: <code>${escapeXml(info.command)}</code>. Total time ${info.totalSeconds.toFixed(1)} s.
${protocol} Figures and curves: seed ${seeds[0]}.</p>
<table><tr>${tableHeader(report)
    .map((h) => `<th>${escapeXml(h)}</th>`)
    .join('')}</tr>
${rows.join('\n')}</table>
${figures.map((f) => `<h2>${escapeXml(headTitle(f.head))}</h2><img src="${f.file}" alt="embeddings of the ${f.head} head">`).join('\n')}
<h2>Verification</h2>${rocFigures.map((f) => `<img src="${f.file}" alt="${escapeXml(f.title)}">`).join('')}
<h2>Training curves</h2><img src="loss.svg" alt="training loss"><img src="accuracy.svg" alt="training accuracy">
</body></html>
`;
  await put('index.html', html);
  // The report holds every run now: the file of runs finished so far has done its work.
  await rm(join(out, FINISHED_RUNS_FILE), { force: true });
  return report;
}
