/**
 * The math that ops, fused kernels and WGSL generation share, on plain numbers: the norm's
 * epsilon, ψ's interval thresholds and ψ with its slope. A leaf: it imports nothing, so both the
 * ops (src/ops) and the kernels (src/kernels) build on it without importing each other.
 * @internal
 */

/**
 * Squared norm added under the square root for a vector whose largest magnitude is below
 * {@link MIN_NORMAL_FLOAT32} (the zero vector, or subnormal entries only), so that it has a finite
 * norm (1e-6) and a finite, zero gradient: d√(s + ε)/dx = x/√(s + ε) = 0 at x = 0. Every other
 * vector's norm is exact, without ε (see {@link MIN_NORMAL_FLOAT32}).
 */
export const NORM_EPSILON = 1e-12;

/**
 * float32's smallest normal number, 2^−126 ≈ 1.18e-38. A vector whose largest magnitude k is at
 * least this has the norm k·√(Σ (x_i/k)²), computed after dividing by k so that neither overflow
 * (from |x| ≈ 1.8e19) nor underflow (below |x| ≈ 1e-19) touches the squares: x/‖x‖ is then exact
 * at every scale from here to float32's largest number.
 */
export const MIN_NORMAL_FLOAT32 = 2 ** -126;

/**
 * The boundaries of ψ's intervals as cosines, cos(jπ/m) for j = 1..m−1 (decreasing): c lies in
 * interval k when it is at or below exactly k of them.
 */
export function intervalThresholds(m: number): number[] {
  return Array.from({ length: m - 1 }, (_, i) => Math.cos(((i + 1) * Math.PI) / m));
}

/**
 * ψ(c) = (−1)^k·T_m(c) − 2k and dψ/dc = (−1)^k·m·U_{m−1}(c), for c already clipped to [−1, 1],
 * by the Chebyshev recurrences (T_{n+1} = 2c·T_n − T_{n−1}, likewise U), with `bounds` =
 * {@link intervalThresholds}(m) (as float32 values where the caller compares float32 cosines).
 */
export function psiAndSlope(c: number, m: number, bounds: readonly number[]): [number, number] {
  let k = 0;
  for (const t of bounds) if (c <= t) k++;
  let [t0, t1] = [1, c];
  for (let n = 1; n < m; n++) [t0, t1] = [t1, 2 * c * t1 - t0];
  let [u0, u1] = [0, 1]; // U_{−1} = 0, U_0 = 1
  for (let n = 1; n < m; n++) [u0, u1] = [u1, 2 * c * u1 - u0];
  const sign = k % 2 === 0 ? 1 : -1;
  return [sign * t1 - 2 * k, sign * m * u1];
}
