// Deliveries: one row per (ticket, kind), claimed before sending, so a repeated
// queue message, a double click or a retried webhook sends nothing twice.
import { and, eq, inArray, lt, ne, or, sql } from 'drizzle-orm';
import { newId } from '../ticket';
import type { Database } from './client';
import { deliveries, tickets, type DeliveryKind } from './schema';

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
  const inserted = await db
    .insert(deliveries)
    .values({ id: newId('dlv'), ticketId, kind, channel, payload, status: 'queued', createdAt: now, updatedAt: now })
    .onConflictDoNothing({ target: [deliveries.ticketId, deliveries.kind] })
    .returning();
  if (inserted[0]) return { delivery: inserted[0], created: true };
  const existing = await db.query.deliveries.findFirst({
    where: and(eq(deliveries.ticketId, ticketId), eq(deliveries.kind, kind)),
  });
  if (!existing) throw new Error(`delivery ${ticketId}/${kind} conflicted but cannot be read`);
  return { delivery: existing, created: false };
}

/**
 * Move a delivery to `sending` for one attempt. Only a queued one, or one whose
 * previous attempt stalled past `staleMs` (a crash mid-send), can be claimed.
 */
export async function claimDelivery(db: Database, id: string, now: number, staleMs: number): Promise<DeliveryRow | undefined> {
  const claimed = await db
    .update(deliveries)
    .set({ status: 'sending', attempts: sql`${deliveries.attempts} + 1`, updatedAt: now })
    .where(
      and(
        eq(deliveries.id, id),
        or(eq(deliveries.status, 'queued'), and(eq(deliveries.status, 'sending'), lt(deliveries.updatedAt, now - staleMs))),
      ),
    )
    .returning();
  return claimed[0];
}

export async function markDeliverySent(
  db: Database,
  id: string,
  now: number,
  result: { providerId?: string | null; payload?: string | null },
): Promise<void> {
  await db
    .update(deliveries)
    .set({ status: 'sent', sentAt: now, updatedAt: now, lastError: null, providerId: result.providerId ?? null, payload: result.payload ?? null })
    .where(eq(deliveries.id, id));
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

/** Whether another ticket of this thread already has a delivery of this kind (one acknowledgement per thread). */
export async function threadHasDelivery(db: Database, threadId: string, kind: DeliveryKind, exceptTicketId: string): Promise<boolean> {
  const rows = await db
    .select({ id: deliveries.id })
    .from(deliveries)
    .innerJoin(tickets, eq(tickets.id, deliveries.ticketId))
    .where(and(eq(tickets.threadId, threadId), eq(deliveries.kind, kind), ne(deliveries.ticketId, exceptTicketId)))
    .limit(1);
  return rows.length > 0;
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
