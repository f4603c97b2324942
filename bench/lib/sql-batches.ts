import type postgres from 'postgres';
import { Progress } from './progress';

/**
 * Runs one generating statement over id ranges `[from, to]` of `batch` rows, with progress. Each batch is
 * its own transaction with `session_replication_role = replica`: triggers do not fire (no notification
 * outbox rows for history that never happened, no foreign-key trigger per row; the generators write
 * consistent references themselves). `statement` returns how many rows it wrote.
 */
export async function generateInBatches(
  sql: postgres.Sql,
  { label, total, batch, unit = 'rows' }: { label: string; total: number; batch: number; unit?: string },
  statement: (tx: postgres.TransactionSql, from: number, to: number) => Promise<number>,
): Promise<{ rows: number; ms: number }> {
  const progress = new Progress(label, total, unit);
  let rows = 0;
  for (let from = 1; from <= total; from += batch) {
    const to = Math.min(total, from + batch - 1);
    rows += await sql.begin(async (tx) => {
      await tx`set local session_replication_role = replica`;
      return statement(tx, from, to);
    });
    progress.set(to, `${rows.toLocaleString('en-US')} rows written`);
  }
  return { rows, ms: progress.finish() };
}

/** Database-wide row counters (pg_stat_database); PostgreSQL flushes them about once a second per backend. */
export async function rowCounters(sql: postgres.Sql): Promise<{ written: number; read: number; commits: number }> {
  const [row] = await sql<Array<{ written: string; read: string; commits: string }>>`
    select (tup_inserted + tup_updated + tup_deleted)::text as written, (tup_returned + tup_fetched)::text as read, xact_commit::text as commits
    from pg_stat_database where datname = current_database()`;
  return { written: Number(row!.written), read: Number(row!.read), commits: Number(row!.commits) };
}
