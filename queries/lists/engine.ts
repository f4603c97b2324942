import type postgres from 'postgres';
import type { Db } from '../../db/client';
import { escapeLike } from '../../db/like';
import { ownedBy, type Viewer } from '../tenancy';

/**
 * The one list engine. A list (queries/lists/<name>.ts) names its table expression, its columns and its filters
 * once; the API's list route and the operator UI's list page both read it through `listRows` / `countList`, so a
 * list has one query whoever asks.
 *
 * What is text and what is a parameter: the table expression, the column expressions and the filter expressions
 * are static SQL written in the list modules (the whitelist). A request only ever chooses among them by key
 * (a column, a sort, a filter); an unknown key is refused here. Every value from a request — filter values, the
 * search text, the cursor, limit and offset — is a bound parameter.
 */
export type Fragment = postgres.PendingQuery<postgres.Row[]>;
export type Row = Record<string, unknown>;

export interface ListColumn {
  /** A SQL expression over the list's `from`: static text written in the list module, never from a request. */
  expr: string;
  /** May be sorted on (the UI's column headers). */
  sortable?: boolean;
  /** Never null, so a sort on it needs no `nulls last` and an index on it serves the order. */
  notNull?: boolean;
}

/**
 * How a filter's value is matched against its expression: equals; contains (case-insensitive, as typed: `%` and
 * `_` match themselves); from / to (a business date: from that day on / up to that day's end); below (a keyset
 * cursor: `expr < value`); atLeast / atMost (a bound).
 */
export type Match = 'equals' | 'contains' | 'from' | 'to' | 'below' | 'atLeast' | 'atMost';

export interface ListFilter {
  expr: string;
  match: Match;
}

/**
 * A condition as a fragment of SQL, boxed: a fragment is a pending query, and a promise resolving to one would
 * run it.
 */
export interface Condition {
  sql: Fragment;
}

/** A filter that needs more than one comparison (a search, a cursor of another type): its condition from its value. */
export type CustomFilter<V> = (value: V, db: Db) => Condition | Promise<Condition>;

export interface ListQuery<F extends object> {
  name: string;
  /** The table expression (joins included): static text. */
  from: string;
  /** The row's id expression: the last sort key, so an order is total. */
  id: string;
  /**
   * The row's client, whose reseller owns the row (queries/tenancy.ts): a viewer sees only its own tenant's rows.
   * null: the list is the operator's alone (the API and the UI let no reseller's staff read it).
   */
  client: string | null;
  columns: Record<string, ListColumn>;
  filters: { [K in keyof F]-?: ListFilter | CustomFilter<NonNullable<F[K]>> };
}

export interface ListSort {
  /** A sortable column's key. */
  column: string;
  dir: 'asc' | 'desc';
  /** The direction of the id among equal values; the sort's own by default. */
  ties?: 'asc' | 'desc';
}

export interface ListInput<F extends object> {
  /**
   * Whose rows: the signed-in staff member's reseller. null only for a client user's request, which its route guard
   * already holds to one of the user's clients (api/tenancy.ts `listViewer`).
   */
  viewer: Viewer | null;
  /** Keys of `columns` to select, each answered under its key. */
  columns: readonly string[];
  /** Also answer the row's id as `__id` (the UI's row links and actions). */
  rowId?: boolean;
  filters?: { [K in keyof F]?: F[K] };
  /** The UI's search box: the id itself, or the text anywhere in these columns. */
  search?: { text: string; columns: readonly string[] };
  sort: ListSort;
  limit: number;
  offset?: number;
}

function column<F extends object>(list: ListQuery<F>, key: string): ListColumn {
  const col = Object.hasOwn(list.columns, key) ? list.columns[key] : undefined;
  if (!col) throw new Error(`list ${list.name} has no column ${key}`);
  return col;
}

/** A whitelisted expression as SQL text: only ever text written in a list module (see the file comment). */
const expression = (db: Db, expr: string) => db.unsafe(`(${expr})`);

