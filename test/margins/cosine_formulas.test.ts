// The cosine margin formulas' host math (each margin's file in src/margins/, collected in
// cosine_formulas.ts) and the kernel's reading of them (src/kernels/cosine_targets/formula.ts), at the points the
// kernel tests do not reach: exact boundaries (ArcFace's threshold, CurricularFace's hard-negative
// test, AdaFace's angle clip), the formulas that leave non-targets alone, and the pass state of
// formulas without state. Expected values are the papers' equations in float64.
import { describe, expect, it } from 'vitest';
import {
  evaluatesNonTargets as evaluates,
  nonTargetsOf,
  passState as pass,
  usesFeatureNorms as uses,
  type RowContext,
} from '../../src/kernels/cosine_targets/formula.js';
import { COSINE_FORMULAS } from '../../src/margins/cosine_formulas.js';
import { ADA_FACE_CONSTANTS } from '../../src/margins/ada_face_margin.js';
import { arcFaceThreshold } from '../../src/margins/arc_face_margin.js';

const row = (target: number, scaler = 0, state: number[] = [0]) => ({ target, state, scaler });
type CosineFormula = string;
const formula = (name: CosineFormula) => COSINE_FORMULAS.get(name)!;
const cosineMarginAndSlope = (name: CosineFormula, params: number[], c: number, r: RowContext = row(0)) => formula(name).target(params, c, r);
const nonTargetAndSlope = (name: CosineFormula, params: number[], c: number, r: RowContext) => formula(name).nonTarget?.(params, c, r) ?? null;
const rewritesNonTargets = (name: CosineFormula, params: number[]) => nonTargetsOf(formula(name), params) !== 'kept';
const detachesNonTargets = (name: CosineFormula, params: number[]) => nonTargetsOf(formula(name), params) === 'detached';
const evaluatesNonTargets = (name: CosineFormula, params: number[], slopesOnly: boolean) => evaluates(formula(name), params, slopesOnly);
const passState = (name: CosineFormula, params: number[], previous: number[], targets: number[], norms: number[]) =>
  pass(formula(name), params, previous, targets, norms);
const usesFeatureNorms = (name: CosineFormula) => uses(formula(name));

describe('ArcFace threshold', () => {
  it('is cos(π − m) as float32, or 0 for the easy margin', () => {
    expect(arcFaceThreshold(0.5, false)).toBe(Math.fround(-Math.cos(0.5)));
    expect(arcFaceThreshold(0.5, true)).toBe(0);
  });

  it('applies the fallback c − m·sin m at the threshold itself, as insightface (cosine > th) does', () => {
    const m = 0.5;
    const c = arcFaceThreshold(m, false);
    expect(cosineMarginAndSlope('arcFace', [m, 0], c)).toEqual([c - m * Math.sin(m), 1]);
    const above = Math.fround(c + 1e-6);
    const [value] = cosineMarginAndSlope('arcFace', [m, 0], above);
    expect(value).toBeCloseTo(Math.cos(Math.acos(above) + m), 12);
  });

  it('keeps c at and below 0 for the easy margin', () => {
    expect(cosineMarginAndSlope('arcFace', [0.5, 1], 0)).toEqual([0, 1]);
    expect(cosineMarginAndSlope('arcFace', [0.5, 1], -0.3)).toEqual([-0.3, 1]);
  });
});

