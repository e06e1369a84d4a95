// Adam over all weights at once: the same update as tf.train.adam, in a few large kernels instead
// of about fourteen small ones per weight tensor. On a GPU backend every kernel is a dispatch with
// a fixed cost; the paper network has 63 weight tensors, so tfjs's Adam dispatches ~880 kernels
// per step where this one dispatches ~150 (counted in test/examples/mnist/flat_adam.test.ts).
import * as tf from '@tensorflow/tfjs-core';

/** What tfjs hands an optimizer: gradients by variable name, as a map or a list. */
type VariableGradients = Parameters<tf.Optimizer['applyGradients']>[0];

interface Slot {
  name: string;
  shape: number[];
  size: number;
}

/**
 * Adam (Kingma & Ba, 2015) with its moments kept as two flat vectors over every weight:
 * m ← β1·m + (1 − β1)·g, v ← β2·v + (1 − β2)·g², w ← w − lr · (m / (1 − β1ᵗ)) / (√(v / (1 − β2ᵗ)) + ε),
 * elementwise exactly as tfjs's AdamOptimizer computes it. The gradients are concatenated into one
 * vector, the update is computed once, and split back per weight. The learning rate may change
 * between steps (`learningRate` is public). The set of weights must stay the same across steps.
 */
export class FlatAdam extends tf.Optimizer {
  static readonly className = 'FlatAdam';
  private moments: { m: tf.Variable; v: tf.Variable } | null = null;
  private slots: Slot[] | null = null;
  private t = 0;

  constructor(public learningRate: number, readonly beta1 = 0.9, readonly beta2 = 0.999, readonly epsilon = 1e-8) {
    super();
  }

  override applyGradients(variableGradients: VariableGradients): void {
    const named: Array<{ name: string; tensor: tf.Tensor | undefined }> = Array.isArray(variableGradients)
      ? variableGradients.map(({ name, tensor }) => ({ name, tensor }))
      : Object.keys(variableGradients).map((name) => ({ name, tensor: variableGradients[name] }));
    const variables = named.map(({ name }) => tf.engine().registeredVariables[name]!);
    if (this.slots == null) {
      this.slots = variables.map((w, i) => ({ name: named[i]!.name, shape: w.shape, size: w.size }));
      const total = this.slots.reduce((s, x) => s + x.size, 0);
      this.moments = { m: tf.variable(tf.zeros([total]), false), v: tf.variable(tf.zeros([total]), false) };
    } else if (named.length !== this.slots.length || named.some(({ name }, i) => name !== this.slots![i]!.name)) {
      throw new Error(`FlatAdam: the weights changed between steps (had ${this.slots.length}, got ${named.length}); use one optimizer per model.`);
    }
    this.t++;
    const { m, v } = this.moments!;
    const slots = this.slots;
    const [b1, b2] = [this.beta1, this.beta2];
    tf.tidy(() => {
      const g = tf.concat(named.map(({ tensor }, i) => tf.reshape(tensor ?? tf.zeros(slots[i]!.shape), [-1])));
      const m1 = tf.add(tf.mul(m, b1), tf.mul(g, 1 - b1));
      const v1 = tf.add(tf.mul(v, b2), tf.mul(tf.square(g), 1 - b2));
      m.assign(m1);
      v.assign(v1);
      const mHat = tf.div(m1, 1 - Math.pow(b1, this.t));
      const vHat = tf.div(v1, 1 - Math.pow(b2, this.t));
      const update = tf.mul(tf.div(mHat, tf.add(tf.sqrt(vHat), this.epsilon)), -this.learningRate);
      const pieces = tf.split(update, slots.map((s) => s.size));
      variables.forEach((w, i) => w.assign(tf.add(w, tf.reshape(pieces[i]!, slots[i]!.shape))));
    });
    this.incrementIterations();
  }

  override dispose(): void {
    if (this.moments != null) tf.dispose([this.moments.m, this.moments.v]);
    this.moments = null;
    super.dispose();
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }
}
