// Console queries: the evidence for calibration, pipeline health and the export
// (the queue is db/queue.ts). Read-only except where a name says otherwise.
import { and, desc, eq, gte, lt, sql, type SQL } from 'drizzle-orm';
import type { Database } from './client';
import { BAD_DRAFT_VERDICTS, decisions, deliveries, GOOD_DRAFT_VERDICTS, rawMessages, tickets, type FeedbackVerdict, type Outcome } from './schema';

const DRAFT_VERDICTS: readonly FeedbackVerdict[] = [...GOOD_DRAFT_VERDICTS, ...BAD_DRAFT_VERDICTS];
const GOOD_VERDICTS: ReadonlySet<FeedbackVerdict> = new Set(GOOD_DRAFT_VERDICTS);

/** Every reason code that appears on a decision: the queue's reason filter. */
export async function reasonCodesInUse(db: Database): Promise<string[]> {
  const rows = await db.all<{ reason: string }>(sql`SELECT DISTINCT value AS reason FROM decisions, json_each(decisions.reasons) ORDER BY reason`);
  return rows.map((r) => r.reason);
}

export type DailyOutcomes = { day: string; outcome: Outcome; count: number };

/** Decisions per UTC day and outcome in [from, to), of live tickets only: replayed history (npm run replay) sent nothing. */
export async function outcomesByDay(db: Database, from: number, to: number): Promise<DailyOutcomes[]> {
  return db.all<DailyOutcomes>(sql`
    SELECT date(d.decided_at / 1000, 'unixepoch') AS day, d.outcome AS outcome, count(*) AS count
    FROM decisions d JOIN tickets t ON t.id = d.ticket_id
    WHERE d.decided_at >= ${from} AND d.decided_at < ${to} AND t.source != 'replay'
    GROUP BY day, d.outcome ORDER BY day`);
}

/**
 * Each reviewed draft once: the calibrated confidence of its decision and whether the
 * person's latest verdict on the draft itself was good (approved, would send, right)
 * or bad (edited, rejected, would not send, wrong). Take-overs and request-type
 * reviews are not a verdict on the draft.
 */
export async function reviewedDrafts(db: Database): Promise<{ confidence: number; good: boolean }[]> {
  const rows = await db.all<{ confidence: number; verdict: FeedbackVerdict }>(sql`
    SELECT confidence, verdict FROM (
      SELECT d.confidence AS confidence, f.verdict AS verdict,
             ROW_NUMBER() OVER (PARTITION BY f.ticket_id ORDER BY f.created_at DESC, f.id DESC) AS nth
      FROM feedback f JOIN decisions d ON d.ticket_id = f.ticket_id
      WHERE f.verdict IN (${sql.join(DRAFT_VERDICTS.map((v) => sql`${v}`), sql`, `)}) AND d.confidence IS NOT NULL
    ) WHERE nth = 1`);
  return rows.map((r) => ({ confidence: r.confidence, good: GOOD_VERDICTS.has(r.verdict) }));
}

/** Reasons that say retrieval found nothing the draft could stand on. */
const WEAK_RETRIEVAL_REASONS = ['no_retrieval', 'no_doc_sources', 'ungrounded_sources', 'below_review_threshold'];

export type KbGap = { intent: string; count: number; lastSeen: number; exampleTicketId: string; exampleSubject: string };

/** The intents most often escalated with weak retrieval since `since`: the docs worth writing next. */
export async function kbGaps(db: Database, since: number, limit: number): Promise<KbGap[]> {
  const weak = sql.join(WEAK_RETRIEVAL_REASONS.map((r) => sql`${r}`), sql`, `);
  return db.all<KbGap>(sql`
    SELECT coalesce(d.intent, 'unknown') AS intent, count(*) AS count, max(d.decided_at) AS lastSeen,
           max(t.id) AS exampleTicketId, max(t.subject) AS exampleSubject
    FROM decisions d JOIN tickets t ON t.id = d.ticket_id
    WHERE d.outcome = 'escalate' AND d.decided_at >= ${since}
      AND (json_array_length(d.retrieved) = 0 OR EXISTS (SELECT 1 FROM json_each(d.reasons) WHERE value IN (${weak})))
    GROUP BY intent ORDER BY count DESC, lastSeen DESC LIMIT ${limit}`);
}

export type FailedDelivery = typeof deliveries.$inferSelect & { subject: string };

export async function failedDeliveries(db: Database, limit: number): Promise<FailedDelivery[]> {
  const rows = await db
    .select({ delivery: deliveries, subject: tickets.subject })
    .from(deliveries)
    .innerJoin(tickets, eq(tickets.id, deliveries.ticketId))
    .where(eq(deliveries.status, 'failed'))
    .orderBy(desc(deliveries.updatedAt))
    .limit(limit);
  return rows.map((r) => ({ ...r.delivery, subject: r.subject }));
}