describe('AdaFace angle clip', () => {
  const m = 0.4;
  const { angleEpsilon } = ADA_FACE_CONSTANTS;

  it('clips θ − m·ĝ at π − ε, with slope 0 beyond the end', () => {
    // θ = 3, ĝ = −1: θ + m = 3.4 > π − ε.
    const [value, slope] = cosineMarginAndSlope('adaFace', [m, 0.333, 0.01], Math.cos(3), row(Math.cos(3), -1));
    expect(value).toBeCloseTo(Math.cos(Math.PI - angleEpsilon) - (m - m), 12);
    expect(slope).toBe(0);
  });

  it('clamps the cosine to [−1 + ε_c, 1 − ε_c] first, as head.py does, with slope 0 beyond: θ = π − 0.03 is taken as acos(−0.999)', () => {
    const { cosineEpsilon } = ADA_FACE_CONSTANTS;
    expect(cosineEpsilon).toBe(1e-3);
    for (const [theta, scaler] of [
      [Math.PI - 0.03, 0.2],
      [Math.PI - angleEpsilon / 2, 0],
      [0.01, -1],
      [0, 0.5],
    ] as const) {
      const c = Math.cos(theta);
      const clamped = Math.min(1 - cosineEpsilon, Math.max(-1 + cosineEpsilon, c));
      const [value, slope] = cosineMarginAndSlope('adaFace', [m, 0.333, 0.01], c, row(c, scaler));
      expect(value).toBeCloseTo(Math.cos(Math.min(Math.PI - angleEpsilon, Math.max(angleEpsilon, Math.acos(clamped) - m * scaler))) - m - m * scaler, 12);
      expect(slope).toBe(0);
    }
    // Inside the clamp, at its ends included, the slope is the angle's: sin(θ − m·ĝ)/sin θ.
    const c = -1 + cosineEpsilon;
    const [, slope] = cosineMarginAndSlope('adaFace', [m, 0.333, 0.01], c, row(c, 0.5));
    expect(slope).toBeCloseTo(Math.sin(Math.acos(c) - m * 0.5) / Math.sqrt(1 - c * c), 9);
  });

  it('clips θ − m·ĝ at ε, with slope 0 beyond the end', () => {
    // θ = 0.2, ĝ = 1: θ − m = −0.2 < ε.
    const [value, slope] = cosineMarginAndSlope('adaFace', [m, 0.333, 0.01], Math.cos(0.2), row(Math.cos(0.2), 1));
    expect(value).toBeCloseTo(Math.cos(angleEpsilon) - 2 * m, 12);
    expect(slope).toBe(0);
  });

  it('inside the clip: cos(θ − m·ĝ) − (m + m·ĝ), slope sin(θ − m·ĝ)/sin θ', () => {
    const theta = 1.1;
    const g = 0.25;
    const [value, slope] = cosineMarginAndSlope('adaFace', [m, 0.333, 0.01], Math.cos(theta), row(Math.cos(theta), g));
    expect(value).toBeCloseTo(Math.cos(theta - m * g) - (m + m * g), 12);
    expect(slope).toBeCloseTo(Math.sin(theta - m * g) / Math.sin(theta), 12);
  });

  it('reads a missing row as scaler 0', () => {
    const theta = 1.1;
    expect(cosineMarginAndSlope('adaFace', [m, 0.333, 0.01], Math.cos(theta))[0]).toBeCloseTo(Math.cos(theta) - m, 12);
  });
});

