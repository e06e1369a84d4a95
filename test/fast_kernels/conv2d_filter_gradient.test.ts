import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conv2dFilterGradient, type ConvPadding, type FilterGradientMethod } from '../../src/fast_kernels/conv2d_filter_gradient.js';
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
  d: [number, number];
  pad: ConvPadding;
}

const SHAPES: Shape[] = [
  { name: 'stride 1, same, batch 1', b: 1, h: 7, w: 6, ci: 2, co: 3, k: [3, 3], s: [1, 1], d: [1, 1], pad: 'same' },
  { name: 'stride 1, valid, batch 4', b: 4, h: 8, w: 8, ci: 3, co: 2, k: [3, 3], s: [1, 1], d: [1, 1], pad: 'valid' },
  { name: 'stride 2, same, batch 3 (odd size)', b: 3, h: 9, w: 7, ci: 2, co: 4, k: [3, 3], s: [2, 2], d: [1, 1], pad: 'same' },
  { name: 'stride 2, valid, batch 2', b: 2, h: 10, w: 9, ci: 3, co: 2, k: [3, 2], s: [2, 2], d: [1, 1], pad: 'valid' },
  { name: 'stride (2, 1), same, 5×5 filter', b: 2, h: 8, w: 8, ci: 1, co: 2, k: [5, 5], s: [2, 1], d: [1, 1], pad: 'same' },
  { name: 'dilation 2, same, batch 2', b: 2, h: 9, w: 9, ci: 2, co: 3, k: [3, 3], s: [1, 1], d: [2, 2], pad: 'same' },
  { name: 'dilation 2, valid', b: 3, h: 10, w: 8, ci: 2, co: 2, k: [3, 2], s: [1, 1], d: [2, 2], pad: 'valid' },
  { name: 'stride 2 and dilation 2 (im2col path), same', b: 2, h: 11, w: 10, ci: 2, co: 3, k: [3, 3], s: [2, 2], d: [2, 2], pad: 'same' },
  {
    name: 'stride (1, 2) and dilation 2 (taps: conv2d takes no such pair), valid',
    b: 2,
    h: 9,
    w: 10,
    ci: 2,
    co: 2,
    k: [3, 2],
    s: [1, 2],
    d: [2, 2],
    pad: 'valid',
  },
  { name: 'stride 2 and dilation (1, 2) (taps), valid', b: 2, h: 9, w: 10, ci: 2, co: 2, k: [2, 3], s: [2, 2], d: [1, 2], pad: 'valid' },
  { name: 'stride (2, 1) and dilation 2 (taps), valid', b: 1, h: 10, w: 9, ci: 2, co: 2, k: [2, 3], s: [2, 1], d: [2, 2], pad: 'valid' },
  { name: 'stride 2 and dilation (2, 1) (taps), valid', b: 1, h: 10, w: 9, ci: 2, co: 2, k: [3, 2], s: [2, 2], d: [2, 1], pad: 'valid' },
  {
    name: 'even 4×2 filter, same (one more row and column of padding after than before)',
    b: 2,
    h: 7,
    w: 6,
    ci: 2,
    co: 2,
    k: [4, 2],
    s: [1, 1],
    d: [1, 1],
    pad: 'same',
  },
  { name: 'padding 1 on every side, stride 2', b: 2, h: 7, w: 8, ci: 2, co: 3, k: [3, 3], s: [2, 2], d: [1, 1], pad: 1 },
  {
    name: 'explicit padding, columns only',
    b: 2,
    h: 6,
    w: 6,
    ci: 2,
    co: 2,
    k: [3, 3],
    s: [1, 1],
    d: [1, 1],
    pad: [
      [0, 0],
      [0, 0],
      [1, 1],
      [0, 0],
    ],
  },
  {
    name: 'explicit padding, uneven',
    b: 1,
    h: 6,
    w: 7,
    ci: 3,
    co: 2,
    k: [3, 2],
    s: [1, 1],
    d: [1, 1],
    pad: [
      [0, 0],
      [1, 2],
      [0, 1],
      [0, 0],
    ],
  },
];

function values(n: number, seed: number): Float32Array {
  const rand = seededRandom(seed);
  return Float32Array.from({ length: n }, () => 2 * rand() - 1);
}

