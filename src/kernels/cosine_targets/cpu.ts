// The fused cosine-margin target kernel and its gradients on the cpu backend: plain loops over the
// entries, with the margin's host math from its formula (formula.ts).
import * as tf from '@tensorflow/tfjs-core';
import { cosineFormula, evaluatesNonTargets, passState, usesFeatureNorms } from './formula.js';
import { hostNorm, hostOutput, hostValues, type KernelArgs, attrsOf } from '../fused_kernels.js';
import { logitsShape, type CosineTargetsAttrs } from './names.js';

/**
 * Each entry's margined value and slope — the target's g(c), g'(c); a non-target's h(c), h'(c)
 * where the formula rewrites it, else c and 1 (a row whose label is outside [0, C) has no target)
 * — and the pass's state, from the kernel's inputs. With `slopesOnly`, detached non-targets (slope
 * 1 whatever their value) are left unevaluated: their values are then c, not h(c).
 */
function entries(
  be: tf.KernelBackend,
  { logits, labels, state, emb }: Record<string, tf.TensorInfo>,
  attrs: CosineTargetsAttrs,
  slopesOnly = false,
): { c: ArrayLike<number>; value: Float64Array; slope: Float64Array; state: number[] } {
  const formula = cosineFormula(attrs.formula);
  const { params } = attrs;
  const [batch, classes] = logitsShape(logits!);
  const c = hostValues(be, logits!);
  const y = hostValues(be, labels!);
  const value = Float64Array.from(c);
  const slope = new Float64Array(value.length).fill(1);
  const targets = Array.from({ length: batch }, (_, b) => (y[b]! >= 0 && y[b]! < classes ? c[b * classes + y[b]!]! : 0));
  let norms: number[] = [];
  if (usesFeatureNorms(formula)) {
    const x = hostValues(be, emb!);
    const dim = emb!.shape[1]!;
    norms = Array.from({ length: batch }, (_, b) => hostNorm(x, b * dim, dim, 1));
  }
  const pass = passState(formula, params, Array.from(hostValues(be, state!)), targets, norms);
  const others = evaluatesNonTargets(formula, params, slopesOnly);
  for (let b = 0; b < batch; b++) {
    const row = { target: targets[b]!, state: pass.state, scaler: pass.scalers[b]! };
    for (let j = 0; j < classes; j++) {
      const k = b * classes + j;
      const margined = j === y[b] ? formula.target(params, c[k]!, row) : others ? (formula.nonTarget?.(params, c[k]!, row) ?? null) : null;
      if (margined != null) [value[k], slope[k]] = margined;
    }
  }
  return { c, value, slope, state: pass.state };
}

export function cosineTargetsCpu({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo[] {
  const be = backend as tf.KernelBackend;
  const named = inputs as Record<string, tf.TensorInfo>;
  const targetsAttrs = attrsOf<CosineTargetsAttrs>(attrs);
  const p = hostValues(be, named['progress']!)[0]!;
  const { c, value, state } = entries(be, named, targetsAttrs);
  const out = Float32Array.from(c, (ck, k) => targetsAttrs.scale * (ck + p * (value[k]! - ck)));
  return [hostOutput(be, logitsShape(named['logits']!), out), hostOutput(be, named['state']!.shape, Float32Array.from(state))];
}

// Gradients of out = s·(c + p·(g(c) − c)) per entry (p the warm-up's progress, g the entry's
// margined value, c itself where there is none): in logits s·(1 + p·(g'(c) − 1)); in p, the sum of s·(g(c) − c). The state and
// the margin scalers are constants of the backward pass.
export function cosineTargetsGradCpu({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const be = backend as tf.KernelBackend;
  const named = inputs as Record<string, tf.TensorInfo>;
  const targetsAttrs = attrsOf<CosineTargetsAttrs>(attrs);
  const { scale, part } = targetsAttrs;
  const g = hostValues(be, named['dy']!);
  const p = hostValues(be, named['progress']!)[0]!;
  const { c, value, slope } = entries(be, named, targetsAttrs, part === 'logits');
  if (part === 'logits')
    return hostOutput(
      be,
      logitsShape(named['logits']!),
      Float32Array.from(g, (gk, k) => scale * gk * (1 + p * (slope[k]! - 1))),
    );
  let sum = 0;
  g.forEach((gk, k) => {
    sum += gk * (value[k]! - c[k]!);
  });
  return hostOutput(be, [1], Float32Array.of(scale * sum));
}
