// The fused cosine-margin target kernel and its gradients on the webgpu backend: WGSL generated per
// margin, mirroring the host math of src/math/cosine_margin_math.ts; one thread per entry.
import * as tf from '@tensorflow/tfjs-core';
import { arcFaceThreshold, MIN_SINE_FOR_GRADIENT, OPENSPHERE_CLAMPS, rewritesNonTargets, type CosineFormula } from '../../math/cosine_margin_math.js';
import { type KernelArgs } from '../fused_kernels.js';
import { flatProgram, runProgram, wgslFloat } from '../webgpu_program.js';
import { logitsShape, type CosinePart, type CosineTargetsAttrs } from './names.js';

/** WGSL: `fn margin(c : f32) -> vec2<f32>`, (g(c), g'(c)) as cosineMarginAndSlope computes them. */
function wgslMargin(formula: CosineFormula, params: readonly number[]): string {
  if (formula === 'cosface') return `
  fn margin(c : f32) -> vec2<f32> {
    return vec2<f32>(c - ${wgslFloat(params[0]!)}, 1.0);
  }`;
  const sine = `
    let clipped = clamp(c, -1.0, 1.0);
    let sine = sqrt((1.0 - clipped) * (1.0 + clipped));
    let divisor = max(sine, ${wgslFloat(MIN_SINE_FOR_GRADIENT)});`;
  if (formula === 'arcface') {
    const [m, easy] = params as [number, number];
    const fallback = easy === 1 ? 'c' : `c - ${wgslFloat(m * Math.sin(m))}`;
    return `
  fn margin(c : f32) -> vec2<f32> {
    if (!(c > ${wgslFloat(arcFaceThreshold(m, easy === 1))})) {
      return vec2<f32>(${fallback}, 1.0);
    }${sine}
    return vec2<f32>(c * ${wgslFloat(Math.cos(m))} - sine * ${wgslFloat(Math.sin(m))}, ${wgslFloat(Math.cos(m))} + c * ${wgslFloat(Math.sin(m))} / divisor);
  }`;
  }
  if (formula === 'spherefacer') return wgslSphereFaceR(params[0]!, params[1]!);
  if (formula === 'sphereface2') return wgslSphereFace2(params);
  const [m1, m2, m3] = params as [number, number, number];
  return `
  fn margin(c : f32) -> vec2<f32> {${sine}
    let angle = ${wgslFloat(m1)} * atan2(sine, clipped) + ${wgslFloat(m2)};
    return vec2<f32>(cos(angle) - ${wgslFloat(m3)}, ${wgslFloat(m1)} * sin(angle) / divisor);
  }`;
}

/** WGSL: θ of the cosine clamped as opensphere clamps it, and the clamp of a margined angle. */
function wgslOpenSphereAngles(): string {
  return `
  fn openSphereAngle(c : f32) -> f32 {
    let clamped = clamp(c, ${wgslFloat(-OPENSPHERE_CLAMPS.cosine)}, ${wgslFloat(OPENSPHERE_CLAMPS.cosine)});
    return atan2(sqrt((1.0 - clamped) * (1.0 + clamped)), clamped);
  }
  fn clampAngle(theta : f32) -> f32 {
    return clamp(theta, ${wgslFloat(OPENSPHERE_CLAMPS.angleMin)}, ${wgslFloat(OPENSPHERE_CLAMPS.angleMax)});
  }`;
}

/** WGSL: SphereFace2's `margin(c)` and `other(c)`, as the host math computes them (slope 1: detached). */
function wgslSphereFace2([variant, m, t]: readonly number[]): string {
  const adjust = `${wgslOpenSphereAngles()}
  fn adjust(z : f32) -> f32 {
    let half = (clamp(z, -1.0, 1.0) + 1.0) / 2.0;
    return 2.0 * select(0.0, pow(half, ${wgslFloat(t!)}), half > 0.0) - 1.0;
  }`;
  if (variant === 0) return `${adjust}
  fn margin(c : f32) -> vec2<f32> {
    return vec2<f32>(adjust(c) - ${wgslFloat(m!)}, 1.0);
  }
  fn other(c : f32) -> vec2<f32> {
    return vec2<f32>(adjust(c) + ${wgslFloat(m!)}, 1.0);
  }`;
  const margined = variant === 1 ? `openSphereAngle(c) + ${wgslFloat(m!)}` : `openSphereAngle(c) * ${wgslFloat(m!)}`;
  return `${adjust}
  fn margin(c : f32) -> vec2<f32> {
    return vec2<f32>(adjust(cos(clampAngle(${margined}))), 1.0);
  }
  fn other(c : f32) -> vec2<f32> {
    return vec2<f32>(adjust(cos(clampAngle(openSphereAngle(c)))), 1.0);
  }`;
}

