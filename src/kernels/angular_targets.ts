import * as tf from '@tensorflow/tfjs-core';
import { NORM_EPSILON } from '../ops/l2_norm.js';
import { intervalThresholds } from '../ops/psi.js';
import { lambdaAt, type LambdaSchedule } from '../schedule/lambda_at.js';
import { hostNorm, hostOutput, hostValues, registerFusedKernel, registerGradientOnce, type KernelArgs } from './fused_kernels.js';
import { flatProgram, runProgram, wgslFloat, type FusedProgram } from './webgpu_program.js';

/**
 * A-Softmax's target logits in one kernel. Inputs: `logits` [B, C] (x·ŵ_j), `emb` [B, D] (x),
 * `labels` [B] int32, `lam` (a scalar: λ, or the iteration count when the attribute `schedule` is
 * [base, gamma, power, min], λ then max(min, base·(1 + gamma·lam)^(−power)), computed in the
 * kernel). Attribute `margin` (m). Output [B, C]: `logits` with each row's target entry replaced
 * by ‖x‖·(λ·c + ψ(c)) / (1 + λ), c = x·ŵ_y / ‖x‖.
 * @internal
 */
export const ANGULAR_TARGETS = 'TfjsAngularMarginAngularTargets';
/** Its gradients: inputs `dy` and the forward inputs; attribute `part` names the input differentiated. */
const ANGULAR_TARGETS_GRAD = 'TfjsAngularMarginAngularTargetsGrad';

type Part = 'logits' | 'emb' | 'lam';

interface TargetsAttrs {
  margin: number;
  /** [base, gamma, power, min] of the λ schedule, or empty: `lam` is λ itself. */
  schedule: number[];
  part?: Part;
}

/**
 * λ and dλ/d(lam) for the kernel's scalar input `lam` (see {@link ANGULAR_TARGETS}). Above the
 * floor, λ = base·(1 + gamma·lam)^(−power), so dλ/d(lam) = −power·gamma·λ / (1 + gamma·lam).
 */
function lambdaOf(lam: number, schedule: number[]): [number, number] {
  if (schedule.length === 0) return [lam, 1];
  const [base, gamma, power, min] = schedule as [number, number, number, number];
  const lambda = lambdaAt(lam, { base, gamma, power, min });
  return [lambda, lambda > min ? (-power * gamma * lambda) / (1 + gamma * lam) : 0];
}

/** ψ's interval thresholds as float32, the values the composite op compares with. */
function thresholds(m: number): number[] {
  return intervalThresholds(m).map(Math.fround);
}

/**
 * ψ(c) = (−1)^k·T_m(c) − 2k and dψ/dc = (−1)^k·m·U_{m−1}(c), for c already clipped to [−1, 1],
 * by the Chebyshev recurrences (T_{n+1} = 2c·T_n − T_{n−1}, likewise U). As the op psi computes.
 */
function psiAndSlope(c: number, m: number, bounds: number[]): [number, number] {
  let k = 0;
  for (const t of bounds) if (c <= t) k++;
  let [t0, t1] = [1, c];
  for (let n = 1; n < m; n++) [t0, t1] = [t1, 2 * c * t1 - t0];
  let [u0, u1] = [0, 1]; // U_{−1} = 0, U_0 = 1
  for (let n = 1; n < m; n++) [u0, u1] = [u1, 2 * c * u1 - u0];
  const sign = k % 2 === 0 ? 1 : -1;
  return [sign * t1 - 2 * k, sign * m * u1];
}