export async function failedTickets(db: Database, limit: number) {
  return db.select().from(tickets).where(eq(tickets.status, 'failed')).orderBy(desc(tickets.updatedAt)).limit(limit);
}

export async function findRawMessage(db: Database, ticketId: string) {
  return db.query.rawMessages.findFirst({ where: eq(rawMessages.ticketId, ticketId) });
}

export type ExportRow = {
  ticketId: string;
  receivedAt: number;
  decidedAt: number;
  source: string;
  fromAddress: string;
  subject: string;
  outcome: Outcome;
  reasons: string;
  confidence: number | null;
  modelConfidence: number | null;
  intent: string | null;
  requestType: string | null;
  corpusVersion: string | null;
  responder: string | null;
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
  verdict: FeedbackVerdict | null;
  toAddress: string | null;
  mode: string | null;
  policyOutcome: Outcome | null;
  classifierVersion: string | null;
  calibrationVersion: string | null;
  decisionId: string;
};

/** One page of decisions in [from, to) after the keyset cursor, oldest first (the export streams these). */
export async function exportPage(
  db: Database,
  range: { from: number; to: number },
  after: { decidedAt: number; decisionId: string } | null,
  limit: number,
): Promise<ExportRow[]> {
  const cursor = after
    ? sql`AND (d.decided_at > ${after.decidedAt} OR (d.decided_at = ${after.decidedAt} AND d.id > ${after.decisionId}))`
    : sql``;
  return db.all<ExportRow>(sql`
    SELECT t.id AS ticketId, t.received_at AS receivedAt, d.decided_at AS decidedAt, t.source, t.from_address AS fromAddress,
           t.subject, d.outcome, d.reasons, d.confidence, d.model_confidence AS modelConfidence, d.intent, d.request_type AS requestType,
           d.corpus_version AS corpusVersion, d.responder, d.tokens_in AS tokensIn, d.tokens_out AS tokensOut, d.cost_usd AS costUsd,
           (SELECT f.verdict FROM feedback f WHERE f.ticket_id = t.id AND f.verdict NOT IN ('type_confirmed', 'type_corrected')
            ORDER BY f.created_at DESC, f.id DESC LIMIT 1) AS verdict,
           t.to_address AS toAddress, d.mode, d.policy_outcome AS policyOutcome, d.classifier_version AS classifierVersion,
           d.calibration_version AS calibrationVersion, d.id AS decisionId
    FROM decisions d JOIN tickets t ON t.id = d.ticket_id
    WHERE d.decided_at >= ${range.from} AND d.decided_at < ${range.to} ${cursor}
    ORDER BY d.decided_at, d.id LIMIT ${limit}`);
}


export type TrainingRow = { ticketId: string; subject: string; text: string; requestType: string; routedRequestType: string | null; reviewedAt: number; feedbackId: string };

/**
 * One page of reviewed request types given in [from, to), oldest first: for each ticket only
 * its latest `type_confirmed` / `type_corrected` (a reviewer may change their mind), with the
 * ticket's text and the type deflect had routed it as.
 */
export async function reviewedTypesPage(
  db: Database,
  range: { from: number; to: number },
  after: { reviewedAt: number; feedbackId: string } | null,
  limit: number,
): Promise<TrainingRow[]> {
  const cursor = after ? sql`AND (f.created_at > ${after.reviewedAt} OR (f.created_at = ${after.reviewedAt} AND f.id > ${after.feedbackId}))` : sql``;
  return db.all<TrainingRow>(sql`
    SELECT t.id AS ticketId, t.subject, t.body_text AS text, f.request_type AS requestType, d.request_type AS routedRequestType,
           f.created_at AS reviewedAt, f.id AS feedbackId
    FROM feedback f JOIN tickets t ON t.id = f.ticket_id LEFT JOIN decisions d ON d.id = f.decision_id
    WHERE f.verdict IN ('type_confirmed', 'type_corrected') AND f.request_type IS NOT NULL
      AND f.created_at >= ${range.from} AND f.created_at < ${range.to} ${cursor}
      AND NOT EXISTS (
        SELECT 1 FROM feedback g
        WHERE g.ticket_id = f.ticket_id AND g.verdict IN ('type_confirmed', 'type_corrected')
          AND (g.created_at > f.created_at OR (g.created_at = f.created_at AND g.id > f.id)))
    ORDER BY f.created_at, f.id LIMIT ${limit}`);
}
