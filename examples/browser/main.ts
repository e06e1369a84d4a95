// The browser demo: trains a margin head on MNIST in the page and draws the 2-D embeddings of
// held-out digits as they separate. Imports the package's ESM build.
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { angularStatistics, AngularSoftmax, HEADS, marginCrossEntropy, retrievalMetrics, verificationMetrics, type HeadArgsByKind } from 'tfjs-angular-margin';
import { seededRandom } from 'tfjs-angular-margin/testing';
import { applyHead, buildTrunk, PROGRAM_HEADS, headTitle, type ProgramHead } from '../../tools/networks.js';
import { lineChart, movingAverage, scatter2d } from '../../tools/plots.js';
import { rowsWhere } from '../../tools/rows_where.js';
import { loadDigits, type Digits } from './data.js';

/** The heads the page offers (its select element, filled from the registry): the original softmax and every library head. */
type Head = ProgramHead;
type LibraryHead = Exclude<Head, 'original'>;

/** The open set trains on the digits below this one and evaluates retrieval and verification on the others. */
const OPEN_SET_CLASSES = 7;

/** The false-accept rate at which the page gives the true-accept rate. */
const SHOWN_FAR = 1e-3;

/** Retrieval and verification among the evaluated test digits (every query searched among the others; all pairs). */
interface Figures {
  /** The digits evaluated: all ten, or in the open set the ones never trained on. */
  digits: number[];
  images: number;
  precisionAt1: number;
  mapAtR: number;
  tarAtFar: number;
  threshold: number;
  eer: number;
}

/** What the page exposes for its end-to-end test and for curious visitors. */
interface DemoState {
  running: boolean;
  backend: string;
  step: number;
  losses: number[];
  accuracies: number[];
  testAccuracy: number | null;
  /** Trained on the digits 0-6 only, evaluated on 7-9 (the open-set box). */
  openSet: boolean;
  figures: Figures | null;
  plottedPoints: number;
  tensorsBefore: number;
  tensorsAfter: number | null;
  error: string | null;
}
const state: DemoState = {
  running: false,
  backend: '',
  step: 0,
  losses: [],
  accuracies: [],
  testAccuracy: null,
  openSet: false,
  figures: null,
  plottedPoints: 0,
  tensorsBefore: 0,
  tensorsAfter: null,
  error: null,
};
(window as unknown as { __demo: DemoState }).__demo = state;

// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- a typed lookup of the page's elements, as querySelector<T> is
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const num = (id: string) => Number($<HTMLInputElement>(id).value);
let stopRequested = false;
/** The last run's embedding model (the trunk), serialized when the run ended: plain buffers, no tensors kept. */
let embeddingArtifacts: tf.io.ModelArtifacts | null = null;

async function chooseBackend(wanted: string): Promise<string> {
  setWasmPaths('./wasm/');
  const order = wanted === 'auto' ? ['webgpu', 'webgl', 'wasm', 'cpu'] : [wanted];
  for (const name of order) {
    try {
      if (name === 'webgpu') {
        if (!('gpu' in navigator)) continue;
        await import('@tensorflow/tfjs-backend-webgpu');
      }
      if (await tf.setBackend(name)) {
        await tf.ready();
        return name;
      }
    } catch {
      // Try the next backend.
    }
  }
  throw new Error(`no usable backend among ${order.join(', ')}`);
}

type Loss = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar;

/** The head's default parameters, as the registry lists them. */
const defaultsOf = (head: LibraryHead) => HEADS[head].defaults as Readonly<Record<string, unknown>>;

/**
 * The page's parameters for a head of the library (the others are the registry's defaults): the
 * margin where the head has one parameter of that name, the scale s (r for SphereFace2), and
 * A-Softmax's λ schedule.
 */
