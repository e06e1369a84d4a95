/**
 * Speed-ups that replace tfjs kernels in the global registry: the convolution gradients and wasm's matrix product, and `useFastCpu()`, which picks and sets up the fastest CPU backend.
 *
 * @module tfjs-angular-margin/fast-kernels
 */
export { conv2dFilterGradient, type ConvPadding, type FilterGradientMethod } from './fast_kernels/conv2d_filter_gradient.js';
export { registerFastConvGradients, restoreConvGradients, type FastConvGradientOptions } from './fast_kernels/register_fast_conv_gradients.js';
export { registerFastMatMul, restoreMatMul, type FastMatMulOptions } from './fast_kernels/register_fast_mat_mul.js';
export { useFastCpu, type FastCpuChoice, type FastCpuOptions } from './fast_kernels/use_fast_cpu.js';
