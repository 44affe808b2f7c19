// Deliveries: one row per (ticket, kind), claimed before sending, so a repeated
// queue message, a double click or a retried webhook sends nothing twice.
import { and, asc, eq, getTableColumns, gt, inArray, isNull, lt, ne, or, sql, type Placeholder } from 'drizzle-orm';
import { newId } from '../ticket';
import { preparedOnce, type Database } from './client';
import type { DecisionRow } from './decisions';
import type { FeedbackRow } from './feedback';
import { qualified, rowFromObject, rowObject } from './rows';
import { decisions, deliveries, tickets, type DeliveryKind } from './schema';
import type { TicketRow } from './tickets';

export type DeliveryRow = typeof deliveries.$inferSelect;

/** Create the delivery unless it exists; returns the row that exists either way. */
export async function planDelivery(
  db: Database,
  ticketId: string,
  kind: DeliveryKind,
  now: number,
  channel: string | null = null,
  /** What to send, when it is fixed at planning time (a Slack update's response_url and body). */
  payload: string | null = null,
): Promise<{ delivery: DeliveryRow; created: boolean }> {
  const insert = preparedOnce(db, 'planDelivery', () =>
    db
      .insert(deliveries)
      .values({
        id: sql.placeholder('id'),
        ticketId: sql.placeholder('ticketId'),
        kind: sql.placeholder('kind'),
        channel: sql.placeholder('channel'),
        payload: sql.placeholder('payload'),
        status: 'queued',
        createdAt: sql.placeholder('now'),
        updatedAt: sql.placeholder('now'),
      })
      .onConflictDoNothing({ target: [deliveries.ticketId, deliveries.kind] })
      .returning()
      .prepare(),
  );
  const inserted = await insert.all({ id: newId('dlv'), ticketId, kind, channel, payload, now });
  if (inserted[0]) return { delivery: inserted[0], created: true };
  const existing = await db.query.deliveries.findFirst({
    where: and(eq(deliveries.ticketId, ticketId), eq(deliveries.kind, kind)),
  });
  if (!existing) throw new Error(`delivery ${ticketId}/${kind} conflicted but cannot be read`);
  return { delivery: existing, created: false };
}

/**
 * The customer acknowledgement, once per thread: inserted only if no other ticket of
 * the thread has one, in one statement, so two tickets of a thread decided at the same
 * moment cannot both acknowledge. Returns this ticket's row, or null: the thread has one.
 */
export async function planThreadAcknowledgement(db: Database, ticket: { id: string; threadId: string }, now: number): Promise<{ delivery: DeliveryRow; created: boolean } | null> {
  const id = newId('dlv');
  const inserted = await db.all<{ id: string }>(sql`
    INSERT INTO deliveries (id, ticket_id, kind, status, attempts, created_at, updated_at)
    SELECT ${id}, ${ticket.id}, 'customer_ack', 'queued', 0, ${now}, ${now}
    WHERE NOT EXISTS (
      SELECT 1 FROM deliveries d JOIN tickets t ON t.id = d.ticket_id
      WHERE t.thread_id = ${ticket.threadId} AND d.kind = 'customer_ack' AND d.ticket_id != ${ticket.id}
    )
    ON CONFLICT (ticket_id, kind) DO NOTHING
    RETURNING id`);
  const existing = await db.query.deliveries.findFirst({ where: and(eq(deliveries.ticketId, ticket.id), eq(deliveries.kind, 'customer_ack')) });
  return existing ? { delivery: existing, created: inserted[0]?.id === existing.id } : null;
}

/** Why an automated reply may not go out now, checked in the claim itself (see claimDeliveryRun). */
export type SendRefusal = 'sender_daily_cap' | 'thread_owned';

/** A claimed delivery with what sending it reads: its ticket, the ticket's decision and reviewers' verdicts. */
export type ClaimedDelivery = {
  delivery: DeliveryRow;
  ticket: TicketRow | undefined;
  decision: DecisionRow | undefined;
  /** The ticket's feedback, newest first: only what the reply draft is chosen from. */
  feedback: Pick<FeedbackRow, 'verdict' | 'editedText'>[];
};

/**
 * Move a delivery to `sending` for one attempt. Only a queued one, or one whose
 * previous attempt stalled past `staleMs` (a crash mid-send), can be claimed.
 * An automated reply (an email_reply no person planned) is claimed only while its
 * sender is under `senderDailyCap` replies in flight or sent in the last day and no
 * person owns its thread: one statement, so concurrent tickets cannot both pass.
 * The same statement returns the rows the send reads, as they are at the claim: a
 * send is the claim and the mark, nothing between.
 */