/** Padding [before, after] along axis 1 (rows) or 2 (columns): TF's 'same' puts the odd one after. */
function paddingAlong(c: Shape, axis: 1 | 2): [number, number] {
  const [size, k, s, d] = axis === 1 ? [c.h, c.k[0], c.s[0], c.d[0]] : [c.w, c.k[1], c.s[1], c.d[1]];
  if (c.pad === 'valid') return [0, 0];
  if (typeof c.pad === 'number') return [c.pad, c.pad];
  if (Array.isArray(c.pad)) return c.pad[axis] as [number, number];
  const total = Math.max((Math.ceil(size / s) - 1) * s + (k - 1) * d + 1 - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/** dW in float64 plain TypeScript, straight from the definition, with TF's padding. */
function reference(x: Float32Array, dy: Float32Array, c: Shape, oh: number, ow: number): number[] {
  const [kh, kw] = c.k;
  const [top] = paddingAlong(c, 1);
  const [left] = paddingAlong(c, 2);
  const out = new Array<number>(kh * kw * c.ci * c.co).fill(0);
  for (let i = 0; i < kh; i++)
    for (let j = 0; j < kw; j++)
      for (let ci = 0; ci < c.ci; ci++)
        for (let co = 0; co < c.co; co++) {
          let sum = 0;
          for (let b = 0; b < c.b; b++)
            for (let p = 0; p < oh; p++)
              for (let q = 0; q < ow; q++) {
                const r = p * c.s[0] + i * c.d[0] - top;
                const col = q * c.s[1] + j * c.d[1] - left;
                if (r < 0 || r >= c.h || col < 0 || col >= c.w) continue;
                sum += x[((b * c.h + r) * c.w + col) * c.ci + ci]! * dy[((b * oh + p) * ow + q) * c.co + co]!;
              }
          out[((i * kw + j) * c.ci + ci) * c.co + co] = sum;
        }
  return out;
}

function outSize(c: Shape): [number, number] {
  const size = (axis: 1 | 2) => {
    const [n, k, s, d] = axis === 1 ? [c.h, c.k[0], c.s[0], c.d[0]] : [c.w, c.k[1], c.s[1], c.d[1]];
    const [before, after] = paddingAlong(c, axis);
    return Math.floor((n + before + after - (k - 1) * d - 1) / s) + 1;
  };
  return [size(1), size(2)];
}

describe('conv2dFilterGradient', () => {
  const transposable = (c: Shape) => (c.s[0] === 1 && c.s[1] === 1) || (c.d[0] === 1 && c.d[1] === 1);
  const methods = (c: Shape): FilterGradientMethod[] => (transposable(c) ? ['auto', 'taps', 'transposed'] : ['auto', 'taps']);
  const cases = SHAPES.flatMap((c) => methods(c).map((method) => ({ c, method })));
  for (const { c, method } of cases) {
    it(`equals the float64 definition: ${c.name}, method ${method}`, async () => {
      const [oh, ow] = outSize(c);
      const xv = values(c.b * c.h * c.w * c.ci, 1);
      const dyv = values(c.b * oh * ow * c.co, 2);
      const x = tf.tensor4d(xv, [c.b, c.h, c.w, c.ci]);
      const dy = tf.tensor4d(dyv, [c.b, oh, ow, c.co]);
      const got = conv2dFilterGradient(x, dy, [c.k[0], c.k[1], c.ci, c.co], c.s, c.pad, c.d, method);
      expect(got.shape).toEqual([c.k[0], c.k[1], c.ci, c.co]);
      expectClose(Array.from(await got.data()), reference(xv, dyv, c, oh, ow), 1e-4, 1e-5);
    });
  }

  it('with method auto takes one transposed convolution where stride or dilation is 1, else a matrix product per tap', async () => {
    const kernelsOf = async (c: Shape, method: FilterGradientMethod) => {
      const [oh, ow] = outSize(c);
      const x = tf.zeros([c.b, c.h, c.w, c.ci]) as tf.Tensor4D;
      const dy = tf.zeros([c.b, oh, ow, c.co]) as tf.Tensor4D;
      const names = (await tf.profile(() => conv2dFilterGradient(x, dy, [c.k[0], c.k[1], c.ci, c.co], c.s, c.pad, c.d, method))).kernelNames;
      tf.dispose([x, dy]);
      return { conv: names.includes('Conv2D'), matMul: names.includes('BatchMatMul') };
    };
    const byName = (prefix: string) => SHAPES.find((c) => c.name.startsWith(prefix))!;
    for (const prefix of ['stride 1, same', 'stride 2, same', 'stride (2, 1)', 'dilation 2, same']) {
      expect({ prefix, ...(await kernelsOf(byName(prefix), 'auto')) }).toEqual({ prefix, conv: true, matMul: false });
    }
    expect(await kernelsOf(byName('stride 2 and dilation 2'), 'auto')).toEqual({ conv: false, matMul: true });
    expect(await kernelsOf(byName('stride 1, same'), 'taps')).toEqual({ conv: false, matMul: true });
    expect(await kernelsOf(byName('stride 2, same'), 'transposed')).toEqual({ conv: true, matMul: false });
  });

  it('leaks no tensors and rejects shapes that do not fit', async () => {
    const x = tf.zeros([2, 5, 5, 3]) as tf.Tensor4D;
    const dy = tf.zeros([2, 5, 5, 4]) as tf.Tensor4D;
    expectNoLeak(() => conv2dFilterGradient(x, dy, [3, 3, 3, 4], 1, 'same').dispose());
    expect(() => conv2dFilterGradient(x, dy, [3, 3, 2, 4], 1, 'same')).toThrow(
      'conv2dFilterGradient: x [2, 5, 5, 3] and dy [2, 5, 5, 4] do not fit the filter shape [3, 3, 2, 4].',
    );
    expect(() => conv2dFilterGradient(x, dy, [3, 3, 3, 5], 1, 'same')).toThrow('do not fit the filter shape [3, 3, 3, 5].');
    expect(() => conv2dFilterGradient(x, tf.zeros([1, 5, 5, 4]) as tf.Tensor4D, [3, 3, 3, 4], 1, 'same')).toThrow(
      'conv2dFilterGradient: x [2, 5, 5, 3] and dy [1, 5, 5, 4] do not fit',
    );
    expect(() => conv2dFilterGradient(tf.zeros([5, 5, 3]) as unknown as tf.Tensor4D, dy, [3, 3, 3, 4], 1, 'same')).toThrow(
      'conv2dFilterGradient: x and dy must have rank 4 (NHWC), but got shapes [5, 5, 3] and [2, 5, 5, 4].',
    );
    expect(() => conv2dFilterGradient(x, tf.zeros([5, 5, 4]) as unknown as tf.Tensor4D, [3, 3, 3, 4], 1, 'same')).toThrow(
      'but got shapes [2, 5, 5, 3] and [5, 5, 4].',
    );
    expect(() => conv2dFilterGradient(x, dy, [3, 3, 3, 4], 1, 'full' as 'same')).toThrow(
      "conv2dFilterGradient: pad must be 'same', 'valid', a number or explicit padding, but got \"full\".",
    );
    expect(() => conv2dFilterGradient(x, dy, [3, 3, 3, 4], 1, 'same', 1, 'im2col' as 'taps')).toThrow(
      "conv2dFilterGradient: method must be 'auto', 'transposed' or 'taps', but got \"im2col\".",
    );
    const dy3 = tf.zeros([2, 2, 2, 4]) as tf.Tensor4D;
    expect(() => conv2dFilterGradient(x, dy3, [3, 3, 3, 4], 2, 'valid', 2, 'transposed')).toThrow(
      /method 'transposed' needs stride 1 or dilation 1 .* but got strides \[2, 2\] and dilations \[2, 2\]; use 'taps' or 'auto'/,
    );
  });
});

describe('registerFastConvGradients', () => {
  const backend = tf.getBackend();
  let stock: tf.KernelConfig | undefined;
  beforeAll(() => {
    stock = tf.getKernel('Conv2DBackpropFilter', backend);
    registerFastConvGradients({ backends: [backend] });
  });
  afterAll(() => {
    restoreConvGradients({ backends: [backend] });
  });

  /** tf.grad of conv2d in its filter, through the registered kernel, against the definition. */
  async function expectServedGradient(c: Shape, seed: number): Promise<void> {
    const [oh, ow] = outSize(c);
    const xv = values(c.b * c.h * c.w * c.ci, seed);
    const dyv = values(c.b * oh * ow * c.co, seed + 1);
    const x = tf.tensor4d(xv, [c.b, c.h, c.w, c.ci]);
    const filter = tf.tensor4d(values(c.k[0] * c.k[1] * c.ci * c.co, seed + 2), [c.k[0], c.k[1], c.ci, c.co]);
    const dy = tf.tensor4d(dyv, [c.b, oh, ow, c.co]);
    const g = tf.grad((f: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, f as tf.Tensor4D, c.s, c.pad as Parameters<typeof tf.conv2d>[3]), dy)))(filter);
    expectClose(Array.from(await g.data()), reference(xv, dyv, c, oh, ow), 1e-4, 1e-5);
  }

  it('serves tf.grad of conv2d with the values of the definition (stride 2, same)', async () => {
    await expectServedGradient(SHAPES[2]!, 3);
  });

  it('lets a convolutional tfjs-layers model train with fit, without leaking', async () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.conv2d({ inputShape: [8, 8, 1], filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 2 }),
      ],
    });
    model.compile({ optimizer: tf.train.sgd(0.05), loss: 'meanSquaredError' });
    const xs = tf.tensor4d(values(16 * 64, 6), [16, 8, 8, 1]);
    const ys = tf.tensor2d(values(32, 7), [16, 2]);
    await model.fit(xs, ys, { epochs: 1, batchSize: 4, verbose: 0 });
    const before = tf.memory().numTensors;
    const h = await model.fit(xs, ys, { epochs: 3, batchSize: 4, verbose: 0 });
    expect(tf.memory().numTensors).toBe(before);
    const losses = h.history.loss as number[];
    expect(losses[2]!).toBeLessThan(losses[0]!);
  });

  it("restoreConvGradients puts the backend's own kernel back (none on wasm), and registering twice keeps it", async () => {
    registerFastConvGradients({ backends: [backend] }); // a second time: the saved kernel must stay the backend's own
    expect(tf.getKernel('Conv2DBackpropFilter', backend)?.kernelFunc).not.toBe(stock?.kernelFunc);
    expect(restoreConvGradients({ backends: [backend] })).toEqual([backend]);
    expect(tf.getKernel('Conv2DBackpropFilter', backend)?.kernelFunc).toBe(stock?.kernelFunc);
    expect(restoreConvGradients({ backends: [backend] })).toEqual([]); // nothing of ours left
    registerFastConvGradients({ backends: [backend] });
  });

  // (tfjs-backend-wasm 4.22's forward Conv2D takes NHWC only.)
  it.runIf(tf.getBackend() !== 'wasm')('serves NCHW convolutions, on the transposed inputs', async () => {
    const c = SHAPES[2]!;
    const [oh, ow] = outSize(c);
    const xv = values(c.b * c.h * c.w * c.ci, 11);
    const dyv = values(c.b * oh * ow * c.co, 12);
    const x = tf.transpose(tf.tensor4d(xv, [c.b, c.h, c.w, c.ci]), [0, 3, 1, 2]) as tf.Tensor4D;
    const dy = tf.transpose(tf.tensor4d(dyv, [c.b, oh, ow, c.co]), [0, 3, 1, 2]);
    const filter = tf.tensor4d(values(c.k[0] * c.k[1] * c.ci * c.co, 13), [c.k[0], c.k[1], c.ci, c.co]);
    const g = tf.grad((f: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, f as tf.Tensor4D, c.s, 'same', 'NCHW'), dy)))(filter);
    expectClose(Array.from(await g.data()), reference(xv, dyv, c, oh, ow), 1e-4, 1e-5);
  });

  it('serves tf.grad with the taps method too', async () => {
    registerFastConvGradients({ backends: [backend], method: 'taps' });
    try {
      await expectServedGradient(SHAPES[0]!, 8);
    } finally {
      registerFastConvGradients({ backends: [backend] });
    }
  });

  it('registers for wasm and cpu by default', async () => {
    expect(registerFastConvGradients()).toEqual(['wasm', 'cpu']);
    const others = ['wasm', 'cpu'].filter((b) => b !== backend);
    expect(restoreConvGradients({ backends: others })).toEqual(others);
    // wasm has no kernel of its own to put back.
    if (backend !== 'wasm') expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
  });

  it('rejects an unknown backend name or method', async () => {
    expect(() => registerFastConvGradients({ backends: ['cuda'] })).toThrow(/backends must be among wasm, webgpu, webgl, cpu, but got "cuda"/);
    expect(() => registerFastConvGradients({ method: 'fft' as 'taps' })).toThrow(
      "registerFastConvGradients: method must be 'auto', 'transposed' or 'taps', but got \"fft\".",
    );
  });
});
