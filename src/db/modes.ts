// Rollout modes in D1: the rules in force and the audit of every change. A change
// and its audit row are written in one batch (one transaction), so the audit never
// misses a change nor shows one that did not happen.
import { and, desc, eq, sql, type SQL } from 'drizzle-orm';
import { newId } from '../ticket';
import type { Database } from './client';
import { rolloutModeChanges, rolloutModes, type RolloutMode } from './schema';

export type ModeRuleRow = typeof rolloutModes.$inferSelect;
export type ModeChangeRow = typeof rolloutModeChanges.$inferSelect;

export async function listModeRules(db: Database): Promise<ModeRuleRow[]> {
  return db.select().from(rolloutModes).orderBy(rolloutModes.address, rolloutModes.requestType);
}

/** The rules a run resolves its mode from (see rollout/modes.ts resolveMode). */
export type ModeRuleOf = Pick<ModeRuleRow, 'address' | 'requestType' | 'mode'>;

/**
 * Every rule in force as one JSON array, for a statement that reads them beside its own
 * rows (the ticket claim): read fresh on every run, so a change applies to the next ticket.
 */
export function modeRulesArray(): SQL<string> {
  return sql<string>`(SELECT json_group_array(json_object('address', ${rolloutModes.address}, 'requestType', ${rolloutModes.requestType}, 'mode', ${rolloutModes.mode})) FROM ${rolloutModes})`;
}

export function modeRulesFrom(text: string | null | undefined): ModeRuleOf[] {
  return text ? (JSON.parse(text) as ModeRuleOf[]) : [];
}

/**
 * Set (or, with `mode` null, clear) the mode of one scope, auditing from → to.
 * Setting the mode a scope already has changes nothing and audits nothing.
 */
export async function setModeRule(
  db: Database,
  scope: { address: string; requestType: string },
  mode: RolloutMode | null,
  actor: string,
  now: number,
): Promise<{ changed: boolean; from: RolloutMode | null }> {
  const where = and(eq(rolloutModes.address, scope.address), eq(rolloutModes.requestType, scope.requestType));
  const current = await db.select({ mode: rolloutModes.mode }).from(rolloutModes).where(where).get();
  const from = current?.mode ?? null;
  if (from === mode) return { changed: false, from };
  const audit = db.insert(rolloutModeChanges).values({ id: newId('mch'), ...scope, fromMode: from, toMode: mode, actor, changedAt: now });
  const write =
    mode === null
      ? db.delete(rolloutModes).where(where)
      : db
          .insert(rolloutModes)
          .values({ ...scope, mode, updatedBy: actor, updatedAt: now })
          .onConflictDoUpdate({ target: [rolloutModes.address, rolloutModes.requestType], set: { mode, updatedBy: actor, updatedAt: now } });
  await db.batch([write, audit]);
  return { changed: true, from };
}

export async function listModeChanges(db: Database, limit: number): Promise<ModeChangeRow[]> {
  return db.select().from(rolloutModeChanges).orderBy(desc(rolloutModeChanges.changedAt), desc(rolloutModeChanges.id)).limit(limit);
}
