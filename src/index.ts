import { assertOneTfjsCore } from './util/one_tfjs.js';

export { chebyshevT, chebyshevU } from './ops/chebyshev.js';
export { psi } from './ops/psi.js';
export { l2Normalize, safeL2Norm } from './ops/l2_norm.js';
export { marginLogits, type MarginLogitsOptions, type TargetMargin } from './ops/margin_logits.js';
export { angularMargin, angularSoftmaxLogits, type AngularSoftmaxOptions } from './ops/angular_softmax_logits.js';
export { cosFaceMargin, arcFaceMargin, combinedMargin, cosFaceLogits, arcFaceLogits, combinedMarginLogits } from './ops/cosine_margins.js';
export { conv2dFilterGradient, type ConvPadding, type FilterGradientMethod } from './kernels/conv2d_filter_gradient.js';
export { FUSED_KERNEL_BACKENDS, useFusedKernels } from './kernels/fused_kernels.js';
export { registerFastConvGradients, restoreConvGradients, type FastConvGradientOptions } from './kernels/register_fast_conv_gradients.js';
export { registerFastMatMul, restoreMatMul, type FastMatMulOptions } from './kernels/register_fast_mat_mul.js';
export { lambdaAt, type LambdaSchedule } from './schedule/lambda_at.js';
export type { Initializer, InitializerName, SerializedInitializer } from './layers/initializer.js';
export { MarginHead, type MarginHeadArgs, type LayerArgs, type CallKwargs } from './layers/margin_head.js';
export { NormLinear, normLinear, type NormLinearArgs } from './layers/norm_linear.js';
export { ModifiedSoftmax, modifiedSoftmax, type ModifiedSoftmaxArgs } from './layers/modified_softmax.js';
export { AngularSoftmax, angularSoftmax, type AngularSoftmaxArgs } from './layers/angular_softmax.js';
export { ScaledCosineHead, type ScaledCosineHeadArgs } from './layers/scaled_cosine_head.js';
export { CosFace, cosFace, type CosFaceArgs } from './layers/cos_face.js';
export { ArcFace, arcFace, type ArcFaceArgs } from './layers/arc_face.js';
export { CombinedMargin, combinedMarginHead, type CombinedMarginArgs } from './layers/combined_margin.js';
export { marginCrossEntropy } from './losses/margin_cross_entropy.js';
export { marginAccuracy } from './metrics/margin_accuracy.js';
export { embeddingModel } from './models/embedding_model.js';
export { gradCheck, type GradCheckOptions, type GradCheckResult } from './testing/grad_check.js';
export { seededRandom } from './testing/random.js';
export { angularStatistics, type AngularStatistics } from './evaluation/angular_statistics.js';
export { pairVerification, type PairVerificationOptions, type PairVerificationResult } from './evaluation/pair_verification.js';

// At import: fail with a clear message when npm installed a second copy of tfjs-core (one_tfjs.ts).
assertOneTfjsCore();
