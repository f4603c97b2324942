import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the benchmarks find the checkout, the Temporal CLI and the PostgreSQL server (machine.ts and harness.ts). */
export const root = fileURLToPath(new URL('../..', import.meta.url));
export const temporalBinary = join(root, '.tools/bin/temporal');
/** A connection to the server's maintenance database (creates and drops `bench_*` databases). */
export const adminDatabaseUrl = process.env.BENCH_ADMIN_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
