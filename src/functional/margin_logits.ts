import * as tf from '@tensorflow/tfjs-core';
import { assertBoolean, assertPositive, describe } from '../util/validate.js';
import { labelsToIndices, validatesLabelsByDefault } from '../ops/labels.js';
import { divideByNorm, l2Normalize, safeL2Norm } from '../ops/l2_norm.js';
import { ANGULAR_TARGETS } from '../kernels/angular_targets/names.js';
import { ANGULAR_MARGIN_KIND, angularTargets, type AngularMarginParams } from '../kernels/angular_targets/op.js';
import { COSINE_TARGETS } from '../kernels/cosine_targets/names.js';
import { cosineTargets } from '../kernels/cosine_targets/op.js';
import { cosineKernelMargin } from '../margins/cosine_formulas.js';
import { gatherTargets, replaceTargets, targetEntries } from '../ops/target_entries.js';
import { fusedKernelActive } from '../kernels/fused_kernels.js';
import { asMargin, WARMUP_MARGIN_KIND, type Margin, type TargetMargin, type WarmupMarginParams } from '../margins/margin.js';

/** A fused kernel that applies a margin and the scale: its name, and how to run it. */
interface FusedTargets {
  kernel: string;
  /** The logits with the margin on the targets, times the scale. */
  run(raw: tf.Tensor2D, x: tf.Tensor2D, labels: tf.Tensor1D, scale: number): tf.Tensor2D;
}

/**
 * The fused kernel for `margin`, chosen from its kind and parameters, or null where the composite
 * ops serve: A-Softmax's margin on unnormalized embeddings (kernels/angular_targets); the CosFace,
 * ArcFace, combined, SphereFace-R, SphereFace2, CurricularFace and AdaFace (running statistics)
 * margins — warmed up or not — on normalized ones (kernels/cosine_targets, which knows which of
 * them rewrite non-target entries or keep a state). Other margins (AdaFace's with given scalers,
 * plain functions) run composite.
 */
function fusedTargetsOf(margin: Margin, normalizeInput: boolean): FusedTargets | null {
  if (margin.kind === ANGULAR_MARGIN_KIND) {
    const params = margin.params as AngularMarginParams;
    return normalizeInput ? null : { kernel: ANGULAR_TARGETS, run: (raw, x, labels, scale) => scaled(angularTargets(raw, x, labels, params), scale) };
  }
  if (!normalizeInput) return null;
  const warmup = margin.kind === WARMUP_MARGIN_KIND ? (margin.params as WarmupMarginParams) : null;
  const full = warmup == null ? margin : warmup.margin;
  const kernelMargin = cosineKernelMargin(full.kind, full.params as Record<string, unknown>);
  if (kernelMargin == null) return null;
  return {
    kernel: COSINE_TARGETS,
    run: (raw, _x, labels, scale) => {
      const [logits, state] = cosineTargets(raw, labels, kernelMargin, warmup?.progress ?? null, scale);
      // The pass's state (CurricularFace's t, AdaFace's norm statistics) goes to whoever keeps it
      // (the head stages it as its new weights).
      if (kernelMargin.commit != null) kernelMargin.commit(state);
      else state.dispose();
      return logits;
    },
  };
}

/** logits × scale, without a kernel for scale 1. */
function scaled(logits: tf.Tensor2D, scale: number): tf.Tensor2D {
  return scale === 1 ? logits : tf.mul(logits, scale);
}

/** Options of {@link marginLogits}. */
export interface MarginLogitsOptions {
  /**
   * L2-normalize the embeddings, so that logits are cosines (CosFace, ArcFace). When false the
   * logits keep the embedding norm: ‖x‖·cos θ (SphereFace, modified softmax). Default: false.
   */
  normalizeInput?: boolean;
  /** Multiplies every logit, target included (s in CosFace/ArcFace). Must be > 0. Default: 1. */
  scale?: number;
  /**
   * The margin applied to the target entries: a margin value ({@link cosFaceMargin}(0.35), …) or a
   * function of the target cosines. Without it (or without labels) there is none.
   */
  targetMargin?: TargetMargin;
  /**
   * Read the labels back to check that each is an integer in [0, C) (one small device→host copy
   * per call). Default: true on the cpu, wasm and tensorflow backends; false on webgl and webgpu,
   * where the read would stall the GPU (and webgpu in Node cannot read synchronously: `true` there
   * fails with a message saying so).
   */
  validateLabels?: boolean;
}

