/**
 * The default parameters of every head, from its paper or reference implementation: the one place
 * they are written. The layers, the functional ops, the registry ({@link HEADS}) and the
 * programs' help texts read them from here.
 */

/** SphereFace's A-Softmax: m = 4 and the λ schedule of its face models (base 1000, γ 0.12, power 1, floor 5). */
export const ANGULAR_SOFTMAX_DEFAULTS = Object.freeze({ margin: 4, lambdaBase: 1000, lambdaGamma: 0.12, lambdaPower: 1, lambdaMin: 5 });

/**
 * What every cosine-margin head shares: the scale s = 64 (insightface's), and no margin warm-up
 * (the papers' full margin from the first step).
 */
export const COSINE_HEAD_DEFAULTS = Object.freeze({ scale: 64, marginWarmupSteps: 0 });

/** CosFace: s = 64, m = 0.35 (CosFace, CVPR 2018), no warm-up. */
export const COS_FACE_DEFAULTS = Object.freeze({ ...COSINE_HEAD_DEFAULTS, margin: 0.35 });

/** ArcFace: s = 64, m = 0.5 rad, insightface's fallback past θ + m > π rather than the easy margin. */
export const ARC_FACE_DEFAULTS = Object.freeze({ ...COSINE_HEAD_DEFAULTS, margin: 0.5, easyMargin: false });

/** The combined margin cos(m1·θ + m2) − m3: s = 64, (1, 0.5, 0), ArcFace without its fallback. */
export const COMBINED_MARGIN_DEFAULTS = Object.freeze({ ...COSINE_HEAD_DEFAULTS, m1: 1, m2: 0.5, m3: 0 });

/** NormLinear: s = 1 on ‖x‖·cos θ (inputs not normalized). */
export const NORM_LINEAR_DEFAULTS = Object.freeze({ scale: 1, normalizeInput: false });

/** Sub-center ArcFace: K = 3 sub-centers per class, then ArcFace's defaults (ECCV 2020). */
export const SUB_CENTER_ARC_FACE_DEFAULTS = Object.freeze({ ...ARC_FACE_DEFAULTS, subCenters: 3 });

/**
 * AdaFace: s = 64, m = 0.4, h = 0.333 (CVPR 2022 and its reference head.py), momentum
 * tAlpha = 0.01 of the norm statistics (the reference's training script, main.py, passes 0.01;
 * head.py's class default is 1.0), whose running mean and standard deviation start at 20 and 100.
 */
export const ADA_FACE_DEFAULTS = Object.freeze({ ...COSINE_HEAD_DEFAULTS, margin: 0.4, h: 0.333, tAlpha: 0.01 });

/** CurricularFace: s = 64, m = 0.5 rad, momentum tAlpha = 0.01 of t, which starts at 0 (CVPR 2020 and its reference head). */
export const CURRICULAR_FACE_DEFAULTS = Object.freeze({ ...COSINE_HEAD_DEFAULTS, margin: 0.5, tAlpha: 0.01 });

/**
 * SphereFace-R: m = 1.5, s = 30, variant 'v0', hard feature normalization, and for the soft one a
 * norm penalty of weight w = 0.01 (the paper's t) (opensphere's `SphereFaceR_H` and `SphereFaceR_S`). No warm-up.
 */
export const SPHERE_FACE_R_DEFAULTS = Object.freeze({
  ...COSINE_HEAD_DEFAULTS,
  scale: 30,
  margin: 1.5,
  variant: 'v0',
  featureNormalization: 'hard',
  featureLossWeight: 0.01,
} as const);

/**
 * SphereFace2: variant 'C', α = 0.7 (the λ of the paper's eq. 5, the positive pair's weight),
 * r = 40, m = 0.4, t = 3 (ICLR 2022 and opensphere's `SphereFace2`).
 */
export const SPHERE_FACE2_DEFAULTS = Object.freeze({ variant: 'C', alpha: 0.7, r: 40, margin: 0.4, adjustmentExponent: 3 } as const);

/** SphereFace2's loss: α and r as the head's, and opensphere's loss weight lw = 50. */
export const SPHERE_FACE2_LOSS_DEFAULTS = Object.freeze({ alpha: SPHERE_FACE2_DEFAULTS.alpha, r: SPHERE_FACE2_DEFAULTS.r, lossWeight: 50 } as const);
