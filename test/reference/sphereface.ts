// Float64 reference implementations written straight from the papers' equations, in plain
// TypeScript: no tfjs, no Chebyshev polynomials, θ = acos(c) and k = ⌊mθ/π⌋ as in the paper.

export type Matrix = number[][];

/** ψ(θ) = (−1)^k cos(mθ) − 2k, θ = acos(c), k = ⌊mθ/π⌋ (SphereFace eq. 6). */
export function psiRef(c: number, m: number): number {
  const theta = Math.acos(Math.min(1, Math.max(-1, c)));
  const k = Math.floor((m * theta) / Math.PI);
  return (k % 2 === 0 ? 1 : -1) * Math.cos(m * theta) - 2 * k;
}

export function norm(v: number[]): number {
  return Math.sqrt(v.reduce((s, a) => s + a * a, 0));
}

export function column(w: Matrix, j: number): number[] {
  return w.map((row) => row[j]!);
}

/** cos θ_bj between embedding x_b and class column w_j (0 for a zero vector). */
export function cosines(x: Matrix, w: Matrix): Matrix {
  const classes = w[0]!.length;
  return x.map((xb) => {
    const nx = norm(xb);
    return Array.from({ length: classes }, (_, j) => {
      const wj = column(w, j);
      const nw = norm(wj);
      const dot = xb.reduce((s, a, i) => s + a * wj[i]!, 0);
      return nx === 0 || nw === 0 ? 0 : dot / (nx * nw);
    });
  });
}

/**
 * A-Softmax logits: ‖x‖cos θ_j off target; (λ‖x‖cos θ_y + ‖x‖ψ(θ_y)) / (1 + λ) on target.
 * With m = 1 (ψ = cos) these are the modified softmax logits whatever λ is.
 */
export function angularLogitsRef(x: Matrix, w: Matrix, labels: number[] | null, m: number, lambda: number): Matrix {
  const cos = cosines(x, w);
  return cos.map((row, b) => {
    const r = norm(x[b]!);
    return row.map((c, j) => (labels != null && j === labels[b] ? (lambda * r * c + r * psiRef(c, m)) / (1 + lambda) : r * c));
  });
}

/** Cosine-logit head: s·cos θ_j (NormLinear with normalizeInput), or s·‖x‖cos θ_j without. */
export function normLinearRef(x: Matrix, w: Matrix, normalizeInput: boolean, scale: number): Matrix {
  const cos = cosines(x, w);
  return cos.map((row, b) => row.map((c) => scale * (normalizeInput ? 1 : norm(x[b]!)) * c));
}

/** Mean softmax cross-entropy of logits against class indices. */
export function crossEntropyRef(logits: Matrix, labels: number[]): number {
  let total = 0;
  logits.forEach((row, b) => {
    const max = Math.max(...row);
    const lse = max + Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0));
    total += lse - row[labels[b]!]!;
  });
  return total / logits.length;
}

/** Central finite-difference gradient of a float64 scalar function of a matrix. */
export function numericGradient(f: (m: Matrix) => number, at: Matrix, h = 1e-6): Matrix {
  return at.map((row, i) =>
    row.map((_, j) => {
      const plus = at.map((r) => r.slice());
      const minus = at.map((r) => r.slice());
      plus[i]![j]! += h;
      minus[i]![j]! -= h;
      return (f(plus) - f(minus)) / (2 * h);
    }),
  );
}

/** Σ_bj a_bj·r_bj: reduces a matrix to a scalar with fixed weights. */
export function weightedSum(a: Matrix, weights: Matrix): number {
  return a.reduce((s, row, i) => s + row.reduce((t, v, j) => t + v * weights[i]![j]!, 0), 0);
}

/** Cosine-margin logits s·cos θ_j off target and s·g(θ_y) on target, g given on the angle θ_y. */
function cosineMarginRef(x: Matrix, w: Matrix, labels: number[], scale: number, g: (theta: number, c: number) => number): Matrix {
  return cosines(x, w).map((row, b) => row.map((c, j) => scale * (j === labels[b] ? g(Math.acos(Math.min(1, Math.max(-1, c))), c) : c)));
}

/** CosFace (Wang et al., CVPR 2018, eq. 4): target s·(cos θ_y − m). */
export function cosFaceRef(x: Matrix, w: Matrix, labels: number[], scale: number, m: number): Matrix {
  return cosineMarginRef(x, w, labels, scale, (_, c) => c - m);
}

/** ArcFace (Deng et al., CVPR 2019, eq. 3) with insightface's fallback, or the easy margin. */
export function arcFaceRef(x: Matrix, w: Matrix, labels: number[], scale: number, m: number, easy = false): Matrix {
  return cosineMarginRef(x, w, labels, scale, (theta, c) => {
    if (easy) return c > 0 ? Math.cos(theta + m) : c;
    return theta + m <= Math.PI ? Math.cos(theta + m) : c - m * Math.sin(m);
  });
}

/** Combined margin (insightface): target s·(cos(m1·θ_y + m2) − m3). */
export function combinedMarginRef(x: Matrix, w: Matrix, labels: number[], scale: number, m1: number, m2: number, m3: number): Matrix {
  return cosineMarginRef(x, w, labels, scale, (theta) => Math.cos(m1 * theta + m2) - m3);
}