export async function claimDeliveryRun(
  db: Database,
  id: string,
  now: number,
  staleMs: number,
  gate: { senderDailyCap: number; since: number },
): Promise<ClaimedDelivery | undefined> {
  const query = preparedOnce(db, 'claimDeliveryRun', () => {
    const ticketOfClaim = qualified(deliveries.ticketId);
    return claim(db)
      .returning({
        ...getTableColumns(deliveries),
        ticketRow: sql<string | null>`(SELECT ${rowObject(tickets)} FROM ${tickets} WHERE ${qualified(tickets.id)} = ${ticketOfClaim})`,
        decisionRow: sql<string | null>`(SELECT ${rowObject(decisions)} FROM ${decisions} WHERE ${qualified(decisions.ticketId)} = ${ticketOfClaim})`,
        feedbackRows: sql<string>`(SELECT json_group_array(json_object('verdict', f.verdict, 'editedText', f.edited_text))
          FROM (SELECT verdict, edited_text, created_at FROM feedback WHERE feedback.ticket_id = ${ticketOfClaim} ORDER BY created_at DESC) f)`,
      })
      .prepare();
  });
  const [claimed] = await query.all(claimValues(id, now, staleMs, gate));
  if (!claimed) return undefined;
  const { ticketRow, decisionRow, feedbackRows, ...delivery } = claimed;
  return {
    delivery,
    ticket: rowFromObject(tickets, ticketRow),
    decision: rowFromObject(decisions, decisionRow),
    feedback: JSON.parse(feedbackRows) as ClaimedDelivery['feedback'],
  };
}

/** The claim, its values as placeholders (claimValues). */
function claim(db: Database) {
  const id = sql.placeholder('id');
  return db
    .update(deliveries)
    .set({ status: 'sending', attempts: sql`${deliveries.attempts} + 1`, updatedAt: sql`${sql.placeholder('now')}` })
    .where(
      and(
        eq(deliveries.id, id),
        or(eq(deliveries.status, 'queued'), and(eq(deliveries.status, 'sending'), lt(deliveries.updatedAt, sql.placeholder('staleBefore')))),
        or(
          ne(deliveries.kind, 'email_reply'),
          sql`${deliveries.channel} IS NOT NULL`,
          sql`${automatedReplyRefusal(id, { senderDailyCap: sql.placeholder('senderDailyCap'), since: sql.placeholder('since') })} IS NULL`,
        ),
      ),
    );
}

const claimValues = (id: string, now: number, staleMs: number, gate: { senderDailyCap: number; since: number }) => ({
  id,
  now,
  staleBefore: now - staleMs,
  senderDailyCap: gate.senderDailyCap,
  since: gate.since,
});

/** The refusal for an automated reply, as one SQL expression over the rows as they are now; the sender is its `sender_key`, as at decide time. */
function automatedReplyRefusal(id: string | Placeholder, gate: { senderDailyCap: number | Placeholder; since: number | Placeholder }) {
  return sql`(
    SELECT CASE
      WHEN EXISTS (
        SELECT 1 FROM tickets t2 LEFT JOIN decisions d2 ON d2.ticket_id = t2.id
        WHERE t2.thread_id = t.thread_id AND (t2.owner IS NOT NULL OR (t2.id != t.id AND d2.outcome IN ('escalate', 'review')))
      ) THEN 'thread_owned'
      WHEN ${gate.senderDailyCap} > 0 AND (
        SELECT count(*) FROM deliveries o JOIN tickets ot ON ot.id = o.ticket_id
        WHERE ot.sender_key = t.sender_key AND o.kind = 'email_reply' AND o.channel IS NULL AND o.id != ${id}
          AND o.status IN ('sending', 'sent') AND o.updated_at >= ${gate.since}
      ) >= ${gate.senderDailyCap} THEN 'sender_daily_cap'
    END
    FROM deliveries self JOIN tickets t ON t.id = self.ticket_id WHERE self.id = ${id}
  )`;
}

/** Why the claim of this queued automated reply was refused, or null if it would pass now. */
export async function sendRefusal(db: Database, id: string, gate: { senderDailyCap: number; since: number }): Promise<SendRefusal | null> {
  const rows = await db.all<{ refusal: SendRefusal | null }>(sql`SELECT ${automatedReplyRefusal(id, gate)} AS refusal`);
  return rows[0]?.refusal ?? null;
}


/**
 * Deliveries that lost their way: `queued` with no change for `queuedOlderThanMs` (a lost
 * OUTBOX message, a failed enqueue), or `sending` past the stale window (a crashed send).
 * Oldest first, a page at a time after `after`.
 */
