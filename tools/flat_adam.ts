// Adam over all weights at once: the same update as tf.train.adam, in a few large kernels instead
// of about fourteen small ones per weight tensor. On a GPU backend every kernel is a dispatch with
// a fixed cost; the paper network has 63 weight tensors, so a training step runs 1,348 kernels
// with tfjs's Adam and 540 with this one (docs/performance.md). On cpu and wasm, where a kernel
// costs little but copying the weights into one vector and back does, tfjs's Adam is faster:
// the example uses FlatAdam on webgpu only (--optimizer auto).
import * as tf from '@tensorflow/tfjs-core';

/** What tfjs hands an optimizer: gradients by variable name, as a map or a list. */
type VariableGradients = Parameters<tf.Optimizer['applyGradients']>[0];

interface Slot {
  name: string;
  shape: number[];
  size: number;
  offset: number;
}

/**
 * Adam (Kingma & Ba, 2015) with its moments kept as two flat vectors over every weight:
 * m ← β1·m + (1 − β1)·g, v ← β2·v + (1 − β2)·g², w ← w − lr · (m / (1 − β1ᵗ)) / (√(v / (1 − β2ᵗ)) + ε),
 * elementwise exactly as tfjs's AdamOptimizer computes it. The gradients are concatenated into one
 * vector, the update is computed once, and split back per weight. The learning rate may change
 * between steps. When the set of weights changes (a layer built during the first step joins from
 * the second on), the moments are laid out anew, keeping those of the weights seen before.
 */
export class FlatAdam extends tf.Optimizer {
  static readonly className = 'FlatAdam';
  private moments: { m: tf.Variable; v: tf.Variable } | null = null;
  private slots: Slot[] | null = null;

  constructor(
    public learningRate: number,
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
    readonly epsilon = 1e-8,
  ) {
    super();
  }

  override applyGradients(variableGradients: VariableGradients): void {
    const named: Array<{ name: string; tensor: tf.Tensor | undefined }> = Array.isArray(variableGradients)
      ? variableGradients.map(({ name, tensor }) => ({ name, tensor }))
      : Object.keys(variableGradients).map((name) => ({ name, tensor: variableGradients[name] }));
    const variables = named.map(({ name }) => tf.engine().registeredVariables[name]!);
    const same = this.slots != null && named.length === this.slots.length && named.every(({ name }, i) => name === this.slots![i]!.name);
    if (!same)
      this.layOut(
        named.map(({ name }) => name),
        variables,
      );
    const t = this.iterations + 1; // this step's number, for the bias corrections
    const { m, v } = this.moments!;
    const slots = this.slots!;
    const [b1, b2] = [this.beta1, this.beta2];
    tf.tidy(() => {
      const g = tf.concat(named.map(({ tensor }, i) => tf.reshape(tensor ?? tf.zeros(slots[i]!.shape), [-1])));
      const m1 = tf.add(tf.mul(m, b1), tf.mul(g, 1 - b1));
      const v1 = tf.add(tf.mul(v, b2), tf.mul(tf.square(g), 1 - b2));
      m.assign(m1);
      v.assign(v1);
      const mHat = tf.div(m1, 1 - Math.pow(b1, t));
      const vHat = tf.div(v1, 1 - Math.pow(b2, t));
      const update = tf.mul(tf.div(mHat, tf.add(tf.sqrt(vHat), this.epsilon)), -this.learningRate);
      const pieces = tf.split(
        update,
        slots.map((s) => s.size),
      );
      variables.forEach((w, i) => w.assign(tf.add(w, tf.reshape(pieces[i]!, slots[i]!.shape))));
    });
    this.incrementIterations();
  }

  /** Moments for these weights, in this order: those seen before keep theirs, new ones start at 0. */
  private layOut(names: string[], variables: tf.Variable[]): void {
    let offset = 0;
    const slots = variables.map((w, i) => {
      const slot = { name: names[i]!, shape: w.shape, size: w.size, offset };
      offset += w.size;
      return slot;
    });
    const previous = new Map((this.slots ?? []).map((s) => [s.name, s]));
    const carry = (old: tf.Variable | undefined) =>
      tf.tidy(() =>
        tf.concat(
          slots.map((s) => {
            const before = previous.get(s.name);
            return old != null && before != null && before.size === s.size ? tf.slice(old, [before.offset], [s.size]) : tf.zeros([s.size]);
          }),
        ),
      );
    const moments = { m: tf.variable(carry(this.moments?.m), false), v: tf.variable(carry(this.moments?.v), false) };
    if (this.moments != null) tf.dispose([this.moments.m, this.moments.v]);
    this.moments = moments;
    this.slots = slots;
  }

  override dispose(): void {
    if (this.moments != null) tf.dispose([this.moments.m, this.moments.v]);
    this.moments = null;
    super.dispose();
  }

  /** Sets the learning rate of the next steps. */
  setLearningRate(rate: number): void {
    this.learningRate = rate;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }
}
