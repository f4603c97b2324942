import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { migrateDatabase } from '../db/migrate';
import { freePort, waitForTemporal, withDatabase } from './support/local-services';
import { testNamespaces } from './support/namespaces';
import { bundleWorkflows } from '../platform/temporal';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    adminDatabaseUrl: string;
    templateDatabase: string;
    workflowBundlePath: string;
  }
}

export const adminDatabaseUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export function databaseUrl(name: string): string {
  return withDatabase(adminDatabaseUrl, name);
}

/** One Temporal dev server, one migrated template database and one workflow bundle per test run. */
export default async function setup(project: TestProject) {
  const temporalPort = await freePort();
  const address = `127.0.0.1:${temporalPort}`;
  const server = spawn(
    '.tools/bin/temporal',
    [
      'server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(temporalPort), '--log-level', 'error',
      // One namespace per vitest worker (see testNamespace): business-keyed ids such as `billing-day-<date>`
      // would otherwise collide between two files running the same date at the same time.
      ...testNamespaces.flatMap((namespace) => ['--namespace', namespace]),
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );

  const templateDatabase = `bp_template_${process.pid}`;
  const admin = postgres(adminDatabaseUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${templateDatabase} with (force)`);
  await admin.unsafe(`create database ${templateDatabase}`);
  await migrateDatabase(databaseUrl(templateDatabase));

  const dir = await mkdtemp(join(tmpdir(), 'bp-bundle-'));
  const workflowBundlePath = join(dir, 'workflows.js');
  const [bundle] = await Promise.all([bundleWorkflows(), waitForTemporal(address, server, { timeoutMs: 60_000 })]);
  await writeFile(workflowBundlePath, bundle.code);

  project.provide('temporalAddress', address);
  project.provide('adminDatabaseUrl', adminDatabaseUrl);
  project.provide('templateDatabase', templateDatabase);
  project.provide('workflowBundlePath', workflowBundlePath);

  return async () => {
    server.kill('SIGTERM');
    await admin.unsafe(`drop database if exists ${templateDatabase} with (force)`);
    await admin.end();
    await rm(dir, { recursive: true, force: true });
  };
}
