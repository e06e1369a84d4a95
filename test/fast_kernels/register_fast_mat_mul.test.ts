import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerFastMatMul, restoreMatMul } from '../../src/fast_kernels/register_fast_mat_mul.js';
import { seededRandom } from '../../src/util/seeded_random.js';
import { expectClose, expectNoLeak } from '../helpers.js';

function values(n: number, seed: number): Float32Array {
  const rand = seededRandom(seed);
  return Float32Array.from({ length: n }, () => 2 * rand() - 1);
}

/** op(A)·op(B) per batch in float64, op = transpose when asked; a is [batch, r, c] row-major. */
function reference(a: Float32Array, aShape: number[], b: Float32Array, bShape: number[], ta: boolean, tb: boolean): number[] {
  const [batch, ar, ac] = aShape as [number, number, number];
  const [, br, bc] = bShape as [number, number, number];
  const [m, k] = ta ? [ac, ar] : [ar, ac];
  const n = tb ? br : bc;
  const out: number[] = [];
  for (let z = 0; z < batch; z++)
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let p = 0; p < k; p++) {
          const av = a[z * ar * ac + (ta ? p * ac + i : i * ac + p)]!;
          const bv = b[z * br * bc + (tb ? j * bc + p : p * bc + j)]!;
          sum += av * bv;
        }
        out.push(sum);
      }
  return out;
}

describe('registerFastMatMul', () => {
  const backend = tf.getBackend();
  let stock: tf.KernelConfig | undefined;
  beforeAll(() => {
    stock = tf.getKernel('BatchMatMul', backend);
    expect(registerFastMatMul({ backends: [backend] })).toEqual([backend]);
  });
  afterAll(() => {
    restoreMatMul({ backends: [backend] });
  });

  it('multiplies by transposes with the values of the definition, batched or not, transposing only what is marked transposed', async () => {
    for (const [ta, tb] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ] as const) {
      for (const batch of [1, 3]) {
        const aShape = ta ? [batch, 5, 4] : [batch, 4, 5];
        const bShape = tb ? [batch, 6, 5] : [batch, 5, 6];
        const av = values(batch * 20, 1 + batch);
        const bv = values(batch * 30, 2 + batch);
        const a = batch === 1 ? tf.tensor2d(av, aShape.slice(1) as [number, number]) : tf.tensor3d(av, aShape as [number, number, number]);
        const b = batch === 1 ? tf.tensor2d(bv, bShape.slice(1) as [number, number]) : tf.tensor3d(bv, bShape as [number, number, number]);
        const { kernelNames, result } = await tf.profile(() => tf.matMul(a, b, ta, tb));
        const product = result as tf.Tensor;
        // A transposed operand is transposed first (a Transpose kernel); a plain product goes straight to the backend's.
        expect({ ta, tb, transposed: kernelNames.includes('Transpose') }).toEqual({ ta, tb, transposed: ta || tb });
        expect(product.shape).toEqual(batch === 1 ? [4, 6] : [batch, 4, 6]);
        expectClose(Array.from(await product.data()), reference(av, aShape, bv, bShape, ta, tb), 1e-5, 1e-5);
        tf.dispose([a, b, product]);
      }
    }
  });

  it('serves the gradients of a Dense-style product, without leaking', async () => {
    const x = tf.tensor2d(values(8 * 5, 3), [8, 5]);
    const w = tf.tensor2d(values(5 * 3, 4), [5, 3]);
    const dy = tf.tensor2d(values(8 * 3, 5), [8, 3]);
    const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D), dy)))([x, w]);
    // d/dx = dy·Wᵀ, d/dW = xᵀ·dy.
    expectClose(
      Array.from(await gx!.data()),
      reference((await dy.data()) as Float32Array, [1, 8, 3], (await w.data()) as Float32Array, [1, 5, 3], false, true),
      1e-5,
      1e-5,
    );
    expectClose(
      Array.from(await gw!.data()),
      reference((await x.data()) as Float32Array, [1, 8, 5], (await dy.data()) as Float32Array, [1, 8, 3], true, false),
      1e-5,
      1e-5,
    );
    expectNoLeak(() => tf.dispose(tf.matMul(x, dy, true, false)));
  });

  it("restoreMatMul puts the backend's own kernel back, and registering twice keeps it", () => {
    registerFastMatMul({ backends: [backend] });
    expect(tf.getKernel('BatchMatMul', backend)?.kernelFunc).not.toBe(stock?.kernelFunc);
    expect(restoreMatMul({ backends: [backend] })).toEqual([backend]);
    expect(tf.getKernel('BatchMatMul', backend)?.kernelFunc).toBe(stock?.kernelFunc);
    expect(restoreMatMul()).toEqual([]);
    // Without backends, it restores every backend it registered for.
    registerFastMatMul({ backends: [backend] });
    expect(restoreMatMul()).toEqual([backend]);
    expect(tf.getKernel('BatchMatMul', backend)?.kernelFunc).toBe(stock?.kernelFunc);
    registerFastMatMul({ backends: [backend] });
  });

  it('says which backend it cannot serve', () => {
    expect(() => registerFastMatMul({ backends: ['tpu'] })).toThrow(
      /registerFastMatMul: backends must name backends that are imported and have a BatchMatMul kernel, but got "tpu"/,
    );
    expect(() => registerFastMatMul({ backends: 'wasm' as unknown as string[] })).toThrow(/backends must be an array of backend names, but got "wasm"/);
  });

  it('serves wasm when no backends are given', () => {
    if (tf.getKernel('BatchMatMul', 'wasm') == null) {
      // This lane did not import tfjs-backend-wasm: the default backend is named in the error.
      expect(() => registerFastMatMul()).toThrow(/backends must name backends that are imported and have a BatchMatMul kernel, but got "wasm"/);
    } else {
      expect(registerFastMatMul()).toEqual(['wasm']);
    }
  });
});
