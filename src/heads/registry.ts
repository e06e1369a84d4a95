import type * as tf from '@tensorflow/tfjs-core';
import { AdaFace, type AdaFaceArgs } from '../layers/ada_face.js';
import { AngularSoftmax, type AngularSoftmaxArgs } from '../layers/angular_softmax.js';
import { ArcFace, type ArcFaceArgs } from '../layers/arc_face.js';
import { CombinedMargin, type CombinedMarginArgs } from '../layers/combined_margin.js';
import { CosFace, type CosFaceArgs } from '../layers/cos_face.js';
import { CurricularFace, type CurricularFaceArgs } from '../layers/curricular_face.js';
import type { MarginHead, MarginHeadArgs } from '../layers/margin_head.js';
import { ModifiedSoftmax, type ModifiedSoftmaxArgs } from '../layers/modified_softmax.js';
import { NormLinear, type NormLinearArgs } from '../layers/norm_linear.js';
import { SphereFace2, type SphereFace2Args } from '../layers/sphere_face2.js';
import { SphereFaceR, type SphereFaceRArgs } from '../layers/sphere_face_r.js';
import { sphereFace2Loss } from '../losses/sphere_face2_loss.js';
import { SubCenterArcFace, type SubCenterArcFaceArgs } from '../layers/sub_center_arc_face.js';
import {
  ADA_FACE_DEFAULTS,
  ANGULAR_SOFTMAX_DEFAULTS,
  ARC_FACE_DEFAULTS,
  COMBINED_MARGIN_DEFAULTS,
  COS_FACE_DEFAULTS,
  CURRICULAR_FACE_DEFAULTS,
  NORM_LINEAR_DEFAULTS,
  SPHERE_FACE2_DEFAULTS,
  SPHERE_FACE_R_DEFAULTS,
  SUB_CENTER_ARC_FACE_DEFAULTS,
} from '../defaults/head_defaults.js';

