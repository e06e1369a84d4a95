// The fused column normalization kernel: its names (see op.ts for what it computes).

/** Ŵ = W / ‖W‖ per column, one kernel. Input `w` [D, C]; output [D, C]. @internal */
export const NORMALIZE_COLUMNS = 'TfjsAngularMarginNormalizeColumns';
/** Its gradient: inputs `dy` (dL/dŴ) and `w`; output dL/dW [D, C]. @internal */
export const NORMALIZE_COLUMNS_GRAD = 'TfjsAngularMarginNormalizeColumnsGrad';