export async function findStuckDeliveries(
  db: Database,
  now: number,
  windows: { queuedOlderThanMs: number; staleMs: number },
  limit = 100,
  after?: { updatedAt: number; id: string },
): Promise<DeliveryRow[]> {
  return db
    .select()
    .from(deliveries)
    .where(
      and(
        or(
          and(eq(deliveries.status, 'queued'), lt(deliveries.updatedAt, now - windows.queuedOlderThanMs)),
          and(eq(deliveries.status, 'sending'), lt(deliveries.updatedAt, now - windows.staleMs)),
        ),
        after ? or(gt(deliveries.updatedAt, after.updatedAt), and(eq(deliveries.updatedAt, after.updatedAt), gt(deliveries.id, after.id))) : undefined,
      ),
    )
    .orderBy(asc(deliveries.updatedAt), asc(deliveries.id))
    .limit(limit);
}

export async function markDeliverySent(
  db: Database,
  id: string,
  now: number,
  result: { providerId?: string | null; payload?: string | null },
): Promise<void> {
  const mark = preparedOnce(db, 'markDeliverySent', () => {
    const now = sql`${sql.placeholder('now')}`;
    return db
      .update(deliveries)
      .set({ status: 'sent', sentAt: now, updatedAt: now, lastError: null, providerId: sql`${sql.placeholder('providerId')}`, payload: sql`${sql.placeholder('payload')}` })
      .where(eq(deliveries.id, sql.placeholder('id')))
      .prepare();
  });
  await mark.run({ id, now, providerId: result.providerId ?? null, payload: result.payload ?? null });
}

/** Back to `queued` so the next (queue-retried) attempt may claim it. */
export async function releaseDelivery(db: Database, id: string, now: number, error: string): Promise<void> {
  await db.update(deliveries).set({ status: 'queued', lastError: error, updatedAt: now }).where(eq(deliveries.id, id));
}

export async function failDelivery(db: Database, id: string, now: number, error: string): Promise<void> {
  await db
    .update(deliveries)
    .set({ status: 'failed', lastError: error, updatedAt: now })
    .where(and(eq(deliveries.id, id), inArray(deliveries.status, ['queued', 'sending', 'failed'])));
}

/** An automated reply the send-time rules refused: nothing reached the customer, and a person may still send it. */
export const isUnsentAutomatedReply = (d: Pick<DeliveryRow, 'kind' | 'status' | 'channel'>): boolean => d.kind === 'email_reply' && d.status === 'skipped' && d.channel === null;

/**
 * A person sends the reply the send-time rules kept deflect from sending on its own:
 * the skipped automated row becomes theirs and is queued again. Only one caller wins
 * (the row is the lock, as for a first approval); the others get undefined.
 */
export async function reclaimSkippedReply(db: Database, ticketId: string, channel: string, now: number): Promise<DeliveryRow | undefined> {
  const [row] = await db
    .update(deliveries)
    .set({ status: 'queued', channel, lastError: null, updatedAt: now })
    .where(and(eq(deliveries.ticketId, ticketId), eq(deliveries.kind, 'email_reply'), eq(deliveries.status, 'skipped'), isNull(deliveries.channel)))
    .returning();
  return row;
}

/** Never to be sent (e.g. `sender_unverified`): kept with its reason, for the audit. */
export async function skipDelivery(db: Database, id: string, now: number, reason: string): Promise<void> {
  await db
    .update(deliveries)
    .set({ status: 'skipped', lastError: reason, updatedAt: now })
    .where(and(eq(deliveries.id, id), inArray(deliveries.status, ['queued', 'sending'])));
}

export async function findDelivery(db: Database, id: string): Promise<DeliveryRow | undefined> {
  return db.query.deliveries.findFirst({ where: eq(deliveries.id, id) });
}

export async function listDeliveries(db: Database, ticketId: string): Promise<DeliveryRow[]> {
  return db.select().from(deliveries).where(eq(deliveries.ticketId, ticketId)).orderBy(deliveries.createdAt);
}

/** A person retries a dead-lettered delivery: back to `queued` (only from `failed`), attempts kept for the record. */
export async function requeueFailedDelivery(db: Database, id: string, now: number): Promise<DeliveryRow | undefined> {
  const rows = await db
    .update(deliveries)
    .set({ status: 'queued', updatedAt: now })
    .where(and(eq(deliveries.id, id), eq(deliveries.status, 'failed')))
    .returning();
  return rows[0];
}
