// The composite ops' target step (src/ops/target_entries.ts): gathering each row's target entry
// and replacing it, with their hand-written gradients, against plain-array expectations. Runs on
// every backend lane; labels outside [0, C) (possible with validateLabels: false) leave their row.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { gatherTargets, replaceTargets, targetEntries } from '../../src/ops/target_entries.js';
import { expectNoLeak, toMatrix } from '../helpers.js';

const M = [
  [0.5, -1.25, 2, 0.75],
  [3, 0.125, -0.5, 1.5],
  [-2, 4, 0.25, -0.75],
  [1, 2, 3, 4],
];
// Row 2's label is C and row 3's is −1: no target entry.
const LABELS = [2, 0, 4, -1];
const VALUES = [[-7.5], [0.0625], [9], [11]];
// Weights of the entries in a scalar loss, so that each gradient entry is distinct.
const W = M.map((row, b) => row.map((_, j) => 1 + b * 4 + j));
const target = (b: number): number | null => (LABELS[b]! >= 0 && LABELS[b]! < 4 ? LABELS[b]! : null);

describe('target entries', () => {
  it('gathers each target entry, 0 where the label is outside [0, C)', async () => {
    const got = tf.tidy(() => gatherTargets(tf.tensor2d(M), targetEntries(tf.tensor1d(LABELS, 'int32'), 4, false)));
    // (+ 0 turns the −0 of a negative entry times 0 into 0)
    expect((await toMatrix(got)).map(([v]) => [v! + 0])).toEqual(M.map((row, b) => [target(b) == null ? 0 : row[target(b)!]!]));
    got.dispose();
  });

  it('replaces each target entry exactly and leaves every other entry and out-of-range rows as they are', async () => {
    const got = tf.tidy(() => replaceTargets(tf.tensor2d(M), tf.tensor2d(VALUES), targetEntries(tf.tensor1d(LABELS, 'int32'), 4, false)));
    expect(await toMatrix(got)).toEqual(M.map((row, b) => row.map((v, j) => (j === target(b) ? VALUES[b]![0]! : v))));
    got.dispose();
  });

  it('a one-class tensor: every valid row is its target', async () => {
    const got = tf.tidy(() => replaceTargets(tf.tensor2d([[1], [2]]), tf.tensor2d([[5], [6]]), targetEntries(tf.tensor1d([0, 0], 'int32'), 1, true)));
    expect(await toMatrix(got)).toEqual([[5], [6]]);
    got.dispose();
  });

  it("gradients: the replaced entries get none, the values get their entry's, the gathered entries get theirs back", async () => {
    const [dm, dv] = tf.tidy(() => {
      const entries = targetEntries(tf.tensor1d(LABELS, 'int32'), 4, false);
      const w = tf.tensor2d(W);
      // loss = Σ W ⊙ replace(m, v) + Σ_b (b + 1)·gather(m)_b
      const loss = (m: tf.Tensor, v: tf.Tensor) =>
        tf.add(tf.sum(tf.mul(w, replaceTargets(m, v, entries))), tf.sum(tf.mul(tf.tensor2d([[1], [2], [3], [4]]), gatherTargets(m, entries))));
      return tf.grads(loss)([tf.tensor2d(M), tf.tensor2d(VALUES)]);
    });
    expect(await toMatrix(dm!)).toEqual(W.map((row, b) => row.map((v, j) => (j === target(b) ? b + 1 : v))));
    expect(await toMatrix(dv!)).toEqual(W.map((row, b) => [target(b) == null ? 0 : row[target(b)!]!]));
    tf.dispose([dm!, dv!]);
  });

  it('leaks no tensor, forward or backward', () => {
    expectNoLeak(() => {
      tf.tidy(() => {
        const entries = targetEntries(tf.tensor1d(LABELS, 'int32'), 4, false);
        const loss = (m: tf.Tensor, v: tf.Tensor) => tf.sum(tf.add(replaceTargets(m, v, entries), tf.sum(gatherTargets(m, entries))));
        tf.grads(loss)([tf.tensor2d(M), tf.tensor2d(VALUES)]);
      });
    });
  });

  it('labels known to be in range give the same values and gradients without the range masks', async () => {
    const inRange = [2, 0, 3, 1];
    const run = (checked: boolean) =>
      tf.tidy(() => {
        const entries = targetEntries(tf.tensor1d(inRange, 'int32'), 4, checked);
        expect(entries.valid == null).toBe(checked);
        const w = tf.tensor2d(W);
        const loss = (m: tf.Tensor, v: tf.Tensor) => tf.add(tf.sum(tf.mul(w, replaceTargets(m, v, entries))), tf.sum(gatherTargets(m, entries)));
        return [replaceTargets(tf.tensor2d(M), tf.tensor2d(VALUES), entries), ...tf.grads(loss)([tf.tensor2d(M), tf.tensor2d(VALUES)])];
      });
    const [checked, unchecked] = [run(true), run(false)];
    for (let i = 0; i < 3; i++) expect(await toMatrix(checked[i]!)).toEqual(await toMatrix(unchecked[i]!));
    expect(await toMatrix(checked[0]!)).toEqual(M.map((row, b) => row.map((v, j) => (j === inRange[b] ? VALUES[b]![0]! : v))));
    tf.dispose([...checked, ...unchecked]);
  });
});
