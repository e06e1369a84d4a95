// CosFace's margin, in one place: its value (the composite op), its fused kernel's formula (host
// value and slope, WGSL) and the encoder of its params.
import * as tf from '@tensorflow/tfjs-core';
import { assertRange, nonNegativeNumbers } from './cosine_angles.js';
import type { CosineMarginFormula } from './cosine_formula.js';
import type { Margin } from './margin.js';

/** The parameters of a CosFace margin value. */
export interface CosFaceMarginParams {
  /** m, in [0, 2). */
  margin: number;
}

/** The kind of this margin's values and the name of its kernel formula. */
const KIND = 'cosFace';

/** CosFace's formula for the fused kernel: g(c) = c − m, slope 1; params [m]. @internal */
export const COS_FACE_FORMULA: CosineMarginFormula<CosFaceMarginParams> = {
  name: KIND,
  target: ([m], c) => [c - m!, 1],
  wgsl: ([m]) => ({
    structure: KIND,
    uniforms: [m!, 0, 0, 0],
    code: `
  fn margin(c : f32) -> vec2<f32> {
    return vec2<f32>(c - uniforms.p0, 1.0);
  }`,
  }),
  encode: (params) => {
    const values = nonNegativeNumbers(params.margin);
    return values == null ? null : { formula: KIND, params: values };
  },
};

/**
 * The CosFace (large margin cosine) target margin: g(c) = c − m.
 * @param margin - m, in [0, 2). CosFace uses 0.35.
 * @returns the margin value for {@link marginLogits} and the heads.
 * @throws Error for a margin outside [0, 2).
 * @example
 * ```ts
 * marginLogits(x, kernel, labels, { normalizeInput: true, scale: 64, targetMargin: cosFaceMargin(0.35) });
 * ```
 */
export function cosFaceMargin(margin: number): Margin<CosFaceMarginParams> {
  assertRange('CosFace', 'margin', margin, 0, 2);
  return { kind: COS_FACE_FORMULA.name, params: { margin }, apply: (c) => tf.sub(c, margin) };
}
