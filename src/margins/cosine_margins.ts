import * as tf from '@tensorflow/tfjs-core';
import { ADA_FACE_CONSTANTS, arcFaceThreshold, MIN_SINE_FOR_GRADIENT, type CosineFormula } from '../math/cosine_margin_math.js';
import { safeL2Norm } from '../ops/l2_norm.js';
import { stopGradient } from '../ops/stop_gradient.js';
import { assertBoolean, assertPositive, describe } from '../util/validate.js';
import type { AdaFaceRunningStatistics, Margin } from './margin.js';

/** √(1 − c²) for c clipped to [−1, 1], with 1 − c² as (1 − c)(1 + c): exact in float32 near ±1. */
function sineOf(c: tf.Tensor): tf.Tensor {
  const clipped = tf.clipByValue(c, -1, 1);
  return tf.sqrt(tf.mul(tf.sub(1, clipped), tf.add(1, clipped)));
}

/** cos(θ + m) for c = cos θ, as c·cos m − sin θ·sin m (no acos). */
function cosOfAnglePlus(c: tf.Tensor, margin: number): tf.Tensor {
  return tf.sub(tf.mul(c, Math.cos(margin)), tf.mul(safeSine(c), Math.sin(margin)));
}

// customGrad: the exact derivative is infinite at c = ±1 and autodiff would give NaN or Inf there.
/** sin θ = √(1 − c²) for c = cos θ, exact; its derivative −c / max(sin θ, 1e-3). */
const safeSine = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [c, save] = args as [tf.Tensor, tf.GradSaveFunc];
  const sine = sineOf(c);
  save([c, sine]);
  return { value: sine, gradFunc: (dy: tf.Tensor, [saved, s]: tf.Tensor[]) => tf.mul(dy, tf.div(tf.neg(saved!), tf.maximum(s!, MIN_SINE_FOR_GRADIENT))) };
}) as (c: tf.Tensor) => tf.Tensor;

/**
 * θ = acos(c) for c clipped to [−1, 1], as atan2(√((1 − c)(1 + c)), c): accurate near c = ±1 on
 * every backend (WGSL's acos is not, there); its derivative −1 / max(sin θ, 1e-3).
 */
const safeAngle = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [c, save] = args as [tf.Tensor, tf.GradSaveFunc];
  save([c]);
  return { value: tf.atan2(sineOf(c), tf.clipByValue(c, -1, 1)), gradFunc: (dy: tf.Tensor, [saved]: tf.Tensor[]) => tf.div(tf.neg(dy), tf.maximum(sineOf(saved!), MIN_SINE_FOR_GRADIENT)) };
}) as (c: tf.Tensor) => tf.Tensor;

/** Throws unless `value` is a finite number in [min, max). */
function assertRange(owner: string, name: string, value: unknown, min: number, max: number): asserts value is number {
  const ok = typeof value === 'number' && Number.isFinite(value) && value >= min && value < max;
  if (!ok) {
    const upper = max === Math.PI ? 'π' : String(max);
    throw new Error(`${owner}: ${name} must be a number in [${min}, ${upper}), but got ${describe(value)}.`);
  }
}

/** The parameters of a CosFace margin value. */
export interface CosFaceMarginParams {
  /** m, in [0, 2). */
  margin: number;
}

/** The parameters of an ArcFace margin value. */
export interface ArcFaceMarginParams {
  /** m in radians, in [0, π). */
  margin: number;
  /** Whether the margin applies only where cos θ > 0 (the easy margin). */
  easyMargin: boolean;
}

/** The parameters of a combined margin value, cos(m1·θ + m2) − m3. */
export interface CombinedCosineMarginParams {
  /** Multiplicative angular margin m1 > 0. */
  m1: number;
  /** Additive angular margin m2 in [0, π). */
  m2: number;
  /** Additive cosine margin m3 in [0, 2). */
  m3: number;
}

/**
 * The CosFace (large margin cosine) target margin: g(c) = c − m.
 * @param margin - m, in [0, 2). CosFace uses 0.35.
 * @returns the margin value for {@link marginLogits} and the heads.
 * @throws Error for a margin outside [0, 2).
 * @example
 * ```ts
 * marginLogits(x, kernel, labels, { normalizeInput: true, scale: 64, targetMargin: cosFaceMargin(0.35) });
 * ```
 */
export function cosFaceMargin(margin: number): Margin<CosFaceMarginParams> {
  assertRange('CosFace', 'margin', margin, 0, 2);
  return { kind: 'cosface' satisfies CosineFormula, params: { margin }, apply: (c) => tf.sub(c, margin) };
}

