import { desc, eq } from 'drizzle-orm';
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
