// Calibrations in D1: the shipped model (config) until a refit on reviewers'
// verdicts is accepted; refused refits are kept with their reason for the console.
import { and, desc, eq, inArray, isNotNull, max } from 'drizzle-orm';
import type { Config } from '../config';
import { CalibrationParams } from '../decide/calibration';
import { judgeRefit, type RefitVerdict, type Verdict } from '../decide/refit';
import { newId } from '../ticket';
import type { Database } from './client';
import { BAD_DRAFT_VERDICTS, calibrations, decisions, feedback, GOOD_DRAFT_VERDICTS } from './schema';

export type CalibrationRow = typeof calibrations.$inferSelect;

/** The newest accepted refit, if any: it wins over the config defaults. */
export async function latestCalibration(db: Database): Promise<CalibrationRow | undefined> {
  return db.query.calibrations.findFirst({ where: eq(calibrations.status, 'accepted'), orderBy: desc(calibrations.fittedAt) });
}

/** The newest refits, accepted or refused, for the console. */
export async function recentCalibrations(db: Database, limit: number): Promise<CalibrationRow[]> {
  return db.select().from(calibrations).orderBy(desc(calibrations.fittedAt)).limit(limit);
}

/** The parameters in force: the newest accepted refit of the current feature set, else config. */
export async function calibrationInForce(db: Database, config: Pick<Config, 'CALIBRATION'>): Promise<CalibrationParams> {
  const row = await latestCalibration(db);
  const parsed = CalibrationParams.safeParse(row?.params);
  return parsed.success ? parsed.data : config.CALIBRATION;
}

/** Every human verdict on a drafted decision that recorded its confidence features, newest first. */
export async function feedbackVerdicts(db: Database): Promise<Verdict[]> {
  const rows = await db
    .select({ decisionId: decisions.id, verdict: feedback.verdict, features: decisions.confidenceFeatures, createdAt: feedback.createdAt })
    .from(feedback)
    .innerJoin(decisions, eq(decisions.id, feedback.decisionId))
    // A request-type review says nothing about the draft; a take-over counts against it, as before.
    .where(and(isNotNull(decisions.confidenceFeatures), inArray(feedback.verdict, [...GOOD_DRAFT_VERDICTS, ...BAD_DRAFT_VERDICTS, 'taken_over'])))
    .orderBy(desc(feedback.createdAt));
  return rows.map((r) => ({ ...r, features: r.features ?? {} }));
}

/** Refit on reviewers' verdicts on top of the parameters in force; record the result, accepted or refused. */
export async function refitCalibration(db: Database, config: Pick<Config, 'CALIBRATION' | 'AUTO_REPLY_THRESHOLD'>, now: number): Promise<RefitVerdict> {
  const current = await calibrationInForce(db, config);
  const id = newId('cal');
  const result = judgeRefit(current, await feedbackVerdicts(db), config.AUTO_REPLY_THRESHOLD, `refit-${id}`);
  if (result.status === 'too_few_samples') return result;
  await db.insert(calibrations).values({
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
  const newest = await db.select({ at: max(feedback.createdAt) }).from(feedback);
  const newestVerdict = newest[0]?.at ?? null;
  if (newestVerdict === null || (last && newestVerdict <= last.fittedAt)) return null;
  return refitCalibration(db, config, now);
}
