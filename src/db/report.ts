// The shadow report's evidence: one row per decision in a period, with what the
// policy would have done, what was done, and the latest verdict on the draft.
import { sql } from 'drizzle-orm';
import type { Database } from './client';
import { BAD_DRAFT_VERDICTS, GOOD_DRAFT_VERDICTS, type FeedbackVerdict, type Outcome, type RolloutMode } from './schema';

export type ReportDecision = {
  requestType: string | null;
  mode: RolloutMode | null;
  policyOutcome: Outcome;
  outcome: Outcome;
  confidence: number | null;
  /** The newest verdict on the draft itself (take-overs are not one), if any. */
  verdict: FeedbackVerdict | null;
};

const DRAFT_VERDICTS = [...GOOD_DRAFT_VERDICTS, ...BAD_DRAFT_VERDICTS];

export async function reportDecisions(db: Database, range: { from: number; to: number }): Promise<ReportDecision[]> {
  const verdicts = sql.join(DRAFT_VERDICTS.map((v) => sql`${v}`), sql`, `);
  return db.all<ReportDecision>(sql`
    SELECT d.request_type AS requestType, d.mode AS mode, coalesce(d.policy_outcome, d.outcome) AS policyOutcome, d.outcome AS outcome,
           d.confidence AS confidence,
           (SELECT f.verdict FROM feedback f WHERE f.ticket_id = d.ticket_id AND f.verdict IN (${verdicts})
            ORDER BY f.created_at DESC, f.id DESC LIMIT 1) AS verdict
    FROM decisions d
    WHERE d.decided_at >= ${range.from} AND d.decided_at < ${range.to}`);
}