/** WGSL: SphereFace-R's `margin(c)` and, for 'v2', `other(c)`, as the host math computes them (slope 1: detached). */
function wgslSphereFaceR(m: number, variant: number): string {
  const clamp = `clamp(c, ${wgslFloat(-OPENSPHERE_CLAMPS.cosine)}, ${wgslFloat(OPENSPHERE_CLAMPS.cosine)})`;
  const angle = wgslOpenSphereAngles();
  if (variant === 2) return `${angle}
  fn margin(c : f32) -> vec2<f32> {
    return vec2<f32>(${clamp}, 1.0);
  }
  fn other(c : f32) -> vec2<f32> {
    return vec2<f32>(cos(openSphereAngle(c) / ${wgslFloat(m)}), 1.0);
  }`;
  if (variant === 1) return `${angle}
  fn margin(c : f32) -> vec2<f32> {
    return vec2<f32>(cos(clampAngle(${wgslFloat(m)} * openSphereAngle(c))), 1.0);
  }`;
  return `${angle}
  fn margin(c : f32) -> vec2<f32> {
    let mTheta = ${wgslFloat(m)} * openSphereAngle(c);
    let k = floor(mTheta / ${wgslFloat(Math.PI)});
    let sign = select(1.0, -1.0, (i32(k) & 1) == 1);
    return vec2<f32>(sign * cos(mTheta) - 2.0 * k, 1.0);
  }`;
}

/** WGSL: `fn entry(c, isTarget) -> vec2<f32>`, an entry's margined value and slope (c and 1 where none). */
function wgslEntry(formula: CosineFormula, params: readonly number[]): string {
  const other = rewritesNonTargets(formula, params) ? 'other(c)' : 'vec2<f32>(c, 1.0)';
  return `${wgslMargin(formula, params)}
  fn entry(c : f32, isTarget : bool) -> vec2<f32> {
    if (isTarget) {
      return margin(c);
    }
    return ${other};
  }`;
}

function webgpuProgram(part: CosinePart | 'forward', { formula, params, scale }: CosineTargetsAttrs, batch: number, classes: number): ReturnType<typeof flatProgram> {
  const names = ['logits', 'labelIdx', 'progress'];
  const s = wgslFloat(scale);
  const head = `${wgslEntry(formula, params)}
  fn main(index : i32) {
    let classes = uniforms.logitsShape.y;
    let t = progress[0];`;
  const key = `tfjsAngularMarginCosineTargets_${part}_${formula}_${params.join('_')}_s${scale}`;
  const bound = 'index < uniforms.logitsShape.x * classes';
  const isTarget = 'labelIdx[index / classes] == index - (index / classes) * classes';
  if (part === 'forward') {
    return flatProgram(key, [batch, classes], names, batch * classes, `${head}
    if (${bound}) {
      let c = logits[index];
      result[index] = ${s} * (c + t * (entry(c, ${isTarget}).x - c));
    }
  }`);
  }
  const withDy = ['dy', ...names];
  if (part === 'logits') {
    return flatProgram(key, [batch, classes], withDy, batch * classes, `${head}
    if (${bound}) {
      result[index] = ${s} * dy[index] * (1.0 + t * (entry(logits[index], ${isTarget}).y - 1.0));
    }
  }`);
  }
  // One thread sums over every entry: the gradient in t, a scalar the warm-up seldom asks for.
  return flatProgram(key, [1], withDy, 1, `${head}
    if (index == 0) {
      var sum = 0.0;
      for (var k = 0; k < uniforms.logitsShape.x * classes; k++) {
        let c = logits[k];
        sum += dy[k] * (entry(c, labelIdx[k / classes] == k - (k / classes) * classes).x - c);
      }
      result[0] = ${s} * sum;
    }
  }`);
}

export function cosineTargetsWebgpu({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { logits, labels, progress } = inputs as Record<string, tf.TensorInfo>;
  const [batch, classes] = logitsShape(logits!);
  return runProgram(backend as tf.KernelBackend, webgpuProgram('forward', attrs as unknown as CosineTargetsAttrs, batch, classes), [logits!, labels!, progress!]);
}

export function cosineTargetsGradWebgpu({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { dy, logits, labels, progress } = inputs as Record<string, tf.TensorInfo>;
  const targetsAttrs = attrs as unknown as CosineTargetsAttrs;
  const [batch, classes] = logitsShape(logits!);
  return runProgram(backend as tf.KernelBackend, webgpuProgram(targetsAttrs.part!, targetsAttrs, batch, classes), [dy!, logits!, labels!, progress!]);
}
