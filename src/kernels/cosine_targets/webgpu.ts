// The fused cosine-margin target kernel and its gradients on the webgpu backend: WGSL generated per
// margin formula, mirroring the host math of src/math/cosine_margin_math.ts; one thread per entry.
// The margin's numbers and the scale are uniforms (p0…p3, scale): one pipeline per formula and
// shape of work, whatever the values (a sweep over margins or scales compiles nothing new).
import * as tf from '@tensorflow/tfjs-core';
import { ADA_FACE_CONSTANTS, arcFaceThreshold, evaluatesNonTargets, MIN_SINE_FOR_GRADIENT, OPENSPHERE_CLAMPS, usesFeatureNorms, type CosineFormula } from '../../math/cosine_margin_math.js';
import { type KernelArgs, attrsOf } from '../fused_kernels.js';
import { flatProgram, floatUniforms, runProgram, wgslFloat, wgslNorm, type FusedProgram } from '../webgpu_program.js';
import { logitsShape, type CosinePart, type CosineTargetsAttrs } from './names.js';

/**
 * A margin's numbers as the uniforms p0…p3 of its program, and the structure its code depends on
 * (the formula and its flags: ArcFace's easy margin, SphereFace-R's and SphereFace2's variant),
 * which alone names the program. ArcFace's (and CurricularFace's) derived constants are computed
 * here once, as the host math computes them.
 */
function marginUniforms(formula: CosineFormula, params: readonly number[]): { structure: string; values: [number, number, number, number] } {
  const arc = (m: number, easy: boolean): [number, number, number, number] => [arcFaceThreshold(m, easy), m * Math.sin(m), Math.cos(m), Math.sin(m)];
  switch (formula) {
    case 'cosface': return { structure: formula, values: [params[0]!, 0, 0, 0] };
    case 'arcface': return { structure: `arcface_easy${params[1]}`, values: arc(params[0]!, params[1] === 1) };
    case 'curricular': return { structure: formula, values: arc(params[0]!, false) };
    case 'combined': return { structure: formula, values: [params[0]!, params[1]!, params[2]!, 0] };
    case 'spherefacer': return { structure: `spherefacer_v${params[1]}`, values: [params[0]!, 0, 0, 0] };
    case 'sphereface2': return { structure: `sphereface2_${params[0]}`, values: [params[1]!, params[2]!, 0, 0] };
    case 'adaface': return { structure: formula, values: [params[0]!, 0, 0, 0] };
  }
}

/** WGSL: `fn margin(c : f32) -> vec2<f32>`, (g(c), g'(c)) as cosineMarginAndSlope computes them, its numbers from the uniforms (see marginUniforms). */
function wgslMargin(formula: CosineFormula, params: readonly number[]): string {
  if (formula === 'cosface') return `
  fn margin(c : f32) -> vec2<f32> {
    return vec2<f32>(c - uniforms.p0, 1.0);
  }`;
  const sine = `
    let clipped = clamp(c, -1.0, 1.0);
    let sine = sqrt((1.0 - clipped) * (1.0 + clipped));
    let divisor = max(sine, ${wgslFloat(MIN_SINE_FOR_GRADIENT)});`;
  if (formula === 'arcface' || formula === 'curricular') {
    // p0: the fallback's threshold, p1: m·sin m, p2: cos m, p3: sin m.
    const fallback = formula === 'arcface' && params[1] === 1 ? 'c' : 'c - uniforms.p1';
    const arcMargin = `
  fn margin(c : f32) -> vec2<f32> {
    if (!(c > uniforms.p0)) {
      return vec2<f32>(${fallback}, 1.0);
    }${sine}
    return vec2<f32>(c * uniforms.p2 - sine * uniforms.p3, uniforms.p2 + c * uniforms.p3 / divisor);
  }`;
    return formula === 'arcface' ? arcMargin : `${arcMargin}${wgslCurricular()}`;
  }
  if (formula === 'spherefacer') return wgslSphereFaceR(params[1]!);
  if (formula === 'sphereface2') return wgslSphereFace2(params[0]!);
  if (formula === 'adaface') return wgslAdaFace();
  // The combined margin: p0, p1, p2 = m1, m2, m3.
  return `
  fn margin(c : f32) -> vec2<f32> {${sine}
    let angle = uniforms.p0 * atan2(sine, clipped) + uniforms.p1;
    return vec2<f32>(cos(angle) - uniforms.p2, uniforms.p0 * sin(angle) / divisor);
  }`;
}

