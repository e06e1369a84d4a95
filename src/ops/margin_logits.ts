import * as tf from '@tensorflow/tfjs-core';
import { assertBoolean, assertPositive } from '../util/validate.js';
import { labelsToIndices, validatesLabelsByDefault } from './labels.js';
import { l2Normalize, safeL2Norm } from './l2_norm.js';
import { ANGULAR_TARGETS, angularMarginSpec, angularTargets } from '../kernels/angular_targets.js';
import { fusedKernelActive } from '../kernels/fused_kernels.js';
import { NORMALIZE_COLUMNS, normalizeColumns } from '../kernels/normalize_columns.js';

/**
 * A target-class margin: maps the target cosines cos θ_y, shape [B, 1], to the modified value
 * that replaces them (ψ(θ_y) for SphereFace, cos θ_y − m for CosFace, cos(θ_y + m) for ArcFace).
 * It is only ever evaluated on the B target entries, never on all B × C logits.
 */
export type TargetMargin = (cosTarget: tf.Tensor) => tf.Tensor;

/** Options of {@link marginLogits}. */
export interface MarginLogitsOptions {
  /**
   * L2-normalize the embeddings, so that logits are cosines (CosFace, ArcFace). When false the
   * logits keep the embedding norm: ‖x‖·cos θ (SphereFace, modified softmax). Default: false.
   */
  normalizeInput?: boolean;
  /** Multiplies every logit, target included (s in CosFace/ArcFace). Must be > 0. Default: 1. */
  scale?: number;
  /** The margin applied to the target entries; without it (or without labels) there is none. */
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
export function checkEmbeddingsAndKernel(owner: string, x: tf.Tensor, kernel: tf.Tensor): void {
  if (x.rank !== 2) {
    throw new Error(`${owner}: embeddings must have rank 2 ([batch, dim]), but got shape [${x.shape.join(', ')}].`);
  }
  if (kernel.rank !== 2) {
    throw new Error(`${owner}: kernel must have rank 2 ([dim, classes]), but got shape [${kernel.shape.join(', ')}].`);
  }
  if (x.shape[1] !== kernel.shape[0]) {
    throw new Error(`${owner}: embeddings have dimension ${x.shape[1]}, but the kernel expects ${kernel.shape[0]} (kernel shape [${kernel.shape.join(', ')}]).`);
  }
  if (x.dtype !== 'float32' || kernel.dtype !== 'float32') {
    throw new Error(`${owner}: embeddings and kernel must be float32, but got ${x.dtype} and ${kernel.dtype}.`);
  }
}

function marginLogits_(x: tf.Tensor2D, kernel: tf.Tensor2D, labels: tf.Tensor | null, options: MarginLogitsOptions = {}): tf.Tensor2D {
  const owner = 'marginLogits';
  const { normalizeInput = false, scale = 1, targetMargin, validateLabels = validatesLabelsByDefault() } = options;
  assertBoolean(owner, 'normalizeInput', normalizeInput);
  assertPositive(owner, 'scale', scale);
  checkEmbeddingsAndKernel(owner, x, kernel);
  const [batch] = x.shape;
  const classes = kernel.shape[1];
  const embeddings = normalizeInput ? l2Normalize(x, 1) : x;
  // Columns of a Dense-layout kernel [D, C] are the class weights: normalize each to unit length
  // (one fused kernel on cpu and webgpu, the composite l2Normalize elsewhere: same values).
  const unitColumns = fusedKernelActive(NORMALIZE_COLUMNS) ? normalizeColumns(kernel) : l2Normalize(kernel, 0);
  const raw = tf.matMul(embeddings, unitColumns); // r·cos θ_j, r = ‖x‖ or 1
  let logits: tf.Tensor = raw;
  if (labels != null && targetMargin != null) {
    const indices = labelsToIndices(owner, labels, batch, classes, validateLabels);
    const angular = normalizeInput ? undefined : angularMarginSpec(targetMargin);
    if (angular != null && fusedKernelActive(ANGULAR_TARGETS)) {
      // A-Softmax on cpu or webgpu: the target entries replaced in one kernel (and one per gradient).
      logits = angularTargets(raw as tf.Tensor2D, x, indices, angular);
    } else {
      // One-hot masks pick and replace the target entries: their gradients exist on every backend
      // (gatherND's does not on wasm), and only the B target cosines go through the margin.
      // oneHot in int32 then cast: tfjs-backend-wasm 4.22's OneHot returns zeros for dtype float32.
      const mask = tf.cast(tf.oneHot(indices, classes), 'float32');
      const rawTarget = tf.sum(tf.mul(raw, mask), 1, true); // [B, 1]
      const radius = normalizeInput ? null : safeL2Norm(x, 1); // [B, 1]
      const cosTarget = radius == null ? rawTarget : tf.div(rawTarget, radius);
      const marginTarget = targetMargin(cosTarget);
      const newTarget = radius == null ? marginTarget : tf.mul(radius, marginTarget);
      logits = tf.add(raw, tf.mul(mask, tf.sub(newTarget, rawTarget)));
    }
  }
  return (scale === 1 ? logits : tf.mul(logits, scale)) as tf.Tensor2D;
}

/**
 * Logits of a normalized-weight softmax head with an optional margin on the target class — the
 * common base of the modified softmax, A-Softmax (SphereFace), and the cosine-margin heads.
 *
 * With ŵ_j = w_j / ‖w_j‖ (the kernel's columns, no bias) and cos θ_j = x·ŵ_j / ‖x‖:
 * - non-target logits: s·r·cos θ_j, where r = ‖x‖ (default) or 1 (`normalizeInput`);
 * - target logit (when labels and a margin are given): s·r·g(cos θ_y), g the `targetMargin`.
 *
 * Norms are √(Σ x² + 1e-12), so zero embeddings or zero columns give finite logits and gradients.
 * Differentiable in `x` and `kernel` by autodiff (the margin function brings its own gradient).
 * On the cpu and webgpu backends the column normalization, and a margin made by
 * {@link angularMargin}, run as fused kernels with registered gradients: the same values in far
 * fewer kernels (see {@link useFusedKernels}).
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
