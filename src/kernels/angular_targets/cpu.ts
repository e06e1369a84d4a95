// The fused A-Softmax target kernel and its gradients on the cpu backend: plain loops over the
// target entries, with ψ and λ from the shared host math.
import * as tf from '@tensorflow/tfjs-core';
import { intervalThresholds, psiAndSlope } from '../../math/angular_math.js';
import { lambdaAndSlope } from '../../schedule/lambda_at.js';
import { hostNorm, hostOutput, hostValues, type KernelArgs, attrsOf } from '../fused_kernels.js';
import { shapes, type TargetsAttrs } from './names.js';

/**
 * λ and dλ/d(lam) for the kernel's scalar input `lam`: λ itself without a schedule, else the
 * schedule at iteration `lam`. @internal
 */
export function lambdaOf(lam: number, schedule: number[]): [number, number] {
  if (schedule.length === 0) return [lam, 1];
  const [base, gamma, power, min] = schedule as [number, number, number, number];
  return lambdaAndSlope(lam, { base, gamma, power, min });
}

/** ψ's interval thresholds as float32, the values the composite op compares with. @internal */
export function thresholds(m: number): number[] {
  return intervalThresholds(m).map(Math.fround);
}

/** Per row of [B, C] logits: the radius ‖x‖, the target index (−1 if outside [0, C)) and g, g' there. */
function rowTargets(
  logits: ArrayLike<number>,
  emb: ArrayLike<number>,
  labels: ArrayLike<number>,
  lambda: number,
  margin: number,
  [batch, classes, dim]: [number, number, number],
) {
  const bounds = thresholds(margin);
  return Array.from({ length: batch }, (_, b) => {
    const radius = hostNorm(emb, b * dim, dim, 1);
    const y = labels[b]!;
    if (!(y >= 0 && y < classes)) return { radius, y: -1, c: 0, psi: 0, g: 0, slope: 0 };
    const c = logits[b * classes + y]! / radius;
    const [psi, psiSlope] = psiAndSlope(Math.min(1, Math.max(-1, c)), margin, bounds);
    // g(c) = (λ·c + ψ(c)) / (1 + λ); g'(c) = (λ + ψ'(c)) / (1 + λ).
    return { radius, y, c, psi, g: (lambda * c + psi) / (1 + lambda), slope: (lambda + psiSlope) / (1 + lambda) };
  });
}

export function angularTargetsCpu({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const be = backend as tf.KernelBackend;
  const { logits, emb, labels, lam } = inputs as Record<string, tf.TensorInfo>;
  const [batch, classes, dim] = shapes(logits!, emb!);
  const values = hostValues(be, logits!);
  const { margin, schedule } = attrsOf<TargetsAttrs>(attrs);
  const [lambda] = lambdaOf(hostValues(be, lam!)[0]!, schedule);
  const rows = rowTargets(values, hostValues(be, emb!), hostValues(be, labels!), lambda, margin, [batch, classes, dim]);
  const out = Float32Array.from(values);
  rows.forEach(({ radius, y, g }, b) => {
    if (y >= 0) out[b * classes + y] = radius * g;
  });
  return hostOutput(be, [batch, classes], out);
}

// Gradients of out_t = r·g(c), c = logit_t / r, r = ‖x‖ (safeL2Norm's norm), g = (λ·c + ψ(c)) / (1 + λ):
// ∂out_t/∂logit_t = g'(c); ∂out_t/∂r = g(c) − c·g'(c), and ∂r/∂x = x / r; ∂out_t/∂λ = r·(c − ψ(c)) / (1 + λ)².
// Every other entry of out is the logit itself: derivative 1 in logits, 0 in x and λ. With a
// schedule, the gradient in the iteration count is the one in λ times dλ/d(iteration).
export function angularTargetsGradCpu({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const be = backend as tf.KernelBackend;
  const { dy, logits, emb, labels, lam } = inputs as Record<string, tf.TensorInfo>;
  const { margin, schedule, part } = attrsOf<TargetsAttrs>(attrs);
  const [batch, classes, dim] = shapes(logits!, emb!);
  const [lambda, lambdaSlope] = lambdaOf(hostValues(be, lam!)[0]!, schedule);
  const x = hostValues(be, emb!);
  const g = hostValues(be, dy!);
  const rows = rowTargets(hostValues(be, logits!), x, hostValues(be, labels!), lambda, margin, [batch, classes, dim]);
  if (part === 'logits') {
    const out = Float32Array.from(g);
    rows.forEach(({ y, slope }, b) => {
      if (y >= 0) out[b * classes + y] = g[b * classes + y]! * slope;
    });
    return hostOutput(be, [batch, classes], out);
  }
  if (part === 'emb') {
    const out = new Float32Array(batch * dim);
    rows.forEach(({ radius, y, c, g: gc, slope }, b) => {
      if (y < 0) return;
      const dr = g[b * classes + y]! * (gc - c * slope);
      for (let d = 0; d < dim; d++) out[b * dim + d] = (x[b * dim + d]! / radius) * dr;
    });
    return hostOutput(be, [batch, dim], out);
  }
  let sum = 0;
  rows.forEach(({ radius, y, c, psi }, b) => {
    if (y >= 0) sum += g[b * classes + y]! * radius * (c - psi);
  });
  return hostOutput(be, [1], Float32Array.of((sum / (1 + lambda) ** 2) * lambdaSlope));
}
