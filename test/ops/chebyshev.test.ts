import * as tf from '@tensorflow/tfjs-core';
import { describe, it } from 'vitest';
import { chebyshevT, chebyshevU } from '../../src/ops/chebyshev.js';
import { expectClose, expectNoLeak } from '../helpers.js';

const thetas = Array.from({ length: 25 }, (_, i) => (i * Math.PI) / 24);
const cs = thetas.map(Math.cos);

describe('chebyshevT / chebyshevU', () => {
  for (let n = 0; n <= 8; n++) {
    it(`T_${n}(cos θ) = cos(${n}θ) and U_${n}(cos θ) = sin(${n + 1}θ)/sin θ`, async () => {
      const c = tf.tensor1d(cs);
      expectClose(
        Array.from(await chebyshevT(c, n).data()),
        thetas.map((t) => Math.cos(n * t)),
        1e-5 * (n + 1),
      );
      const expectedU = thetas.map((t) => (Math.abs(Math.sin(t)) < 1e-12 ? Math.cos(t) ** n * (n + 1) : Math.sin((n + 1) * t) / Math.sin(t)));
      expectClose(Array.from(await chebyshevU(c, n).data()), expectedU, 1e-4 * (n + 1) ** 2);
      c.dispose();
    });
  }

  it('leaks no tensors', async () => {
    const c = tf.tensor1d(cs);
    expectNoLeak(() => {
      chebyshevT(c, 7).dispose();
      chebyshevU(c, 7).dispose();
    });
    c.dispose();
  });
});
