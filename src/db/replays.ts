// Replayed past tickets: the reply a person actually sent, kept beside deflect's decision.
import { eq } from 'drizzle-orm';
import type { Database } from './client';
import { replays } from './schema';

export type ReplayRow = typeof replays.$inferSelect;

/** Once per ticket: a second replay of the same history line keeps the first record. */
export async function recordReplay(db: Database, row: ReplayRow): Promise<void> {
  await db.insert(replays).values(row).onConflictDoNothing({ target: replays.ticketId });
}

export async function findReplay(db: Database, ticketId: string): Promise<ReplayRow | undefined> {
  return db.query.replays.findFirst({ where: eq(replays.ticketId, ticketId) });
}
