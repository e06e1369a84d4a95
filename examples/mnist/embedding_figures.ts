// The retrieval and verification figures the MNIST report keeps for one set of test embeddings.
import { retrievalMetrics, verificationCurve, verificationMetrics } from 'tfjs-angular-margin';

/** The false-accept rate at which the report gives the true-accept rate and its threshold. */
export const REPORTED_FAR = 1e-3;

/** Points of the ROC drawn per head. */
const ROC_POINTS = 400;

/** What the report keeps of one set of embeddings (each figure as the library's function defines it). */
export interface EmbeddingFigures {
  /** retrievalMetrics, each query searched among the other embeddings of the set. */
  precisionAt1: number;
  rPrecision: number;
  mapAtR: number;
  recallAt1: number;
  /** verificationMetrics over all pairs of the set. */
  auc: number;
  eer: number;
  /** TAR at FAR = {@link REPORTED_FAR}, and the cosine threshold that gives it. */
  tarAtFar: { far: number; tar: number; threshold: number };
  genuinePairs: number;
  impostorPairs: number;
  /** The ROC, down-sampled (verificationCurve), for the figure. */
  roc: { far: number[]; tar: number[] };
}

/** Retrieval and verification figures of `embeddings` (rows) with their labels, on the active backend. */
export async function embeddingFigures(embeddings: number[][], labels: number[]): Promise<EmbeddingFigures> {
  const retrieval = await retrievalMetrics(embeddings, labels, { recallAt: [1] });
  const verification = await verificationMetrics(embeddings, labels, { farTargets: [REPORTED_FAR] });
  const curve = await verificationCurve(embeddings, labels, { maxPoints: ROC_POINTS });
  return {
    precisionAt1: retrieval.precisionAt1,
    rPrecision: retrieval.rPrecision,
    mapAtR: retrieval.mapAtR,
    recallAt1: retrieval.recallAt[1]!,
    auc: verification.auc,
    eer: verification.eer,
    tarAtFar: verification.tarAtFar[0]!,
    genuinePairs: verification.pairs.genuine,
    impostorPairs: verification.pairs.impostor,
    roc: { far: curve.far, tar: curve.tar },
  };
}