/**
 * The ArcFace (additive angular margin) target margin: g(c) = cos(θ + m), θ = acos(c), computed as
 * c·cos m − sin θ·sin m without acos. Where θ + m > π the function would turn back up; there, as in
 * insightface, it continues as c − m·sin m (or, with `easyMargin`, the margin applies only where
 * c > 0 and g(c) = c elsewhere). Values are exact at c = ±1; the derivative of sin θ there is bounded
 * (|d sin θ/dc| ≤ 1000, see MIN_SINE_FOR_GRADIENT in src/math/cosine_margin_math.ts), so gradients stay finite.
 *
 * @param margin - m in radians, in [0, π). ArcFace uses 0.5.
 * @param easyMargin - apply the margin only to cosines > 0. Default: false.
 * @returns the margin value for {@link marginLogits} and the heads.
 * @throws Error for a margin outside [0, π).
 * @example
 * ```ts
 * marginLogits(x, kernel, labels, { normalizeInput: true, scale: 64, targetMargin: arcFaceMargin(0.5) });
 * ```
 */
export function arcFaceMargin(margin: number, easyMargin = false): Margin<ArcFaceMarginParams> {
  assertRange('ArcFace', 'margin', margin, 0, Math.PI);
  assertBoolean('ArcFace', 'easyMargin', easyMargin);
  const sinM = Math.sin(margin);
  const threshold = arcFaceThreshold(margin, easyMargin); // θ + m > π  ⇔  c < cos(π − m); easy: c ≤ 0
  const apply = (c: tf.Tensor): tf.Tensor => {
    const shifted = cosOfAnglePlus(c, margin);
    // A 0/1 mask from tf.step (whose gradient is zero) rather than tf.where on a comparison: tfjs
    // finds no gradient for the comparison and refuses to differentiate through it. Both branches
    // have finite derivatives everywhere, so the masked blend never multiplies 0 by infinity.
    const keep = tf.step(tf.sub(c, threshold));
    const other = easyMargin ? c : tf.sub(c, margin * sinM);
    return tf.add(tf.mul(keep, shifted), tf.mul(tf.sub(1, keep), other));
  };
  return { kind: 'arcface' satisfies CosineFormula, params: { margin, easyMargin }, apply };
}

/**
 * The combined margin of insightface: g(c) = cos(m1·θ + m2) − m3, θ = acos(c). With m1 = 1, m2 = 0
 * it is CosFace (margin m3); with m1 = 1, m3 = 0 it is ArcFace without its fallback; with m2 = m3 = 0
 * and integer m1 it is SphereFace's cos(mθ) without ψ's monotone extension. θ = acos(c) is exact at
 * c = ±1; its derivative there is bounded (|dθ/dc| ≤ 1000), so gradients stay finite. Beyond m1·θ + m2 > π the
 * function is not monotone; keep m1·π + m2 modest or accept that, as insightface does.
 *
 * @param m1 - multiplicative angular margin, > 0 (1: none).
 * @param m2 - additive angular margin in radians, in [0, π).
 * @param m3 - additive cosine margin, in [0, 2).
 * @returns the margin value for {@link marginLogits} and the heads.
 * @throws Error for parameters outside their ranges.
 * @example
 * ```ts
 * marginLogits(x, kernel, labels, { normalizeInput: true, scale: 64, targetMargin: combinedCosineMargin(1, 0.3, 0.2) });
 * ```
 */
