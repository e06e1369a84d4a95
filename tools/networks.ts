// The networks of the MNIST example: the reference's ResNet-style CNN ('paper', for a GPU); on a
// CPU, a CNN of a 5×5 and a 3×3 stride-2 convolution with 32 and 64 filters and 256 units
// ('cnn-wide', the reproduce preset), a smaller one with 16 and 32 filters and 128 units ('cnn'),
// and the MLP 784-256-128 ('quick'); and a tiny MLP for smoke tests ('tiny').
import type * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { HEAD_KINDS as LIBRARY_HEAD_KINDS, HEADS, marginCrossEntropy, type HeadArgsByKind, type HeadKind as LibraryHeadKind } from 'tfjs-angular-margin';

export type Network = 'paper' | 'quick' | 'cnn' | 'cnn-wide' | 'tiny';
export const NETWORKS: readonly Network[] = ['paper', 'quick', 'cnn', 'cnn-wide', 'tiny'];
/** 'original', the plain softmax (a Dense layer with bias), or a head of the library's registry. */
export type ProgramHead = 'original' | LibraryHeadKind;
/** Every head the programs can train: the original softmax, then the library's registry ({@link HEADS}). */
export const PROGRAM_HEADS: readonly ProgramHead[] = ['original', ...LIBRARY_HEAD_KINDS];
/** The SphereFace comparison (`--head all`). */
export const SPHEREFACE_HEADS: readonly ProgramHead[] = ['original', 'modifiedSoftmax', 'angularSoftmax'];

/** The title of a head in tables and figures. */
export function headTitle(kind: ProgramHead): string {
  return kind === 'original' ? 'original softmax' : HEADS[kind].title;
}

/** Logits of a head: the original softmax takes the embeddings alone, the library's heads [embeddings, labels]. */
export function applyHead(head: tfl.layers.Layer, kind: ProgramHead, embeddings: tf.Tensor, labels: tf.Tensor, training: boolean): tf.Tensor {
  return (kind === 'original' ? head.apply(embeddings) : head.apply([embeddings, labels], { training })) as tf.Tensor;
}

export interface HeadOptions {
  margin: number;
  lambdaBase: number;
  lambdaGamma: number;
  lambdaPower: number;
  lambdaMin: number;
  /** Scale s of the cosine-margin heads. */
  scale: number;
  /** CosFace margin m. */
  cosMargin: number;
  /** ArcFace margin m, radians. */
  arcMargin: number;
  /** AdaFace margin m. */
  adaMargin: number;
  /** Margins (m1, m2, m3) of the combined margin: cos(m1·θ + m2) − m3. */
  combinedMargins: [number, number, number];
  /** Training steps over which the cosine heads' margins grow from none to full (0: none). */
  marginWarmupSteps: number;
  seed: number;
  /** Number of classes the head separates (10; 7 in the open-set mode). */
  classes: number;
}

/** Seeded initializers, so that a run is reproducible for a given --seed. */
class Seeds {
  constructor(private next: number) {}
  glorot() {
    return tfl.initializers.glorotUniform({ seed: this.next++ });
  }
}

/** Whether a network needs convolution gradients (which tfjs-backend-wasm 4.22 lacks). */
export function isConvolutional(network: Network): boolean {
  return network === 'paper' || network === 'cnn' || network === 'cnn-wide';
}

function prelu(x: tfl.SymbolicTensor, conv: boolean): tfl.SymbolicTensor {
  // One slope per channel, as Caffe's PReLU, initialized to 0.25.
  return tfl.layers
    .prelu({ alphaInitializer: tfl.initializers.constant({ value: 0.25 }), ...(conv ? { sharedAxes: [1, 2] } : {}) })
    .apply(x) as tfl.SymbolicTensor;
}

function conv(x: tfl.SymbolicTensor, filters: number, strides: number, seeds: Seeds, kernelSize = 3): tfl.SymbolicTensor {
  const y = tfl.layers.conv2d({ filters, kernelSize, strides, padding: 'same', kernelInitializer: seeds.glorot() }).apply(x) as tfl.SymbolicTensor;
  return prelu(y, true);
}

/** conv stride 2 → a; two convs → b; a + b; then `blocks` residual blocks of two convs each. */
function stage(x: tfl.SymbolicTensor, filters: number, blocks: number, seeds: Seeds): tfl.SymbolicTensor {
  const a = conv(x, filters, 2, seeds);
  const b = conv(conv(a, filters, 1, seeds), filters, 1, seeds);
  let out = tfl.layers.add().apply([a, b]) as tfl.SymbolicTensor;
  for (let i = 0; i < blocks; i++) {
    const r = conv(conv(out, filters, 1, seeds), filters, 1, seeds);
    out = tfl.layers.add().apply([out, r]) as tfl.SymbolicTensor;
  }
  return out;
}

function dense(x: tfl.SymbolicTensor, units: number, seeds: Seeds, activation = true): tfl.SymbolicTensor {
  const y = tfl.layers.dense({ units, kernelInitializer: seeds.glorot() }).apply(x) as tfl.SymbolicTensor;
  return activation ? prelu(y, false) : y;
}

