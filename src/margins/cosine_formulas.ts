// The table of the cosine margins the fused kernel computes: one entry per margin file. The
// kernel (src/kernels/cosine_targets) is given it here; marginLogits reads it to choose the
// kernel for a margin value, by the value's kind.
import { registerCosineFormulas } from '../kernels/cosine_targets/formula.js';
import type { CosineKernelMargin } from '../kernels/cosine_targets/op.js';
import { ADA_FACE_FORMULA } from './ada_face_margin.js';
import { ARC_FACE_FORMULA } from './arc_face_margin.js';
import { COMBINED_COSINE_FORMULA } from './combined_cosine_margin.js';
import { COS_FACE_FORMULA } from './cos_face_margin.js';
import type { CosineMarginFormula } from './cosine_formula.js';
import { CURRICULAR_FACE_FORMULA } from './curricular_face_margin.js';
import { SPHERE_FACE2_FORMULA } from './sphere_face2_margin.js';
import { SPHERE_FACE_R_FORMULA } from './sphere_face_r_margin.js';

/** Every cosine margin formula, by its margin's kind. @internal */
export const COSINE_FORMULAS: ReadonlyMap<string, CosineMarginFormula> = new Map(
  (
    [
      COS_FACE_FORMULA,
      ARC_FACE_FORMULA,
      COMBINED_COSINE_FORMULA,
      SPHERE_FACE_R_FORMULA,
      SPHERE_FACE2_FORMULA,
      CURRICULAR_FACE_FORMULA,
      ADA_FACE_FORMULA,
    ] as CosineMarginFormula[]
  ).map((f) => [f.name, f]),
);
registerCosineFormulas(COSINE_FORMULAS.values());

/**
 * The kernel's form of a margin value of kind `kind` with `params`, or null for a kind the kernel
 * does not compute or params it cannot (see {@link CosineMarginFormula.encode}).
 * @internal
 */
export function cosineKernelMargin(kind: string, params: Readonly<Record<string, unknown>>): CosineKernelMargin | null {
  return COSINE_FORMULAS.get(kind)?.encode(params) ?? null;
}
