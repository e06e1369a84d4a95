// The margin values at their entry points: each factory's kind and params (what the fused kernels
// are chosen from), the checks of their arguments with whole messages naming the owner, and
// asMargin's check of what marginLogits is given as a margin.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { angularMargin } from '../../src/margins/angular_margin.js';
import { adaFaceMargin, adaFaceRunningMargin } from '../../src/margins/ada_face_margin.js';
import { combinedCosineMargin } from '../../src/margins/combined_cosine_margin.js';
import { cosFaceMargin } from '../../src/margins/cos_face_margin.js';
import { curricularFaceMargin, curricularFaceRunningMargin } from '../../src/margins/curricular_face_margin.js';
import { asMargin } from '../../src/margins/margin.js';
import { sphereFace2Margin } from '../../src/margins/sphere_face2_margin.js';
import { sphereFaceRMargin } from '../../src/margins/sphere_face_r_margin.js';
import { ADA_FACE_CONSTANTS } from '../../src/margins/ada_face_margin.js';
import { marginLogits } from '../../src/functional/margin_logits.js';
import { transcendentalAtol } from '../helpers.js';

describe('margin values: kinds and params', () => {
  it('SphereFace2 and SphereFace-R have their kind in every variant, and SphereFace-R defaults to v0', () => {
    for (const variant of ['C', 'A', 'M'] as const) expect(sphereFace2Margin(variant, variant === 'M' ? 1.5 : 0.4, 3).kind).toBe('sphereFace2');
    for (const variant of ['v0', 'v1', 'v2'] as const) expect(sphereFaceRMargin(1.5, variant).kind).toBe('sphereFaceR');
    expect(sphereFaceRMargin(1.5).params).toEqual({ margin: 1.5, variant: 'v0' });
  });

  it('AdaFace with given scalers keeps them in its params; CurricularFace has no commit key without a commit', () => {
    const scaler = tf.zeros([2, 1]);
    const ada = adaFaceMargin(0.4, scaler);
    expect(ada.params.margin).toBe(0.4);
    expect(ada.params.scaler).toBe(scaler);
    expect(Object.keys(curricularFaceMargin(0.5, 0.3).params).sort()).toEqual(['margin', 't', 'tAlpha']);
    expect(Object.keys(curricularFaceRunningMargin(0.5, 0.3, 0.01, () => undefined).params).sort()).toEqual(['commit', 'margin', 't', 'tAlpha']);
  });
});

describe('margin values: argument checks', () => {
  it('a numeric string is not a number, for any range-checked parameter', () => {
    expect(() => cosFaceMargin('0.3' as unknown as number)).toThrow('CosFace: margin must be a number in [0, 2), but got "0.3".');
    expect(() => sphereFace2Margin('C', '0.4' as unknown as number, 3)).toThrow(/^SphereFace2: margin must be a finite number >= 0 for variant 'C', but got/);
    expect(() => sphereFaceRMargin('1.5' as unknown as number)).toThrow(/^SphereFaceR: margin must be a finite number >= 1/);
  });

  it('an infinite margin is rejected where the range has no upper end', () => {
    expect(() => sphereFace2Margin('M', Infinity, 3)).toThrow(/^SphereFace2: margin must be a finite number >= 1 for variant 'M', but got Infinity/);
    expect(() => sphereFaceRMargin(Infinity)).toThrow(/^SphereFaceR: margin must be a finite number >= 1 \(1: no margin\), but got Infinity/);
  });

  it('each owner is named', () => {
    expect(() => combinedCosineMargin(1, 0.3, 2)).toThrow(/^CombinedMargin: m3 must be a number in \[0, 2\), but got 2/);
    expect(() => combinedCosineMargin(1, 4, 0.2)).toThrow(/^CombinedMargin: m2 must be a number in \[0, π\), but got 4/);
    expect(() => adaFaceMargin(-1, tf.zeros([1, 1]))).toThrow(/^AdaFace: margin/);
    const running = { embeddings: tf.ones([2, 2]) as tf.Tensor2D, mean: tf.scalar(20), std: tf.scalar(100), h: 0.333, tAlpha: 0.01 };
    expect(() => adaFaceRunningMargin(-1, running)).toThrow(/^AdaFace: margin/);
    expect(() => curricularFaceRunningMargin(-1, 0, 0.01)).toThrow(/^CurricularFace: margin/);
    expect(() => angularMargin(0, 0)).toThrow(/^angularSoftmax: margin must be an integer >= 1, but got 0/);
  });

  it("SphereFace2's margin may be exactly its lower end (0, or 1 for M)", () => {
    expect(sphereFace2Margin('C', 0, 3).params.margin).toBe(0);
    expect(sphereFace2Margin('M', 1, 3).params.margin).toBe(1);
  });

  it('λ as a tensor must be a float32 scalar, and the message shows what came', () => {
    expect(() => angularMargin(4, tf.scalar(1, 'int32'))).toThrow(
      'angularSoftmax: lambda (λ) is required: a finite number >= 0 or a float32 scalar tensor, but got a int32 tensor of shape [].',
    );
    expect(() => angularMargin(4, tf.zeros([2, 1]) as unknown as tf.Scalar)).toThrow(
      'angularSoftmax: lambda (λ) is required: a finite number >= 0 or a float32 scalar tensor, but got a float32 tensor of shape [2, 1].',
    );
  });
});

