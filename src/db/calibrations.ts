// Calibrations in D1: the rows of refits (accepted or refused, with their reason for
// the console) and the verdicts a refit learns from. Judging lives in decide/refit.ts,
// the sequence in pipeline/calibration.ts.
import { and, desc, eq, inArray, isNotNull, max, sql } from 'drizzle-orm';
import type { Verdict } from '../domain';
import type { Database } from './client';
import { BAD_DRAFT_VERDICTS, calibrations, decisions, feedback, GOOD_DRAFT_VERDICTS } from './schema';

export type CalibrationRow = typeof calibrations.$inferSelect;

/** The newest accepted refit, if any: it wins over the config defaults. */
export async function latestCalibration(db: Database): Promise<CalibrationRow | undefined> {
  return db.query.calibrations.findFirst({ where: eq(calibrations.status, 'accepted'), orderBy: desc(calibrations.fittedAt) });
}

/** The newest accepted refit's parameters (JSON text), for a statement that reads it beside other values. */
export function latestAcceptedParams(db: Database) {
  return db.select({ params: sql<string>`${calibrations.params}` }).from(calibrations).where(eq(calibrations.status, 'accepted')).orderBy(desc(calibrations.fittedAt)).limit(1);
}

/** The newest refits, accepted or refused, for the console. */
export async function recentCalibrations(db: Database, limit: number): Promise<CalibrationRow[]> {
  return db.select().from(calibrations).orderBy(desc(calibrations.fittedAt)).limit(limit);
}

export async function recordCalibration(db: Database, row: typeof calibrations.$inferInsert): Promise<void> {
  await db.insert(calibrations).values(row);
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

/** When the newest verdict arrived, or null when there is none. */
export async function newestVerdictAt(db: Database): Promise<number | null> {
  const newest = await db.select({ at: max(feedback.createdAt) }).from(feedback);
  return newest[0]?.at ?? null;
}
