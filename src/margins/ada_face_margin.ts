// AdaFace's margin, in one place: its value (the composite op), its fused kernel's formula (host
// value and slope, WGSL, its running norm statistics) and the encoder of its params.
import * as tf from '@tensorflow/tfjs-core';
import { wgslFloat } from '../kernels/webgpu_program.js';
import { angleOf, MIN_SINE_FOR_GRADIENT, sineOfCosine } from '../math/cosine_margin_math.js';
import { safeL2Norm } from '../ops/l2_norm.js';
import { stopGradient } from '../ops/stop_gradient.js';
import { describe } from '../util/validate.js';
import { checkAngleMargin, nonNegativeNumbers, safeAngle } from './cosine_angles.js';
import type { CosineMarginFormula } from './cosine_formula.js';
import type { AdaFaceRunningStatistics, Margin } from './margin.js';

/** The kind of this margin's values and the name of its kernel formula. */
const KIND = 'adaFace';

/**
 * AdaFace's constants, as its reference (head.py) sets them: feature norms are clipped to
 * [normMin, normMax] before their statistics; the margin scaler divides by σ + scalerEpsilon; every
 * cosine, target or not, is clamped to [−1 + cosineEpsilon, 1 − cosineEpsilon] before its angle is
 * taken (zero gradient beyond); the margined angle is kept in [angleEpsilon, π − angleEpsilon].
 * @internal
 */
export const ADA_FACE_CONSTANTS = Object.freeze({ normMin: 0.001, normMax: 100, scalerEpsilon: 1e-3, cosineEpsilon: 1e-3, angleEpsilon: 1e-3 });

/** AdaFace's clamp of a cosine to [−1 + ε_c, 1 − ε_c], and its slope (1 inside, ends included; 0 beyond). @internal */
export function adaFaceCosine(c: number): [number, number] {
  const bound = 1 - ADA_FACE_CONSTANTS.cosineEpsilon;
  return [Math.min(bound, Math.max(-bound, c)), c >= -bound && c <= bound ? 1 : 0];
}

/** The parameters of an AdaFace margin value. */
export interface AdaFaceMarginParams {
  /** m, in [0, π). */
  margin: number;
  /**
   * The per-row margin scaler ĝ in [−1, 1], shape [B, 1]: the feature norm's standardized value,
   * clipped; absent where the margin computes it from `running`.
   */
  scaler?: tf.Tensor;
  /** The running norm statistics the margin computes ĝ from (the {@link AdaFace} head's). */
  running?: AdaFaceRunningStatistics;
}

/**
 * AdaFace's formula for the fused kernel, params [m, h, α], with running norm statistics: every
 * cosine clamped to [−1 + ε_c, 1 − ε_c] first (slope 0 beyond), then on the target
 * cos(clip(θ − m·ĝ, ε, π − ε)) − (m + m·ĝ), ĝ the row's margin scaler (a constant of the
 * backward pass), slope 0 where the clip holds θ − m·ĝ.
 * @internal
 */
export const ADA_FACE_FORMULA: CosineMarginFormula<AdaFaceMarginParams> = {
  name: KIND,
  target: ([m], c, row) => {
    const [clamped, cosineSlope] = adaFaceCosine(c);
    const clampedSine = sineOfCosine(clamped);
    const free = angleOf(clamped, clampedSine) - m! * row.scaler;
    const { angleEpsilon } = ADA_FACE_CONSTANTS;
    const angle = Math.min(Math.PI - angleEpsilon, Math.max(angleEpsilon, free));
    const inside = free >= angleEpsilon && free <= Math.PI - angleEpsilon;
    return [Math.cos(angle) - (m! + m! * row.scaler), inside ? (cosineSlope * Math.sin(angle)) / Math.max(clampedSine, MIN_SINE_FOR_GRADIENT) : 0];
  },
  nonTargets: () => 'rewritten',
  nonTarget: (_, c) => adaFaceCosine(c),
  running: {
    statistic: 'norm-statistics',
    h: 1,
    tAlpha: 2,
    normMin: ADA_FACE_CONSTANTS.normMin,
    normMax: ADA_FACE_CONSTANTS.normMax,
    scalerEpsilon: ADA_FACE_CONSTANTS.scalerEpsilon,
  },
  wgsl: ([m]) => {
    const { angleEpsilon, cosineEpsilon } = ADA_FACE_CONSTANTS;
    return {
      structure: KIND,
      uniforms: [m!, 0, 0, 0],
      code: `
  fn clampCosine(c : f32) -> vec2<f32> {
    let bound = ${wgslFloat(1 - cosineEpsilon)};
    return vec2<f32>(clamp(c, -bound, bound), select(0.0, 1.0, c >= -bound && c <= bound));
  }
  fn margin(c : f32) -> vec2<f32> {
    let clamped = clampCosine(c);
    let sine = sqrt((1.0 - clamped.x) * (1.0 + clamped.x));
    let free = atan2(sine, clamped.x) - uniforms.p0 * rowScaler;
    let angle = clamp(free, ${wgslFloat(angleEpsilon)}, ${wgslFloat(Math.PI - angleEpsilon)});
    let inside = free >= ${wgslFloat(angleEpsilon)} && free <= ${wgslFloat(Math.PI - angleEpsilon)};
    return vec2<f32>(cos(angle) - (uniforms.p0 + uniforms.p0 * rowScaler), select(0.0, clamped.y * sin(angle) / max(sine, ${wgslFloat(MIN_SINE_FOR_GRADIENT)}), inside));
  }
  fn other(c : f32, rowTarget : f32, state : f32) -> vec2<f32> {
    return clampCosine(c);
  }`,
    };
  },
  // Only with running statistics: per-row scalers given as a tensor run composite.
  encode: ({ margin, running }) => {
    const stats = running as AdaFaceRunningStatistics | undefined;
    const values = nonNegativeNumbers(margin, stats?.h, stats?.tAlpha);
    if (values == null || stats == null) return null;
    const state = () => tf.stack([stats.mean, stats.std]) as tf.Tensor1D;
    return { formula: KIND, params: values, state, embeddings: stats.embeddings, ...(stats.commit != null ? { commit: stats.commit } : {}) };
  },
};