/** Per row of [B, C] logits: the radius ‖x‖, the target index (−1 if outside [0, C)) and g, g' there. */
function rowTargets(logits: ArrayLike<number>, emb: ArrayLike<number>, labels: ArrayLike<number>, lambda: number, margin: number, [batch, classes, dim]: [number, number, number]) {
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

function shapes(logits: tf.TensorInfo, emb: tf.TensorInfo): [number, number, number] {
  return [logits.shape[0]!, logits.shape[1]!, emb.shape[1]!];
}

function angularTargetsCpu({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const be = backend as tf.KernelBackend;
  const { logits, emb, labels, lam } = inputs as Record<string, tf.TensorInfo>;
  const [batch, classes, dim] = shapes(logits!, emb!);
  const values = hostValues(be, logits!);
  const { margin, schedule } = attrs as unknown as TargetsAttrs;
  const [lambda] = lambdaOf(hostValues(be, lam!)[0]!, schedule);
  const rows = rowTargets(values, hostValues(be, emb!), hostValues(be, labels!), lambda, margin, [batch, classes, dim]);
  const out = Float32Array.from(values);
  rows.forEach(({ radius, y, g }, b) => {
    if (y >= 0) out[b * classes + y] = radius * g;
  });
  return hostOutput(be, [batch, classes], out);
}

// Gradients of out_t = r·g(c), c = logit_t / r, r = √(Σ x² + ε), g = (λ·c + ψ(c)) / (1 + λ):
// ∂out_t/∂logit_t = g'(c); ∂out_t/∂r = g(c) − c·g'(c), and ∂r/∂x = x / r; ∂out_t/∂λ = r·(c − ψ(c)) / (1 + λ)².
// Every other entry of out is the logit itself: derivative 1 in logits, 0 in x and λ. With a
// schedule, the gradient in the iteration count is the one in λ times dλ/d(iteration).
function angularTargetsGradCpu({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const be = backend as tf.KernelBackend;
  const { dy, logits, emb, labels, lam } = inputs as Record<string, tf.TensorInfo>;
  const { margin, schedule, part } = attrs as unknown as TargetsAttrs;
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

/** WGSL: (λ, dλ/d(lam)) from the input `lam`, as {@link lambdaOf}. */
function wgslLambda(schedule: number[]): string {
  if (schedule.length === 0) return `
  fn lambdaOf() -> vec2<f32> {
    return vec2<f32>(lam[0], 1.0);
  }`;
  const [base, gamma, power, min] = schedule.map(wgslFloat) as [string, string, string, string];
  return `
  fn lambdaOf() -> vec2<f32> {
    let t = 1.0 + ${gamma} * lam[0];
    let decayed = ${base} * pow(t, -${power});
    if (decayed > ${min}) {
      return vec2<f32>(decayed, -${power} * ${gamma} * decayed / t);
    }
    return vec2<f32>(${min}, 0.0);
  }`;
}

/** WGSL: radius(b), λ, and psiSlope(c) → (ψ(c), ψ'(c)) for margin m, the thresholds unrolled. */
function wgslHelpers(m: number, schedule: number[]): string {
  const count = thresholds(m).map((t) => `    k += select(0, 1, c <= ${wgslFloat(t)});`).join('\n');
  return `${wgslLambda(schedule)}
  fn radius(b : i32, dim : i32) -> f32 {
    var sum = 0.0;
    for (var d = 0; d < dim; d++) {
      let v = emb[b * dim + d];
      sum += v * v;
    }
    return sqrt(sum + ${wgslFloat(NORM_EPSILON)});
  }
  fn psiSlope(c : f32) -> vec2<f32> {
    var k = 0;
${count}
    var t0 = 1.0;
    var t1 = c;
    var u0 = 0.0;
    var u1 = 1.0;
    for (var n = 1; n < ${m}; n++) {
      let t2 = 2.0 * c * t1 - t0;
      t0 = t1;
      t1 = t2;
      let u2 = 2.0 * c * u1 - u0;
      u0 = u1;
      u1 = u2;
    }
    let sign = select(1.0, -1.0, (k & 1) == 1);
    return vec2<f32>(sign * t1 - 2.0 * f32(k), sign * ${wgslFloat(m)} * u1);
  }
  // For row b with target y: (r, c, g(c), g'(c)).
  fn targetOf(b : i32, y : i32, classes : i32, dim : i32) -> vec4<f32> {
    let r = radius(b, dim);
    let c = logits[b * classes + y] / r;
    let p = psiSlope(clamp(c, -1.0, 1.0));
    let l = lambdaOf().x;
    return vec4<f32>(r, c, (l * c + p.x) / (1.0 + l), (l + p.y) / (1.0 + l));
  }`;
}

function webgpuProgram(part: Part | 'forward', { margin, schedule }: TargetsAttrs, batch: number, classes: number, dim: number): FusedProgram {
  const names = ['logits', 'emb', 'labelIdx', 'lam'];
  const head = `${wgslHelpers(margin, schedule)}
  fn main(index : i32) {
    let classes = uniforms.logitsShape.y;
    let dim = uniforms.embShape.y;`;
  const key = `tfjsAngularMarginAngularTargets_${part}_m${margin}_${schedule.join('_')}`;
  if (part === 'forward') {
    return flatProgram(key, [batch, classes], names, batch * classes, `${head}
    if (index < uniforms.logitsShape.x * classes) {
      let b = index / classes;
      let j = index - b * classes;
      if (labelIdx[b] == j) {
        let t = targetOf(b, j, classes, dim);
        result[index] = t.x * t.z;
      } else {
        result[index] = logits[index];
      }
    }
  }`);
  }
  const withDy = ['dy', ...names];
  const inRange = 'y >= 0 && y < classes';
  if (part === 'logits') {
    return flatProgram(key, [batch, classes], withDy, batch * classes, `${head}
    if (index < uniforms.logitsShape.x * classes) {
      let b = index / classes;
      let y = labelIdx[b];
      if (index - b * classes == y) {
        result[index] = dy[index] * targetOf(b, y, classes, dim).w;
      } else {
        result[index] = dy[index];
      }
    }
  }`);
  }
  if (part === 'emb') {
    return flatProgram(key, [batch, dim], withDy, batch * dim, `${head}
    if (index < uniforms.logitsShape.x * dim) {
      let b = index / dim;
      let y = labelIdx[b];
      if (${inRange}) {
        let t = targetOf(b, y, classes, dim);
        let dr = dy[b * classes + y] * (t.z - t.y * t.w);
        result[index] = emb[index] / t.x * dr;
      } else {
        result[index] = 0.0;
      }
    }
  }`);
  }
  return flatProgram(key, [1], withDy, 1, `${head}
    if (index == 0) {
      var sum = 0.0;
      for (var b = 0; b < uniforms.logitsShape.x; b++) {
        let y = labelIdx[b];
        if (${inRange}) {
          let t = targetOf(b, y, classes, dim);
          let psi = psiSlope(clamp(t.y, -1.0, 1.0)).x;
          sum += dy[b * classes + y] * t.x * (t.y - psi);
        }
      }
      let l = lambdaOf();
      result[0] = sum / ((1.0 + l.x) * (1.0 + l.x)) * l.y;
    }
  }`);
}

function angularTargetsWebgpu({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { logits, emb, labels, lam } = inputs as Record<string, tf.TensorInfo>;
  const [batch, classes, dim] = shapes(logits!, emb!);
  const program = webgpuProgram('forward', attrs as unknown as TargetsAttrs, batch, classes, dim);
  return runProgram(backend as tf.KernelBackend, program, [logits!, emb!, labels!, lam!]);
}

function angularTargetsGradWebgpu({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { dy, logits, emb, labels, lam } = inputs as Record<string, tf.TensorInfo>;
  const targetsAttrs = attrs as unknown as TargetsAttrs;
  const [batch, classes, dim] = shapes(logits!, emb!);
  return runProgram(backend as tf.KernelBackend, webgpuProgram(targetsAttrs.part!, targetsAttrs, batch, classes, dim), [dy!, logits!, emb!, labels!, lam!]);
}

registerFusedKernel(ANGULAR_TARGETS, { cpu: angularTargetsCpu, webgpu: angularTargetsWebgpu });
registerFusedKernel(ANGULAR_TARGETS_GRAD, { cpu: angularTargetsGradCpu, webgpu: angularTargetsGradWebgpu });
registerGradientOnce({
  kernelName: ANGULAR_TARGETS,
  inputsToSave: ['logits', 'emb', 'labels', 'lam'],
  gradFunc: (dy, saved, attrs) => {
    const [logits, emb, labels, lam] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
    const { margin, schedule } = attrs as unknown as TargetsAttrs;
    const grad = (part: Part) => tf.engine().runKernel(ANGULAR_TARGETS_GRAD, { dy: dy as tf.Tensor, logits, emb, labels, lam }, { margin, schedule, part } as unknown as tf.NamedAttrMap) as tf.Tensor;
    // Each closure runs only when its input needs a gradient (a head on fixed embeddings skips emb).
    return {
      logits: () => grad('logits'),
      emb: () => grad('emb'),
      labels: () => tf.zerosLike(labels),
      lam: () => tf.reshape(grad('lam'), lam.shape),
    };
  },
});

/**
 * What marginLogits needs to fuse an A-Softmax margin: m, and λ, either given (a number or a
 * scalar) or scheduled from an iteration count (the AngularSoftmax layer's counter), so that the
 * kernel computes λ itself instead of five small kernels doing it.
 * @internal
 */
export type AngularMarginSpec =
  | { margin: number; lambda: number | tf.Scalar }
  | { margin: number; iteration: tf.Scalar; schedule: LambdaSchedule };

/** The A-Softmax margins made by angularMargin and the AngularSoftmax layer, with their spec. */
const angularSpecs = new WeakMap<object, AngularMarginSpec>();

/** Marks `fn` as an A-Softmax margin: {@link marginLogits} may then use the fused kernel. @internal */
export function markAngularMargin<F extends object>(fn: F, spec: AngularMarginSpec): F {
  angularSpecs.set(fn, spec);
  return fn;
}

/** The spec of a margin made by angularMargin or the AngularSoftmax layer; undefined for any other. @internal */
export function angularMarginSpec(fn: object): AngularMarginSpec | undefined {
  return angularSpecs.get(fn);
}

function angularTargets_(logits: tf.Tensor2D, x: tf.Tensor2D, labels: tf.Tensor1D, spec: AngularMarginSpec): tf.Tensor2D {
  const scheduled = 'schedule' in spec;
  const lam = scheduled ? spec.iteration : typeof spec.lambda === 'number' ? tf.scalar(spec.lambda) : spec.lambda;
  const schedule = scheduled ? [spec.schedule.base, spec.schedule.gamma, spec.schedule.power, spec.schedule.min] : [];
  return tf.engine().runKernel(ANGULAR_TARGETS, { logits, emb: x, labels, lam }, { margin: spec.margin, schedule } as unknown as tf.NamedAttrMap) as tf.Tensor2D;
}

/**
 * The A-Softmax target logits in one kernel (values of the composite path in marginLogits with
 * the same margin): `logits` = x·ŵ_j [B, C], `x` [B, D], `labels` int32 [B], and the margin's
 * spec. Callers check {@link fusedKernelActive} first.
 * @internal
 */
export const angularTargets = tf.op({ angularTargets_ });
