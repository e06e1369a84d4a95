/**
 * The cosine margins' math on plain numbers, shared by the fused kernel (src/kernels/cosine_targets)
 * and, for its constant, the composite margins (src/margins/cosine_margins.ts): the value g(c) of a
 * margin at a target cosine c and the slope g'(c) that the composite ops' gradient gives, with the
 * same clipping and the same bound on the derivatives of sin θ and θ. A leaf: it imports nothing.
 * @internal
 */

/**
 * Where sin θ = √(1 − c²) falls below this, the derivatives of sin θ and θ in c = cos θ (−c/sin θ
 * and −1/sin θ, infinite at c = ±1) divide by it instead: |d sin θ/dc| and |dθ/dc| never exceed
 * 1/MIN_SINE_FOR_GRADIENT = 1000. Forward values are exact; only the derivative within
 * θ < ~1e-3 rad of 0 or π is bounded.
 */
export const MIN_SINE_FOR_GRADIENT = 1e-3;

/**
 * The angle conventions of opensphere's SphereFace-R and SphereFace2 reference heads: cos θ is
 * clamped to [−1 + 1e-5, 1 − 1e-5] before acos, and a margined angle to [1e-5, 3.14159].
 */
export const OPENSPHERE_CLAMPS = Object.freeze({ cosine: 1 - 1e-5, angleMin: 1e-5, angleMax: 3.14159 });

/** SphereFace-R's variants, in their order (a fused kernel takes a variant as its index here). */
export const SPHERE_FACE_R_VARIANTS = Object.freeze(['v0', 'v1', 'v2'] as const);

/** SphereFace2's variants, in their order (a fused kernel takes a variant as its index here). */
export const SPHERE_FACE2_VARIANTS = Object.freeze(['C', 'A', 'M'] as const);

/** SphereFace2's similarity adjustment g(z) = 2((z + 1)/2)^t − 1 on a number z in [−1, 1]. */
export function similarityAdjustmentOf(z: number, t: number): number {
  return 2 * ((z + 1) / 2) ** t - 1;
}

/**
 * The cosine margins a fused kernel computes, with their parameters as numbers:
 * 'cosface' [m]: c − m; 'arcface' [m, easy (0 or 1)]: cos(θ + m), past θ + m > π (or, easy, where
 * c ≤ 0) the fallback; 'combined' [m1, m2, m3]: cos(m1·θ + m2) − m3; 'spherefacer' [m, variant
 * (its index in SPHERE_FACE_R_VARIANTS)]: SphereFace-R's value, with the gradient of c (detached), and
 * for 'v2' its non-target values cos(θ_j / m), detached too; 'sphereface2' [variant (its index
 * in SPHERE_FACE2_VARIANTS), m, t]: SphereFace2's values on every entry, detached; 'curricular'
 * [m, α]: ArcFace's target, and each non-target c_j above cos(θ_y + m) reweighted to
 * c_j·(t + c_j), t the pass's state (see {@link passState}), a constant of the backward pass;
 * 'adaface' [m, h, α]: every cosine clamped to [−1 + ε_c, 1 − ε_c] first (slope 0 beyond), then
 * cos(clip(θ − m·ĝ, ε, π − ε)) − (m + m·ĝ) on the target, ĝ the row's margin scaler from the
 * feature norms (see {@link passState}), a constant of the backward pass.
 */
export type CosineFormula = 'cosface' | 'arcface' | 'combined' | 'spherefacer' | 'sphereface2' | 'curricular' | 'adaface';

/**
 * AdaFace's constants, as its reference (head.py) sets them: feature norms are clipped to
 * [normMin, normMax] before their statistics; the margin scaler divides by σ + scalerEpsilon; every
 * cosine, target or not, is clamped to [−1 + cosineEpsilon, 1 − cosineEpsilon] before its angle is
 * taken (zero gradient beyond); the margined angle is kept in [angleEpsilon, π − angleEpsilon].
 */
