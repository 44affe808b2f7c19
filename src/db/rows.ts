// A whole row of one table carried as a JSON value inside another table's statement:
// the claim of a ticket or a delivery returns, in the same statement, the rows the run
// reads next, instead of a read per row. Columns decode as drizzle decodes them.
import { getTableColumns, getTableName, is, Param, sql, SQL, type Column } from 'drizzle-orm';
import { SQLiteReal, type SQLiteTable } from 'drizzle-orm/sqlite-core';

/**
 * `"table"."column"`, always: inside an UPDATE … RETURNING drizzle renders columns bare, and a
 * bare name in a subquery binds to the subquery's own table first (`ticket_id = id` would
 * compare a decision with itself).
 */
export function qualified(column: Column): SQL {
  return sql.raw(`"${getTableName(column.table)}"."${column.name}"`);
}

/** `json_object('col', "table"."col", …)` over every column of `table`, for a scalar subquery over it. */
export function rowObject<T extends SQLiteTable>(table: T): SQL<string> {
  // Keys are the schema's own column names, inlined: D1 binds at most 100 parameters a statement.
  const pairs = Object.values(getTableColumns(table)).map((column) => sql`${sql.raw(`'${column.name}'`)}, ${jsonValue(column)}`);
  return sql<string>`json_object(${sql.join(pairs, sql`, `)})`;
}

/** json_object writes a REAL with 15 significant digits in D1; 17, as text, give back the same double. */
function jsonValue(column: Column): SQL {
  const value = qualified(column);
  return is(column, SQLiteReal) ? sql`CASE WHEN ${value} IS NULL THEN NULL ELSE printf('%!.17g', ${value}) END` : value;
}

/**
 * The row a `rowObject` rendered, decoded column by column (JSON text columns parsed,
 * booleans from 0/1): the same value a select of the row returns. Null: there was no row.
 */
export function rowFromObject<T extends SQLiteTable>(table: T, text: string | null | undefined): T['$inferSelect'] | undefined {
  if (text === null || text === undefined) return undefined;
  return rowFromStored(table, JSON.parse(text) as Record<string, unknown>);
}

/** A row as stored (column names as keys, as D1 returns a select's), decoded as drizzle decodes it. Undefined: there was no row. */
export function rowFromStored<T extends SQLiteTable>(table: T, stored: Record<string, unknown> | undefined): T['$inferSelect'] | undefined {
  if (!stored) return undefined;
  const row: Record<string, unknown> = {};
  for (const [key, column] of Object.entries(getTableColumns(table))) {
    const value = stored[column.name] ?? null;
    row[key] = value === null ? null : is(column, SQLiteReal) ? Number(value) : column.mapFromDriverValue(value);
  }
  return row as T['$inferSelect'];
}

/**
 * Insert values with every column a placeholder named by its key, for one prepared insert
 * whatever the row leaves out: a value left out (null) gets the column's default, as a
 * plain insert would give it. Run it with `placeholderValues`.
 */
export function everyColumnPlaceholder<T extends SQLiteTable>(table: T): Record<keyof T['$inferInsert'], SQL> {
  const values = Object.fromEntries(
    Object.entries(getTableColumns(table)).map(([key, column]) => {
      const value = sql`${sql.placeholder(key)}`;
      if (column.default === undefined) return [key, value];
      const fallback = is(column.default, SQL) ? column.default : new Param(column.default, column);
      return [key, sql`coalesce(${value}, ${fallback})`];
    }),
  );
  return values as Record<keyof T['$inferInsert'], SQL>;
}

/** A row's values for `everyColumnPlaceholder`, encoded by their column (JSON text, 0/1); null where left out. */
export function placeholderValues<T extends SQLiteTable>(table: T, row: Partial<T['$inferInsert']>): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [key, column] of Object.entries(getTableColumns(table))) {
    const value = (row as Record<string, unknown>)[key];
    values[key] = value === null || value === undefined ? null : column.mapToDriverValue(value);
  }
  return values;
}
