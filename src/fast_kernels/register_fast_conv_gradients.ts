import * as tf from '@tensorflow/tfjs-core';
import { assertBoolean, assertOptions, describe } from '../util/validate.js';
import { conv2dInputGradient } from './conv2d_input_gradient.js';
import { overrideKernel, restoreKernel, wrapInputs } from './kernel_override.js';
import { assertFilterGradientMethod, conv2dFilterGradient, type ConvPadding, type FilterGradientMethod } from './conv2d_filter_gradient.js';
import { attrsOf } from '../kernels/fused_kernels.js';

/** Attributes of tfjs's Conv2DBackpropFilter kernel. */
interface BackpropFilterAttrs {
  strides: number | [number, number];
  pad: ConvPadding;
  dataFormat?: 'NHWC' | 'NCHW';
  filterShape: [number, number, number, number];
}

const SUPPORTED = ['wasm', 'webgpu', 'webgl', 'cpu'];

/** Options of {@link registerFastConvGradients}. */
export interface FastConvGradientOptions {
  /**
   * Backends to register the kernel for. Default: ['wasm', 'cpu']: wasm has no
   * Conv2DBackpropFilter kernel, so convolutional networks train there only with this one; on cpu
   * it computes the filter gradients of the MNIST paper network 27× faster than the stock kernel
   * (bench/results/conv-gradients-cpu.md). 'webgpu' and 'webgl' replace their stock kernels;
   * compare with `npm run bench -- conv` before choosing it there.
   */
  backends?: string[];
  /** How the kernel computes: see {@link FilterGradientMethod}. Default: 'auto'. */
  method?: FilterGradientMethod;
  /**
   * Whether to replace the input gradient (`Conv2DBackpropInput`) too, by forward convolutions
   * over the stride's phases, for convolutions with at least 8 input channels (with fewer, those
   * convolutions have too few output channels to be fast). Default: on wasm only, whose own
   * kernel is slow: a wasm training step of the MNIST example's cnn-wide network takes 12% less
   * time, though one of its small cnn (16 input channels) 9% more
   * (bench/results/networks-wasm-kernels.md). On cpu the stock kernel is faster.
   */
  inputGradient?: boolean;
}

/** Attributes of tfjs's Conv2DBackpropInput kernel. */
interface BackpropInputAttrs {
  strides: number | [number, number];
  pad: ConvPadding;
  dataFormat?: 'NHWC' | 'NCHW';
  inputShape: [number, number, number, number];
}

/** Input channels from which the phase-wise input gradient beats wasm's own kernel. */
const PHASE_GRADIENT_MIN_CHANNELS = 8;

/**
 * Registers a `Conv2DBackpropFilter` kernel built from fast existing ops ({@link conv2dFilterGradient})
 * for the given backends. Every convolution's filter gradient then uses it: tfjs's conv2d
 * gradient, the fused conv2d of tfjs-layers, and depthwise-free Conv2D layers in `fit`. On wasm
 * (see {@link FastConvGradientOptions.inputGradient}) it also registers a `Conv2DBackpropInput`
 * kernel built from forward convolutions.
 *
 * Opt-in and global, like any tfjs kernel registration: call it once after importing the backend;
 * {@link restoreConvGradients} undoes it. On wasm (tfjs-backend-wasm 4.22 has no such kernel) it
 * makes convolutional networks trainable; on cpu it makes their filter gradients ~27× faster.
 *
 * @param options - see {@link FastConvGradientOptions}.
 * @returns the backends it registered the kernel for.
 * @throws Error for a backend name outside wasm, webgpu, webgl and cpu.
 * @example
 * ```ts
 * import '@tensorflow/tfjs-backend-wasm';
 * import { registerFastConvGradients } from 'tfjs-angular-margin/fast-kernels';
 * await tf.setBackend('wasm');
 * registerFastConvGradients(); // conv nets now train on wasm, and train faster on cpu
 * ```
 */
export function registerFastConvGradients(options: FastConvGradientOptions = {}): string[] {
  assertOptions('registerFastConvGradients', options, "{ backends: ['wasm'], inputGradient: true }");
  if (options.inputGradient !== undefined) assertBoolean('registerFastConvGradients', 'inputGradient', options.inputGradient);
  const backends = options.backends ?? ['wasm', 'cpu'];
  if (!Array.isArray(backends))
    throw new Error(`registerFastConvGradients: backends must be an array of backend names, e.g. ['wasm'], but got ${describe(backends)}.`);
  const method = options.method ?? 'auto';
  assertFilterGradientMethod('registerFastConvGradients', method);
  for (const name of backends) {
    if (!SUPPORTED.includes(name)) {
      throw new Error(`registerFastConvGradients: backends must be among ${SUPPORTED.join(', ')}, but got ${describe(name)}.`);
    }
  }
  for (const backendName of backends) {
    overrideKernel('Conv2DBackpropFilter', backendName, () => ({ inputs, attrs, backend }) => {
      const { strides, pad, dataFormat = 'NHWC', filterShape } = attrsOf<BackpropFilterAttrs>(attrs);
      const { x, dy } = wrapInputs(inputs, ['x', 'dy'], backend) as Record<'x' | 'dy', tf.Tensor4D>;
      const result = tf.tidy(() => {
        const nhwc = (t: tf.Tensor4D) => (dataFormat === 'NCHW' ? tf.transpose(t, [0, 2, 3, 1]) : t);
        return conv2dFilterGradient(nhwc(x), nhwc(dy), filterShape, strides, pad, 1, method);
      });
      tf.dispose([x, dy]);
      // A kernel may return a Tensor: the engine then uses it as the output as it is.
      return result;
    });
    if (options.inputGradient ?? backendName === 'wasm') {
      overrideKernel('Conv2DBackpropInput', backendName, (own) => ({ inputs, attrs, backend }) => {
        const { strides, pad, dataFormat = 'NHWC', inputShape } = attrsOf<BackpropInputAttrs>(attrs);
        // Every supported backend has a kernel of its own, kept for the cases phases do not serve.
        if (dataFormat !== 'NHWC' || (inputs['filter'] as tf.TensorInfo).shape[2]! < PHASE_GRADIENT_MIN_CHANNELS) return own!({ inputs, attrs, backend });
        const { dy, filter } = wrapInputs(inputs, ['dy', 'filter'], backend) as Record<'dy' | 'filter', tf.Tensor4D>;
        const result = conv2dInputGradient(dy, filter, inputShape, strides, pad);
        tf.dispose([dy, filter]);
        // A kernel may return a Tensor: the engine then uses it as the output as it is.
        return result;
      });
    } else {
      restoreKernel('Conv2DBackpropInput', backendName);
    }
  }
  return backends;
}

/**
 * Undoes {@link registerFastConvGradients}: on each backend where it registered its kernel, puts
 * back the backend's own `Conv2DBackpropFilter` (or none, on wasm, which has none).
 *
 * @param options - `backends`: which to restore. Default: every backend it was registered for.
 * @returns the backends restored.
 * @example
 * ```ts
 * registerFastConvGradients({ backends: ['webgpu'] });
 * // ... time a training step ...
 * restoreConvGradients({ backends: ['webgpu'] }); // tfjs-backend-webgpu's own kernel again
 * ```
 */
export function restoreConvGradients(options: Pick<FastConvGradientOptions, 'backends'> = {}): string[] {
  return (options.backends ?? SUPPORTED).filter((backendName) => {
    const input = restoreKernel('Conv2DBackpropInput', backendName);
    return restoreKernel('Conv2DBackpropFilter', backendName) || input;
  });
}