function headArgs(head: LibraryHead, classes: number): HeadArgsByKind[LibraryHead] {
  const args: Record<string, unknown> = { units: classes, kernelInitializer: tf.initializers.glorotUniform({ seed: 7 }) };
  const defaults = defaultsOf(head);
  if ('margin' in defaults) args['margin'] = head === 'angularSoftmax' ? Math.round(num('margin')) : num('margin');
  if ('scale' in defaults) args['scale'] = num('scale');
  if ('r' in defaults) args['r'] = num('scale');
  if (head === 'angularSoftmax')
    Object.assign(args, { lambdaBase: num('lambdaBase'), lambdaGamma: num('lambdaGamma'), lambdaPower: num('lambdaPower'), lambdaMin: num('lambdaMin') });
  return args as unknown as HeadArgsByKind[LibraryHead];
}

/** Fills the head menu from the registry, A-Softmax selected; choosing a head puts its default margin in the margin field (disabled where it has none). */
function setUpHeadMenu(): void {
  const select = $<HTMLSelectElement>('head');
  select.replaceChildren(...PROGRAM_HEADS.map((kind) => new Option(headTitle(kind), kind, kind === 'angularSoftmax', kind === 'angularSoftmax')));
  const showDefaults = () => {
    const kind = select.value as Head;
    const margin = kind === 'original' ? undefined : defaultsOf(kind)['margin'];
    const field = $<HTMLInputElement>('margin');
    field.disabled = typeof margin !== 'number';
    if (typeof margin === 'number') field.value = String(margin);
  };
  select.addEventListener('change', showDefaults);
  showDefaults();
}

/** The head and the loss it trains with: the registry's own where a head has one (SphereFace2), else the softmax cross-entropy. */
function buildHead(head: Head, classes: number): { layer: tf.layers.Layer; loss: Loss } {
  if (head === 'original')
    return { layer: tf.layers.dense({ units: classes, kernelInitializer: tf.initializers.glorotUniform({ seed: 7 }) }), loss: marginCrossEntropy };
  const args = headArgs(head, classes);
  const entry = HEADS[head] as { create(a: typeof args): tf.layers.Layer; loss?(a: typeof args): Loss };
  return { layer: entry.create(args), loss: entry.loss?.(args) ?? marginCrossEntropy };
}

/** The images of `digits` whose label passes `keep`, in their order. */
function only(digits: Digits, keep: (label: number) => boolean): Digits {
  return rowsWhere(digits.images, digits.labels, 784, keep);
}

/** Retrieval and verification figures of the embeddings of `digits` under `trunk`. */
async function measure(trunk: tf.LayersModel, digits: Digits): Promise<Figures> {
  const embeddings = tf.tidy(() => trunk.predict(tf.tensor2d(digits.images, [digits.count, 784])) as tf.Tensor2D);
  try {
    const retrieval = await retrievalMetrics(embeddings, digits.labels, { recallAt: [1] });
    const verification = await verificationMetrics(embeddings, digits.labels, { farTargets: [SHOWN_FAR] });
    const { tar, threshold } = verification.tarAtFar[0]!;
    return {
      digits: [...new Set(digits.labels)].sort((a, b) => a - b),
      images: digits.count,
      precisionAt1: retrieval.precisionAt1,
      mapAtR: retrieval.mapAtR,
      tarAtFar: tar,
      threshold,
      eer: verification.eer,
    };
  } finally {
    embeddings.dispose();
  }
}

/** The figures as rows of the statistics table. */
function figureRows(f: Figures): string {
  const of = `digits ${f.digits.join(', ')}`;
  return [
    [`P@1 (${of})`, f.precisionAt1.toFixed(4)],
    [`MAP@R (${of})`, f.mapAtR.toFixed(4)],
    [`TAR at FAR ${SHOWN_FAR} (${of})`, `${f.tarAtFar.toFixed(4)} (cosine ≥ ${f.threshold.toFixed(3)})`],
    [`EER (${of})`, f.eer.toFixed(4)],
  ]
    .map(([k, v]) => `<tr><td>${k}</td><td>${v}</td></tr>`)
    .join('');
}

