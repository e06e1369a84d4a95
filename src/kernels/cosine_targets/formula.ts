// What the fused cosine-margin kernel knows of a margin: a formula, described as data (host value
// and slope, WGSL, running state) by the margin's own file in src/margins/ and handed to the
// kernel by src/margins/cosine_formulas.ts. The kernel never names a margin; it looks the
// formula up by the name in its attributes.

/**
 * What an entry's margin may depend on besides its own cosine: its row's target cosine (0 for a
 * row without a target), the pass's state (e.g. CurricularFace's t: state[0]), and the row's
 * margin scaler (AdaFace's ĝ; 0 for formulas without one).
 * @internal
 */
export interface RowContext {
  target: number;
  state: readonly number[];
  scaler: number;
}

/**
 * A running statistic a formula updates each pass before use, with momentum α = params[tAlpha] (the references' t_alpha):
 * 'target-mean': state [t], t ← α·mean(c_y) + (1 − α)·t over the rows (a row without a target
 * counts 0); 'norm-statistics': state [μ, σ] of the feature norms clipped to [normMin, normMax],
 * μ ← α·mean + (1 − α)·μ, σ ← α·std + (1 − α)·σ (std with n − 1, 0 for one row), and per row the
 * margin scaler ĝ_b = clip(h·(n_b − μ)/(σ + scalerEpsilon), −1, 1), h = params[h].
 * @internal
 */
export type RunningState =
  | { readonly statistic: 'target-mean'; readonly tAlpha: number }
  | {
      readonly statistic: 'norm-statistics';
      readonly tAlpha: number;
      readonly h: number;
      readonly normMin: number;
      readonly normMax: number;
      readonly scalerEpsilon: number;
    };

/** How a formula treats the non-target entries: leaves them, rewrites them, or rewrites them detached (slope 1). @internal */
export type NonTargets = 'kept' | 'rewritten' | 'detached';

/** A formula's WGSL: the structure that names its program, its numbers as uniforms p0…p3, and its code. @internal */
export interface WgslFormula {
  /**
   * What the code depends on beyond the uniforms (the formula and its flags, e.g. ArcFace's easy
   * margin): programs are keyed by it, so new values of the uniforms compile nothing.
   */
  structure: string;
  /** The values of the uniforms p0…p3. */
  uniforms: readonly [number, number, number, number];
  /**
   * `fn margin(c : f32) -> vec2<f32>`, (g(c), g'(c)) as the host's `target` computes them; where
   * non-targets are not kept, also `fn other(c : f32, rowTarget : f32, state : f32) -> vec2<f32>`.
   * It may read `uniforms.p0`…`p3` and, for a formula with norm statistics, `rowScaler`.
   */
  code: string;
}

/**
 * A cosine margin formula as the fused kernel computes it, params being the margin's numbers in
 * the formula's order. Values and slopes follow the composite op of the same margin.
 * @internal
 */
export interface CosineKernelFormula {
  /** The name in the kernel's attributes (the margin's kind). */
  readonly name: string;
  /** g(c) and g'(c) at a target cosine c in a row with context `row`. */
  target(params: readonly number[], c: number, row: RowContext): [number, number];
  /** The non-targets: kept (the default), rewritten by `nonTarget`, or rewritten detached. */
  nonTargets?(params: readonly number[]): NonTargets;
  /** h(c) and h'(c) of a non-target cosine c, or null where it stays c (slope 1). */
  nonTarget?(params: readonly number[], c: number, row: RowContext): [number, number] | null;
  /** The running statistic the formula updates each pass, if any. */
  readonly running?: RunningState;
  /** Its WGSL, for the webgpu kernel. */
  wgsl(params: readonly number[]): WgslFormula;
}

const FORMULAS = new Map<string, CosineKernelFormula>();

/** Makes `formulas` known to the kernel (src/margins/cosine_formulas.ts calls it once). @internal */
export function registerCosineFormulas(formulas: Iterable<CosineKernelFormula>): void {
  for (const formula of formulas) FORMULAS.set(formula.name, formula);
}

/** The formula named `name`; throws for a name no margin registered. @internal */
export function cosineFormula(name: string): CosineKernelFormula {
  const formula = FORMULAS.get(name);
  if (formula == null) throw new Error(`cosineTargets: no cosine margin formula named "${name}" is registered; known: ${[...FORMULAS.keys()].join(', ')}.`);
  return formula;
}

/** How `formula` with `params` treats the non-target entries. @internal */
export function nonTargetsOf(formula: CosineKernelFormula, params: readonly number[]): NonTargets {
  return formula.nonTargets?.(params) ?? 'kept';
}

/**
 * Whether a kernel pass evaluates the non-target entries: where the formula rewrites them, except
 * in a pass that computes only slopes (the gradient in the logits) when that rewriting is
 * detached, every slope then being 1. SphereFace2 rewrites all B × C entries, so its gradient in
 * the logits skips that work; the cpu and webgpu kernels both ask here.
 * @internal
 */
export function evaluatesNonTargets(formula: CosineKernelFormula, params: readonly number[], slopesOnly: boolean): boolean {
  const nonTargets = nonTargetsOf(formula, params);
  return nonTargets === 'rewritten' || (nonTargets === 'detached' && !slopesOnly);
}

/** Whether `formula` reads the embeddings' norms (a margin scaler per row). @internal */
export function usesFeatureNorms(formula: CosineKernelFormula): boolean {
  return formula.running?.statistic === 'norm-statistics';
}

/**
 * The pass's state and per-row margin scalers (see {@link RunningState}), from the previous state,
 * the rows' target cosines (0 for a row without a target) and the rows' feature norms (read only
 * for 'norm-statistics'); without a running statistic, the previous state and scalers 0.
 * @internal
 */
export function passState(
  formula: CosineKernelFormula,
  params: readonly number[],
  previous: readonly number[],
  targets: ArrayLike<number>,
  norms: ArrayLike<number>,
): { state: number[]; scalers: number[] } {
  const batch = targets.length;
  const scalers = new Array<number>(batch).fill(0);
  const mean = (values: ArrayLike<number>) => (values.length === 0 ? 0 : Array.from(values).reduce((a, v) => a + v, 0) / values.length);
  const running = formula.running;
  if (running == null) return { state: Array.from(previous), scalers };
  const alpha = params[running.tAlpha]!;
  if (running.statistic === 'target-mean') return { state: [alpha * mean(targets) + (1 - alpha) * previous[0]!], scalers };
  const h = params[running.h]!;
  const clipped = Array.from(norms, (n) => Math.min(running.normMax, Math.max(running.normMin, n)));
  const mu = mean(clipped);
  const std = batch > 1 ? Math.sqrt(clipped.reduce((a, n) => a + (n - mu) ** 2, 0) / (batch - 1)) : 0;
  const state = [alpha * mu + (1 - alpha) * previous[0]!, alpha * std + (1 - alpha) * previous[1]!];
  clipped.forEach((n, b) => {
    scalers[b] = Math.min(1, Math.max(-1, (h * (n - state[0]!)) / (state[1]! + running.scalerEpsilon)));
  });
  return { state, scalers };
}
