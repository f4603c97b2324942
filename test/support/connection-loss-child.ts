/**
 * Run as a child process by test/integration/database-connection-loss.test.ts: the platform's own database handle
 * (db/client.ts) loses its backends to pg_terminate_backend in the middle of transactions. An uncaught exception ends
 * the process with code 70; otherwise it prints one JSON line of what each transaction saw and exits 0 once the pool
 * has ended (no timeout given to end(), so a connection that never finishes ending keeps the process alive).
 */
import { sql as raw } from 'drizzle-orm';
import postgres from 'postgres';
import { connectDatabase } from '../../db/client';

process.on('uncaughtException', (error) => {
  process.stderr.write(`uncaughtException: ${error.stack ?? error.message}\n`);
  process.exit(70);
});

const url = process.env.DATABASE_URL ?? '';
const applicationName = `connection-loss-${process.pid}`;
const handle = connectDatabase(url, { max: 4, applicationName });
const killer = postgres(url, { max: 1, onnotice: () => {} });

async function terminateAll(): Promise<number> {
  const rows = await killer<Array<{ ok: boolean }>>`
    select pg_terminate_backend(pid) as ok from pg_stat_activity where application_name = ${applicationName}`;
  return rows.filter((r) => r.ok).length;
}

async function main(): Promise<void> {
  // 1. One transaction, its backend terminated while a statement runs.
  let inside = false;
  const single = handle.db
    .transaction(async (tx) => {
      await tx.execute(raw`select 1`);
      inside = true;
      await tx.execute(raw`select pg_sleep(3)`);
    })
    .then(
      () => 'committed',
      (error: { code?: string }) => String(error.code ?? 'error'),
    );
  while (!inside) await new Promise((resolve) => setTimeout(resolve, 20));
  const firstTerminated = await terminateAll();
  const singleOutcome = await single;

  // 2. Twenty transactions at once on a pool of four, every backend terminated three times while they run.
  const many = Array.from({ length: 20 }, (_, i) =>
    handle.db
      .transaction(async (tx) => {
        await tx.execute(raw`select pg_sleep(${0.05 + (i % 5) * 0.05})`);
        await tx.execute(raw`select ${i}::int as i`);
      })
      .then(
        () => 'committed',
        (error: { code?: string }) => String(error.code ?? 'error'),
      ),
  );
  let laterTerminated = 0;
  for (let round = 0; round < 3; round++) {
    await new Promise((resolve) => setTimeout(resolve, 60));
    laterTerminated += await terminateAll();
  }
  const outcomes = await Promise.all(many);

  // 3. The pool still works afterwards: every connection reconnects and answers. (A moment first, for the idle
  // connections terminated in the last round to see their socket close; a query racing that close fails, and callers
  // retry it: activities through Temporal.)
  await new Promise((resolve) => setTimeout(resolve, 300));
  const after = await Promise.all(Array.from({ length: 8 }, (_, i) => handle.sql<Array<{ n: number }>>`select ${i}::int as n`));

  await handle.sql.end();
  await killer.end();
  process.stdout.write(
    `${JSON.stringify({ firstTerminated, singleOutcome, laterTerminated, outcomes, after: after.map((rows) => rows[0]?.n) })}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
