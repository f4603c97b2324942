import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import * as schema from './schema';

export type Database = PostgresJsDatabase<typeof schema>;
export type Sql = postgres.Sql;

export interface DatabaseHandle {
  db: Database;
  sql: Sql;
  close(): Promise<void>;
}

export interface ConnectOptions {
  max?: number;
  /** Shown in pg_stat_activity, which helps when a test or an operator hunts a connection. */
  applicationName?: string;
}

export function connectDatabase(url: string, { max = 10, applicationName = 'billing' }: ConnectOptions = {}): DatabaseHandle {
  const sql = postgres(url, {
    max,
    onnotice: () => {},
    connection: { application_name: applicationName },
  });
  const db = drizzle(sql, { schema });
  return { db, sql, close: () => sql.end({ timeout: 5 }) };
}