/** The trunk: images [B, 784] (pixels in [0, 1]) → embeddings [B, dim]. */
export function buildTrunk(network: Network, dim: number, seed: number): tfl.LayersModel {
  const seeds = new Seeds(seed);
  const images = tfl.input({ shape: [784], name: 'images' });
  let x: tfl.SymbolicTensor;
  if (network === 'paper') {
    x = tfl.layers.reshape({ targetShape: [28, 28, 1] }).apply(images) as tfl.SymbolicTensor;
    x = stage(x, 64, 0, seeds); // 14×14
    x = stage(x, 128, 1, seeds); // 7×7
    x = stage(x, 256, 3, seeds); // 4×4
    x = stage(x, 512, 0, seeds); // 2×2
    x = tfl.layers.flatten().apply(x) as tfl.SymbolicTensor;
  } else if (network === 'cnn') {
    x = tfl.layers.reshape({ targetShape: [28, 28, 1] }).apply(images) as tfl.SymbolicTensor;
    x = conv(x, 16, 2, seeds); // 14×14
    x = conv(x, 32, 2, seeds); // 7×7
    x = tfl.layers.flatten().apply(x) as tfl.SymbolicTensor;
    x = dense(x, 128, seeds);
  } else if (network === 'cnn-wide') {
    x = tfl.layers.reshape({ targetShape: [28, 28, 1] }).apply(images) as tfl.SymbolicTensor;
    x = conv(x, 32, 2, seeds, 5); // 14×14
    x = conv(x, 64, 2, seeds); // 7×7
    x = tfl.layers.flatten().apply(x) as tfl.SymbolicTensor;
    x = dense(x, 256, seeds);
  } else if (network === 'quick') {
    x = dense(dense(images, 256, seeds), 128, seeds);
  } else {
    x = dense(images, 32, seeds);
  }
  const embeddings = dense(x, dim, seeds, false);
  return tfl.model({ inputs: images, outputs: embeddings, name: `${network}_trunk` });
}

/**
 * The heads whose scale s multiplies unit cosines: those with a `scale` that normalize their
 * embeddings (not NormLinear, whose scale is a temperature on ‖x‖·cos θ). From the registry's defaults.
 */
export const SCALED_HEADS: readonly LibraryHeadKind[] = LIBRARY_HEAD_KINDS.filter((kind) => {
  const defaults = HEADS[kind].defaults as Readonly<Record<string, unknown>>;
  return 'scale' in defaults && defaults['normalizeInput'] !== false;
});

/** The options that set a parameter of every head that has it (by the parameter's name in the registry's defaults). */
const SHARED_PARAMETERS = ['marginWarmupSteps', 'lambdaBase', 'lambdaGamma', 'lambdaPower', 'lambdaMin'] as const;

/** The margin options of the programs, per head they set (a head not listed trains with its registry default margin). */
const MARGIN_OPTIONS: Partial<Record<LibraryHeadKind, (o: HeadOptions) => Record<string, unknown>>> = {
  angularSoftmax: (o) => ({ margin: o.margin }),
  cosFace: (o) => ({ margin: o.cosMargin }),
  arcFace: (o) => ({ margin: o.arcMargin }),
  subCenterArcFace: (o) => ({ margin: o.arcMargin }),
  curricularFace: (o) => ({ margin: o.arcMargin }),
  adaFace: (o) => ({ margin: o.adaMargin }),
  combinedMargin: (o) => ({ m1: o.combinedMargins[0], m2: o.combinedMargins[1], m3: o.combinedMargins[2] }),
};

/**
 * A library head's parameters from the programs' options: the scale for {@link SCALED_HEADS},
 * each of {@link SHARED_PARAMETERS} that the head has, and its margin option; the rest are the
 * registry's defaults. A head added to the registry is thus trained with its defaults and the
 * shared options without a change here.
 */
function headParameters<K extends LibraryHeadKind>(kind: K, options: HeadOptions): Omit<HeadArgsByKind[K], 'units'> {
  const defaults = HEADS[kind].defaults as Readonly<Record<string, unknown>>;
  const args: Record<string, unknown> = {};
  if (SCALED_HEADS.includes(kind)) args['scale'] = options.scale;
  for (const name of SHARED_PARAMETERS) if (name in defaults) args[name] = options[name];
  return { ...args, ...MARGIN_OPTIONS[kind]?.(options) } as Omit<HeadArgsByKind[K], 'units'>;
}

/** The loss a head trains with: the registry's for heads with their own (SphereFace2), else the softmax cross-entropy. */
export function buildLoss(kind: ProgramHead, options: HeadOptions): (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar {
  if (kind === 'original') return marginCrossEntropy;
  const head = HEADS[kind] as { loss?(args: Omit<HeadArgsByKind[LibraryHeadKind], 'units'>): (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar };
  return head.loss?.(headParameters(kind, options)) ?? marginCrossEntropy;
}

/** The head: 'original' is a Dense layer with bias; the others come from the library's registry. */
export function buildHead(kind: ProgramHead, options: HeadOptions): tfl.layers.Layer {
  const kernelInitializer = tfl.initializers.glorotUniform({ seed: options.seed });
  if (kind === 'original') return tfl.layers.dense({ units: options.classes, kernelInitializer, name: 'original_softmax' });
  // Labels come from IDX files already checked to be digits, so the heads skip their per-step
  // read-back of the labels (a device sync on GPU backends).
  const head = HEADS[kind] as { create(args: HeadArgsByKind[LibraryHeadKind]): tfl.layers.Layer };
  return head.create({ units: options.classes, kernelInitializer, validateLabels: false, name: kind, ...headParameters(kind, options) });
}
