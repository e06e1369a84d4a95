// cosineKernelMargin (src/margins/cosine_formulas.ts): which margin values the fused cosine kernel computes, read from their kind
// and params alone; anything malformed or negative falls back to the composite ops (null).
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { cosineKernelMargin } from '../../src/margins/cosine_formulas.js';

describe('cosineKernelMargin', () => {
  it("reads each kind's parameters in the kernel's order", () => {
    expect(cosineKernelMargin('cosFace', { margin: 0.35 })).toEqual({ formula: 'cosFace', params: [0.35] });
    expect(cosineKernelMargin('arcFace', { margin: 0.5, easyMargin: true })).toEqual({ formula: 'arcFace', params: [0.5, 1] });
    expect(cosineKernelMargin('arcFace', { margin: 0.5, easyMargin: false })).toEqual({ formula: 'arcFace', params: [0.5, 0] });
    expect(cosineKernelMargin('combinedCosine', { m1: 1, m2: 0.3, m3: 0.2 })).toEqual({ formula: 'combinedCosine', params: [1, 0.3, 0.2] });
    expect(cosineKernelMargin('sphereFaceR', { margin: 1.5, variant: 'v2' })).toEqual({ formula: 'sphereFaceR', params: [1.5, 2] });
    expect(cosineKernelMargin('sphereFace2', { variant: 'M', margin: 0.4, adjustmentExponent: 3 })).toEqual({ formula: 'sphereFace2', params: [2, 0.4, 3] });
  });

  it('is null for unknown kinds, missing or non-numeric parameters (one of several), and negative ones', () => {
    expect(cosineKernelMargin('angular', { margin: 4 })).toBeNull();
    expect(cosineKernelMargin('cosFace', {})).toBeNull();
    expect(cosineKernelMargin('combinedCosine', { m1: 1, m2: '0.3', m3: 0.2 })).toBeNull();
    expect(cosineKernelMargin('combinedCosine', { m1: 1, m2: 0.3 })).toBeNull();
    expect(cosineKernelMargin('sphereFaceR', { margin: 1.5, variant: 'v9' })).toBeNull();
    expect(cosineKernelMargin('cosFace', { margin: -0.1 })).toBeNull();
    expect(cosineKernelMargin('combinedCosine', { m1: 1, m2: 0.3, m3: -0.2 })).toBeNull();
  });

  describe('CurricularFace', () => {
    it('takes t as a number or a tensor, as its state [1], and commits the next t as a scalar', async () => {
      const fromNumber = cosineKernelMargin('curricularFace', { margin: 0.5, tAlpha: 0.01, t: 0.25 })!;
      expect(fromNumber.formula).toBe('curricularFace');
      expect(fromNumber.params).toEqual([0.5, 0.01]);
      expect(fromNumber.commit).toBeUndefined();
      const s1 = fromNumber.state!();
      expect(s1.shape).toEqual([1]);
      expect(Array.from(await s1.data())).toEqual([0.25]);
      let committed: tf.Tensor | null = null;
      const fromTensor = cosineKernelMargin('curricularFace', {
        margin: 0.5,
        tAlpha: 0.01,
        t: tf.scalar(0.5),
        commit: (next: tf.Tensor) => {
          committed = next;
        },
      })!;
      const s2 = fromTensor.state!();
      expect(s2.shape).toEqual([1]);
      expect(Array.from(await s2.data())).toEqual([0.5]);
      fromTensor.commit!(tf.tensor1d([0.75]));
      expect(committed!.shape).toEqual([]);
      expect(Array.from(await committed!.data())).toEqual([0.75]);
    });

    it('is null without a usable t or with a malformed momentum', () => {
      expect(cosineKernelMargin('curricularFace', { margin: 0.5, tAlpha: 0.01 })).toBeNull();
      expect(cosineKernelMargin('curricularFace', { margin: 0.5, tAlpha: 0.01, t: '0.3' })).toBeNull();
      expect(cosineKernelMargin('curricularFace', { margin: 0.5, t: 0.3 })).toBeNull();
    });
  });

  describe('AdaFace', () => {
    const running = (commit?: (s: tf.Tensor1D) => void) => ({
      embeddings: tf.ones([2, 3]) as tf.Tensor2D,
      mean: tf.scalar(20),
      std: tf.scalar(100),
      h: 0.333,
      tAlpha: 0.01,
      ...(commit == null ? {} : { commit }),
    });

    it('needs running statistics: their μ and σ are its state, h and the momentum its params', async () => {
      const stats = running();
      const km = cosineKernelMargin('adaFace', { margin: 0.4, running: stats })!;
      expect(km.formula).toBe('adaFace');
      expect(km.params).toEqual([0.4, 0.333, 0.01]);
      expect(km.embeddings).toBe(stats.embeddings);
      expect(Object.keys(km)).not.toContain('commit');
      expect(Array.from(await km.state!().data())).toEqual([20, 100]);
      const commit = () => undefined;
      expect(cosineKernelMargin('adaFace', { margin: 0.4, running: running(commit) })!.commit).toBe(commit);
    });

    it('is null with per-row scalers instead, or with statistics missing a number', () => {
      expect(cosineKernelMargin('adaFace', { margin: 0.4, scalers: tf.zeros([2, 1]) })).toBeNull();
      expect(cosineKernelMargin('adaFace', { margin: 0.4, running: { ...running(), h: undefined } })).toBeNull();
      // running statistics do not make another kind AdaFace
      expect(cosineKernelMargin('angular', { margin: 0.4, running: running() })).toBeNull();
    });
  });
});
