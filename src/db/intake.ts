// Ingestion's queries: the per-sender ticket count, webhook replay nonces, and the
// raw message kept for the audit.
import { and, eq, gte, sql } from 'drizzle-orm';
import type { Database } from './client';
import { rawMessages, tickets, webhookReplays } from './schema';

/** Tickets stored from this sender (its `senderKey`) since `since` (the per-sender daily ticket cap). */
export async function countTicketsFrom(db: Database, senderKey: string, since: number): Promise<number> {
  const rows = await db
    .select({ n: sql<number>`count(*)` })
    .from(tickets)
    .where(and(eq(tickets.senderKey, senderKey), gte(tickets.receivedAt, since)));
  return rows[0]?.n ?? 0;
}

/** Record a nonce once: true for the first use, false for a replay (the primary key decides, atomically). */
export async function claimNonce(db: Database, provider: string, nonce: string, now: number): Promise<boolean> {
  const inserted = await db.insert(webhookReplays).values({ provider, nonce, seenAt: now }).onConflictDoNothing().returning();
  return inserted.length > 0;
}

/** Give a nonce back when the request it carried could not be stored, so the provider's retry is not refused. */
export async function releaseNonce(db: Database, provider: string, nonce: string): Promise<void> {
  await db.delete(webhookReplays).where(and(eq(webhookReplays.provider, provider), eq(webhookReplays.nonce, nonce)));
}

export type RawMessageRow = typeof rawMessages.$inferSelect;

export async function findRawMessage(db: Database, ticketId: string): Promise<RawMessageRow | undefined> {
  return db.query.rawMessages.findFirst({ where: eq(rawMessages.ticketId, ticketId) });
}
