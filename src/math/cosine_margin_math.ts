/**
 * What the cosine margins share on plain numbers: the bound on the derivatives of sin θ and θ,
 * sin θ and θ from a cosine, opensphere's angle clamps, and the variants of SphereFace-R and
 * SphereFace2. Each margin's own value and slope live in its file in src/margins/, beside its
 * composite op and WGSL. A leaf: it imports nothing.
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

/** √(1 − c²) for c clipped to [−1, 1], as (1 − c)(1 + c). */
export function sineOfCosine(c: number): number {
  const clipped = Math.min(1, Math.max(-1, c));
  return Math.sqrt((1 - clipped) * (1 + clipped));
}

/** θ ∈ [0, π] of the cosine c clipped to [−1, 1], given its sine (as {@link sineOfCosine} gives it). */
export function angleOf(c: number, sine: number): number {
  return Math.atan2(sine, Math.min(1, Math.max(-1, c)));
}

/** The cosine clamped as opensphere clamps it before acos (see {@link OPENSPHERE_CLAMPS}). */
export function openSphereCosine(c: number): number {
  return Math.min(OPENSPHERE_CLAMPS.cosine, Math.max(-OPENSPHERE_CLAMPS.cosine, c));
}

/** θ of the cosine clamped as opensphere clamps it (see {@link OPENSPHERE_CLAMPS}). */
export function openSphereAngle(c: number): number {
  const clamped = openSphereCosine(c);
  return angleOf(clamped, sineOfCosine(clamped));
}

/** The reference's clamp of a margined angle (see {@link OPENSPHERE_CLAMPS}). */
export function clampOpenSphereAngle(theta: number): number {
  return Math.min(OPENSPHERE_CLAMPS.angleMax, Math.max(OPENSPHERE_CLAMPS.angleMin, theta));
}
