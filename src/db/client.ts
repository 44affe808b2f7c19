import { drizzle, type DrizzleD1Database } from 'drizzle-orm/d1';
import * as schema from './schema';

/** The client, with its binding (`$client`) for a batch of statements prepared once. */
export type Database = DrizzleD1Database<typeof schema> & { $client: D1Database };

// drizzle() builds the relational config of the whole schema: a third of the Worker's
// JS per ticket when it ran on every buildDeps. The binding is the same object for
// the isolate's lifetime, so the client is built once per binding.
const clients = new WeakMap<D1Database, Database>();

export function database(d1: D1Database): Database {
  let db = clients.get(d1);
  if (!db) {
    db = drizzle(d1, { schema });
    clients.set(d1, db);
  }
  return db;
}

const preparedQueries = new WeakMap<Database, Map<string, unknown>>();

/**
 * A hot query built once per client and run with its values as placeholders: drizzle
 * otherwise renders the SQL of every query on every run (a claim's RETURNING names
 * ~60 columns). `build` must not depend on the call's values, only on placeholders.
 */
export function preparedOnce<T>(db: Database, name: string, build: () => T): T {
  let queries = preparedQueries.get(db);
  if (!queries) preparedQueries.set(db, (queries = new Map()));
  if (!queries.has(name)) queries.set(name, build());
  return queries.get(name) as T;
}
