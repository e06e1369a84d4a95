// The fused L2 normalization kernel: its names and attributes (see op.ts for what it computes).

/** x / ‖x‖ along one axis of a matrix, one kernel. Input `x` [R, C]; attribute `axis`; output [R, C]. @internal */
export const L2_NORMALIZE = 'TfjsAngularMarginL2Normalize';
/** Its gradient: inputs `dy` (dL/dx̂) and `x`; attribute `axis`; output dL/dx [R, C]. @internal */
export const L2_NORMALIZE_GRAD = 'TfjsAngularMarginL2NormalizeGrad';

/** The kernels' attribute: 0 normalizes each column, 1 each row. @internal */
export interface L2NormalizeAttrs {
  axis: 0 | 1;
}

/**
 * The vectors that `axis` normalizes in a row-major [rows, cols] matrix: how many, their length,
 * and the stride between their elements; vector v starts at `offset(v)`. @internal
 */
export function vectorsAlong([rows, cols]: [number, number], axis: 0 | 1): { count: number; length: number; stride: number; offset: (v: number) => number } {
  return axis === 0 ? { count: cols, length: rows, stride: cols, offset: (v) => v } : { count: rows, length: cols, stride: 1, offset: (v) => v * cols };
}
