import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conv2dInputGradient } from '../../src/fast_kernels/conv2d_input_gradient.js';
import { registerFastConvGradients, restoreConvGradients } from '../../src/fast_kernels/register_fast_conv_gradients.js';
import { seededRandom } from '../../src/util/seeded_random.js';
import { expectClose, expectNoLeak } from '../helpers.js';

interface Shape {
  name: string;
  b: number;
  h: number;
  w: number;
  ci: number;
  co: number;
  k: [number, number];
  s: [number, number];
  pad: 'same' | 'valid' | number | number[][];
}

const SHAPES: Shape[] = [
  { name: 'stride 1, same', b: 2, h: 6, w: 5, ci: 3, co: 2, k: [3, 3], s: [1, 1], pad: 'same' },
  { name: 'stride 1, valid', b: 1, h: 7, w: 7, ci: 2, co: 3, k: [3, 2], s: [1, 1], pad: 'valid' },
  { name: 'stride 2, same, odd size', b: 2, h: 9, w: 7, ci: 2, co: 4, k: [3, 3], s: [2, 2], pad: 'same' },
  { name: 'stride 2, same, even size (the MNIST trunks)', b: 3, h: 14, w: 14, ci: 8, co: 5, k: [3, 3], s: [2, 2], pad: 'same' },
  { name: 'stride 2, valid', b: 2, h: 10, w: 9, ci: 3, co: 2, k: [3, 2], s: [2, 2], pad: 'valid' },
  { name: 'stride (2, 1), same, 5×5 filter', b: 2, h: 8, w: 8, ci: 1, co: 2, k: [5, 5], s: [2, 1], pad: 'same' },
  { name: 'stride 3 over a 2×2 filter (phases no tap reaches)', b: 2, h: 9, w: 8, ci: 2, co: 3, k: [2, 2], s: [3, 3], pad: 'valid' },
  { name: 'stride 2, padding 1 on every side', b: 2, h: 7, w: 6, ci: 2, co: 2, k: [3, 3], s: [2, 2], pad: 1 },
  { name: 'stride (1, 2), same, 3×4 filter', b: 2, h: 6, w: 9, ci: 2, co: 3, k: [3, 4], s: [1, 2], pad: 'same' },
  { name: 'padding 2 over a 2×2 filter (dy cropped)', b: 2, h: 5, w: 6, ci: 2, co: 2, k: [2, 2], s: [1, 1], pad: 2 },
  {
    name: 'explicit padding 2 after only (dy cropped at the bottom and right)',
    b: 2,
    h: 5,
    w: 4,
    ci: 2,
    co: 2,
    k: [2, 2],
    s: [1, 1],
    pad: [
      [0, 0],
      [0, 2],
      [0, 2],
      [0, 0],
    ],
  },
  {
    name: 'explicit padding 2 before only (dy cropped at the top and left)',
    b: 1,
    h: 4,
    w: 5,
    ci: 2,
    co: 3,
    k: [2, 2],
    s: [1, 1],
    pad: [
      [0, 0],
      [2, 0],
      [2, 0],
      [0, 0],
    ],
  },
];

function values(n: number, seed: number): Float32Array {
  const rand = seededRandom(seed);
  return Float32Array.from({ length: n }, () => 2 * rand() - 1);
}

function geometry(c: Shape) {
  const padOf = (n: number, k: number, s: number, axis: 1 | 2) => {
    if (c.pad === 'valid') return { out: Math.ceil((n - k + 1) / s), before: 0 };
    if (Array.isArray(c.pad)) {
      const [before, after] = c.pad[axis] as [number, number];
      return { out: Math.floor((n + before + after - k) / s) + 1, before };
    }
    if (typeof c.pad === 'number') return { out: Math.floor((n + 2 * c.pad - k) / s) + 1, before: c.pad };
    const out = Math.ceil(n / s);
    return { out, before: Math.floor(Math.max((out - 1) * s + k - n, 0) / 2) };
  };
  const r = padOf(c.h, c.k[0], c.s[0], 1);
  const q = padOf(c.w, c.k[1], c.s[1], 2);
  return { oh: r.out, ow: q.out, top: r.before, left: q.before };
}

/** dx in float64 from the definition: dx[b, i, j, c] = Σ_{p, q, u, v, o : p·s + u − top = i, q·s + v − left = j} dy[b, p, q, o]·W[u, v, c, o]. */
function reference(dy: Float32Array, w: Float32Array, c: Shape): number[] {
  const { oh, ow, top, left } = geometry(c);
  const [kh, kw] = c.k;
  const dx = new Array<number>(c.b * c.h * c.w * c.ci).fill(0);
  for (let b = 0; b < c.b; b++)
    for (let p = 0; p < oh; p++)
      for (let q = 0; q < ow; q++)
        for (let u = 0; u < kh; u++)
          for (let v = 0; v < kw; v++) {
            const i = p * c.s[0] + u - top;
            const j = q * c.s[1] + v - left;
            if (i < 0 || i >= c.h || j < 0 || j >= c.w) continue;
            for (let ci = 0; ci < c.ci; ci++)
              for (let co = 0; co < c.co; co++) {
                dx[((b * c.h + i) * c.w + j) * c.ci + ci]! += dy[((b * oh + p) * ow + q) * c.co + co]! * w[((u * kw + v) * c.ci + ci) * c.co + co]!;
              }
          }
  return dx;
}