/** Checks ranks and the shared dimension D of embeddings [B, D] and kernel [D, C]. @internal */
function checkEmbeddingsAndKernel(owner: string, x: tf.Tensor, kernel: tf.Tensor): void {
  if (!(x instanceof tf.Tensor)) throw new Error(`${owner}: embeddings must be a tf.Tensor of shape [batch, dim], but got ${describe(x)}.`);
  if (!(kernel instanceof tf.Tensor)) throw new Error(`${owner}: kernel must be a tf.Tensor of shape [dim, classes], but got ${describe(kernel)}.`);
  if (x.rank !== 2) {
    throw new Error(`${owner}: embeddings must have rank 2 ([batch, dim]), but got shape [${x.shape.join(', ')}].`);
  }
  if (kernel.rank !== 2) {
    throw new Error(`${owner}: kernel must have rank 2 ([dim, classes]), but got shape [${kernel.shape.join(', ')}].`);
  }
  if (x.shape[1] !== kernel.shape[0]) {
    throw new Error(
      `${owner}: embeddings have dimension ${x.shape[1]}, but the kernel expects ${kernel.shape[0]} (kernel shape [${kernel.shape.join(', ')}]).`,
    );
  }
  if (x.dtype !== 'float32' || kernel.dtype !== 'float32') {
    throw new Error(`${owner}: embeddings and kernel must be float32, but got ${x.dtype} and ${kernel.dtype}.`);
  }
}

/**
 * The cosine step: r·cos θ_j [B, C] for embeddings x [B, D] and class weights [D, C] (columns
 * normalized; r = ‖x‖, or 1 with `normalizeInput`). The default cosine step of every head.
 * @internal
 */
export function cosineLogits(owner: string, x: tf.Tensor2D, kernel: tf.Tensor2D, normalizeInput: boolean): tf.Tensor2D {
  checkEmbeddingsAndKernel(owner, x, kernel);
  const embeddings = normalizeInput ? l2Normalize(x, 1) : x;
  // Columns of a Dense-layout kernel [D, C] are the class weights: normalize each to unit length.
  return tf.matMul(embeddings, l2Normalize(kernel, 0));
}

/** Options of {@link marginOnTargets}. @internal */
export interface TargetStepOptions {
  normalizeInput: boolean;
  scale: number;
  validateLabels: boolean;
}

/**
 * The margin and scale steps: each row's target entry of `raw` = r·cos θ [B, C] becomes
 * r·g(cos θ_y) (g the margin; none without labels or margin), then every logit is multiplied by
 * the scale. `x` [B, D] gives r = ‖x‖ when the input is not normalized.
 * @internal
 */
