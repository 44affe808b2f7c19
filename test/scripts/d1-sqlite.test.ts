// The Node harness's D1-shaped binding answers the way D1 does for the calls deflect
// makes, so "Worker JS per ticket" measures the product's code paths, not a shortcut.
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteD1, type SqliteD1 } from '../../scripts/lib/d1-sqlite';

let d1: SqliteD1;
afterEach(() => d1?.close());

async function withTable() {
  d1 = openSqliteD1();
  await d1.binding.exec('CREATE TABLE t (id TEXT PRIMARY KEY, n INTEGER NOT NULL, flag INTEGER)');
  return d1.binding;
}

describe('D1-shaped SQLite binding', () => {
  it('binds, reads rows, first() and raw() as D1 does', async () => {
    const db = await withTable();
    const run = await db.prepare('INSERT INTO t (id, n, flag) VALUES (?, ?, ?)').bind('a', 1, true).run();
    expect(run.success).toBe(true);
    expect(run.meta.changes).toBe(1);
    await db.prepare('INSERT INTO t (id, n, flag) VALUES (?, ?, ?)').bind('b', 2, false).run();
    const all = await db.prepare('SELECT id, n, flag FROM t ORDER BY n').all();
    expect(all.results).toEqual([
      { id: 'a', n: 1, flag: 1 },
      { id: 'b', n: 2, flag: 0 },
    ]);
    expect(await db.prepare('SELECT n FROM t WHERE id = ?').bind('b').first('n')).toBe(2);
    expect(await db.prepare('SELECT n FROM t WHERE id = ?').bind('zzz').first()).toBeNull();
    expect(await db.prepare('SELECT id, n FROM t ORDER BY n').raw({ columnNames: true })).toEqual([['id', 'n'], ['a', 1], ['b', 2]]);
  });

  it('returns the rows of INSERT … RETURNING', async () => {
    const db = await withTable();
    const { results } = await db.prepare('INSERT INTO t (id, n) VALUES (?, ?) RETURNING id, n').bind('r', 7).all();
    expect(results).toEqual([{ id: 'r', n: 7 }]);
  });

  it('runs a batch as one transaction: a failing statement leaves nothing behind', async () => {
    const db = await withTable();
    const insert = (id: string, n: number | null) => db.prepare('INSERT INTO t (id, n) VALUES (?, ?)').bind(id, n);
    await expect(db.batch([insert('x', 1), insert('y', null)])).rejects.toThrow(/NOT NULL/);
    expect((await db.prepare('SELECT count(*) AS c FROM t').first<{ c: number }>())?.c).toBe(0);
    const results = await db.batch([insert('x', 1), db.prepare('SELECT id FROM t')]);
    expect(results.map((r) => r.results)).toEqual([[], [{ id: 'x' }]]);
  });

  it('refuses undefined as D1 does', async () => {
    const db = await withTable();
    expect(() => db.prepare('SELECT ?').bind(undefined)).toThrow(/D1_TYPE_ERROR/);
  });

  it('has FTS5, which retrieval needs', async () => {
    const db = await withTable();
    await db.exec("CREATE VIRTUAL TABLE f USING fts5(body); INSERT INTO f (body) VALUES ('reset your password'), ('billing cycle')");
    const { results } = await db.prepare('SELECT body FROM f WHERE f MATCH ? ORDER BY bm25(f)').bind('password').all();
    expect(results).toEqual([{ body: 'reset your password' }]);
  });

  it('counts statements and the CPU spent inside SQLite, and resets them', async () => {
    const db = await withTable();
    await db.prepare('WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 20000) SELECT sum(x) AS s FROM c').first();
    expect(d1.statements()).toBe(2);
    expect(d1.sqliteMs()).toBeGreaterThan(0);
    d1.reset();
    expect(d1.statements()).toBe(0);
    expect(d1.sqliteMs()).toBe(0);
  });
});
