/**
 * One data-access style: SQL through postgres.js tagged templates, typed by a row type
 * (sql<Array<{ id: number }>>`select ...`). Drizzle stays for what it does well here, the schema (db/schema)
 * and the migrations drizzle-kit generates from it; no code reads or writes through its query builder.
 *
 * Why SQL rather than the builder: SQL is what the team reads in EXPLAIN plans and in pg_stat_statements, so the
 * query in the code is the query in the plan (the list queries are tuned by their text, BENCHMARKS.md); the tagged
 * template sends every interpolated value as a bind parameter, never as text, so it is as safe as the builder;
 * and one style means one way to read, review and change every statement (the platform had ~510 SQL calls and
 * one route file on the builder).
 */
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import * as schema from './schema';
import { isoTimestamp, TIMESTAMPTZ_OID } from './timestamps';

export type Database = PostgresJsDatabase<typeof schema>;
export type Sql = postgres.Sql;
/**
 * What every query function takes: the pool, or a transaction the caller holds. One type, so the same function
 * serves inside and outside a transaction without casts.
 */
export type Db = Sql | postgres.TransactionSql;

/** The single row a query must return (a count, a `returning`, a row found by its key); a missing row is a bug. */
/**
 * Runs `work` in the caller's transaction when `db` is one, else in a new transaction of the pool, so an operation
 * that must be atomic can be called alone or inside another operation's transaction. A transaction is told apart
 * by `savepoint`, which postgres.js gives transactions only (both have `begin`).
 */
export function inTransaction<T>(db: Db, work: (tx: postgres.TransactionSql) => Promise<T>): Promise<T> {
  if ('savepoint' in db) return work(db);
  return db.begin(work) as Promise<T>;
}

export async function oneRow<T>(query: PromiseLike<readonly T[]>): Promise<T> {
  const [row] = await query;
  if (row === undefined) throw new Error('the query returned no row');
  return row;
}

export interface DatabaseHandle {
  db: Database;
  sql: Sql;
  close(): Promise<void>;
}

export interface ConnectOptions {
  max?: number;
  /** Shown in pg_stat_activity, which helps when a test or an operator hunts a connection. */
  applicationName?: string;
  /**
   * Cancel any statement running longer (PostgreSQL `statement_timeout`). The API sets one, so a request its
   * client abandoned cannot keep a connection of the pool busy; the worker does not (a billing run's queries
   * over every subscription are long by nature, and an activity has its own timeout).
   */
  statementTimeoutMs?: number;
  /** Parallel query for this handle's sessions; off for the API, whose list pages read a few rows each. */
  parallelQuery?: boolean;
}

/**
 * Session settings every connection gets (measured in BENCHMARKS.md, "API: what is slow"): statements are prepared
 * by the driver, and the list queries are written `($1 is null or col = $1)`, so a generic plan cannot know which
 * filters are used and may pick a plan over the whole table; custom plans are always chosen instead. JIT compiles
 * dozens of functions for queries whose estimated cost is over the whole table but which stop after one page.
 */
const sessionSettings = { plan_cache_mode: 'force_custom_plan', jit: 'off' } as const;

export function connectDatabase(
  url: string,
  { max = 10, applicationName = 'billing', statementTimeoutMs, parallelQuery = true }: ConnectOptions = {},
): DatabaseHandle {
  const sql = postgres(url, {
    max,
    onnotice: () => {},
    connection: {
      application_name: applicationName,
      ...sessionSettings,
      ...(statementTimeoutMs === undefined ? {} : { statement_timeout: statementTimeoutMs }),
      ...(parallelQuery ? {} : { max_parallel_workers_per_gather: '0' }),
    },
  });
  const db = drizzle(sql, { schema });
  // After drizzle(), which resets this type's parser to hand the text through (db/timestamps.ts says why).
  sql.options.parsers[TIMESTAMPTZ_OID] = isoTimestamp;
  return { db, sql, close: () => sql.end({ timeout: 5 }) };
}

/** The driver's codes for a lost connection, and PostgreSQL's for a server shutting down or terminating the backend. */
const connectionLossCodes = new Set(['CONNECTION_CLOSED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', '57P01', '57P02', '57P03']);

/** Whether a database error means the connection went away (nothing of the failed statement was committed). */
export function isConnectionLoss(code: string | undefined): boolean {
  return code !== undefined && (connectionLossCodes.has(code) || code.startsWith('08'));
}
