// The fused cosine-margin target kernel and its gradients on the webgpu backend: the WGSL of each
// margin formula comes from the formula (written beside its host math in the margin's file,
// src/margins/); one thread per entry, sums in workgroup memory. The margin's numbers, the scale
// and the momentum of a running statistic are uniforms (p0…p3, scale, alpha, h): one pipeline per
// formula structure and part, whatever the values (a sweep or a warm-up compiles nothing new).
import * as tf from '@tensorflow/tfjs-core';
import { type KernelArgs, attrsOf } from '../fused_kernels.js';
import { flatProgram, floatUniforms, runProgram, WORKGROUP_SIZE, wgslFloat, wgslNorm, wgslWorkgroupSum, type FusedProgram } from '../webgpu_program.js';
import { cosineFormula, evaluatesNonTargets, usesFeatureNorms, type CosineKernelFormula, type RunningState } from './formula.js';
import { logitsShape, type CosinePart, type CosineTargetsAttrs } from './names.js';

/** Whether the program for `part` evaluates non-target entries (and binds the pass's state for them). */
function readsNonTargets(part: CosinePart | 'forward', formula: CosineKernelFormula, params: readonly number[]): boolean {
  return evaluatesNonTargets(formula, params, part === 'logits');
}

/**
 * WGSL: `fn entry(k, classes) -> vec2<f32>`, the margined value and slope of entry k of the
 * logits (c and 1 where none, or where `rewrites` is false), with the row's target cosine and the
 * pass's `state[0]` in reach; the formula's code before it.
 */
function wgslEntry(formula: CosineKernelFormula, code: string, rewrites: boolean): string {
  const other = rewrites ? 'other(c, rowTarget, state[0])' : 'vec2<f32>(c, 1.0)';
  const norms = usesFeatureNorms(formula);
  return `${norms ? '\n  var<private> rowScaler : f32;' : ''}${code}
  fn entry(k : i32, classes : i32) -> vec2<f32> {
    let b = k / classes;
    let y = labelIdx[b];
    let c = logits[k];${norms ? '\n    rowScaler = scalers[b];' : ''}
    if (y == k - b * classes) {
      return margin(c);
    }
    var rowTarget = 0.0;
    if (y >= 0 && y < classes) {
      rowTarget = logits[b * classes + y];
    }
    return ${other};
  }`;
}

/**
 * The program that computes the pass's state into a [S] output (see RunningState), one workgroup
 * whose threads take every WORKGROUP_SIZE-th row and sum in workgroup memory: 'target-mean'
 * t ← α·mean(c_y) + (1 − α)·t; 'norm-statistics' μ and σ of the clipped norms.
 */
function stateProgram(running: RunningState, params: readonly number[]): FusedProgram {
  const alpha = floatUniforms([['alpha', params[running.tAlpha]!]]);
  const key = `tfjsAngularMarginCosineTargets_state_${running.statistic}`;
  if (running.statistic === 'target-mean') {
    return flatProgram(
      key,
      [1],
      ['logits', 'labelIdx', 'state'],
      WORKGROUP_SIZE,
      `${wgslWorkgroupSum()}
  fn main(index : i32) {
    let classes = uniforms.logitsShape.y;
    var sum = 0.0;
    for (var b = index; b < uniforms.logitsShape.x; b += ${WORKGROUP_SIZE}) {
      let y = labelIdx[b];
      if (y >= 0 && y < classes) {
        sum += logits[b * classes + y];
      }
    }
    let total = workgroupSum(sum);
    if (index == 0) {
      result[0] = uniforms.alpha * total / f32(uniforms.logitsShape.x) + (1.0 - uniforms.alpha) * state[0];
    }
  }`,
      alpha,
    );
  }
  return flatProgram(
    key,
    [2],
    ['emb', 'state'],
    WORKGROUP_SIZE,
    `${wgslClippedNorm(running)}${wgslWorkgroupSum()}
  fn main(index : i32) {
    let batch = uniforms.embShape.x;
    var sum = 0.0;
    for (var b = index; b < batch; b += ${WORKGROUP_SIZE}) {
      sum += clippedNorm(b);
    }
    let mean = workgroupSum(sum) / f32(batch);
    var squares = 0.0;
    for (var b = index; b < batch; b += ${WORKGROUP_SIZE}) {
      let d = clippedNorm(b) - mean;
      squares += d * d;
    }
    let total = workgroupSum(squares);
    if (index == 0) {
      let deviation = select(0.0, sqrt(total / f32(batch - 1)), batch > 1);
      result[0] = uniforms.alpha * mean + (1.0 - uniforms.alpha) * state[0];
      result[1] = uniforms.alpha * deviation + (1.0 - uniforms.alpha) * state[1];
    }
  }`,
    alpha,
  );
}

/** WGSL: `fn clippedNorm(b) -> f32`, row b's norm of `emb`, clipped to the statistic's [normMin, normMax]. */
function wgslClippedNorm(running: Extract<RunningState, { statistic: 'norm-statistics' }>): string {
  return `${wgslNorm('embNorm', 'emb')}
  fn clippedNorm(b : i32) -> f32 {
    let dim = uniforms.embShape.y;
    return clamp(embNorm(b * dim, dim, 1), ${wgslFloat(running.normMin)}, ${wgslFloat(running.normMax)});
  }`;
}

/** The per-row margin scalers [B] from the embeddings and the pass's state (μ, σ), one thread per row. */
function scalersProgram(running: Extract<RunningState, { statistic: 'norm-statistics' }>, params: readonly number[], batch: number): FusedProgram {
  return flatProgram(
    'tfjsAngularMarginCosineTargets_scalers',
    [batch],
    ['emb', 'state'],
    batch,
    `${wgslClippedNorm(running)}
  fn main(index : i32) {
    if (index < uniforms.embShape.x) {
      let scaled = uniforms.h * (clippedNorm(index) - state[0]) / (state[1] + ${wgslFloat(running.scalerEpsilon)});
      result[index] = clamp(scaled, -1.0, 1.0);
    }
  }`,
    floatUniforms([['h', params[running.h]!]]),
  );
}