export function marginOnTargets(
  owner: string,
  raw: tf.Tensor2D,
  x: tf.Tensor2D,
  labels: tf.Tensor | null,
  margin: Margin | null,
  options: TargetStepOptions,
): tf.Tensor2D {
  const { normalizeInput, scale, validateLabels } = options;
  const [batch, classes] = raw.shape;
  if (x.shape[0] !== batch) {
    throw new Error(`${owner}: the cosine step gave ${batch} rows for ${x.shape[0]} embeddings.`);
  }
  if (labels == null || margin == null) return scaled(raw, scale);
  const indices = labelsToIndices(owner, labels, batch, classes, validateLabels);
  const fused = fusedTargetsOf(margin, normalizeInput);
  // e.g. A-Softmax or ArcFace on cpu or webgpu: the target entries replaced in one kernel.
  if (fused != null && fusedKernelActive(fused.kernel)) return fused.run(raw, x, indices, scale);
  // The composite ops (wasm, webgl, cpu without fused kernels): the B target entries gathered,
  // put through the margin and put back in place by a mask and a scatter (ops/target_entries.ts),
  // where one-hot masks took a reduction over B × C and more passes, forward and backward.
  const entries = targetEntries(indices, classes, validateLabels);
  const rawTarget = gatherTargets(raw, entries); // [B, 1]
  const radius = normalizeInput ? null : safeL2Norm(x, 1); // [B, 1]
  const cosTarget = radius == null ? rawTarget : divideByNorm(rawTarget, radius);
  const marginTarget = margin.apply(cosTarget);
  const newTarget = radius == null ? marginTarget : tf.mul(radius, marginTarget);
  if (margin.nonTarget == null) return scaled(replaceTargets(raw, newTarget, entries), scale);
  // The margin rewrites the non-target entries too (on cosines, then back to r·cos).
  const cosines = margin.nonTarget(radius == null ? raw : divideByNorm(raw, radius), cosTarget);
  const others = radius == null ? cosines : tf.mul(radius, cosines);
  return scaled(replaceTargets(others, newTarget, entries), scale);
}

function marginLogits_(x: tf.Tensor2D, kernel: tf.Tensor2D, labels: tf.Tensor | null, options: MarginLogitsOptions = {}): tf.Tensor2D {
  const owner = 'marginLogits';
  const { normalizeInput = false, scale = 1, targetMargin, validateLabels = validatesLabelsByDefault() } = options;
  assertBoolean(owner, 'normalizeInput', normalizeInput);
  assertBoolean(owner, 'validateLabels', validateLabels);
  assertPositive(owner, 'scale', scale);
  const margin = targetMargin == null ? null : asMargin(owner, targetMargin);
  const raw = cosineLogits(owner, x, kernel, normalizeInput);
  return marginOnTargets(owner, raw, x, labels, margin, { normalizeInput, scale, validateLabels });
}

/**
 * Logits of a normalized-weight softmax head with an optional margin on the target class — the
 * common base of the modified softmax, A-Softmax (SphereFace), and the cosine-margin heads.
 *
 * With ŵ_j = w_j / ‖w_j‖ (the kernel's columns, no bias) and cos θ_j = x·ŵ_j / ‖x‖:
 * - non-target logits: s·r·cos θ_j, where r = ‖x‖ (default) or 1 (`normalizeInput`);
 * - target logit (when labels and a margin are given): s·r·g(cos θ_y), g the `targetMargin`.
 *
 * Norms are those of {@link safeL2Norm}: exact at every scale, and finite for zero embeddings or
 * zero columns, with finite gradients.
 * Differentiable in `x` and `kernel` by autodiff (the margin function brings its own gradient).
 * On the cpu and webgpu backends the normalizations, a margin of kind 'angular'
 * ({@link angularMargin}) on unnormalized embeddings, and the library's cosine margins on
 * normalized ones run as fused kernels with registered gradients: the same values in far fewer
 * kernels (see {@link useFusedKernels}).
 *
 * @param x - embeddings [B, D], float32.
 * @param kernel - class weights [D, C] in the layout of a tfjs Dense kernel, float32.
 * @param labels - class indices [B] or [B, 1] (int32, or float32 holding integers), or null.
 * @param options - see {@link MarginLogitsOptions}.
 * @returns logits [B, C].
 * @throws Error for wrong ranks, mismatched D or B, labels outside [0, C), scale ≤ 0.
 * @example
 * ```ts
 * // CosFace-style additive cosine margin, s = 30, m = 0.35
 * const logits = marginLogits(x, kernel, labels, {
 *   normalizeInput: true, scale: 30, targetMargin: (c) => tf.sub(c, 0.35),
 * });
 * ```
 */
export const marginLogits = tf.op({ marginLogits_ });