function inputs(c: Shape, seed: number) {
  const { oh, ow } = geometry(c);
  const dyv = values(c.b * oh * ow * c.co, seed);
  const wv = values(c.k[0] * c.k[1] * c.ci * c.co, seed + 1);
  return { dyv, wv, dy: tf.tensor4d(dyv, [c.b, oh, ow, c.co]), w: tf.tensor4d(wv, [c.k[0], c.k[1], c.ci, c.co]) };
}

describe('conv2dInputGradient', () => {
  for (const c of SHAPES) {
    it(`equals the float64 definition: ${c.name}`, async () => {
      const { dyv, wv, dy, w } = inputs(c, 1);
      const dx = conv2dInputGradient(dy, w, [c.b, c.h, c.w, c.ci], c.s, c.pad);
      expect(dx.shape).toEqual([c.b, c.h, c.w, c.ci]);
      expectClose(Array.from(await dx.data()), reference(dyv, wv, c), 1e-4, 1e-5);
    });
  }

  it('leaks no tensors', () => {
    const c = SHAPES[3]!;
    const { dy, w } = inputs(c, 2);
    expectNoLeak(() => conv2dInputGradient(dy, w, [c.b, c.h, c.w, c.ci], c.s, c.pad).dispose());
  });
});

describe('registerFastConvGradients, input gradient', () => {
  const backend = tf.getBackend();
  let stock: tf.KernelConfig | undefined;
  beforeAll(() => {
    stock = tf.getKernel('Conv2DBackpropInput', backend);
    registerFastConvGradients({ backends: [backend], inputGradient: true });
  });
  afterAll(() => {
    restoreConvGradients({ backends: [backend] });
  });

  it('serves tf.grad of conv2d in its input with the definition, by phases from 8 channels and by the backend below', async () => {
    for (const c of [SHAPES[3]!, SHAPES[2]!]) {
      const { dyv, wv, dy, w } = inputs(c, 3);
      const x = tf.zeros([c.b, c.h, c.w, c.ci]) as tf.Tensor4D;
      const { kernelNames, result } = await tf.profile(() =>
        tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(t as tf.Tensor4D, w, c.s, c.pad as 'same'), dy)))(x),
      );
      expectClose(Array.from(await (result as tf.Tensor).data()), reference(dyv, wv, c), 1e-4, 1e-5);
      // The phases gather each phase's filter taps; the backend's own kernel runs no GatherV2.
      expect({ channels: c.ci, phases: kernelNames.includes('GatherV2') }).toEqual({ channels: c.ci, phases: c.ci >= 8 });
    }
    expect(tf.getKernel('Conv2DBackpropInput', backend)?.kernelFunc).not.toBe(stock?.kernelFunc);
  });

  // (tfjs-backend-wasm 4.22's forward Conv2D takes NHWC only.) NCHW goes to the backend's own kernel.
  it.runIf(tf.getBackend() !== 'wasm')('serves NCHW convolutions with the definition, from 8 channels too', async () => {
    const c = SHAPES[3]!;
    const { dyv, wv, dy, w } = inputs(c, 4);
    const x = tf.zeros([c.b, c.ci, c.h, c.w]) as tf.Tensor4D;
    const dyNchw = tf.transpose(dy, [0, 3, 1, 2]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(t as tf.Tensor4D, w, c.s, c.pad as 'same', 'NCHW'), dyNchw)))(x);
    expectClose(Array.from(await tf.transpose(g, [0, 2, 3, 1]).data()), reference(dyv, wv, c), 1e-4, 1e-5);
  });

  it("is registered by default on wasm only (the other backends' own kernels are faster)", () => {
    restoreConvGradients({ backends: [backend] });
    registerFastConvGradients({ backends: [backend] });
    const ours = tf.getKernel('Conv2DBackpropInput', backend)?.kernelFunc !== stock?.kernelFunc;
    expect({ backend, ours }).toEqual({ backend, ours: backend === 'wasm' });
    registerFastConvGradients({ backends: [backend], inputGradient: true });
  });

  it('is undone by restoreConvGradients, and left out with inputGradient: false', () => {
    expect(restoreConvGradients({ backends: [backend] })).toEqual([backend]);
    expect(tf.getKernel('Conv2DBackpropInput', backend)?.kernelFunc).toBe(stock?.kernelFunc);
    registerFastConvGradients({ backends: [backend], inputGradient: false });
    expect(tf.getKernel('Conv2DBackpropInput', backend)?.kernelFunc).toBe(stock?.kernelFunc);
    registerFastConvGradients({ backends: [backend], inputGradient: true });
    // Registering with inputGradient: false over a registration with it puts the backend's own back.
    registerFastConvGradients({ backends: [backend], inputGradient: false });
    expect(tf.getKernel('Conv2DBackpropInput', backend)?.kernelFunc).toBe(stock?.kernelFunc);
    registerFastConvGradients({ backends: [backend], inputGradient: true });
  });
});