/**
 * Sub-center ArcFace (Deng et al., ECCV 2020): cos θ_j = max_k cos(x, w_{j,k}) over the K columns
 * j·K … j·K + K − 1 of w [D, C·K]; then ArcFace with insightface's fallback on the target.
 */
export function subCenterArcFaceRef(x: Matrix, w: Matrix, labels: number[], scale: number, m: number, k: number, training: boolean): Matrix {
  const all = cosines(x, w);
  const classes = w[0]!.length / k;
  return all.map((row, b) =>
    Array.from({ length: classes }, (_, j) => {
      const c = Math.max(...row.slice(j * k, (j + 1) * k));
      if (!training || j !== labels[b]) return scale * c;
      const theta = Math.acos(Math.min(1, Math.max(-1, c)));
      return scale * (theta + m <= Math.PI ? Math.cos(theta + m) : c - m * Math.sin(m));
    }),
  );
}

/**
 * AdaFace's per-row margin scalers (Kim et al., CVPR 2022, and its head.py): n = clip(‖x‖, 0.001,
 * 100); μ, σ = tAlpha·(batch mean, sample sd of n) + (1 − tAlpha)·(running μ0, σ0);
 * ĝ = clip(h·(n − μ)/(σ + 0.001), −1, 1).
 */
export function adaFaceScalersRef(x: Matrix, h: number, tAlpha: number, mean0 = 20, std0 = 100): { scalers: number[]; mean: number; std: number } {
  const n = x.map((row) => Math.min(100, Math.max(0.001, norm(row))));
  const batchMean = n.reduce((a, v) => a + v, 0) / n.length;
  const batchStd = n.length > 1 ? Math.sqrt(n.reduce((a, v) => a + (v - batchMean) ** 2, 0) / (n.length - 1)) : 0;
  const mean = tAlpha * batchMean + (1 - tAlpha) * mean0;
  const std = tAlpha * batchStd + (1 - tAlpha) * std0;
  return { scalers: n.map((v) => Math.min(1, Math.max(-1, (h * (v - mean)) / (std + 1e-3)))), mean, std };
}

/**
 * AdaFace's training logits for given scalers ĝ, as head.py computes them: every cosine clamped to
 * [−1 + 1e-3, 1 − 1e-3]; target s·(cos(clip(θ_y − m·ĝ, 1e-3, π − 1e-3)) − m − m·ĝ), others s·c.
 */
export function adaFaceRef(x: Matrix, w: Matrix, labels: number[], scale: number, m: number, scalers: number[]): Matrix {
  return cosines(x, w).map((row, b) =>
    row.map((raw, j) => {
      const c = Math.min(1 - 1e-3, Math.max(-1 + 1e-3, raw));
      if (j !== labels[b]) return scale * c;
      const g = scalers[b]!;
      const theta = Math.acos(c);
      return scale * (Math.cos(Math.min(Math.PI - 1e-3, Math.max(1e-3, theta - m * g))) - m - m * g);
    }),
  );
}

/** CurricularFace's t after one pass (Huang et al., CVPR 2020, and its reference head): t ← tAlpha·mean(cos θ_y) + (1 − tAlpha)·t0. */
export function curricularTRef(x: Matrix, w: Matrix, labels: number[], tAlpha: number, t0 = 0): number {
  const targets = cosines(x, w).map((row, b) => row[labels[b]!]!);
  return tAlpha * (targets.reduce((a, v) => a + v, 0) / targets.length) + (1 - tAlpha) * t0;
}

/**
 * CurricularFace's training logits for a given t: target s·cos(θ_y + m) (s·(cos θ_y − m·sin m) past
 * θ_y + m > π); a non-target cos θ_j above cos(θ_y + m) becomes s·cos θ_j·(t + cos θ_j), others s·cos θ_j.
 */
export function curricularFaceRef(x: Matrix, w: Matrix, labels: number[], scale: number, m: number, t: number): Matrix {
  return cosines(x, w).map((row, b) => {
    const cy = row[labels[b]!]!;
    const theta = Math.acos(Math.min(1, Math.max(-1, cy)));
    const shifted = Math.cos(theta + m);
    return row.map((c, j) => {
      if (j === labels[b]) return scale * (theta + m <= Math.PI ? shifted : cy - m * Math.sin(m));
      return scale * (c > shifted ? c * (t + c) : c);
    });
  });
}

/**
 * SphereFace-R's d(θ) = g(θ) − cos θ for every entry, as its reference's get_d_theta: θ from cos θ
 * clamped to [−1 + 1e-5, 1 − 1e-5], the target's angle multiplied by m; 'v0' g = (−1)^k cos(mθ) − 2k,
 * k = ⌊mθ/π⌋; 'v1' g = cos(clamp(mθ, 1e-5, 3.14159)); 'v2' g = cos(θ'/m) with θ' that angle (so the
 * target keeps cos θ and a non-target gets cos(θ/m)).
 */
