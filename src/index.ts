/**
 * The heads (layers and factories), their registry `HEADS`, the functional logits, losses, schedules, evaluation metrics and `EmbeddingIndex`; importing it registers the layers for model loading.
 *
 * @module tfjs-angular-margin
 */
import { assertOneTfjsCore } from './util/one_tfjs.js';

export { chebyshevT, chebyshevU } from './ops/chebyshev.js';
export { psi } from './ops/psi.js';
export { l2Normalize, safeL2Norm } from './ops/l2_norm.js';
export type { AdaFaceRunningStatistics, Margin, MarginFunction, TargetMargin } from './margins/margin.js';
export { angularMargin, type AngularMargin } from './margins/angular_margin.js';
export type { AngularMarginParams } from './kernels/angular_targets/op.js';
export { cosFaceMargin, type CosFaceMarginParams } from './margins/cos_face_margin.js';
export { arcFaceMargin, type ArcFaceMarginParams } from './margins/arc_face_margin.js';
export { combinedCosineMargin, type CombinedCosineMarginParams } from './margins/combined_cosine_margin.js';
export { adaFaceMargin, type AdaFaceMarginParams } from './margins/ada_face_margin.js';
export { curricularFaceMargin, type CurricularFaceMarginParams } from './margins/curricular_face_margin.js';
export { sphereFaceRMargin, type SphereFaceRMarginParams, type SphereFaceRVariant } from './margins/sphere_face_r_margin.js';
export { marginLogits, type MarginLogitsOptions } from './functional/margin_logits.js';
export { angularSoftmaxLogits, type AngularSoftmaxOptions } from './functional/angular_softmax_logits.js';
export { cosFaceLogits, arcFaceLogits, combinedMarginLogits } from './functional/cosine_margin_logits.js';
export { FUSED_KERNEL_BACKENDS, useFusedKernels } from './kernels/fused_kernels.js';
export { lambdaAt, lambdaScheduleFor, type LambdaSchedule, type LambdaScheduleArgs } from './schedule/lambda_at.js';
export type { Initializer, InitializerName, SerializedInitializer } from './layers/initializer.js';
export { MarginHead, type MarginHeadArgs, type LayerArgs, type CallKwargs, type PassCount } from './layers/margin_head.js';
export { NormLinear, normLinear, type NormLinearArgs } from './layers/norm_linear.js';
export { ModifiedSoftmax, modifiedSoftmax, type ModifiedSoftmaxArgs } from './layers/modified_softmax.js';
export { AngularSoftmax, angularSoftmax, type AngularSoftmaxArgs } from './layers/angular_softmax.js';
export { ScaledCosineHead, type ScaledCosineHeadArgs } from './layers/scaled_cosine_head.js';
export { CosFace, cosFace, type CosFaceArgs } from './layers/cos_face.js';
export { ArcFace, arcFace, type ArcFaceArgs } from './layers/arc_face.js';
export { CombinedMargin, combinedMargin, type CombinedMarginArgs } from './layers/combined_margin.js';
export { SubCenterArcFace, subCenterArcFace, type SubCenterArcFaceArgs } from './layers/sub_center_arc_face.js';
export { AdaFace, adaFace, type AdaFaceArgs, type AdaFaceNormStatistics } from './layers/ada_face.js';
export { CurricularFace, curricularFace, type CurricularFaceArgs } from './layers/curricular_face.js';
export { sphereFace2Margin, type SphereFace2MarginParams, type SphereFace2Variant } from './margins/sphere_face2_margin.js';
export { SphereFace2, sphereFace2, type SphereFace2Args } from './layers/sphere_face2.js';
export { sphereFace2Loss, type SphereFace2LossOptions } from './losses/sphere_face2_loss.js';
export { SphereFaceR, sphereFaceR, type SphereFaceRArgs, type FeatureNormalization } from './layers/sphere_face_r.js';
export { marginCrossEntropy } from './losses/margin_cross_entropy.js';
export { marginAccuracy } from './metrics/margin_accuracy.js';
export { embeddingModel } from './models/embedding_model.js';
export { angularStatistics, type AngularStatistics } from './evaluation/angular_statistics.js';
export { HEADS, HEAD_KINDS, type HeadArgsByKind, type HeadDescription, type HeadKind } from './heads/registry.js';
export { MarginLoss, marginLosses, type MarginLossArgs, type MarginLossOptions } from './training/margin_loss.js';
export { dominantSubCenters, type DominantSubCenters } from './evaluation/dominant_sub_centers.js';
export { pairVerification, type PairVerificationOptions, type PairVerificationResult } from './evaluation/pair_verification.js';
export { retrievalMetrics, type RetrievalMetrics, type RetrievalMetricsOptions } from './evaluation/retrieval_metrics.js';
export { EmbeddingIndex, type EmbeddingIndexData, type IndexStore, type SearchResult } from './evaluation/embedding_index.js';
export { clusteringMetrics, type ClusteringMetrics, type ClusteringOptions } from './evaluation/clustering_metrics.js';
export {
  verificationCurve,
  verificationMetrics,
  type TarAtFar,
  type VerificationCurve,
  type VerificationMetrics,
  type VerificationOptions,
} from './evaluation/verification_metrics.js';

// At import: fail with a clear message when npm installed a second copy of tfjs-core (one_tfjs.ts).
assertOneTfjsCore();
