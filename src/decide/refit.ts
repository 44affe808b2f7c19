// Refit the calibration from human verdicts: a draft a person approved unchanged is
// a positive, an edited, rejected or taken-over one a negative. The newest verdict
// per decision counts. The result is a new `calibrations` row, which wins from then on.
import type { Config } from '../config';
import { feedbackEvidence, latestCalibration, saveCalibration, type FeedbackEvidence } from '../db/calibrations';
import type { Database } from '../db/client';
import { newId } from '../ticket';
import { CalibrationParams, calibrationFeatures, fitCalibration, type CalibrationSample } from './calibration';

/** Below this many verdicts a refit would mostly fit noise; the prior stays. */
export const MIN_CALIBRATION_SAMPLES = 30;

export function samplesFromFeedback(rows: readonly FeedbackEvidence[]): CalibrationSample[] {
  const newest = new Map<string, FeedbackEvidence>();
  for (const row of rows) {
    const seen = newest.get(row.decisionId);
    if (!seen || row.createdAt > seen.createdAt) newest.set(row.decisionId, row);
  }
  return [...newest.values()].map((row) => ({
    features: calibrationFeatures(row.modelConfidence, row.retrieved),
    label: row.verdict === 'approved' ? 1 : 0,
  }));
}

/** The parameters in force: the newest valid refit, else config. */
export async function calibrationInForce(db: Database, config: Pick<Config, 'CALIBRATION'>): Promise<CalibrationParams> {
  const row = await latestCalibration(db);
  const parsed = CalibrationParams.safeParse(row?.params);
  return parsed.success ? parsed.data : config.CALIBRATION;
}

export type RefitResult = { status: 'fitted'; params: CalibrationParams; sampleSize: number } | { status: 'too_few_samples'; sampleSize: number };

export async function refitCalibration(db: Database, config: Pick<Config, 'CALIBRATION'>, now: number): Promise<RefitResult> {
  const samples = samplesFromFeedback(await feedbackEvidence(db));
  if (samples.length < MIN_CALIBRATION_SAMPLES) return { status: 'too_few_samples', sampleSize: samples.length };
  const params = fitCalibration(samples, { prior: config.CALIBRATION });
  await saveCalibration(db, { id: newId('cal'), params, sampleSize: samples.length, fittedAt: now });
  return { status: 'fitted', params, sampleSize: samples.length };
}
