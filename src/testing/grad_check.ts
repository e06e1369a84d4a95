import * as tf from '@tensorflow/tfjs-core';
import { assertInteger, assertPositive } from '../util/validate.js';
import { seededRandom } from '../util/seeded_random.js';

/** Options of {@link gradCheck}. */
export interface GradCheckOptions {
  /** Number of random directions to probe, an integer ≥ 1. Default: 6. */
  directions?: number;
  /**
   * Finite-difference step, relative to max(1, largest |input|). The default 5e-3 ≈ ε_f32^(1/3)
   * balances float32 rounding (∝ ε/h) against truncation (∝ h²) for central differences.
   */
  epsilon?: number;
  /** Largest relative error for `ok`. Default: 2e-2 (float32 central differences). */
  tolerance?: number;
  /** Seed of the random directions and output weights. Default: 1. */
  seed?: number;
}

/** What {@link gradCheck} found. */
export interface GradCheckResult {
  /** The worst relative error over all directions. */
  maxRelativeError: number;
  /** Relative error per direction. */
  errors: number[];
  /** The tolerance that `ok` was judged by. */
  tolerance: number;
  /** `maxRelativeError <= tolerance`, and every value finite. */
  ok: boolean;
}

function randomLike(shape: number[], rand: () => number): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = 2 * rand() - 1;
  return tf.tensor(values, shape, 'float32');
}

/**
 * Checks a function's tfjs gradients against central finite differences along random directions.
 *
 * The output of `f` is reduced to a scalar L = Σ f(x)·R with fixed random weights R, so every
 * output entry matters. For each random direction v (entries uniform in [−1, 1] for every input),
 * the directional derivative ⟨∇L, v⟩ from `tf.grads` is compared with
 * (L(x + h·v) − L(x − h·v)) / 2h. The relative error is |a − b| / max(|a|, |b|, 1e-3·Σ|∇L ∘ v|):
 * the floor keeps directions with heavy cancellation from inflating it. Everything runs in float32
 * on the active backend (values are read back asynchronously, so it works on every backend,
 * webgpu in Node included); for tighter checks compare against a float64 reference instead.
 *
 * @param f - a function of float32 tensors returning a tensor; it must be differentiable by tfjs.
 * @param xs - the point at which to check, one tensor per argument of `f`.
 * @param options - see {@link GradCheckOptions}.
 * @returns the worst relative error, the errors per direction, and whether they pass.
 * @throws Error (a rejected promise) if `xs` is empty or options are invalid.
 * @example
 * ```ts
 * const result = await gradCheck((c) => psi(c, 4), [tf.tensor1d([0.3, -0.2, 0.9])]);
 * console.log(result.maxRelativeError); // ~1e-4
 * ```
 */
export async function gradCheck(f: (...xs: tf.Tensor[]) => tf.Tensor, xs: tf.Tensor[], options: GradCheckOptions = {}): Promise<GradCheckResult> {
  const { directions = 6, epsilon = 5e-3, tolerance = 2e-2, seed = 1 } = options;
  assertInteger('gradCheck', 'directions', directions, 1);
  assertPositive('gradCheck', 'epsilon', epsilon);
  assertPositive('gradCheck', 'tolerance', tolerance);
  if (!Array.isArray(xs) || xs.length === 0) throw new Error('gradCheck: expected at least one input tensor.');
  const rand = seededRandom(seed);
  /** The value of a scalar computed by `fn`, read asynchronously; every tensor `fn` makes is freed. */
  const scalar = async (fn: () => tf.Tensor): Promise<number> => {
    const t = tf.tidy(fn);
    try {
      return (await t.data())[0] as number;
    } finally {
      t.dispose();
    }
  };
  const inputs = xs.map((x) => tf.cast(x, 'float32'));
  const probe = tf.tidy(() => f(...inputs));
  const weights = randomLike(probe.shape, rand);
  probe.dispose();
  const objective = (...args: tf.Tensor[]) => tf.sum(tf.mul(f(...args), weights));
  const grads = tf.grads(objective)(inputs);
  try {
    let largest = 1;
    for (const x of inputs) largest = Math.max(largest, await scalar(() => tf.max(tf.abs(x))));
    const h = epsilon * largest;
    const errors: number[] = [];
    for (let d = 0; d < directions; d++) {
      const v = inputs.map((x) => randomLike(x.shape, rand));
      let analytic = 0;
      let magnitude = 0;
      for (const [i, g] of grads.entries()) {
        analytic += await scalar(() => tf.sum(tf.mul(g, v[i]!)));
        magnitude += await scalar(() => tf.sum(tf.abs(tf.mul(g, v[i]!))));
      }
      const at = (sign: number) => scalar(() => objective(...inputs.map((x, i) => tf.add(x, tf.mul(sign * h, v[i]!)))));
      const numeric = ((await at(1)) - (await at(-1))) / (2 * h);
      tf.dispose(v);
      const denominator = Math.max(Math.abs(analytic), Math.abs(numeric), 1e-3 * magnitude, Number.MIN_VALUE);
      const error = Math.abs(analytic - numeric) / denominator;
      errors.push(Number.isFinite(error) ? error : Number.POSITIVE_INFINITY);
    }
    const maxRelativeError = Math.max(...errors);
    return { maxRelativeError, errors, tolerance, ok: maxRelativeError <= tolerance };
  } finally {
    tf.dispose([...inputs, weights, ...grads]);
  }
}
