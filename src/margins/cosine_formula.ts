import type { CosineKernelFormula } from '../kernels/cosine_targets/formula.js';
import type { CosineKernelMargin } from '../kernels/cosine_targets/op.js';

/**
 * A cosine margin as the fused kernel computes it, described in the margin's own file beside its
 * composite op: the kernel's formula (host value and slope, WGSL, running state) and the encoder
 * from the margin value's params `P` to the kernel's numbers. The table of them is
 * src/margins/cosine_formulas.ts.
 * @internal
 */
export interface CosineMarginFormula<P extends object = object> extends CosineKernelFormula {
  /**
   * The kernel's form of a margin value of this kind with `params`: its numbers in the formula's
   * order (and its state, embeddings and commit, for a running statistic), or null where the
   * kernel does not compute it (the composite ops then). Checks what it reads: a value of this
   * kind built by hand may lack a field or hold another type.
   */
  encode(params: Readonly<Partial<Record<keyof P, unknown>>>): CosineKernelMargin | null;
}
