// A D1-shaped binding over an in-process SQLite (node-sqlite3-wasm: SQLite 3.53 with
// FTS5 built to WebAssembly, so no native build on Node 20), for the Node-side
// "Worker JS per ticket" harness (node-worker.ts): the same SQL the Worker sends to D1
// runs synchronously in this thread, and the CPU it takes is counted apart, so what
// is left of a ticket's CPU is the Worker's own JavaScript. Only the part of the D1
// API deflect uses: prepare/bind/first/all/run/raw, batch (one transaction), exec.
import { createRequire } from 'node:module';
import type { Statement as SqliteStatement } from 'node-sqlite3-wasm';

// A CommonJS module whose exports are assigned at run time: required, not imported.
const { Database } = createRequire(import.meta.url)('node-sqlite3-wasm') as typeof import('node-sqlite3-wasm');

type Row = Record<string, unknown>;
type Param = string | number | bigint | Uint8Array | null;

type Meta = { duration: number; changes: number; last_row_id: number; rows_read: number; rows_written: number; changed_db: boolean; size_after: number };
type Result<T> = { results: T[]; success: true; meta: Meta };

/** The part of D1's binding deflect calls (scripts are type-checked without the Workers types). */
export type D1Statement = {
  bind(...values: unknown[]): D1Statement;
  all<T = Row>(): Promise<Result<T>>;
  run<T = Row>(): Promise<Result<T>>;
  first<T = Row>(column?: string): Promise<T | null>;
  raw<T = unknown[]>(options?: { columnNames?: boolean }): Promise<T[]>;
};
export type D1Like = {
  prepare(sql: string): D1Statement;
  batch(statements: D1Statement[]): Promise<Result<Row>[]>;
  exec(sql: string): Promise<{ count: number; duration: number }>;
};

export type SqliteD1 = {
  binding: D1Like;
  /** CPU ms spent inside SQLite (statement preparation and execution) since the last reset. */
  sqliteMs(): number;
  statements(): number;
  /** Timed sections (statements, and the BEGIN/COMMIT around a batch) since the last reset. */
  sections(): number;
  /**
   * CPU of one timed section's own instrument (two getrusage calls, ~0.1 ms each on a loaded
   * machine), measured now: what the harness subtracts per section so the clock is not counted as JS.
   */
  calibrate(): number;
  reset(): void;
  /** Direct SQL for the harness's own checks (not counted). */
  query<T>(sql: string): T[];
  close(): void;
};

const cpuMs = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/** D1 binds booleans as 1/0 and byte arrays as BLOBs; undefined is an error there too. */
function toParam(value: unknown): Param {
  if (value === undefined) throw new Error('D1_TYPE_ERROR: undefined is not a supported bind value');
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  return value as Param;
}

/** BLOBs come back from D1 as arrays of bytes. */
const fromValue = (value: unknown): unknown => (value instanceof Uint8Array ? Array.from(value) : value);
const fromRow = (row: Row): Row => {
  for (const key of Object.keys(row)) row[key] = fromValue(row[key]);
  return row;
};

/** Statements that return rows: queries, and writes with RETURNING (the rest report their change count). */
const READS_ROWS = /^\s*(?:select|with|pragma|values|explain)\b|\breturning\b/i;

export function openSqliteD1(file = ':memory:'): SqliteD1 {
  const db = new Database(file);
  db.exec('PRAGMA foreign_keys = ON');
  let spent = 0;
  let count = 0;
  let sections = 0;
  const timed = <T>(run: () => T): T => {
    sections += 1;
    const started = cpuMs();
    try {
      return run();
    } finally {
      spent += cpuMs() - started;
    }
  };
  const cache = new Map<string, SqliteStatement>();
  const compiled = (sql: string) => {
    const cached = cache.get(sql);
    if (cached) return cached;
    const statement = timed(() => db.prepare(sql));
    cache.set(sql, statement);
    return statement;
  };

  const meta = (changes = 0, lastRowId: number | bigint = 0): Meta => ({ duration: 0, changes, last_row_id: Number(lastRowId), rows_read: 0, rows_written: changes, changed_db: changes > 0, size_after: 0 });

  /** Runs one statement; rows for those that return rows, else the change count. */
  function execute(sql: string, params: Param[]): { rows: Row[]; columns: string[]; changes: number; lastRowId: number | bigint } {
    const statement = compiled(sql);
    count += 1;
    return timed(() => {
      try {
        return step(statement, sql, params);
      } catch (error) {
        // A statement whose step failed cannot be reset for reuse: prepare it afresh next time.
        cache.delete(sql);
        statement.finalize();
        throw error;
      }
    });
  }

  function step(statement: SqliteStatement, sql: string, params: Param[]) {
    if (READS_ROWS.test(sql)) {
      const rows = (statement.all(params) as Row[]).map(fromRow);
      return { rows, columns: rows[0] ? Object.keys(rows[0]) : [], changes: 0, lastRowId: 0 };
    }
    const info = statement.run(params);
    return { rows: [], columns: [] as string[], changes: info.changes, lastRowId: info.lastInsertRowid };
  }

  class Statement implements D1Statement {
    constructor(
      readonly sql: string,
      readonly params: Param[] = [],
    ) {}
    bind(...values: unknown[]) {
      return new Statement(this.sql, values.map(toParam));
    }
    async all<T = Row>() {
      const r = execute(this.sql, this.params);
      return { results: r.rows as T[], success: true as const, meta: meta(r.changes, r.lastRowId) };
    }
    async run<T = Row>() {
      return this.all<T>();
    }
    async first<T = Row>(column?: string): Promise<T | null> {
      const [row] = execute(this.sql, this.params).rows;
      if (!row) return null;
      return (column === undefined ? row : (row[column] as T)) as T;
    }
    async raw<T = unknown[]>(options?: { columnNames?: boolean }): Promise<T[]> {
      const r = execute(this.sql, this.params);
      const rows = r.rows.map((row) => r.columns.map((c) => row[c])) as T[];
      return options?.columnNames ? ([r.columns as T, ...rows] as T[]) : rows;
    }
  }

  const binding: D1Like & { withSession(): D1Like } = {
    prepare: (sql: string) => new Statement(sql),
    // D1 runs a batch as one transaction: all statements or none.
    batch: async (statements: D1Statement[]) => {
      timed(() => db.exec('BEGIN'));
      try {
        const results = (statements as Statement[]).map((s) => {
          const r = execute(s.sql, s.params);
          return { results: r.rows, success: true as const, meta: meta(r.changes, r.lastRowId) };
        });
        timed(() => db.exec('COMMIT'));
        return results;
      } catch (error) {
        timed(() => db.exec('ROLLBACK'));
        throw error;
      }
    },
    exec: async (sql: string) => {
      count += 1;
      timed(() => db.exec(sql));
      return { count: 1, duration: 0 };
    },
    withSession: () => binding,
  };

  return {
    binding,
    sqliteMs: () => spent,
    statements: () => count,
    sections: () => sections,
    calibrate: () => {
      const runs = 2000;
      const started = cpuMs();
      for (let i = 0; i < runs; i++) cpuMs() - cpuMs();
      return (cpuMs() - started) / runs;
    },
    reset: () => {
      spent = 0;
      count = 0;
      sections = 0;
    },
    query: <T>(sql: string) => db.all(sql) as T[],
    close: () => db.close(),
  };
}