export const ADA_FACE_CONSTANTS = Object.freeze({ normMin: 0.001, normMax: 100, scalerEpsilon: 1e-3, cosineEpsilon: 1e-3, angleEpsilon: 1e-3 });

/** AdaFace's clamp of a cosine to [−1 + ε_c, 1 − ε_c], and its slope (1 inside, ends included; 0 beyond). */
export function adaFaceCosine(c: number): [number, number] {
  const bound = 1 - ADA_FACE_CONSTANTS.cosineEpsilon;
  return [Math.min(bound, Math.max(-bound, c)), c >= -bound && c <= bound ? 1 : 0];
}

/**
 * What an entry's margin may depend on besides its own cosine: its row's target cosine (0 for a
 * row without a target), the pass's state (CurricularFace's t: state[0]), and the row's margin
 * scaler (AdaFace's ĝ; 0 for other formulas).
 */
export interface RowContext {
  target: number;
  state: readonly number[];
  scaler: number;
}

/** Whether `formula` reads the embeddings' norms (AdaFace's margin scalers). */
export function usesFeatureNorms(formula: CosineFormula): boolean {
  return formula === 'adaface';
}

/**
 * The pass's state and per-row margin scalers, from the previous state, the rows' target cosines
 * (0 for a row without a target) and, for AdaFace, the rows' feature norms ‖x_b‖:
 * - CurricularFace [m, α]: t ← α·mean(c_y) + (1 − α)·t;
 * - AdaFace [m, h, α]: norms n clipped to [normMin, normMax]; μ ← α·mean(n) + (1 − α)·μ,
 *   σ ← α·std(n) + (1 − α)·σ (std with n − 1, 0 for one row); ĝ_b = clip(h·(n_b − μ)/(σ + ε), −1, 1);
 * - every other formula: the previous state, scalers 0.
 */
export function passState(formula: CosineFormula, params: readonly number[], previous: readonly number[], targets: ArrayLike<number>, norms: ArrayLike<number>): { state: number[]; scalers: number[] } {
  const batch = targets.length;
  const scalers = new Array<number>(batch).fill(0);
  const mean = (values: ArrayLike<number>) => (values.length === 0 ? 0 : Array.from(values).reduce((a, v) => a + v, 0) / values.length);
  if (formula === 'curricular') return { state: [params[1]! * mean(targets) + (1 - params[1]!) * previous[0]!], scalers };
  if (formula !== 'adaface') return { state: Array.from(previous), scalers };
  const [, h, alpha] = params as [number, number, number];
  const clipped = Array.from(norms, (n) => Math.min(ADA_FACE_CONSTANTS.normMax, Math.max(ADA_FACE_CONSTANTS.normMin, n)));
  const mu = mean(clipped);
  const std = batch > 1 ? Math.sqrt(clipped.reduce((a, n) => a + (n - mu) ** 2, 0) / (batch - 1)) : 0;
  const state = [alpha * mu + (1 - alpha) * previous[0]!, alpha * std + (1 - alpha) * previous[1]!];
  clipped.forEach((n, b) => {
    scalers[b] = Math.min(1, Math.max(-1, (h * (n - state[0]!)) / (state[1]! + ADA_FACE_CONSTANTS.scalerEpsilon)));
  });
  return { state, scalers };
}

/** √(1 − c²) for c clipped to [−1, 1], as (1 − c)(1 + c). */
export function sineOfCosine(c: number): number {
  const clipped = Math.min(1, Math.max(-1, c));
  return Math.sqrt((1 - clipped) * (1 + clipped));
}

/**
 * The cosine below which ArcFace's θ + m passes π (c < cos(π − m)), as the float32 value the
 * composite op compares with; its fallback applies at and below it.
 */
export function arcFaceThreshold(m: number, easy: boolean): number {
  return easy ? 0 : Math.fround(Math.cos(Math.PI - m));
}