describe('non-target entries', () => {
  const leaveAlone: [CosineFormula, number[]][] = [
    ['cosFace', [0.35]],
    ['arcFace', [0.5, 0]],
    ['arcFace', [0.5, 1]],
    ['combinedCosine', [1, 2, 0]],
    ['sphereFaceR', [1.5, 0]],
    ['sphereFaceR', [1.5, 1]],
  ];

  it.each(leaveAlone)('%s %j leaves them as they are and detaches nothing', (formula, params) => {
    expect(nonTargetAndSlope(formula, params, 0.3, row(0.1))).toBeNull();
    expect(rewritesNonTargets(formula, params)).toBe(false);
    expect(detachesNonTargets(formula, params)).toBe(false);
    expect(evaluatesNonTargets(formula, params, false)).toBe(false);
    expect(evaluatesNonTargets(formula, params, true)).toBe(false);
  });
  it('adaface clamps them to [−1 + ε_c, 1 − ε_c], slope 1 inside (ends included) and 0 beyond, and detaches nothing', () => {
    const bound = 1 - ADA_FACE_CONSTANTS.cosineEpsilon;
    const cases: Array<[number, [number, number]]> = [
      [0.3, [0.3, 1]],
      [bound, [bound, 1]],
      [-bound, [-bound, 1]],
      [0.9995, [bound, 0]],
      [-1, [-bound, 0]],
    ];
    for (const [c, expected] of cases) expect(nonTargetAndSlope('adaFace', [0.4, 2, 0.01], c, row(0.5, 0))).toEqual(expected);
    expect([rewritesNonTargets('adaFace', [0.4]), detachesNonTargets('adaFace', [0.4]), evaluatesNonTargets('adaFace', [0.4], true)]).toEqual([
      true,
      false,
      true,
    ]);
  });

  it('a pass evaluates rewritten non-targets, except a slopes-only pass when they are detached', () => {
    // forward and gradient-in-the-state passes need the values; the gradient in the logits needs
    // only slopes, which detached entries keep at 1, so it skips them; CurricularFace's slopes are not 1.
    expect(evaluatesNonTargets('sphereFace2', [0, 0.4, 3], false)).toBe(true);
    expect(evaluatesNonTargets('sphereFace2', [0, 0.4, 3], true)).toBe(false);
    expect(evaluatesNonTargets('sphereFaceR', [1.5, 2], false)).toBe(true);
    expect(evaluatesNonTargets('sphereFaceR', [1.5, 2], true)).toBe(false);
    expect(evaluatesNonTargets('curricularFace', [0.5, 0.01], false)).toBe(true);
    expect(evaluatesNonTargets('curricularFace', [0.5, 0.01], true)).toBe(true);
  });

  it('SphereFace-R v2 and SphereFace2 rewrite them, detached; CurricularFace rewrites without detaching', () => {
    expect(detachesNonTargets('sphereFaceR', [1.5, 2])).toBe(true);
    expect(detachesNonTargets('sphereFace2', [0, 0.4, 3])).toBe(true);
    expect(detachesNonTargets('curricularFace', [0.5, 0.01])).toBe(false);
    expect(rewritesNonTargets('curricularFace', [0.5, 0.01])).toBe(true);
    const [value, slope] = nonTargetAndSlope('sphereFaceR', [1.5, 2], 0.3, row(0.1))!;
    expect(value).toBeCloseTo(Math.cos(Math.acos(0.3) / 1.5), 12);
    expect(slope).toBe(1);
  });

  it('CurricularFace reweights only cosines strictly above cos(θ_y + m), as its reference (cos_theta > cos_theta_m)', () => {
    const m = 0.5;
    const target = 0.8;
    const t = 0.3;
    // sin θ_y as the host math writes it, (1 − c)(1 + c) under the root, so that c hits it exactly.
    const shifted = target * Math.cos(m) - Math.sqrt((1 - target) * (1 + target)) * Math.sin(m);
    expect(nonTargetAndSlope('curricularFace', [m, 0.01], shifted, row(target, 0, [t]))).toBeNull();
    const c = shifted + 1e-9;
    const [value, slope] = nonTargetAndSlope('curricularFace', [m, 0.01], c, row(target, 0, [t]))!;
    expect(value).toBeCloseTo(c * (t + c), 12);
    expect(slope).toBeCloseTo(t + 2 * c, 12);
  });
});

describe('pass state', () => {
  it('keeps the state and gives zero scalers, one per row, for formulas without state', () => {
    for (const formula of ['cosFace', 'arcFace', 'combinedCosine', 'sphereFaceR', 'sphereFace2'] as const) {
      const out = passState(formula, [0.4, 0.333, 0.01], [7, 9], [0.1, 0.2, 0.3], [1, 50, 90]);
      expect(out).toEqual({ state: [7, 9], scalers: [0, 0, 0] });
    }
  });

  it('CurricularFace: t ← α·mean(c_y) + (1 − α)·t, finite for an empty batch', () => {
    const out = passState('curricularFace', [0.5, 0.1], [0.2], [0.4, 0.8], []);
    expect(out.state).toHaveLength(1);
    expect(out.state[0]).toBeCloseTo(0.1 * 0.6 + 0.9 * 0.2, 14);
    expect(out.scalers).toEqual([0, 0]);
    const empty = passState('curricularFace', [0.5, 0.1], [0.2], [], []);
    expect(empty.scalers).toEqual([]);
    expect(Number.isFinite(empty.state[0])).toBe(true);
  });

  it('only AdaFace reads the feature norms', () => {
    const formulas = [...COSINE_FORMULAS.keys()];
    expect(formulas.filter(usesFeatureNorms)).toEqual(['adaFace']);
  });
});
