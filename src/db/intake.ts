// Ingestion's queries: webhook replay nonces and the raw message kept for the audit
// (the per-sender ticket cap is counted inside the ingest batch, db/tickets.ts).
import { and, eq, lt } from 'drizzle-orm';
import type { Database } from './client';
import { rawMessages, webhookReplays } from './schema';

/** Record a nonce once: true for the first use, false for a replay (the primary key decides, atomically). */
export async function claimNonce(db: Database, provider: string, nonce: string, now: number): Promise<boolean> {
  const inserted = await db.insert(webhookReplays).values({ provider, nonce, seenAt: now }).onConflictDoNothing().returning();
  return inserted.length > 0;
}

/** Give a nonce back when the request it carried could not be stored, so the provider's retry is not refused. */
export async function releaseNonce(db: Database, provider: string, nonce: string): Promise<void> {
  await db.delete(webhookReplays).where(and(eq(webhookReplays.provider, provider), eq(webhookReplays.nonce, nonce)));
}

/** Forget nonces seen before `before`: a provider's tolerance window is long past. */
export async function pruneWebhookReplays(db: Database, before: number): Promise<void> {
  await db.delete(webhookReplays).where(lt(webhookReplays.seenAt, before));
}

export type RawMessageRow = typeof rawMessages.$inferSelect;

export async function findRawMessage(db: Database, ticketId: string): Promise<RawMessageRow | undefined> {
  return db.query.rawMessages.findFirst({ where: eq(rawMessages.ticketId, ticketId) });
}