/** WGSL: the cosine clamped as opensphere clamps it, its θ, and the clamp of a margined angle. */
function wgslOpenSphereAngles(): string {
  return `
  fn openSphereCosine(c : f32) -> f32 {
    return clamp(c, ${wgslFloat(-OPENSPHERE_CLAMPS.cosine)}, ${wgslFloat(OPENSPHERE_CLAMPS.cosine)});
  }
  fn openSphereAngle(c : f32) -> f32 {
    let clamped = openSphereCosine(c);
    return atan2(sqrt((1.0 - clamped) * (1.0 + clamped)), clamped);
  }
  fn clampAngle(theta : f32) -> f32 {
    return clamp(theta, ${wgslFloat(OPENSPHERE_CLAMPS.angleMin)}, ${wgslFloat(OPENSPHERE_CLAMPS.angleMax)});
  }`;
}

/** WGSL: SphereFace2's `margin(c)` and `other(c)`, as the host math computes them (slope 1: detached); p0: m, p1: t. */
function wgslSphereFace2(variant: number): string {
  const adjust = `${wgslOpenSphereAngles()}
  fn adjust(z : f32) -> f32 {
    let half = (clamp(z, -1.0, 1.0) + 1.0) / 2.0;
    return 2.0 * select(0.0, pow(half, uniforms.p1), half > 0.0) - 1.0;
  }`;
  if (variant === 0) return `${adjust}
  fn margin(c : f32) -> vec2<f32> {
    return vec2<f32>(adjust(c) - uniforms.p0, 1.0);
  }
  fn other(c : f32, rowTarget : f32, state : f32) -> vec2<f32> {
    return vec2<f32>(adjust(c) + uniforms.p0, 1.0);
  }`;
  const margined = variant === 1 ? 'openSphereAngle(c) + uniforms.p0' : 'openSphereAngle(c) * uniforms.p0';
  return `${adjust}
  fn margin(c : f32) -> vec2<f32> {
    return vec2<f32>(adjust(cos(clampAngle(${margined}))), 1.0);
  }
  fn other(c : f32, rowTarget : f32, state : f32) -> vec2<f32> {
    return vec2<f32>(adjust(cos(clampAngle(openSphereAngle(c)))), 1.0);
  }`;
}

/** WGSL: SphereFace-R's `margin(c)` and, for 'v2', `other(c)`, as the host math computes them (slope 1: detached); p0: m. */
function wgslSphereFaceR(variant: number): string {
  const angle = wgslOpenSphereAngles();
  if (variant === 2) return `${angle}
  fn margin(c : f32) -> vec2<f32> {
    return vec2<f32>(openSphereCosine(c), 1.0);
  }
  fn other(c : f32, rowTarget : f32, state : f32) -> vec2<f32> {
    return vec2<f32>(cos(openSphereAngle(c) / uniforms.p0), 1.0);
  }`;
  if (variant === 1) return `${angle}
  fn margin(c : f32) -> vec2<f32> {
    return vec2<f32>(cos(clampAngle(uniforms.p0 * openSphereAngle(c))), 1.0);
  }`;
  return `${angle}
  fn margin(c : f32) -> vec2<f32> {
    let mTheta = uniforms.p0 * openSphereAngle(c);
    let k = floor(mTheta / ${wgslFloat(Math.PI)});
    let sign = select(1.0, -1.0, (i32(k) & 1) == 1);
    return vec2<f32>(sign * cos(mTheta) - 2.0 * k, 1.0);
  }`;
}

/** WGSL: CurricularFace's `other(c, rowTarget, state)`, as the host math (its margin is ArcFace's: p2 = cos m, p3 = sin m). */
function wgslCurricular(): string {
  return `
  fn other(c : f32, rowTarget : f32, state : f32) -> vec2<f32> {
    let clipped = clamp(rowTarget, -1.0, 1.0);
    let shifted = rowTarget * uniforms.p2 - sqrt((1.0 - clipped) * (1.0 + clipped)) * uniforms.p3;
    if (c > shifted) {
      return vec2<f32>(c * (state + c), state + 2.0 * c);
    }
    return vec2<f32>(c, 1.0);
  }`;
}

