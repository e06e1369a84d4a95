// The fused cosine-margin target kernel and its gradients on the cpu backend: plain loops over the
// entries, with the margin from the shared host math.
import * as tf from '@tensorflow/tfjs-core';
import { cosineMarginAndSlope, curricularState, nonTargetAndSlope, rewritesNonTargets } from '../../math/cosine_margin_math.js';
import { hostOutput, hostValues, type KernelArgs } from '../fused_kernels.js';
import { logitsShape, type CosineTargetsAttrs } from './names.js';

/**
 * Each entry's margined value and slope — the target's g(c), g'(c); a non-target's h(c), h'(c)
 * where the formula rewrites it, else c and 1 (a row whose label is outside [0, C) has no target)
 * — and the pass's state, from the previous one.
 */
function entries(logits: ArrayLike<number>, labels: ArrayLike<number>, previous: number, [batch, classes]: [number, number], { formula, params }: CosineTargetsAttrs): { value: Float64Array; slope: Float64Array; state: number } {
  const value = Float64Array.from(logits);
  const slope = new Float64Array(value.length).fill(1);
  const targets = Array.from({ length: batch }, (_, b) => {
    const y = labels[b]!;
    return y >= 0 && y < classes ? logits[b * classes + y]! : 0;
  });
  const state = curricularState(formula, params, previous, targets);
  const others = rewritesNonTargets(formula, params);
  for (let b = 0; b < batch; b++) {
    const y = labels[b]!;
    const row = { target: targets[b]!, state };
    for (let j = 0; j < classes; j++) {
      const k = b * classes + j;
      const margined = j === y ? cosineMarginAndSlope(formula, params, logits[k]!) : others ? nonTargetAndSlope(formula, params, logits[k]!, row) : null;
      if (margined != null) [value[k], slope[k]] = margined;
    }
  }
  return { value, slope, state };
}

export function cosineTargetsCpu({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo[] {
  const be = backend as tf.KernelBackend;
  const { logits, labels, progress, state } = inputs as Record<string, tf.TensorInfo>;
  const shape = logitsShape(logits!);
  const targetsAttrs = attrs as unknown as CosineTargetsAttrs;
  const c = hostValues(be, logits!);
  const t = hostValues(be, progress!)[0]!;
  const margined = entries(c, hostValues(be, labels!), hostValues(be, state!)[0]!, shape, targetsAttrs);
  const out = Float32Array.from(c, (ck, k) => targetsAttrs.scale * (ck + t * (margined.value[k]! - ck)));
  return [hostOutput(be, shape, out), hostOutput(be, [], Float32Array.of(margined.state))];
}

// Gradients of out = s·(c + t·(g(c) − c)) per entry (g the entry's margined value, c itself where
// there is none): in logits s·(1 + t·(g'(c) − 1)); in t, the sum of s·(g(c) − c). The state is a
// constant of the backward pass.
export function cosineTargetsGradCpu({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const be = backend as tf.KernelBackend;
  const { dy, logits, labels, progress, state } = inputs as Record<string, tf.TensorInfo>;
  const targetsAttrs = attrs as unknown as CosineTargetsAttrs;
  const { scale, part } = targetsAttrs;
  const shape = logitsShape(logits!);
  const g = hostValues(be, dy!);
  const c = hostValues(be, logits!);
  const t = hostValues(be, progress!)[0]!;
  const { value, slope } = entries(c, hostValues(be, labels!), hostValues(be, state!)[0]!, shape, targetsAttrs);
  if (part === 'logits') return hostOutput(be, shape, Float32Array.from(g, (gk, k) => scale * gk * (1 + t * (slope[k]! - 1))));
  let sum = 0;
  g.forEach((gk, k) => {
    sum += gk * (value[k]! - c[k]!);
  });
  return hostOutput(be, [1], Float32Array.of(scale * sum));
}
