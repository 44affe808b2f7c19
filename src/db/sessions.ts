// Console sessions kept server-side, so a cookie is only as good as its row:
// logout revokes the row, and a row names the ADMIN_TOKEN it was started under.
import { and, eq, gt, isNull } from 'drizzle-orm';
import type { Database } from './client';
import { consoleSessions } from './schema';

export type ConsoleSessionRow = typeof consoleSessions.$inferSelect;

export async function recordSession(db: Database, row: Omit<ConsoleSessionRow, 'revokedAt'>): Promise<void> {
  await db.insert(consoleSessions).values(row);
}

/** The session if it is neither revoked, expired, nor from another ADMIN_TOKEN. */
export async function liveSession(db: Database, id: string, tokenFingerprint: string, now: number): Promise<ConsoleSessionRow | undefined> {
  return db.query.consoleSessions.findFirst({
    where: and(eq(consoleSessions.id, id), eq(consoleSessions.tokenFingerprint, tokenFingerprint), isNull(consoleSessions.revokedAt), gt(consoleSessions.expiresAt, now)),
  });
}

export async function revokeSession(db: Database, id: string, now: number): Promise<void> {
  await db.update(consoleSessions).set({ revokedAt: now }).where(and(eq(consoleSessions.id, id), isNull(consoleSessions.revokedAt)));
}