describe('AdaFace composite margin', () => {
  it('a single-row batch keeps a finite running σ (its batch σ taken as 0)', async () => {
    let state: tf.Tensor1D | null = null;
    const running = {
      embeddings: tf.tensor2d([[3, 4]]),
      mean: tf.scalar(20),
      std: tf.scalar(100),
      h: 0.333,
      tAlpha: 0.01,
      commit: (s: tf.Tensor1D) => {
        state = tf.keep(s);
      },
    };
    const out = adaFaceRunningMargin(0.4, running).apply(tf.tensor2d([[0.5]]));
    expect(Array.from(await out.data()).every(Number.isFinite)).toBe(true);
    // read asynchronously: webgpu in Node cannot read synchronously
    const committed = Array.from(await state!.data());
    expect(committed[0]).toBeCloseTo(0.01 * 5 + 0.99 * 20, 4);
    expect(committed[1]).toBeCloseTo(0.99 * 100, 3);
  });

  it('clips θ − m·ĝ at π − ε: just inside the clip the value is cos(π − ε) and the slope 0', async () => {
    const { angleEpsilon } = ADA_FACE_CONSTANTS;
    const m = 0.4;
    // ĝ = −1, so the angle is θ + m; θ chosen so that θ + m = π − ε/2, inside (π − ε, π).
    const c = Math.cos(Math.PI - angleEpsilon / 2 - m);
    const margin = adaFaceMargin(m, tf.tensor2d([[-1]]));
    const [value, slope] = tf.tidy(() => {
      const x = tf.tensor2d([[c]]);
      return [margin.apply(x), tf.grad((v: tf.Tensor) => tf.sum(margin.apply(v)))(x)];
    });
    // (plus the backend's own cos error: WGSL's on SwiftShader is ~1e-6 here)
    expect(Math.abs((await value.data())[0]! - (Math.cos(Math.PI - angleEpsilon) - (m - m)))).toBeLessThanOrEqual(1e-6 + transcendentalAtol());
    expect(Math.abs((await slope.data())[0]!)).toBeLessThan(1e-7);
  });
});

describe('asMargin', () => {
  it('a function becomes a margin of kind custom', () => {
    const f = (c: tf.Tensor) => c;
    expect(asMargin('Test', f)).toEqual({ kind: 'custom', params: {}, apply: f });
  });

  it('rejects null given to it directly (marginLogits reads a null targetMargin as no margin)', () => {
    expect(() => asMargin('Test', null as never)).toThrow(/^Test: targetMargin must be a margin .* but got null\.$/);
  });

  it('rejects anything that is neither a margin value nor a function, naming the owner and what came', () => {
    const [x, k, labels] = [tf.ones([2, 3]) as tf.Tensor2D, tf.ones([3, 4]) as tf.Tensor2D, tf.tensor1d([0, 1], 'int32')];
    const bad: unknown[] = [
      5,
      'cosFace',
      { kind: 'cosFace' },
      { kind: 'cosFace', apply: 3 },
      { kind: 7, apply: (c: tf.Tensor) => c },
      { apply: (c: tf.Tensor) => c },
    ];
    for (const targetMargin of bad) {
      expect(() => marginLogits(x, k, labels, { targetMargin: targetMargin as never }), String(targetMargin)).toThrow(
        /^marginLogits: targetMargin must be a margin \(\{ kind, params, apply \}, e\.g\. cosFaceMargin\(0\.35\)\) or a function of the target cosines, but got /,
      );
    }
  });
});
