// The fused A-Softmax target kernel and its gradients on the webgpu backend: WGSL generated per
// margin m (its thresholds unrolled) and whether λ follows a schedule; the schedule's numbers are
// uniforms, so that one pipeline serves any schedule. ψ and λ written here once in WGSL, mirroring
// the host math.
import * as tf from '@tensorflow/tfjs-core';
import { type KernelArgs, attrsOf } from '../fused_kernels.js';
import { flatProgram, floatUniforms, runProgram, WORKGROUP_SIZE, wgslFloat, wgslNorm, wgslWorkgroupSum, type FusedProgram } from '../webgpu_program.js';
import { thresholds } from './cpu.js';
import { shapes, type Part, type TargetsAttrs } from './names.js';

/** WGSL: (λ, dλ/d(lam)) from the input `lam`, as lambdaOf in cpu.ts; a schedule's numbers from the uniforms. */
function wgslLambda(schedule: number[]): string {
  if (schedule.length === 0)
    return `
  fn lambdaOf() -> vec2<f32> {
    return vec2<f32>(lam[0], 1.0);
  }`;
  const [base, gamma, power, min] = ['uniforms.base', 'uniforms.gamma', 'uniforms.power', 'uniforms.minimum'];
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
  const count = thresholds(m)
    .map((t) => `    k += select(0, 1, c <= ${wgslFloat(t)});`)
    .join('\n');
  return `${wgslLambda(schedule)}
  ${wgslNorm('embNorm', 'emb')}
  fn radius(b : i32, dim : i32) -> f32 {
    return embNorm(b * dim, dim, 1);
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
  const scheduled = schedule.length > 0;
  const key = `tfjsAngularMarginAngularTargets_${part}_m${margin}_${scheduled ? 'scheduled' : 'given'}`;
  const uniforms = scheduled
    ? floatUniforms([
        ['base', schedule[0]!],
        ['gamma', schedule[1]!],
        ['power', schedule[2]!],
        ['minimum', schedule[3]!],
      ])
    : undefined;
  if (part === 'forward') {
    return flatProgram(
      key,
      [batch, classes],
      names,
      batch * classes,
      `${head}
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
  }`,
      uniforms,
    );
  }
  const withDy = ['dy', ...names];
  const inRange = 'y >= 0 && y < classes';
  if (part === 'logits') {
    return flatProgram(
      key,
      [batch, classes],
      withDy,
      batch * classes,
      `${head}
    if (index < uniforms.logitsShape.x * classes) {
      let b = index / classes;
      let y = labelIdx[b];
      if (index - b * classes == y) {
        result[index] = dy[index] * targetOf(b, y, classes, dim).w;
      } else {
        result[index] = dy[index];
      }
    }
  }`,
      uniforms,
    );
  }
  if (part === 'emb') {
    return flatProgram(
      key,
      [batch, dim],
      withDy,
      batch * dim,
      `${head}
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
  }`,
      uniforms,
    );
  }
  // The gradient in λ: one workgroup, each thread summing every WORKGROUP_SIZE-th row, then a sum
  // in workgroup memory.
  return flatProgram(
    key,
    [1],
    withDy,
    WORKGROUP_SIZE,
    `${wgslWorkgroupSum()}${head}
    var sum = 0.0;
    for (var b = index; b < uniforms.logitsShape.x; b += ${WORKGROUP_SIZE}) {
      let y = labelIdx[b];
      if (${inRange}) {
        let t = targetOf(b, y, classes, dim);
        let psi = psiSlope(clamp(t.y, -1.0, 1.0)).x;
        sum += dy[b * classes + y] * t.x * (t.y - psi);
      }
    }
    let total = workgroupSum(sum);
    if (index == 0) {
      let l = lambdaOf();
      result[0] = total / ((1.0 + l.x) * (1.0 + l.x)) * l.y;
    }
  }`,
    uniforms,
  );
}

export function angularTargetsWebgpu({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { logits, emb, labels, lam } = inputs as Record<string, tf.TensorInfo>;
  const [batch, classes, dim] = shapes(logits!, emb!);
  const program = webgpuProgram('forward', attrsOf<TargetsAttrs>(attrs), batch, classes, dim);
  return runProgram(backend as tf.KernelBackend, program, [logits!, emb!, labels!, lam!]);
}

export function angularTargetsGradWebgpu({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { dy, logits, emb, labels, lam } = inputs as Record<string, tf.TensorInfo>;
  const targetsAttrs = attrsOf<TargetsAttrs>(attrs);
  const [batch, classes, dim] = shapes(logits!, emb!);
  return runProgram(backend as tf.KernelBackend, webgpuProgram(targetsAttrs.part!, targetsAttrs, batch, classes, dim), [dy!, logits!, emb!, labels!, lam!]);
}
