// The head base itself (src/layers/margin_head.ts), through the smallest subclass: what every
// concrete head inherits and the conformance suite does not reach.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { MarginHead } from '../../src/layers/margin_head.js';
import { expectClose, randomMatrix, toMatrix } from '../helpers.js';

/** A head with no class name of its own, no margin and normalized inputs: logits cos θ_j. */
class BareHead extends MarginHead {
  get normalizeInput(): boolean {
    return true;
  }

  protected get logitScale(): number {
    return 1;
  }
}

/** The same, with a class name, as tfjs-layers needs to name a layer. */
class NamedBareHead extends BareHead {
  static readonly className = 'NamedBareHead';
}

describe('MarginHead', () => {
  it('names itself MarginHead in errors where a subclass has no class name', () => {
    expect(() => new BareHead(null as never)).toThrow('MarginHead: expected an arguments object { units, ... }, but got null.');
    // (tfjs-layers itself needs a class name to name a layer: a subclass gets this far only with bad arguments.)
  });

  it('without a margin gives the cosine logits in training and inference, labels or not', async () => {
    const head = new NamedBareHead({ units: 3 });
    head.build([null, 2]);
    const x = randomMatrix(4, 2, 31);
    const w = (await head.getWeights()[0]!.array()) as number[][];
    const norm = (v: number[]) => Math.hypot(...v);
    const cosines = x.map((row) =>
      [0, 1, 2].map((j) => {
        const col = w.map((r) => r[j]!);
        return (row[0]! * col[0]! + row[1]! * col[1]!) / (norm(row) * norm(col));
      }),
    );
    const labels = tf.tensor1d([0, 1, 2, 0], 'int32');
    for (const out of [head.apply(tf.tensor2d(x)), head.apply(tf.tensor2d(x), { training: true }), head.apply([tf.tensor2d(x), labels], { training: true })]) {
      expectClose(await toMatrix(out as tf.Tensor), cosines, 1e-5, 1e-5);
    }
  });
});
