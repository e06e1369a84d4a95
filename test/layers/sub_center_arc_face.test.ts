import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { dominantSubCenters } from '../../src/evaluation/dominant_sub_centers.js';
import { SubCenterArcFace, subCenterArcFace } from '../../src/layers/sub_center_arc_face.js';
import { subCenterArcFaceRef } from '../reference/sphereface.js';
import { describeHeadConformance } from './conformance.js';

describeHeadConformance({
  className: 'SubCenterArcFace',
  make: () => subCenterArcFace({ units: 4, subCenters: 2, scale: 3, margin: 0.5 }),
  inferenceRef: (x, w) => subCenterArcFaceRef(x, w, [], 3, 0.5, 2, false),
  trainingRef: (x, w, l) => subCenterArcFaceRef(x, w, l, 3, 0.5, 2, true),
  nonTrainableWeights: 0,
  columnsPerClass: 2,
});

describe('SubCenterArcFace', () => {
  it("has the paper's defaults, and K = 1 is ArcFace", async () => {
    const head = new SubCenterArcFace({ units: 2 });
    expect([head.subCenters, head.scale, head.margin, head.easyMargin]).toEqual([3, 64, 0.5, false]);
    expect(() => subCenterArcFace({ units: 2, subCenters: 0 })).toThrow(/SubCenterArcFace: subCenters must be an integer >= 1, but got 0/);
    const one = subCenterArcFace({ units: 3, subCenters: 1, scale: 2 });
    one.build([
      [null, 2],
      [null, 1],
    ]);
    expect(one.getWeights()[0]!.shape).toEqual([2, 3]);
  });

  it("finds each class's dominant sub-center and each sample's angle to it", () => {
    const head = subCenterArcFace({ units: 2, subCenters: 2 });
    head.build([
      [null, 2],
      [null, 1],
    ]);
    // Class 0: sub-centers along x and y; class 1: along −x and −y. Columns: c0k0, c0k1, c1k0, c1k1.
    head.setWeights([
      tf.tensor2d([
        [1, 0, -1, 0],
        [0, 1, 0, -1],
      ]),
    ]);
    const embeddings = [
      [1, 0.1],
      [1, -0.1],
      [0.1, 1],
      [-1, 0],
      [0, -2],
      [0.2, -1],
    ];
    const labels = [0, 0, 0, 1, 1, 1];
    const r = dominantSubCenters(head, embeddings, labels);
    expect(r.subCenterOf).toEqual([0, 0, 1, 0, 1, 1]);
    expect(r.dominant).toEqual([0, 1]);
    const deg = (a: number[], b: number[]) =>
      (Math.acos((a[0]! * b[0]! + a[1]! * b[1]!) / Math.hypot(a[0]!, a[1]!) / Math.hypot(b[0]!, b[1]!)) * 180) / Math.PI;
    const expected = [
      deg([1, 0.1], [1, 0]),
      deg([1, -0.1], [1, 0]),
      deg([0.1, 1], [1, 0]),
      deg([-1, 0], [0, -1]),
      deg([0, -2], [0, -1]),
      deg([0.2, -1], [0, -1]),
    ];
    r.angleToDominant.forEach((a, i) => expect(a).toBeCloseTo(expected[i]!, 6));
    expect(() => dominantSubCenters(head, embeddings, [0, 0, 0, 1, 1, 2])).toThrow(/labels must be in \[0, 2\), but the label at index 5 is 2/);
  });

  it('gives −1 for a class without samples, keeps an unused sub-center out of the way, and checks its inputs', () => {
    const head = subCenterArcFace({ units: 3, subCenters: 2 });
    head.build([
      [null, 2],
      [null, 1],
    ]);
    head.setWeights([
      tf.tensor2d([
        [1, 0, -1, 0, 1, 1],
        [0, 1, 0, -1, 1, -1],
      ]),
    ]);
    // Class 0 only near its first sub-center (the second unused); class 1 near its second; class 2 absent.
    const r = dominantSubCenters(
      head,
      [
        [1, 0.1],
        [1, -0.2],
        [0, -1],
      ],
      [0, 0, 1],
    );
    expect(r.dominant).toEqual([0, 1, -1]);
    expect(() => dominantSubCenters(head, [[1, 0, 0]], [0])).toThrow(/dominantSubCenters: embeddings have dimension 3, but the head's kernel expects 2/);
    expect(() => dominantSubCenters(subCenterArcFace({ units: 2 }), [[1, 0]], [0])).toThrow(/dominantSubCenters: expected a built SubCenterArcFace head/);
    for (const notAHead of [null, {}]) {
      expect(() => dominantSubCenters(notAHead as unknown as SubCenterArcFace, [[1, 0]], [0])).toThrow(
        /^dominantSubCenters: expected a built SubCenterArcFace head, but got /,
      );
    }
    expect(() => dominantSubCenters(head, [[1, 0]], [-1])).toThrow('dominantSubCenters: labels must be in [0, 3), but the label at index 0 is -1.');
    // No embeddings: nothing to assign, every class without samples.
    const none = dominantSubCenters(head, [], []);
    expect(none.dominant).toEqual([-1, -1, -1]);
    expect(none.subCenterOf).toEqual([]);
  });
});