/** Draws embeddings of the held-out digits, the curves and the angular statistics. */
async function render(trunk: tf.LayersModel, head: tf.layers.Layer, kind: Head, test: Digits, testX: tf.Tensor2D): Promise<void> {
  const emb = tf.tidy(() => trunk.predict(testX) as tf.Tensor);
  const points = (await emb.array()) as number[][];
  emb.dispose();
  const labels = Array.from(test.labels);
  const transposed = tf.transpose(head.getWeights()[0]!);
  const weights = (await transposed.array()) as number[][]; // async reads: no GPU stall
  transposed.dispose();
  $('embeddings').innerHTML = scatter2d({ title: `${kind}: ${points.length} held-out digits, step ${state.step}`, points, labels, weights });
  state.plottedPoints = points.length;
  const steps = state.losses.map((_, i) => i + 1);
  const w = Math.max(1, Math.round(state.losses.length / 50));
  $('loss').innerHTML = lineChart({
    title: 'training loss',
    xLabel: 'step',
    yLabel: 'loss',
    series: [{ name: kind, x: steps, y: movingAverage(state.losses, w) }],
  });
  $('accuracy').innerHTML = lineChart({
    title: 'training accuracy',
    xLabel: 'step',
    yLabel: 'accuracy',
    series: [{ name: kind, x: steps, y: movingAverage(state.accuracies, w) }],
  });
  const s = angularStatistics(points, labels);
  const lambda = head instanceof AngularSoftmax ? `<tr><td>λ</td><td>${(await head.readLambda()).toFixed(2)}</td></tr>` : '';
  const figures = state.figures == null ? '' : figureRows(state.figures);
  $('stats').querySelector('tbody')!.innerHTML =
    `<tr><td>mean angle to class centre</td><td>${s.meanIntraClassAngle.toFixed(1)}°</td></tr><tr><td>smallest angle between class centres</td><td>${s.minInterClassAngle.toFixed(1)}° (${s.minInterClassPair?.join(' / ')})</td></tr>${lambda}${figures}`;
  $('debug').textContent = `backend ${state.backend}; tensors before this run ${state.tensorsBefore}, now ${tf.memory().numTensors}`;
}

