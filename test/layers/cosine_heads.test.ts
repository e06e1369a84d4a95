import { describe, expect, it } from 'vitest';
import { ArcFace, arcFace } from '../../src/layers/arc_face.js';
import { CombinedMargin, combinedMargin } from '../../src/layers/combined_margin.js';
import { CosFace, cosFace } from '../../src/layers/cos_face.js';
import { arcFaceRef, combinedMarginRef, cosFaceRef, normLinearRef } from '../reference/sphereface.js';
import { describeHeadConformance } from './conformance.js';

const plain = (s: number) => (x: number[][], w: number[][]) => normLinearRef(x, w, true, s);

describeHeadConformance({
  className: 'CosFace',
  make: () => cosFace({ units: 4, scale: 3, margin: 0.35 }),
  inferenceRef: plain(3),
  trainingRef: (x, w, l) => cosFaceRef(x, w, l, 3, 0.35),
  nonTrainableWeights: 0,
});

describeHeadConformance({
  className: 'ArcFace',
  make: () => arcFace({ units: 4, scale: 3, margin: 0.5 }),
  inferenceRef: plain(3),
  trainingRef: (x, w, l) => arcFaceRef(x, w, l, 3, 0.5),
  nonTrainableWeights: 0,
});

describeHeadConformance({
  className: 'CombinedMargin',
  make: () => combinedMargin({ units: 4, scale: 3, m1: 0.9, m2: 0.3, m3: 0.1 }),
  inferenceRef: plain(3),
  trainingRef: (x, w, l) => combinedMarginRef(x, w, l, 3, 0.9, 0.3, 0.1),
  nonTrainableWeights: 0,
});

describe('cosine-margin heads', () => {
  it('have the papers\' defaults', () => {
    const c = new CosFace({ units: 2 });
    expect([c.scale, c.margin]).toEqual([64, 0.35]);
    const a = new ArcFace({ units: 2 });
    expect([a.scale, a.margin, a.easyMargin]).toEqual([64, 0.5, false]);
    const m = new CombinedMargin({ units: 2 });
    expect([m.scale, m.m1, m.m2, m.m3]).toEqual([64, 1, 0.5, 0]);
  });

  it('reject bad parameters with the class name', () => {
    expect(() => cosFace({ units: 2, scale: -3 })).toThrow(/CosFace: scale must be a finite number > 0, but got -3/);
    expect(() => cosFace({ units: 2, margin: 5 })).toThrow(/CosFace: margin must be a number in \[0, 2\), but got 5/);
    expect(() => arcFace({ units: 2, margin: -1 })).toThrow(/ArcFace: margin must be a number in \[0, π\), but got -1/);
    expect(() => arcFace({ units: 2, easyMargin: 'no' as unknown as boolean })).toThrow(/ArcFace: easyMargin must be a boolean, but got "no"/);
    expect(() => combinedMargin({ units: 2, m3: -1 })).toThrow(/CombinedMargin: m3 must be a number in \[0, 2\)/);
    expect(() => combinedMargin({ units: 0 })).toThrow(/CombinedMargin: units must be an integer >= 1, but got 0/);
  });
});
