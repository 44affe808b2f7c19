// Calibrated confidence: the probability that the top retrieved doc answers the
// ticket, from a small logistic model over retrieval evidence (and the model's
// self-score, when there is one). The shipped parameters are fitted across several
// corpora by `npm run fit:confidence`; a refit on human feedback (`calibrations`
// table) may replace them. Pure: no bindings, no clock.
import { z } from 'zod';
import { FEATURE_NAMES, type ConfidenceFeatures } from './confidence-features';
import { SHIPPED_CONFIDENCE_MODEL } from './confidence-model';

export const CalibrationParams = z.strictObject({
  /** Recorded in every decision this model scored: the shipped fit's content hash, or a refit's id. */
  version: z.string().min(1),
  bias: z.number(),
  weights: z.strictObject(Object.fromEntries(FEATURE_NAMES.map((name) => [name, z.number()])) as Record<(typeof FEATURE_NAMES)[number], z.ZodNumber>),
});
export type CalibrationParams = z.infer<typeof CalibrationParams>;

export const DEFAULT_CALIBRATION: CalibrationParams = SHIPPED_CONFIDENCE_MODEL;

export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

export function calibrate(params: Pick<CalibrationParams, 'bias' | 'weights'>, features: ConfidenceFeatures): number {
  let z = params.bias;
  for (const name of FEATURE_NAMES) z += params.weights[name] * features[name];
  return sigmoid(z);
}

export type CalibrationSample = {
  features: ConfidenceFeatures;
  /** 1: the top doc answered (a person approved the draft unchanged). */
  label: 0 | 1;
  /** How much the sample counts (default 1): fitting across corpora weighs each corpus alike. */
  weight?: number;
};

export type FitOptions = {
  /** Parameters the fit is pulled towards (L2): with little evidence the prior dominates. */
  prior?: Pick<CalibrationParams, 'bias' | 'weights'>;
  /** Strength of that pull, in samples' worth of evidence. */
  priorWeight?: number;
  iterations?: number;
  learningRate?: number;
};

const ZERO_PRIOR = { bias: 0, weights: Object.fromEntries(FEATURE_NAMES.map((n) => [n, 0])) as ConfidenceFeatures };

/**
 * Logistic regression by full-batch gradient descent on the mean log-loss,
 * regularised towards the prior. Deterministic: same samples, same parameters.
 */
export function fitCalibration(samples: readonly CalibrationSample[], options: FitOptions = {}): Pick<CalibrationParams, 'bias' | 'weights'> {
  const prior = options.prior ?? ZERO_PRIOR;
  const priorWeight = options.priorWeight ?? 10;
  const iterations = options.iterations ?? 4000;
  const learningRate = options.learningRate ?? 0.5;
  const params = { bias: prior.bias, weights: { ...prior.weights } };
  if (samples.length === 0) return params;
  const n = samples.reduce((sum, s) => sum + (s.weight ?? 1), 0);
  for (let step = 0; step < iterations; step++) {
    let gradBias = 0;
    const grad = Object.fromEntries(FEATURE_NAMES.map((name) => [name, 0])) as ConfidenceFeatures;
    for (const { features, label, weight = 1 } of samples) {
      const error = (calibrate(params, features) - label) * weight;
      gradBias += error / n;
      for (const name of FEATURE_NAMES) grad[name] += (error * features[name]) / n;
    }
    // The bias is not pulled: the base rate is the one thing every corpus must set for itself.
    params.bias -= learningRate * gradBias;
    for (const name of FEATURE_NAMES) {
      params.weights[name] -= learningRate * (grad[name] + (priorWeight / n) * (params.weights[name] - prior.weights[name]));
    }
  }
  return params;
}