async function train(allTrain: Digits, test: Digits): Promise<void> {
  const kind = $<HTMLSelectElement>('head').value as Head;
  const openSet = $<HTMLInputElement>('openSet').checked;
  const classes = openSet ? OPEN_SET_CLASSES : 10;
  // The open set: train and measure accuracy on the digits 0-6, retrieval and verification on 7-9.
  const train = openSet ? only(allTrain, (l) => l < classes) : allTrain;
  const seen = openSet ? only(test, (l) => l < classes) : test;
  const evaluated = openSet ? only(test, (l) => l >= classes) : test;
  const steps = Math.max(1, Math.floor(num('steps')));
  const batch = Math.max(1, Math.floor(num('batchSize')));
  state.backend = await chooseBackend($<HTMLSelectElement>('backend').value);
  Object.assign(state, {
    running: true,
    openSet,
    figures: null,
    step: 0,
    losses: [],
    accuracies: [],
    testAccuracy: null,
    tensorsAfter: null,
    error: null,
    tensorsBefore: tf.memory().numTensors,
  });
  $('result').textContent = '';
  const trainX = tf.tensor2d(train.images, [train.count, 784]);
  const trainY = tf.tensor1d(train.labels, 'int32');
  const testX = tf.tensor2d(test.images, [test.count, 784]);
  const seenX = tf.tensor2d(seen.images, [seen.count, 784]);
  const seenY = tf.tensor1d(seen.labels, 'int32');
  const trunk = buildTrunk('quick', 2, 1); // the MNIST example's MLP, 784-256-128-2
  const { layer: head, loss: lossOf } = buildHead(kind, classes);
  const optimizer = tf.train.adam(0.003);
  const rand = seededRandom(3);
  try {
    for (let step = 0; step < steps && !stopRequested; step++) {
      const idx = tf.tensor1d(
        Int32Array.from({ length: batch }, () => Math.floor(rand() * train.count)),
        'int32',
      );
      let correct: tf.Tensor | null = null;
      const loss = tf.tidy(() => {
        const xb = tf.gather(trainX, idx);
        const yb = tf.gather(trainY, idx);
        return optimizer.minimize(() => {
          const z = applyHead(head, kind, trunk.apply(xb, { training: true }) as tf.Tensor, yb, true);
          correct = tf.keep(tf.mean(tf.cast(tf.equal(tf.argMax(z, 1), yb), 'float32')));
          return lossOf(tf.oneHot(yb, classes), z);
        }, true)!;
      });
      state.losses.push((await loss.data())[0]!);
      state.accuracies.push((await correct!.data())[0]!);
      tf.dispose([loss, correct!, idx]);
      state.step = step + 1;
      $('status').textContent = `${kind} on ${state.backend}: step ${state.step}/${steps}, loss ${state.losses.at(-1)!.toFixed(4)}`;
      if (state.step % 25 === 0 || state.step === steps) await render(trunk, head, kind, test, testX);
      await tf.nextFrame(); // keep the page responsive
    }
    const acc = tf.tidy(() =>
      tf.mean(tf.cast(tf.equal(tf.argMax(applyHead(head, kind, trunk.predict(seenX) as tf.Tensor, seenY, false), 1), seenY), 'float32')),
    );
    state.testAccuracy = (await acc.data())[0]!;
    acc.dispose();
    state.figures = await measure(trunk, evaluated);
    await render(trunk, head, kind, test, testX);
    await trunk.save(
      tf.io.withSaveHandler((artifacts) => {
        embeddingArtifacts = artifacts;
        return Promise.resolve({ modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } });
      }),
    );
    $<HTMLButtonElement>('download').disabled = false;
    const unseen = openSet ? `; MAP@R of the ${evaluated.count} held-out digits ${classes}-9, never trained on: ${state.figures.mapAtR.toFixed(4)}` : '';
    $('result').textContent =
      `test accuracy on ${seen.count} held-out digits${openSet ? ` 0-${classes - 1}` : ''}: ${state.testAccuracy.toFixed(4)}${unseen}${stopRequested ? ' (stopped early)' : ''}`;
  } finally {
    tf.dispose([trainX, trainY, testX, seenX, seenY]);
    optimizer.dispose();
    trunk.dispose();
    head.dispose();
    state.tensorsAfter = tf.memory().numTensors;
    state.running = false;
    $('debug').textContent = `backend ${state.backend}; tensors before this run ${state.tensorsBefore}, after ${state.tensorsAfter}`;
  }
}

async function start(): Promise<void> {
  setUpHeadMenu();
  const [trainDigits, testDigits] = await Promise.all([loadDigits('./data/train'), loadDigits('./data/test')]);
  $('status').textContent = `Ready: ${trainDigits.count} training and ${testDigits.count} held-out digits. Press Train.`;
  const trainButton = $<HTMLButtonElement>('train');
  const stopButton = $<HTMLButtonElement>('stop');
  const onTrain = async () => {
    trainButton.disabled = true;
    $<HTMLButtonElement>('download').disabled = true;
    stopButton.disabled = false;
    stopRequested = false;
    try {
      await train(trainDigits, testDigits);
    } catch (e) {
      state.error = (e as Error).message;
      $('status').textContent = `error: ${state.error}`;
    } finally {
      trainButton.disabled = false;
      stopButton.disabled = true;
    }
  };
  trainButton.addEventListener('click', () => void onTrain());
  stopButton.addEventListener('click', () => {
    stopRequested = true;
  });
  // The browser saves mnist-embeddings.json and mnist-embeddings.weights.bin: serve them together
  // and tf.loadLayersModel('…/mnist-embeddings.json') loads the network, without this library.
  $('download').addEventListener('click', () => {
    const [downloads] = tf.io.getSaveHandlers('downloads://mnist-embeddings');
    if (embeddingArtifacts != null && downloads != null) void downloads.save!(embeddingArtifacts);
  });
}

start().catch((e: unknown) => {
  state.error = (e as Error).message;
  $('status').textContent = `error: ${state.error}`;
});