/** What a program needs to know of a head to offer it: its name, title, paper, defaults and factory. */
export interface HeadDescription<Args> {
  /** The layer's class name (as saved in model.json). */
  readonly className: string;
  /** A title for tables and figures. */
  readonly title: string;
  /** The paper (or section) the head comes from. */
  readonly paper: string;
  /** The head's default parameters (beyond `units`), as its layer applies them (src/defaults/head_defaults.ts). */
  readonly defaults: Readonly<Required<Omit<Args, keyof MarginHeadArgs>>>;
  /** Creates the layer. */
  create(args: Args): MarginHead;
  /**
   * The loss the head trains with, for the layer's arguments, where it is not
   * {@link marginCrossEntropy} (the softmax cross-entropy of every other head): SphereFace2's.
   */
  loss?(args: Args): (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar;
}

/** Each head kind's arguments. */
export interface HeadArgsByKind {
  /** {@link ModifiedSoftmax}. */
  modifiedSoftmax: ModifiedSoftmaxArgs;
  /** {@link AngularSoftmax} (SphereFace). */
  angularSoftmax: AngularSoftmaxArgs;
  /** {@link SphereFaceR}. */
  sphereFaceR: SphereFaceRArgs;
  /** {@link SphereFace2}. */
  sphereFace2: SphereFace2Args;
  /** {@link CosFace}. */
  cosFace: CosFaceArgs;
  /** {@link ArcFace}. */
  arcFace: ArcFaceArgs;
  /** {@link CombinedMargin}. */
  combinedMargin: CombinedMarginArgs;
  /** {@link SubCenterArcFace}. */
  subCenterArcFace: SubCenterArcFaceArgs;
  /** {@link AdaFace}. */
  adaFace: AdaFaceArgs;
  /** {@link CurricularFace}. */
  curricularFace: CurricularFaceArgs;
  /** {@link NormLinear}. */
  normLinear: NormLinearArgs;
}

/** A head kind of the registry: 'modifiedSoftmax', 'angularSoftmax', 'sphereFaceR', 'sphereFace2', 'cosFace', 'arcFace', 'combinedMargin', 'subCenterArcFace', 'adaFace', 'curricularFace' or 'normLinear'. */
export type HeadKind = keyof HeadArgsByKind;

/**
 * Every head of the library, by kind: the one list that programs (the MNIST example's options,
 * help and report, the browser demo, the head benchmark) read. A new head is one entry here.
 * @example
 * ```ts
 * for (const [kind, head] of Object.entries(HEADS)) console.log(kind, head.title, head.defaults);
 * const layer = HEADS.cosFace.create({ units: 10, ...HEADS.cosFace.defaults, scale: 16 });
 * ```
 */
export const HEADS: { readonly [K in HeadKind]: HeadDescription<HeadArgsByKind[K]> } = Object.freeze({
  modifiedSoftmax: {
    className: ModifiedSoftmax.className,
    title: 'modified softmax',
    paper: 'https://arxiv.org/abs/1704.08063 §3.2',
    defaults: {},
    create: (args: ModifiedSoftmaxArgs) => new ModifiedSoftmax(args),
  },
  angularSoftmax: {
    className: AngularSoftmax.className,
    title: 'angular softmax (A-Softmax)',
    paper: 'https://arxiv.org/abs/1704.08063',
    defaults: ANGULAR_SOFTMAX_DEFAULTS,
    create: (args: AngularSoftmaxArgs) => new AngularSoftmax(args),
  },
  sphereFaceR: {
    className: SphereFaceR.className,
    title: 'SphereFace-R',
    paper: 'https://arxiv.org/abs/2109.05565',
    defaults: SPHERE_FACE_R_DEFAULTS,
    create: (args: SphereFaceRArgs) => new SphereFaceR(args),
  },
  sphereFace2: {
    className: SphereFace2.className,
    title: 'SphereFace2',
    paper: 'https://arxiv.org/abs/2108.01513',
    defaults: SPHERE_FACE2_DEFAULTS,
    create: (args: SphereFace2Args) => new SphereFace2(args),
    loss: (args: SphereFace2Args) => sphereFace2Loss({ alpha: args.alpha, r: args.r }), // unset: the loss's defaults, which are the head's
  },
  cosFace: {
    className: CosFace.className,
    title: 'CosFace',
    paper: 'https://arxiv.org/abs/1801.09414',
    defaults: COS_FACE_DEFAULTS,
    create: (args: CosFaceArgs) => new CosFace(args),
  },
  arcFace: {
    className: ArcFace.className,
    title: 'ArcFace',
    paper: 'https://arxiv.org/abs/1801.07698',
    defaults: ARC_FACE_DEFAULTS,
    create: (args: ArcFaceArgs) => new ArcFace(args),
  },
  combinedMargin: {
    className: CombinedMargin.className,
    title: 'combined margin',
    paper: 'https://arxiv.org/abs/1801.07698 §3.3',
    defaults: COMBINED_MARGIN_DEFAULTS,
    create: (args: CombinedMarginArgs) => new CombinedMargin(args),
  },
  subCenterArcFace: {
    className: SubCenterArcFace.className,
    title: 'sub-center ArcFace',
    paper: 'https://www.ecva.net/papers/eccv_2020/papers_ECCV/papers/123560715.pdf',
    defaults: SUB_CENTER_ARC_FACE_DEFAULTS,
    create: (args: SubCenterArcFaceArgs) => new SubCenterArcFace(args),
  },
  adaFace: {
    className: AdaFace.className,
    title: 'AdaFace',
    paper: 'https://arxiv.org/abs/2204.00964',
    defaults: ADA_FACE_DEFAULTS,
    create: (args: AdaFaceArgs) => new AdaFace(args),
  },
  curricularFace: {
    className: CurricularFace.className,
    title: 'CurricularFace',
    paper: 'https://arxiv.org/abs/2004.00288',
    defaults: CURRICULAR_FACE_DEFAULTS,
    create: (args: CurricularFaceArgs) => new CurricularFace(args),
  },
  normLinear: {
    className: NormLinear.className,
    title: 'NormLinear',
    paper: 'https://arxiv.org/abs/1704.06369',
    defaults: NORM_LINEAR_DEFAULTS,
    create: (args: NormLinearArgs) => new NormLinear(args),
  },
});

/** The registry's kinds, in its order. */
export const HEAD_KINDS = Object.freeze(Object.keys(HEADS) as HeadKind[]);
