// Refitting the calibration on human verdicts, pure: a draft a person approved
// unchanged is a positive, an edited, rejected or taken-over one a negative; the
// newest verdict per decision counts. The candidate starts from the parameters in
// force and must not lower precision at the auto-reply threshold on verdicts it was
// not fitted on; otherwise it is refused (pipeline/calibration.ts records either).
import { calibrate, CalibrationParams, fitCalibration, type CalibrationSample } from './calibration';
import { GOOD_DRAFT_VERDICTS, type Verdict } from '../domain';
import { FEATURE_NAMES, type ConfidenceFeatures } from './confidence-features';

/** Below this many verdicts a refit would mostly fit noise; the parameters in force stay. */
export const MIN_CALIBRATION_SAMPLES = 30;
/** Share of verdicts kept out of the refit to judge it. */
const HELD_OUT_PERCENT = 30;

export type { Verdict };

/** Verdicts that say the draft was right to send as it was. */
const GOOD_VERDICTS: ReadonlySet<string> = new Set(GOOD_DRAFT_VERDICTS);

const isFeatures = (f: Record<string, number>): f is ConfidenceFeatures => FEATURE_NAMES.every((name) => typeof f[name] === 'number');

function samplesFromFeedback(rows: readonly Verdict[]): (CalibrationSample & { decisionId: string })[] {
  const newest = new Map<string, Verdict>();
  for (const row of rows) {
    const seen = newest.get(row.decisionId);
    if (!seen || row.createdAt > seen.createdAt) newest.set(row.decisionId, row);
  }
  return [...newest.values()].flatMap((row) =>
    isFeatures(row.features) ? [{ decisionId: row.decisionId, features: row.features, label: GOOD_VERDICTS.has(row.verdict) ? (1 as const) : (0 as const) }] : [],
  );
}

/** FNV-1a of the decision id: the same verdict is always on the same side of the split. */
export function isHeldOutVerdict(decisionId: string): boolean {
  let hash = 0x811c9dc5;
  for (let i = 0; i < decisionId.length; i++) hash = Math.imul(hash ^ decisionId.charCodeAt(i), 0x01000193) >>> 0;
  return hash % 100 < HELD_OUT_PERCENT;
}

export type HeldOutScore = { n: number; replied: number; precision: number | null };

export function precisionAt(params: Pick<CalibrationParams, 'bias' | 'weights'>, samples: readonly CalibrationSample[], threshold: number): HeldOutScore {
  const replied = samples.filter((s) => calibrate(params, s.features) >= threshold);
  return { n: samples.length, replied: replied.length, precision: replied.length ? replied.filter((s) => s.label === 1).length / replied.length : null };
}

export type RefitVerdict =
  | { status: 'too_few_samples'; sampleSize: number }
  | { status: 'accepted' | 'refused'; reason: string | null; params: CalibrationParams; sampleSize: number; current: HeldOutScore; candidate: HeldOutScore };

/**
 * Fit on most verdicts, judge on the rest. Refused when the candidate's held-out
 * precision at the threshold is below the current parameters', or when it would
 * auto-reply to held-out drafts that the current ones leave alone with none right.
 */
export function judgeRefit(current: CalibrationParams, rows: readonly Verdict[], threshold: number, version: string): RefitVerdict {
  const samples = samplesFromFeedback(rows);
  if (samples.length < MIN_CALIBRATION_SAMPLES) return { status: 'too_few_samples', sampleSize: samples.length };
  const fitOn = samples.filter((s) => !isHeldOutVerdict(s.decisionId));
  const judgeOn = samples.filter((s) => isHeldOutVerdict(s.decisionId));
  const params = CalibrationParams.parse({ version, ...fitCalibration(fitOn, { prior: current }) });
  const before = precisionAt(current, judgeOn, threshold);
  const after = precisionAt(params, judgeOn, threshold);
  const lower = after.precision !== null && (before.precision === null ? after.precision < 1 : after.precision < before.precision);
  return {
    status: lower ? 'refused' : 'accepted',
    reason: lower ? 'held_out_precision_lower' : null,
    params,
    sampleSize: samples.length,
    current: before,
    candidate: after,
  };
}
