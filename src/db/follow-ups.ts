// The earlier exchange a follow-up continues: the latest reply we sent in its thread
// (threads are resolved from References at ingest), or the ticket whose sent reply's
// Message-ID the follow-up names in In-Reply-To/References (a client that kept only ours).
import { sql } from 'drizzle-orm';
import type { Database } from './client';
import { feedback } from './schema';
import { newId } from '../ticket';

export type AnsweredExchange = {
  ticketId: string;
  decisionId: string;
  subject: string;
  text: string;
  /** What the customer received: the edited text when a person edited it, else the draft. */
  reply: string;
  /** Sent by deflect on its own (an auto-reply), not approved by a person. */
  automated: boolean;
};

type FollowUpTicket = { id: string; threadId: string; inReplyTo: string | null; references: string[] };

const bare = (id: string) => id.trim().replace(/^<|>$/g, '');

export async function findAnsweredExchange(db: Database, ticket: FollowUpTicket): Promise<AnsweredExchange | undefined> {
  const named = [...new Set([ticket.inReplyTo, ...ticket.references].filter((v): v is string => Boolean(v)).map(bare))].slice(-50);
  const byMessageId = named.length > 0 ? sql`OR dl.provider_id IN (${sql.join(named.map((id) => sql`${id}`), sql`, `)})` : sql``;
  const rows = await db.all<{ ticketId: string; decisionId: string; subject: string; text: string; draft: string | null; edited: string | null; outcome: string; human: number }>(sql`
    SELECT t.id AS ticketId, d.id AS decisionId, t.subject AS subject, t.body_text AS text, d.suggested_reply AS draft, d.outcome AS outcome,
           (SELECT f.edited_text FROM feedback f WHERE f.ticket_id = t.id AND f.verdict = 'edited' ORDER BY f.created_at DESC LIMIT 1) AS edited,
           EXISTS (SELECT 1 FROM feedback f WHERE f.ticket_id = t.id AND f.verdict IN ('approved', 'edited')) AS human
    FROM deliveries dl JOIN tickets t ON t.id = dl.ticket_id JOIN decisions d ON d.ticket_id = t.id
    WHERE dl.kind = 'email_reply' AND dl.status = 'sent' AND t.id != ${ticket.id}
      AND (t.thread_id = ${ticket.threadId} ${byMessageId})
    ORDER BY dl.sent_at DESC LIMIT 1`);
  const row = rows[0];
  if (!row) return undefined;
  return {
    ticketId: row.ticketId,
    decisionId: row.decisionId,
    subject: row.subject,
    text: row.text,
    reply: row.edited ?? row.draft ?? '',
    automated: row.outcome === 'auto_reply' && !row.human,
  };
}

/** The customer's verdict on the earlier reply, once per follow-up ticket however often it is processed. */
export async function recordFollowUpVerdict(
  db: Database,
  verdict: { answered: Pick<AnsweredExchange, 'ticketId' | 'decisionId'>; verdict: 'right' | 'wrong'; followUpTicketId: string; actor: string },
  now: number,
): Promise<boolean> {
  const inserted = await db
    .insert(feedback)
    .values({
      id: newId('fbk'),
      ticketId: verdict.answered.ticketId,
      decisionId: verdict.answered.decisionId,
      verdict: verdict.verdict,
      actor: verdict.actor,
      channel: 'customer',
      sourceTicketId: verdict.followUpTicketId,
      createdAt: now,
    })
    .onConflictDoNothing({ target: feedback.sourceTicketId })
    .returning({ id: feedback.id });
  return inserted.length > 0;
}
