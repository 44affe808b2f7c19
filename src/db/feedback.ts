import { desc, eq, sql } from 'drizzle-orm';
import { newId } from '../ticket';
import type { Database } from './client';
import { feedback, type FeedbackVerdict } from './schema';

export type FeedbackRow = typeof feedback.$inferSelect;

export async function recordFeedback(
  db: Database,
  row: {
    ticketId: string;
    decisionId: string | null;
    verdict: FeedbackVerdict;
    editedText?: string | null;
    /** The request type the reviewer confirmed or corrected, when they gave one. */
    requestType?: string | null;
    actor: string;
    channel: FeedbackRow['channel'];
  },
  now: number,
): Promise<FeedbackRow> {
  const [inserted] = await db
    .insert(feedback)
    .values({ id: newId('fbk'), editedText: null, ...row, createdAt: now })
    .returning();
  return inserted!;
}

export async function listFeedback(db: Database, ticketId: string): Promise<FeedbackRow[]> {
  return db.select().from(feedback).where(eq(feedback.ticketId, ticketId)).orderBy(desc(feedback.createdAt));
}

/** Reply statuses after which the draft is a sent reply, not a draft to reject. */
const REPLY_GOING_OUT = ['queued', 'sending', 'sent'] as const;

/**
 * A reviewer's Reject, recorded only while no email reply is queued, sending or sent:
 * one statement, so an Approve landing between a check and the insert cannot leave a
 * sent reply's newest verdict `rejected`. Returns false when a reply is going out.
 */
export async function recordRejectionUnlessReplied(
  db: Database,
  row: { ticketId: string; decisionId: string | null; actor: string; channel: FeedbackRow['channel'] },
  now: number,
): Promise<boolean> {
  const statuses = sql.join(REPLY_GOING_OUT.map((s) => sql`${s}`), sql`, `);
  const inserted = await db.all<{ id: string }>(sql`
    INSERT INTO feedback (id, ticket_id, decision_id, verdict, edited_text, actor, channel, created_at)
    SELECT ${newId('fbk')}, ${row.ticketId}, ${row.decisionId}, 'rejected', NULL, ${row.actor}, ${row.channel}, ${now}
    WHERE NOT EXISTS (
      SELECT 1 FROM deliveries WHERE ticket_id = ${row.ticketId} AND kind = 'email_reply' AND status IN (${statuses})
    )
    RETURNING id`);
  return inserted.length > 0;
}
