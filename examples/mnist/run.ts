// The comparison on an MNIST-format dataset: loads data, picks a backend, trains each head for each seed, writes the report.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import { availableParallelism, cpus, platform, release, totalmem } from 'node:os';
import { selectBackend } from '../../tools/backend.js';
import { rowsWhere } from '../../tools/rows_where.js';
import { UsageError } from '../../tools/usage_error.js';
import type { MnistOptions } from './cli.js';
import { loadMnist } from '../../tools/mnist/data.js';
import { DATASETS } from '../../tools/mnist/datasets.js';
import type { MnistSplit } from '../../tools/mnist/idx.js';
import { CPU_BACKENDS, runJobs, type Job } from './jobs.js';
import { buildHead, isConvolutional } from '../../tools/networks.js';
import { formatDuration, type ProgressSink } from './progress.js';
import { textTable, writeFinishedRuns, writeReport } from './report.js';
import type { HeadResult } from './train.js';

/** The open-set mode trains on the classes below this one and evaluates the others too. */
const OPEN_SET_CLASSES = 7;

/** The images from `from` to `to` (exclusive) of a split. */
function slice(split: MnistSplit, from: number, to: number): MnistSplit {
  const pixels = split.rows * split.cols;
  return { ...split, count: to - from, images: split.images.subarray(from * pixels, to * pixels), labels: split.labels.subarray(from, to) };
}

function limit(split: MnistSplit, count: number | null): MnistSplit {
  if (count == null || count >= split.count) return split;
  const pixels = split.rows * split.cols;
  return { ...split, count, images: split.images.subarray(0, count * pixels), labels: split.labels.subarray(0, count) };
}

/** The images of `split` whose label passes `keep`, in their order. */
function filterSplit(split: MnistSplit, keep: (label: number) => boolean): MnistSplit {
  return { ...split, ...rowsWhere(split.images, split.labels, split.rows * split.cols, keep) };
}

/** The number of worker threads: as asked, at most one per job; 1 (this thread) off the CPU backends. */
function workerCount(requested: number | null, backend: string, jobs: number): number {
  if (!CPU_BACKENDS.includes(backend)) {
    if (requested != null && requested > 1)
      throw new UsageError(
        `--workers ${requested}: worker threads serve the CPU backends (${CPU_BACKENDS.join(', ')}); the ${backend} backend trains in one thread (--workers 1).`,
      );
    return 1;
  }
  return Math.max(1, Math.min(requested ?? availableParallelism(), jobs));
}

/**
 * What can fail after training, checked before any data is loaded: that the output folder can be
 * written, and that every head accepts its parameters (a margin out of range).
 */
async function checkBeforeData(options: MnistOptions): Promise<void> {
  const probe = join(options.out, `.write-check-${process.pid}`);
  try {
    await mkdir(options.out, { recursive: true });
    await writeFile(probe, '');
    await rm(probe);
  } catch (e) {
    throw new UsageError(`--out ${options.out}: cannot write there (${(e as Error).message}).`);
  }
  for (const head of options.heads) {
    try {
      buildHead(head, { ...options, seed: 0, classes: 10 });
    } catch (e) {
      throw new UsageError(`--head ${head}: ${(e as Error).message} (see --help for its flags).`);
    }
  }
}

/** How many images of each class a split holds. */
function classCounts(split: MnistSplit): Map<number, number> {
  const counts = new Map<number, number>();
  for (const label of split.labels) counts.set(label, (counts.get(label) ?? 0) + 1);
  return counts;
}

/**
 * What would otherwise fail only after training, checked once the data is loaded: the training set
 * holds images, and every set that is evaluated allows retrieval and verification (two classes, one of them
 * with two images). Each message names the flag that cut the set, or the data it came from.
 */
function checkSplits(
  options: MnistOptions,
  source: string,
  sets: Array<{ split: MnistSplit; what: string; subsetFlag: 'train-subset' | 'test-subset' | 'validation'; evaluated: boolean }>,
): void {
  for (const { split, what, subsetFlag, evaluated } of sets) {
    const subset = subsetFlag === 'train-subset' ? options.trainSubset : subsetFlag === 'validation' ? options.validation : options.testSubset;
    const cause = subset != null ? `--${subsetFlag} ${subset}` : options.openSet ? `--open-set with ${source}` : source;
    const fix = subset != null ? ` Use a larger --${subsetFlag}.` : '';
    if (split.count === 0) throw new UsageError(`${cause}: ${what} holds no images.${fix}`);
    if (!evaluated) continue;
    const counts = classCounts(split);
    if (counts.size < 2 || ![...counts.values()].some((n) => n >= 2)) {
      throw new UsageError(
        `${cause}: ${what} holds ${split.count} image(s) of ${counts.size} class(es), but retrieval and verification need two classes, one of them with two images.${fix}`,
      );
    }
  }
}

/** A path inside the working directory as a relative one (results then name no machine's folders); others as they are. */
function shownPath(path: string): string {
  const inside = relative(process.cwd(), path);
  return inside !== '' && !inside.startsWith('..') && !isAbsolute(inside) ? inside : path;
}