/**
 * The pass's state [S] on the device: computed (a formula with a running statistic) or the
 * input's own data (another reference to it). The caller owns the result.
 */
function stateOf(backend: tf.KernelBackend, formula: CosineKernelFormula, params: readonly number[], inputs: Record<string, tf.TensorInfo>): tf.TensorInfo {
  const state = inputs['state']!;
  const running = formula.running;
  if (running?.statistic === 'target-mean') return runProgram(backend, stateProgram(running, params), [inputs['logits']!, inputs['labels']!, state]);
  if (running?.statistic === 'norm-statistics') return runProgram(backend, stateProgram(running, params), [inputs['emb']!, state]);
  backend.incRef(state.dataId);
  return { dataId: state.dataId, shape: state.shape, dtype: 'float32' };
}

/**
 * Runs the forward or a gradient program: computes the pass's state (and the margin scalers)
 * first, binds them where the program reads them, and frees what only the program needed.
 * Returns the program's output and the pass's state.
 */
function runWithState(
  backend: tf.KernelBackend,
  part: CosinePart | 'forward',
  attrs: CosineTargetsAttrs,
  inputs: Record<string, tf.TensorInfo>,
): [tf.TensorInfo, tf.TensorInfo] {
  const formula = cosineFormula(attrs.formula);
  const { params } = attrs;
  const [batch, classes] = logitsShape(inputs['logits']!);
  const state = stateOf(backend, formula, params, inputs);
  const running = formula.running;
  const scalers = running?.statistic === 'norm-statistics' ? runProgram(backend, scalersProgram(running, params, batch), [inputs['emb']!, state]) : null;
  const bound = [
    ...(part === 'forward' ? [] : [inputs['dy']!]),
    inputs['logits']!,
    inputs['labels']!,
    inputs['progress']!,
    ...(readsNonTargets(part, formula, params) ? [state] : []),
    ...(scalers != null ? [scalers] : []),
  ];
  const out = runProgram(backend, webgpuProgram(part, formula, attrs, batch, classes), bound);
  if (scalers != null) backend.disposeData(scalers.dataId);
  return [out, state];
}

function webgpuProgram(
  part: CosinePart | 'forward',
  formula: CosineKernelFormula,
  { params, scale }: CosineTargetsAttrs,
  batch: number,
  classes: number,
): FusedProgram {
  // WebGPU binds only the buffers a shader uses: `state` only where non-targets are evaluated,
  // `scalers` only for a formula with norm statistics (see runWithState).
  const rewrites = readsNonTargets(part, formula, params);
  const names = ['logits', 'labelIdx', 'progress', ...(rewrites ? ['state'] : []), ...(usesFeatureNorms(formula) ? ['scalers'] : [])];
  const { structure, uniforms: p, code } = formula.wgsl(params);
  const uniforms = floatUniforms([
    ['p0', p[0]],
    ['p1', p[1]],
    ['p2', p[2]],
    ['p3', p[3]],
    ['scale', scale],
  ]);
  const s = 'uniforms.scale';
  // Every part reads the progress p (the gradient in p does not use it, but WebGPU binds only the
  // buffers a shader reads, and the bindings are the same for every part).
  const head = `${wgslEntry(formula, code, rewrites)}
  fn main(index : i32) {
    let classes = uniforms.logitsShape.y;
    let p = progress[0];`;
  const key = `tfjsAngularMarginCosineTargets_${part}_${structure}${rewrites ? '_others' : ''}`;
  const bound = 'index < uniforms.logitsShape.x * classes';
  if (part === 'forward') {
    return flatProgram(
      key,
      [batch, classes],
      names,
      batch * classes,
      `${head}
    if (${bound}) {
      let c = logits[index];
      result[index] = ${s} * (c + p * (entry(index, classes).x - c));
    }
  }`,
      uniforms,
    );
  }
  const withDy = ['dy', ...names];
  if (part === 'logits') {
    return flatProgram(
      key,
      [batch, classes],
      withDy,
      batch * classes,
      `${head}
    if (${bound}) {
      result[index] = ${s} * dy[index] * (1.0 + p * (entry(index, classes).y - 1.0));
    }
  }`,
      uniforms,
    );
  }
  // The gradient in the progress p: one workgroup, each thread summing every WORKGROUP_SIZE-th entry, then a
  // sum in workgroup memory.
  return flatProgram(
    key,
    [1],
    withDy,
    WORKGROUP_SIZE,
    `${wgslWorkgroupSum()}${head}
    var sum = 0.0;
    for (var k = index; k < uniforms.logitsShape.x * classes; k += ${WORKGROUP_SIZE}) {
      sum += dy[k] * (entry(k, classes).x - logits[k]);
    }
    let total = workgroupSum(sum);
    if (index == 0) {
      result[0] = ${s} * total;
    }
  }`,
    uniforms,
  );
}

export function cosineTargetsWebgpu({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo[] {
  return runWithState(backend as tf.KernelBackend, 'forward', attrsOf<CosineTargetsAttrs>(attrs), inputs as Record<string, tf.TensorInfo>);
}

export function cosineTargetsGradWebgpu({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const be = backend as tf.KernelBackend;
  const targetsAttrs = attrsOf<CosineTargetsAttrs>(attrs);
  const [grad, state] = runWithState(be, targetsAttrs.part!, targetsAttrs, inputs as Record<string, tf.TensorInfo>);
  be.disposeData(state.dataId);
  return grad;
}
