// Which calibration is in force, and refitting it on reviewers' verdicts: load
// from D1, judge with decide/refit.ts (pure), store the result, accepted or refused.
import type { Config } from '../config';
import { CalibrationParams } from '../decide/calibration';
import { judgeRefit, type RefitVerdict } from '../decide/refit';
import { feedbackVerdicts, latestCalibration, newestVerdictAt, recentCalibrations, recordCalibration } from '../db/calibrations';
import type { Database } from '../db/client';
import { newId } from '../ticket';

/** The parameters in force: the newest accepted refit of the current feature set, else config. */
export async function calibrationInForce(db: Database, config: Pick<Config, 'CALIBRATION'>): Promise<CalibrationParams> {
  const row = await latestCalibration(db);
  const parsed = CalibrationParams.safeParse(row?.params);
  return parsed.success ? parsed.data : config.CALIBRATION;
}

/** Refit on reviewers' verdicts on top of the parameters in force; record the result, accepted or refused. */
export async function refitCalibration(db: Database, config: Pick<Config, 'CALIBRATION' | 'AUTO_REPLY_THRESHOLD'>, now: number): Promise<RefitVerdict> {
  const current = await calibrationInForce(db, config);
  const id = newId('cal');
  const result = judgeRefit(current, await feedbackVerdicts(db), config.AUTO_REPLY_THRESHOLD, `refit-${id}`);
  if (result.status === 'too_few_samples') return result;
  await recordCalibration(db, {
    id,
    params: result.params,
    sampleSize: result.sampleSize,
    fittedAt: now,
    status: result.status,
    reason: result.reason,
    heldOut: {
      threshold: config.AUTO_REPLY_THRESHOLD,
      held_out: result.current.n,
      current_precision: result.current.precision,
      current_replied: result.current.replied,
      candidate_precision: result.candidate.precision,
      candidate_replied: result.candidate.replied,
    },
  });
  return result;
}

/** The cron's refit: at most every CALIBRATION_REFIT_HOURS, and only when a verdict arrived since the last refit. */
export async function refitWhenDue(
  db: Database,
  config: Pick<Config, 'CALIBRATION' | 'AUTO_REPLY_THRESHOLD' | 'CALIBRATION_REFIT_HOURS'>,
  now: number,
): Promise<RefitVerdict | null> {
  const [last] = await recentCalibrations(db, 1);
  if (last && now - last.fittedAt < config.CALIBRATION_REFIT_HOURS * 3_600_000) return null;
  const newestVerdict = await newestVerdictAt(db);
  if (newestVerdict === null || (last && newestVerdict <= last.fittedAt)) return null;
  return refitCalibration(db, config, now);
}