export async function runMnist(options: MnistOptions, command: string, sink: ProgressSink, log: (line: string) => void): Promise<HeadResult[]> {
  const started = performance.now();
  const backend = await selectBackend(options.backend, isConvolutional(options.network), options.convGradient);
  // FlatAdam saves kernel dispatches, which cost on a GPU; on cpu and wasm tfjs's Adam is faster.
  const optimizer = options.optimizer === 'auto' ? (backend.name === 'webgpu' ? 'flat-adam' : 'adam') : options.optimizer;
  const jobs: Job[] = options.seeds.flatMap((seed) => options.heads.map((head) => ({ head, seed })));
  const workers = workerCount(options.workers, backend.name, jobs.length);
  await checkBeforeData(options);
  log(
    `backend: ${backend.name} — ${backend.detail}; optimizer: ${optimizer}; ${jobs.length} run(s) (${options.heads.length} head(s) × ${options.seeds.length} seed(s)) on ${workers === 1 ? 'this thread' : `${workers} worker threads`}`,
  );
  const dataset = DATASETS[options.dataset];
  const mnist = await loadMnist(options.data, { log, dataset });
  // "digits 0-6" (MNIST), "classes 0-6" (Fashion-MNIST).
  const range = (from: number, to: number) => `${dataset.classesCalled} ${from}-${to}`;
  const classes = options.openSet ? OPEN_SET_CLASSES : 10;
  const trainSubset = limit(mnist.train, options.trainSubset);
  // --validation N: the last N training images are evaluated instead of the test set, and not trained on.
  const held = options.validation;
  if (held != null && held >= trainSubset.count)
    throw new UsageError(
      `--validation ${held}: the training set holds ${trainSubset.count} images${options.trainSubset != null ? ` (--train-subset ${options.trainSubset})` : ''}; hold out fewer, so that some remain to train on.`,
    );
  const trainAll = held == null ? trainSubset : slice(trainSubset, 0, trainSubset.count - held);
  const testAll = held == null ? limit(mnist.test, options.testSubset) : slice(trainSubset, trainSubset.count - held, trainSubset.count);
  const evaluated = held == null ? 'test' : 'validation';
  const train = options.openSet ? filterSplit(trainAll, (l) => l < classes) : trainAll;
  const test = options.openSet ? filterSplit(testAll, (l) => l < classes) : testAll;
  const unseen = options.openSet ? filterSplit(testAll, (l) => l >= classes) : undefined;
  checkSplits(options, mnist.source, [
    {
      split: train,
      what: options.openSet ? `the training set (the ${range(0, classes - 1)})` : 'the training set',
      subsetFlag: 'train-subset',
      evaluated: false,
    },
    {
      split: test,
      what: options.openSet ? `the ${evaluated} set of the ${range(0, classes - 1)}` : `the ${evaluated} set`,
      subsetFlag: held == null ? 'test-subset' : 'validation',
      evaluated: true,
    },
    ...(unseen
      ? [
          {
            split: unseen,
            what: `the ${evaluated} set of the unseen ${range(classes, 9)}`,
            subsetFlag: held == null ? ('test-subset' as const) : ('validation' as const),
            evaluated: true,
          },
        ]
      : []),
  ]);
  log(
    `data: ${dataset.title}, ${train.count} training and ${test.count} ${evaluated} images${unseen ? ` of the ${range(0, classes - 1)}, and ${unseen.count} ${evaluated} images of the unseen ${range(classes, 9)},` : ''} from ${mnist.source}${held == null ? '' : ` (the ${evaluated} images: the last ${held} training images, held out; the test set is not read)`}`,
  );
  const config = { ...options, optimizer, classes, saveModelsTo: options.saveModels ? join(options.out, 'models') : null };
  // Each run's figures as soon as it finishes, on the terminal and in finished-runs.json: a run of
  // many seeds stopped before its end keeps what finished.
  // Workers finish side by side: the writes go one after another, each with every run so far.
  const finished = new Array<HeadResult | undefined>(jobs.length);
  let writing = Promise.resolve();
  const onResult = (r: HeadResult, index: number) => {
    finished[index] = r;
    log(
      `${r.head} (seed ${r.seed}): test accuracy ${r.testAccuracy.toFixed(4)}, test loss ${r.testLoss.toFixed(4)}, ${formatDuration(r.trainSeconds)} training (${r.msPerStep.toFixed(1)} ms/step)${r.modelPath == null ? '' : `; embedding model: ${shownPath(r.modelPath)}`}`,
    );
    writing = writing.then(() =>
      writeFinishedRuns(
        options.out,
        finished.filter((f) => f != null),
        dataset.referenceAccuracy,
      ),
    );
    return writing;
  };
  const results = await runJobs(
    jobs,
    { train, evaluation: { test, unseen }, config, backend: backend.name, convGradient: options.convGradient },
    workers,
    sink,
    onResult,
  );
  const totalSeconds = (performance.now() - started) / 1000;
  const cpu = cpus();
  const { heads, seeds, ...rest } = options;
  const report = await writeReport(
    options.out,
    results,
    {
      command,
      config: { heads, seeds, ...rest, optimizer, workers, classes },
      backend,
      hardware: {
        cpu: cpu[0]?.model ?? 'unknown',
        cores: cpu.length,
        memoryGiB: +(totalmem() / 2 ** 30).toFixed(1),
        platform: `${platform()} ${release()}`,
        node: process.version,
      },
      data: {
        evaluatedOn: evaluated,
        dataset: dataset.title,
        classNames: dataset.classNames,
        classesCalled: dataset.classesCalled,
        referenceAccuracy: dataset.referenceAccuracy,
        source: shownPath(mnist.source),
        train: train.count,
        test: test.count,
        unseen: unseen?.count ?? 0,
      },
      totalSeconds,
    },
    options.maxPlotPoints,
  );
  log(`\n${textTable(report)}\n`);
  log(`total: ${formatDuration(totalSeconds)} (${totalSeconds.toFixed(1)} s) for ${jobs.length} run(s); results in ${options.out}/ (open index.html)`);
  return results;
}
