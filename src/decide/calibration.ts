// Calibrated confidence: the model's self-score is a feature, not the truth. A small
// logistic model combines it with retrieval evidence (DESIGN §4, "confidence is
// measured, not believed"). Parameters come from config, or from the newest refit
// on human feedback (`calibrations` table). Pure: no bindings, no clock.
import { z } from 'zod';
import type { RetrievedChunkEvidence } from '../db/schema';

export const CalibrationParams = z.strictObject({
  bias: z.number(),
  /** Weight of logit(model confidence). */
  model: z.number(),
  /** Weight of the score margin between the best doc and the best other doc (0..1). */
  margin: z.number(),
  /** Weight of lexical/vector agreement on the top doc (+1 agree, -1 disagree, 0 one retriever only). */
  agreement: z.number(),
  /** Weight of the top chunk's vector similarity (0 when there is no vector search). */
  vector: z.number(),
});
export type CalibrationParams = z.infer<typeof CalibrationParams>;

export type CalibrationFeatures = Omit<CalibrationParams, 'bias'>;

export type EvidenceChunk = Pick<RetrievedChunkEvidence, 'docId' | 'score' | 'lexicalRank' | 'vectorRank' | 'vectorScore'>;

/**
 * Prior until feedback refits it: the model's score passes through unchanged. On
 * the labelled sample eval (lexical retrieval, 87 non-sensitive tickets) the score
 * margin carried no signal beyond the responder's own score (fitted weight −1.2),
 * and no labelled hybrid data exists for agreement or vector similarity; a refit
 * on feedback learns each weight from the team's own verdicts.
 */
export const DEFAULT_CALIBRATION: CalibrationParams = { bias: 0, model: 1, margin: 0, agreement: 0, vector: 0 };

const EPSILON = 0.01;

export const logit = (p: number): number => {
  const q = Math.min(1 - EPSILON, Math.max(EPSILON, p));
  return Math.log(q / (1 - q));
};
export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** How far the best doc leads the best chunk of any other doc (1 when no other doc matched). */
export function scoreMargin(chunks: readonly EvidenceChunk[]): number {
  const top = chunks[0];
  if (!top || top.score <= 0) return 0;
  const rival = chunks.find((c) => c.docId !== top.docId);
  return rival ? Math.min(1, Math.max(0, 1 - rival.score / top.score)) : 1;
}

function retrieverAgreement(chunks: readonly EvidenceChunk[]): number {
  const lexicalTop = chunks.find((c) => c.lexicalRank === 1);
  const vectorTop = chunks.find((c) => c.vectorRank === 1);
  if (!lexicalTop || !vectorTop) return 0;
  return lexicalTop.docId === vectorTop.docId ? 1 : -1;
}

export function calibrationFeatures(modelConfidence: number, chunks: readonly EvidenceChunk[]): CalibrationFeatures {
  return {
    model: logit(modelConfidence),
    margin: scoreMargin(chunks),
    agreement: retrieverAgreement(chunks),
    vector: chunks[0]?.vectorScore ?? 0,
  };
}

const WEIGHTS = ['model', 'margin', 'agreement', 'vector'] as const;

export function calibrate(params: CalibrationParams, features: CalibrationFeatures): number {
  let z = params.bias;
  for (const name of WEIGHTS) z += params[name] * features[name];
  return sigmoid(z);
}

export type CalibrationSample = { features: CalibrationFeatures; /** 1: a person approved the draft unchanged. */ label: 0 | 1 };

export type FitOptions = {
  /** Parameters the fit is pulled towards (L2): with little feedback the prior dominates. */
  prior?: CalibrationParams;
  /** Strength of that pull, in samples' worth of evidence. */
  priorWeight?: number;
  iterations?: number;
  learningRate?: number;
};

/**
 * Logistic regression by gradient descent on the mean log-loss, regularised towards
 * the prior. Small and deterministic: a few hundred feedback rows fit in milliseconds.
 */
export function fitCalibration(samples: readonly CalibrationSample[], options: FitOptions = {}): CalibrationParams {
  const prior = options.prior ?? DEFAULT_CALIBRATION;
  const priorWeight = options.priorWeight ?? 10;
  const iterations = options.iterations ?? 2000;
  const learningRate = options.learningRate ?? 0.3;
  const params: CalibrationParams = { ...prior };
  if (samples.length === 0) return params;
  const n = samples.length;
  for (let step = 0; step < iterations; step++) {
    const gradient: CalibrationParams = { bias: 0, model: 0, margin: 0, agreement: 0, vector: 0 };
    for (const { features, label } of samples) {
      const error = calibrate(params, features) - label;
      gradient.bias += error / n;
      for (const name of WEIGHTS) gradient[name] += (error * features[name]) / n;
    }
    for (const name of ['bias', ...WEIGHTS] as const) {
      const pull = (priorWeight / n) * (params[name] - prior[name]);
      params[name] -= learningRate * (gradient[name] + pull);
    }
  }
  return params;
}