export function sphereFaceRDeltaRef(x: Matrix, w: Matrix, labels: number[], m: number, variant: 'v0' | 'v1' | 'v2'): Matrix {
  return cosines(x, w).map((row, b) =>
    row.map((c, j) => {
      const theta = Math.acos(Math.min(1 - 1e-5, Math.max(-1 + 1e-5, c)));
      const mTheta = j === labels[b] ? m * theta : theta;
      let g: number;
      if (variant === 'v0') {
        const k = Math.floor(mTheta / Math.PI);
        g = (k % 2 === 0 ? 1 : -1) * Math.cos(mTheta) - 2 * k;
      } else if (variant === 'v1') {
        g = Math.cos(Math.min(3.14159, Math.max(1e-5, mTheta)));
      } else {
        g = Math.cos(mTheta / m);
      }
      return g - c;
    }),
  );
}

/** SphereFace-R's logits r·(cos θ_bj + d_bj) for given d: r = s ('hard') or ‖x_b‖ ('none', 'soft'). */
export function sphereFaceRRef(x: Matrix, w: Matrix, delta: Matrix, hard: boolean, scale: number): Matrix {
  return cosines(x, w).map((row, b) => row.map((c, j) => (hard ? scale : norm(x[b]!)) * (c + delta[b]![j]!)));
}

/** SphereFace2's similarity adjustment g(z) = 2((z + 1)/2)^t − 1. */
function similarityRef(z: number, t: number): number {
  return 2 * ((z + 1) / 2) ** t - 1;
}

/**
 * SphereFace2's d = g − cos θ for every entry, as its reference (opensphere's SphereFace2.forward):
 * 'C': g(cos θ) − m on the target, g(cos θ) + m elsewhere; 'A' and 'M': g(cos θ') with
 * θ' = clamp(θ + m or mθ on the target, θ elsewhere; [1e-5, 3.14159]), θ = acos(clamp(cos θ, ±(1 − 1e-5))).
 */
export function sphereFace2DeltaRef(x: Matrix, w: Matrix, labels: number[], variant: 'C' | 'A' | 'M', m: number, t: number): Matrix {
  return cosines(x, w).map((row, b) =>
    row.map((c, j) => {
      const target = j === labels[b];
      if (variant === 'C') return similarityRef(c, t) - m * (target ? 1 : -1) - c;
      const theta = Math.acos(Math.min(1 - 1e-5, Math.max(-1 + 1e-5, c)));
      const shifted = target ? (variant === 'A' ? theta + m : m * theta) : theta;
      return similarityRef(Math.cos(Math.min(3.14159, Math.max(1e-5, shifted))), t) - c;
    }),
  );
}

/** SphereFace2's logits r·(cos θ + d) + b for given d (training), or r·g(cos θ) + b (inference: d = null). */
export function sphereFace2Ref(x: Matrix, w: Matrix, delta: Matrix | null, r: number, bias: number, t: number): Matrix {
  return cosines(x, w).map((row, b) => row.map((c, j) => r * (delta == null ? similarityRef(c, t) : c + delta[b]![j]!) + bias));
}

/**
 * SphereFace2's starting bias from what it is for (the paper's derivation): with every cos θ = 0
 * at initialization, the bias at which the loss is stationary in b, α·(1 − σ(a_y + b)) =
 * (1 − α)(C − 1)·σ(a_i + b), a_y and a_i the target and non-target logits less b. Found by bisection.
 */
export function sphereFace2BiasRef(classes: number, variant: 'C' | 'A' | 'M', alpha: number, r: number, m: number, t: number): number {
  const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
  const thetaY = variant === 'C' ? Math.PI / 2 : Math.min(Math.PI, variant === 'A' ? Math.PI / 2 + m : (m * Math.PI) / 2);
  const ay = variant === 'C' ? r * (similarityRef(0, t) - m) : r * similarityRef(Math.cos(thetaY), t);
  const ai = variant === 'C' ? r * (similarityRef(0, t) + m) : r * similarityRef(0, t);
  // 1 − σ(v) written σ(−v), exact where σ(v) rounds to 1.
  const f = (b: number) => alpha * sigmoid(-(ay + b)) - (1 - alpha) * (classes - 1) * sigmoid(ai + b); // decreasing in b
  let [lo, hi] = [-1e4, 1e4];
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (f(mid) > 0 || (f(mid) === 0 && sigmoid(ai + mid) === 0))
      lo = mid; // both terms underflowed: still left of the root
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** SphereFace2's loss: mean over all entries of (lw·C/r)·(α or 1 − α)·BCE(logit, one-hot target). */
export function sphereFace2LossRef(logits: Matrix, labels: number[], alpha: number, r: number, lw: number): number {
  const classes = logits[0]!.length;
  let total = 0;
  logits.forEach((row, b) =>
    row.forEach((z, j) => {
      const y = j === labels[b] ? 1 : 0;
      const bce = Math.max(z, 0) - z * y + Math.log1p(Math.exp(-Math.abs(z)));
      total += ((lw * classes) / r) * (y === 1 ? alpha : 1 - alpha) * bce;
    }),
  );
  return total / (logits.length * classes);
}