function condition(db: Db, { expr, match }: ListFilter, value: unknown): Fragment {
  const e = expression(db, expr);
  switch (match) {
    case 'equals':
      return db`${e} = ${value as string}`;
    case 'contains':
      return db`${e}::text ilike ${`%${escapeLike(String(value))}%`}`;
    case 'from':
      return db`${e} >= ${value as string}::date`;
    case 'to':
      return db`${e} < ${value as string}::date + 1`;
    case 'below':
      return db`${e} < ${value as string}`;
    case 'atLeast':
      return db`${e} >= ${value as string}`;
    case 'atMost':
      return db`${e} <= ${value as string}`;
  }
}

const allOf = (db: Db, parts: Fragment[]) => parts.reduce((a, b) => db`${a} and ${b}`);

async function whereOf<F extends object>(db: Db, list: ListQuery<F>, input: Pick<ListInput<F>, 'filters' | 'search' | 'viewer'>): Promise<Condition> {
  const conditions: Fragment[] = list.client === null || input.viewer === null ? [] : [ownedBy(db, input.viewer, list.client)];
  for (const [key, value] of Object.entries(input.filters ?? {})) {
    if (value === undefined) continue;
    const filter = Object.hasOwn(list.filters, key) ? (list.filters as Record<string, ListFilter | CustomFilter<unknown>>)[key] : undefined;
    if (!filter) throw new Error(`list ${list.name} has no filter ${key}`);
    conditions.push(typeof filter === 'function' ? (await filter(value, db)).sql : condition(db, filter, value));
  }
  if (input.search?.text) {
    const { text, columns } = input.search;
    const all = columns.map((key) => `coalesce((${column(list, key).expr})::text, '')`).join(` || ' ' || `);
    conditions.push(db`(${expression(db, list.id)}::text = ${text} or (${db.unsafe(all)}) ilike ${`%${escapeLike(text)}%`})`);
  }
  return { sql: conditions.length ? db`where ${allOf(db, conditions)}` : db`` };
}

function orderOf<F extends object>(db: Db, list: ListQuery<F>, { column: key, dir, ties = dir }: ListSort): Fragment {
  const col = column(list, key);
  if (!col.sortable) throw new Error(`list ${list.name} cannot be sorted on ${key}`);
  const direction = (d: 'asc' | 'desc') => (d === 'asc' ? 'asc' : 'desc');
  if (col.expr === list.id) return db`order by ${db.unsafe(`(${list.id}) ${direction(dir)}`)}`;
  const nulls = col.notNull ? '' : ' nulls last';
  return db`order by ${db.unsafe(`(${col.expr}) ${direction(dir)}${nulls}, (${list.id}) ${direction(ties)}`)}`;
}

/** A page of the list: the chosen columns of the rows that pass the filters, in the chosen order. */
export async function listRows<F extends object, R extends Row = Row>(db: Db, list: ListQuery<F>, input: ListInput<F>): Promise<R[]> {
  const select = [...(input.rowId ? [`(${list.id}) as "__id"`] : []), ...input.columns.map((key) => `(${column(list, key).expr}) as "${key}"`)].join(', ');
  const { sql: where } = await whereOf(db, list, input);
  const offset = input.offset ? db`offset ${Math.floor(input.offset)}` : db``;
  return db<R[]>`
    select ${db.unsafe(select)} from ${db.unsafe(list.from)} ${where}
    ${orderOf(db, list, input.sort)} limit ${Math.floor(input.limit)} ${offset}`;
}

/**
 * The API's keyset page of a list, newest first: the chosen columns, one row more than the page so the caller knows
 * whether there is a next page (api/schemas.ts `page`).
 */
export function newestFirst<F extends object, R extends Row = Row>(db: Db, viewer: Viewer | null, list: ListQuery<F>, columns: string[], filters: ListInput<F>['filters'], limit: number): Promise<R[]> {
  return listRows<F, R>(db, list, { viewer, columns, filters, sort: { column: 'id', dir: 'desc' }, limit: limit + 1 });
}

/** How many rows pass the filters (the UI's "from–to of total"). */
export async function countList<F extends object>(db: Db, list: ListQuery<F>, input: Pick<ListInput<F>, 'filters' | 'search' | 'viewer'>): Promise<number> {
  const { sql: where } = await whereOf(db, list, input);
  const [row] = await db<Array<{ n: number }>>`select count(*)::int as n from ${db.unsafe(list.from)} ${where}`;
  return row?.n ?? 0;
}