/**
 * g(c) and g'(c) of `formula` with `params` at the target cosine c (see {@link CosineFormula}) in
 * a row with context `row` (AdaFace reads its scaler),
 * as the composite margins compute them: sin θ and θ from c clipped to [−1, 1], their derivatives
 * bounded through {@link MIN_SINE_FOR_GRADIENT}.
 */
export function cosineMarginAndSlope(formula: CosineFormula, params: readonly number[], c: number, row?: RowContext): [number, number] {
  if (formula === 'cosface') return [c - params[0]!, 1];
  if (formula === 'curricular') return cosineMarginAndSlope('arcface', [params[0]!, 0], c);
  if (formula === 'adaface') {
    // c clamped to [−1 + ε_c, 1 − ε_c], then θ − m·ĝ clipped to [ε, π − ε]; each clip passes the
    // gradient only inside, ends included.
    const m = params[0]!;
    const scaler = row?.scaler ?? 0;
    const [clamped, cosineSlope] = adaFaceCosine(c);
    const clampedSine = sineOfCosine(clamped);
    const free = angleOf(clamped, clampedSine) - m * scaler;
    const { angleEpsilon } = ADA_FACE_CONSTANTS;
    const angle = Math.min(Math.PI - angleEpsilon, Math.max(angleEpsilon, free));
    const inside = free >= angleEpsilon && free <= Math.PI - angleEpsilon;
    return [Math.cos(angle) - (m + m * scaler), inside ? (cosineSlope * Math.sin(angle)) / Math.max(clampedSine, MIN_SINE_FOR_GRADIENT) : 0];
  }
  const sine = sineOfCosine(c);
  const divisor = Math.max(sine, MIN_SINE_FOR_GRADIENT);
  if (formula === 'arcface') {
    const [m, easy] = params as [number, number];
    if (!(c > arcFaceThreshold(m, easy === 1))) return [easy === 1 ? c : c - m * Math.sin(m), 1];
    // cos(θ + m) = c·cos m − sin θ·sin m; d sin θ/dc = −c / sin θ (bounded).
    return [c * Math.cos(m) - sine * Math.sin(m), Math.cos(m) + (c * Math.sin(m)) / divisor];
  }
  if (formula === 'spherefacer') return [sphereFaceRTarget(params[0]!, params[1]!, c), 1];
  if (formula === 'sphereface2') return [sphereFace2Value(params, c, true), 1];
  const [m1, m2, m3] = params as [number, number, number];
  const angle = m1 * angleOf(c, sine) + m2;
  // d cos(m1·θ + m2)/dc = m1·sin(m1·θ + m2) / sin θ (dθ/dc = −1 / sin θ, bounded).
  return [Math.cos(angle) - m3, (m1 * Math.sin(angle)) / divisor];
}

/** θ ∈ [0, π] of the cosine c clipped to [−1, 1], given its sine (as {@link sineOfCosine} gives it). */
function angleOf(c: number, sine: number): number {
  return Math.atan2(sine, Math.min(1, Math.max(-1, c)));
}

/** The cosine clamped as opensphere clamps it before acos (see {@link OPENSPHERE_CLAMPS}). */
function openSphereCosine(c: number): number {
  return Math.min(OPENSPHERE_CLAMPS.cosine, Math.max(-OPENSPHERE_CLAMPS.cosine, c));
}

/** θ of the cosine clamped as opensphere clamps it (see {@link OPENSPHERE_CLAMPS}). */
function openSphereAngle(c: number): number {
  const clamped = openSphereCosine(c);
  return angleOf(clamped, sineOfCosine(clamped));
}

/**
 * SphereFace-R's target value g at c for margin m and variant 0, 1 or 2: (−1)^k·cos(mθ) − 2k with
 * k = ⌊mθ/π⌋; cos(clamp(mθ, 1e-5, 3.14159)); the clamped cosine itself.
 */
function sphereFaceRTarget(m: number, variant: number, c: number): number {
  if (variant === 2) return openSphereCosine(c);
  const mTheta = m * openSphereAngle(c);
  if (variant === 1) return Math.cos(clampAngle(mTheta));
  const k = Math.floor(mTheta / Math.PI);
  return (k % 2 === 0 ? 1 : -1) * Math.cos(mTheta) - 2 * k;
}

