import { desc, eq, isNotNull } from 'drizzle-orm';
import type { Database } from './client';
import { calibrations, decisions, feedback, type FeedbackVerdict, type RetrievedChunkEvidence } from './schema';

export type CalibrationRow = typeof calibrations.$inferSelect;

/** The newest refit, if any: it wins over the config defaults. */
export async function latestCalibration(db: Database): Promise<CalibrationRow | undefined> {
  return db.query.calibrations.findFirst({ orderBy: desc(calibrations.fittedAt) });
}

export async function saveCalibration(db: Database, row: CalibrationRow): Promise<void> {
  await db.insert(calibrations).values(row);
}

export type FeedbackEvidence = {
  decisionId: string;
  verdict: FeedbackVerdict;
  modelConfidence: number;
  retrieved: RetrievedChunkEvidence[];
  createdAt: number;
};

/** Every human verdict on a drafted decision, with the evidence the decision saw, newest first. */
export async function feedbackEvidence(db: Database): Promise<FeedbackEvidence[]> {
  const rows = await db
    .select({
      decisionId: decisions.id,
      verdict: feedback.verdict,
      modelConfidence: decisions.modelConfidence,
      retrieved: decisions.retrieved,
      createdAt: feedback.createdAt,
    })
    .from(feedback)
    .innerJoin(decisions, eq(decisions.id, feedback.decisionId))
    .where(isNotNull(decisions.modelConfidence))
    .orderBy(desc(feedback.createdAt));
  return rows.map((r) => ({ ...r, modelConfidence: r.modelConfidence ?? 0 }));
}