export function combinedCosineMargin(m1: number, m2: number, m3: number): Margin<CombinedCosineMarginParams> {
  assertPositive('CombinedMargin', 'm1', m1);
  assertRange('CombinedMargin', 'm2', m2, 0, Math.PI);
  assertRange('CombinedMargin', 'm3', m3, 0, 2);
  return { kind: 'combined' satisfies CosineFormula, params: { m1, m2, m3 }, apply: (c) => tf.sub(tf.cos(tf.add(tf.mul(safeAngle(c), m1), m2)), m3) };
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

/** Throws unless `margin` is an angle margin m in [0, π), naming `owner` (the head's class). @internal */
export function checkAngleMargin(owner: string, margin: unknown): asserts margin is number {
  assertRange(owner, 'margin', margin, 0, Math.PI);
}

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
  return { kind: 'adaface' satisfies CosineFormula, params: { margin, scaler }, apply: (c) => adaFaceTarget(c, margin, scaler), nonTarget: adaFaceCosines };
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
 * reference compute them (see passState in src/math/cosine_margin_math.ts): the pass's clipped,
 * detached norms update μ and σ with momentum α (sent to `commit`), then
 * ĝ = clip(h·(‖x‖ − μ)/(σ + ε), −1, 1). @internal
 */
export function adaFaceRunningMargin(margin: number, running: AdaFaceRunningStatistics): Margin<AdaFaceMarginParams> {
  checkAngleMargin('AdaFace', margin);
  const { embeddings, mean, std, h, momentum, commit } = running;
  const apply = (c: tf.Tensor): tf.Tensor => {
    const { normMin, normMax, scalerEpsilon } = ADA_FACE_CONSTANTS;
    const norms = stopGradient(tf.clipByValue(safeL2Norm(embeddings, 1), normMin, normMax)); // [B, 1]
    const batch = embeddings.shape[0];
    const moments = tf.moments(norms);
    // The sample standard deviation (n − 1), as torch.std; 0 for a single row (torch gives NaN).
    const batchStd = batch > 1 ? tf.sqrt(tf.mul(moments.variance, batch / (batch - 1))) : tf.zerosLike(moments.variance);
    const runningMean = tf.add(tf.mul(moments.mean, momentum), tf.mul(mean, 1 - momentum));
    const runningStd = tf.add(tf.mul(batchStd, momentum), tf.mul(std, 1 - momentum));
    commit?.(tf.stack([runningMean, runningStd]) as tf.Tensor1D);
    const scaler = tf.clipByValue(tf.mul(tf.div(tf.sub(norms, runningMean), tf.add(runningStd, scalerEpsilon)), h), -1, 1);
    return adaFaceTarget(c, margin, scaler);
  };
  return { kind: 'adaface' satisfies CosineFormula, params: { margin, running }, apply, nonTarget: adaFaceCosines };
}

/** The parameters of a CurricularFace margin value. */
export interface CurricularFaceMarginParams {
  /** m in radians, in [0, π). */
  margin: number;
  /**
   * t, the weight of the hard negatives' reweighting (a number or a scalar tensor); with a
   * momentum > 0, the previous running t, which the pass updates before use.
   */
  t: tf.Scalar | number;
  /**
   * The momentum α of the running t: t ← α·mean(cos θ_y) + (1 − α)·t over the pass's rows (a row
   * without a target counts 0), as the reference head updates it. 0: t is used as given.
   */
  momentum: number;
  /** Receives the t the pass used (the {@link CurricularFace} head stages it as its new state). */
  commit?: (t: tf.Scalar) => void;
}

/**
 * A CurricularFace margin whose t is a running average updated from the pass's target cosines;
 * `commit` receives the updated t. @internal
 */
export function curricularFaceRunningMargin(margin: number, previous: tf.Scalar | number, momentum: number, commit?: (t: tf.Scalar) => void): Margin<CurricularFaceMarginParams> {
  checkAngleMargin('CurricularFace', margin);
  const arc = arcFaceMargin(margin);
  const nonTarget = (cosines: tf.Tensor, cosTarget: tf.Tensor): tf.Tensor => {
    const updated = (momentum === 0 ? tf.add(previous, 0) : tf.add(tf.mul(tf.mean(cosTarget), momentum), tf.mul(previous, 1 - momentum))) as tf.Scalar;
    commit?.(updated);
    const t = stopGradient(updated); // a constant of the backward pass
    // Hard negatives: cos θ_j > cos(θ_y + m) (without ArcFace's fallback, as the reference). A 0/1
    // mask from tf.step, which has no gradient: only cos θ_j carries one, through cos θ_j·(t + cos θ_j).
    const shifted = cosOfAnglePlus(cosTarget, margin);
    const hard = tf.step(tf.sub(cosines, shifted));
    return tf.add(cosines, tf.mul(hard, tf.sub(tf.mul(cosines, tf.add(t, cosines)), cosines)));
  };
  return { kind: 'curricular' satisfies CosineFormula, params: { margin, t: previous, momentum, ...(commit != null ? { commit } : {}) }, apply: arc.apply, nonTarget };
}

/**
 * The CurricularFace margin: ArcFace's on the target (cos(θ_y + m), insightface's fallback past
 * θ_y + m > π), and every non-target cosine above cos(θ_y + m) — a hard negative — reweighted to
 * cos θ_j·(t + cos θ_j). t is a constant of the backward pass; the {@link CurricularFace} head
 * keeps it as the running mean of the target cosines, so hard negatives matter little early in
 * training (t ≈ 0) and more as t grows.
 *
 * Paper: Y. Huang et al., "CurricularFace: Adaptive Curriculum Learning Loss for Deep Face
 * Recognition", CVPR 2020, {@link https://arxiv.org/abs/2004.00288} (and its reference
 * head).
 *
 * @param margin - m in radians, in [0, π). CurricularFace uses 0.5.
 * @param t - the hard negatives' weight t (a number or a scalar tensor).
 * @returns the margin value for {@link marginLogits}.
 * @throws Error for a margin outside [0, π).
 * @example
 * ```ts
 * marginLogits(x, kernel, labels, { normalizeInput: true, scale: 64, targetMargin: curricularFaceMargin(0.5, 0.3) });
 * ```
 */
export function curricularFaceMargin(margin: number, t: tf.Scalar | number): Margin<CurricularFaceMarginParams> {
  if (!(t instanceof tf.Tensor) && !(typeof t === 'number' && Number.isFinite(t))) throw new Error(`CurricularFace: t must be a finite number or a scalar tensor, but got ${describe(t)}.`);
  return curricularFaceRunningMargin(margin, t, 0);
}