/**
 * WGSL: AdaFace's `margin(c)` for the row whose scaler ĝ the caller put in `rowScaler`, as the host
 * math: cos(clip(θ − m·ĝ, ε, π − ε)) − (m + m·ĝ), its slope zero where the clip holds θ − m·ĝ.
 */
function wgslAdaFace(): string {
  const { angleEpsilon, cosineEpsilon } = ADA_FACE_CONSTANTS;
  return `
  var<private> rowScaler : f32;
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
  }`;
}

/** Whether the program for `part` evaluates non-target entries (and binds the pass's state for them). */
function readsNonTargets(part: CosinePart | 'forward', formula: CosineFormula, params: readonly number[]): boolean {
  return evaluatesNonTargets(formula, params, part === 'logits');
}

/**
 * WGSL: `fn entry(k, classes) -> vec2<f32>`, the margined value and slope of entry k of the
 * logits (c and 1 where none, or where `rewrites` is false), with the row's target cosine and the
 * pass's `state[0]` in reach.
 */
function wgslEntry(formula: CosineFormula, params: readonly number[], rewrites: boolean): string {
  const other = rewrites ? 'other(c, rowTarget, state[0])' : 'vec2<f32>(c, 1.0)';
  return `${wgslMargin(formula, params)}
  fn entry(k : i32, classes : i32) -> vec2<f32> {
    let b = k / classes;
    let y = labelIdx[b];
    let c = logits[k];${usesFeatureNorms(formula) ? '\n    rowScaler = scalers[b];' : ''}
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
 * The program that computes the pass's state into a [S] output, one thread (see passState):
 * CurricularFace's t ← α·mean(c_y) + (1 − α)·t; AdaFace's μ and σ of the clipped norms.
 */
function stateProgram(formula: 'curricular' | 'adaface', params: readonly number[]): FusedProgram {
  const alpha = floatUniforms([['alpha', formula === 'curricular' ? params[1]! : params[2]!]]);
  const key = `tfjsAngularMarginCosineTargets_state_${formula}`;
  if (formula === 'curricular') {
    return flatProgram(key, [1], ['logits', 'labelIdx', 'state'], 1, `
  fn main(index : i32) {
    if (index == 0) {
      let classes = uniforms.logitsShape.y;
      var sum = 0.0;
      for (var b = 0; b < uniforms.logitsShape.x; b++) {
        let y = labelIdx[b];
        if (y >= 0 && y < classes) {
          sum += logits[b * classes + y];
        }
      }
      result[0] = uniforms.alpha * sum / f32(uniforms.logitsShape.x) + (1.0 - uniforms.alpha) * state[0];
    }
  }`, alpha);
  }
  return flatProgram(key, [2], ['emb', 'state'], 1, `${wgslClippedNorm()}
  fn main(index : i32) {
    if (index == 0) {
      let batch = uniforms.embShape.x;
      var sum = 0.0;
      for (var b = 0; b < batch; b++) {
        sum += clippedNorm(b);
      }
      let mean = sum / f32(batch);
      var squares = 0.0;
      for (var b = 0; b < batch; b++) {
        let d = clippedNorm(b) - mean;
        squares += d * d;
      }
      let deviation = select(0.0, sqrt(squares / f32(batch - 1)), batch > 1);
      result[0] = uniforms.alpha * mean + (1.0 - uniforms.alpha) * state[0];
      result[1] = uniforms.alpha * deviation + (1.0 - uniforms.alpha) * state[1];
    }
  }`, alpha);
}

/** WGSL: `fn clippedNorm(b) -> f32`, row b's norm of `emb`, clipped as AdaFace clips it. */
function wgslClippedNorm(): string {
  return `${wgslNorm('embNorm', 'emb')}
  fn clippedNorm(b : i32) -> f32 {
    let dim = uniforms.embShape.y;
    return clamp(embNorm(b * dim, dim, 1), ${wgslFloat(ADA_FACE_CONSTANTS.normMin)}, ${wgslFloat(ADA_FACE_CONSTANTS.normMax)});
  }`;
}

/** AdaFace's per-row margin scalers [B] from the embeddings and the pass's state (μ, σ), one thread per row. */
function scalersProgram(h: number, batch: number): FusedProgram {
  return flatProgram('tfjsAngularMarginCosineTargets_scalers', [batch], ['emb', 'state'], batch, `${wgslClippedNorm()}
  fn main(index : i32) {
    if (index < uniforms.embShape.x) {
      let scaled = uniforms.h * (clippedNorm(index) - state[0]) / (state[1] + ${wgslFloat(ADA_FACE_CONSTANTS.scalerEpsilon)});
      result[index] = clamp(scaled, -1.0, 1.0);
    }
  }`, floatUniforms([['h', h]]));
}

/**
 * The pass's state [S] on the device: computed (CurricularFace, AdaFace) or the input's own data
 * (another reference to it). The caller owns the result.
 */
function stateOf(backend: tf.KernelBackend, { formula, params }: CosineTargetsAttrs, inputs: Record<string, tf.TensorInfo>): tf.TensorInfo {
  const state = inputs['state']!;
  if (formula === 'curricular') return runProgram(backend, stateProgram(formula, params), [inputs['logits']!, inputs['labels']!, state]);
  if (formula === 'adaface') return runProgram(backend, stateProgram(formula, params), [inputs['emb']!, state]);
  backend.incRef(state.dataId);
  return { dataId: state.dataId, shape: state.shape, dtype: 'float32' };
}

/**
 * Runs the forward or a gradient program: computes the pass's state (and AdaFace's scalers) first,
 * binds them where the program reads them, and frees what only the program needed. Returns the
 * program's output and the pass's state.
 */
function runWithState(backend: tf.KernelBackend, part: CosinePart | 'forward', attrs: CosineTargetsAttrs, inputs: Record<string, tf.TensorInfo>): [tf.TensorInfo, tf.TensorInfo] {
  const { formula, params } = attrs;
  const [batch, classes] = logitsShape(inputs['logits']!);
  const state = stateOf(backend, attrs, inputs);
  const scalers = usesFeatureNorms(formula) ? runProgram(backend, scalersProgram(params[1]!, batch), [inputs['emb']!, state]) : null;
  const bound = [
    ...(part === 'forward' ? [] : [inputs['dy']!]),
    inputs['logits']!, inputs['labels']!, inputs['progress']!,
    ...(readsNonTargets(part, formula, params) ? [state] : []),
    ...(scalers != null ? [scalers] : []),
  ];
  const out = runProgram(backend, webgpuProgram(part, attrs, batch, classes), bound);
  if (scalers != null) backend.disposeData(scalers.dataId);
  return [out, state];
}

function webgpuProgram(part: CosinePart | 'forward', { formula, params, scale }: CosineTargetsAttrs, batch: number, classes: number): FusedProgram {
  // WebGPU binds only the buffers a shader uses: `state` only where non-targets are evaluated,
  // AdaFace's `scalers` only for AdaFace (see runWithState).
  const rewrites = readsNonTargets(part, formula, params);
  const names = ['logits', 'labelIdx', 'progress', ...(rewrites ? ['state'] : []), ...(usesFeatureNorms(formula) ? ['scalers'] : [])];
  const { structure, values } = marginUniforms(formula, params);
  const uniforms = floatUniforms([['p0', values[0]], ['p1', values[1]], ['p2', values[2]], ['p3', values[3]], ['scale', scale]]);
  const s = 'uniforms.scale';
  const head = `${wgslEntry(formula, params, rewrites)}
  fn main(index : i32) {
    let classes = uniforms.logitsShape.y;
    let t = progress[0];`;
  const key = `tfjsAngularMarginCosineTargets_${part}_${structure}`;
  const bound = 'index < uniforms.logitsShape.x * classes';
  if (part === 'forward') {
    return flatProgram(key, [batch, classes], names, batch * classes, `${head}
    if (${bound}) {
      let c = logits[index];
      result[index] = ${s} * (c + t * (entry(index, classes).x - c));
    }
  }`, uniforms);
  }
  const withDy = ['dy', ...names];
  if (part === 'logits') {
    return flatProgram(key, [batch, classes], withDy, batch * classes, `${head}
    if (${bound}) {
      result[index] = ${s} * dy[index] * (1.0 + t * (entry(index, classes).y - 1.0));
    }
  }`, uniforms);
  }
  // One thread sums over every entry: the gradient in t, a scalar the warm-up seldom asks for.
  return flatProgram(key, [1], withDy, 1, `${head}
    if (index == 0) {
      var sum = 0.0;
      for (var k = 0; k < uniforms.logitsShape.x * classes; k++) {
        sum += dy[k] * (entry(k, classes).x - logits[k]);
      }
      result[0] = ${s} * sum;
    }
  }`, uniforms);
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