/**
 * The AdaFace target margin for rows with margin scalers ĝ ∈ [−1, 1] (AdaFace computes ĝ from
 * the feature norms: {@link AdaFace}): g(c) = cos(clip(θ − m·ĝ, ε, π − ε)) − (m + m·ĝ), θ = acos(c)
 * of c clamped to [−1 + 0.001, 1 − 0.001] (zero gradient beyond; non-target cosines are clamped
 * the same way, as head.py clamps every cosine),
 * ε = 1e-3. A low-norm (low-quality) row, ĝ = −1, gets ArcFace's margin cos(θ + m); ĝ = 0 gives
 * CosFace's cos θ − m; a high-norm row, ĝ = 1, gets cos(θ − m) − 2m, which weighs hard samples
 * more, as the paper describes. ĝ is used as given (the {@link AdaFace} head passes it
 * detached, a constant of the backward pass, as the reference does).
 *
 * Paper: M. Kim et al., "AdaFace: Quality Adaptive Margin for Face Recognition", CVPR 2022,
 * {@link https://arxiv.org/abs/2204.00964} (and its reference `head.py`).
 *
 * @param margin - m, in [0, π). AdaFace uses 0.4.
 * @param scaler - ĝ per row, [B, 1] (or anything that broadcasts against the target cosines [B, 1]).
 * @returns the margin value for {@link marginLogits}.
 * @throws Error for a margin outside [0, π) or a scaler that is not a tensor.
 * @example
 * ```ts
 * const scaler = tf.tensor2d([[1], [-1]]); // a high- and a low-quality row
 * marginLogits(x, kernel, labels, { normalizeInput: true, scale: 64, targetMargin: adaFaceMargin(0.4, scaler) });
 * ```
 */
export function adaFaceMargin(margin: number, scaler: tf.Tensor): Margin<AdaFaceMarginParams> {
  checkAngleMargin('AdaFace', margin);
  if (!(scaler instanceof tf.Tensor)) throw new Error(`AdaFace: scaler must be a tensor of per-row margin scalers [B, 1], but got ${describe(scaler)}.`);
  return { kind: ADA_FACE_FORMULA.name, params: { margin, scaler }, apply: (c) => adaFaceTarget(c, margin, scaler), nonTarget: adaFaceCosines };
}

/** AdaFace's clamp of every cosine to [−1 + ε_c, 1 − ε_c], as head.py clamps them before acos (zero gradient beyond). */
function adaFaceCosines(c: tf.Tensor): tf.Tensor {
  const bound = 1 - ADA_FACE_CONSTANTS.cosineEpsilon;
  return tf.clipByValue(c, -bound, bound);
}

/** cos(clip(θ − m·ĝ, ε, π − ε)) − (m + m·ĝ), θ of the clamped cosine, for target cosines c [B, 1] and scalers ĝ. */
function adaFaceTarget(c: tf.Tensor, margin: number, scaler: tf.Tensor): tf.Tensor {
  const { angleEpsilon } = ADA_FACE_CONSTANTS;
  const angle = tf.clipByValue(tf.sub(safeAngle(adaFaceCosines(c)), tf.mul(scaler, margin)), angleEpsilon, Math.PI - angleEpsilon);
  return tf.sub(tf.cos(angle), tf.add(margin, tf.mul(scaler, margin)));
}

/**
 * The AdaFace margin with its scalers computed from running norm statistics, as the head and its
 * reference compute them (the kernel formula's running statistic, 'norm-statistics'): the pass's
 * clipped, detached norms update μ and σ with momentum α (sent to `commit`), then
 * ĝ = clip(h·(‖x‖ − μ)/(σ + ε), −1, 1). @internal
 */
export function adaFaceRunningMargin(margin: number, running: AdaFaceRunningStatistics): Margin<AdaFaceMarginParams> {
  checkAngleMargin('AdaFace', margin);
  const { embeddings, mean, std, h, tAlpha, commit } = running;
  const apply = (c: tf.Tensor): tf.Tensor => {
    const { normMin, normMax, scalerEpsilon } = ADA_FACE_CONSTANTS;
    const norms = stopGradient(tf.clipByValue(safeL2Norm(embeddings, 1), normMin, normMax)); // [B, 1]
    const batch = embeddings.shape[0];
    const moments = tf.moments(norms);
    // The sample standard deviation (n − 1), as torch.std; 0 for a single row (torch gives NaN).
    const batchStd = batch > 1 ? tf.sqrt(tf.mul(moments.variance, batch / (batch - 1))) : tf.zerosLike(moments.variance);
    const runningMean = tf.add(tf.mul(moments.mean, tAlpha), tf.mul(mean, 1 - tAlpha));
    const runningStd = tf.add(tf.mul(batchStd, tAlpha), tf.mul(std, 1 - tAlpha));
    commit?.(tf.stack([runningMean, runningStd]) as tf.Tensor1D);
    const scaler = tf.clipByValue(tf.mul(tf.div(tf.sub(norms, runningMean), tf.add(runningStd, scalerEpsilon)), h), -1, 1);
    return adaFaceTarget(c, margin, scaler);
  };
  return { kind: ADA_FACE_FORMULA.name, params: { margin, running }, apply, nonTarget: adaFaceCosines };
}