/** The reference's clamp of a margined angle (see {@link OPENSPHERE_CLAMPS}). */
function clampAngle(theta: number): number {
  return Math.min(OPENSPHERE_CLAMPS.angleMax, Math.max(OPENSPHERE_CLAMPS.angleMin, theta));
}

/**
 * SphereFace2's value of an entry at c, params [variant index, m, t], with g its similarity
 * adjustment: 'C' g(c) − m on the target, g(c) + m elsewhere; 'A' and 'M' g(cos(θ + m)) and
 * g(cos(mθ)) on the target, g(cos θ) elsewhere (θ and the margined angle clamped as opensphere does).
 */
function sphereFace2Value([variant, m, t]: readonly number[], c: number, target: boolean): number {
  const g = (z: number) => similarityAdjustmentOf(Math.min(1, Math.max(-1, z)), t!);
  if (variant === 0) return target ? g(c) - m! : g(c) + m!;
  const theta = openSphereAngle(c);
  if (!target) return g(Math.cos(clampAngle(theta)));
  return g(Math.cos(clampAngle(variant === 1 ? theta + m! : theta * m!)));
}

/**
 * The value h(c) and slope h'(c) that `formula` gives a non-target cosine c in a row with context
 * `row`, or null where it leaves non-targets as they are: SphereFace-R's 'v2' gives cos(θ_j / m)
 * and SphereFace2 its own (both detached); CurricularFace reweights the hard negatives,
 * c > cos(θ_y + m) computed as c_y·cos m − sin θ_y·sin m without ArcFace's fallback, to
 * c·(t + c), slope t + 2c (t and the comparison constants of the backward pass); AdaFace clamps
 * them (see {@link adaFaceCosine}).
 */
export function nonTargetAndSlope(formula: CosineFormula, params: readonly number[], c: number, row: RowContext): [number, number] | null {
  if (formula === 'sphereface2') return [sphereFace2Value(params, c, false), 1];
  if (formula === 'adaface') return adaFaceCosine(c);
  if (formula === 'curricular') {
    const m = params[0]!;
    const shifted = row.target * Math.cos(m) - sineOfCosine(row.target) * Math.sin(m);
    const t = row.state[0]!;
    return c > shifted ? [c * (t + c), t + 2 * c] : null;
  }
  if (formula !== 'spherefacer' || params[1] !== 2) return null;
  return [Math.cos(openSphereAngle(c) / params[0]!), 1];
}

/** Whether `formula` with `params` rewrites non-target entries (see {@link nonTargetAndSlope}). */
export function rewritesNonTargets(formula: CosineFormula, params: readonly number[]): boolean {
  return formula === 'curricular' || formula === 'adaface' || detachesNonTargets(formula, params);
}

/**
 * Whether the non-target entries that `formula` with `params` rewrites keep slope 1 (their
 * rewriting is detached from the gradient, as SphereFace-R 'v2' and SphereFace2 detach it): a
 * gradient in the logits then need not evaluate them.
 */
export function detachesNonTargets(formula: CosineFormula, params: readonly number[]): boolean {
  return formula === 'sphereface2' || (formula === 'spherefacer' && params[1] === 2);
}

/**
 * Whether a kernel pass evaluates the non-target entries of `formula` with `params`: where the
 * formula rewrites them, except in a pass that computes only slopes (the gradient in the logits)
 * when that rewriting is detached, every slope then being 1. SphereFace2 rewrites all B × C entries,
 * so its gradient in the logits skips that work; the cpu and webgpu kernels both ask here.
 */
export function evaluatesNonTargets(formula: CosineFormula, params: readonly number[], slopesOnly: boolean): boolean {
  return rewritesNonTargets(formula, params) && !(slopesOnly && detachesNonTargets(formula, params));
}
