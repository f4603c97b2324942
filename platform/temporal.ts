import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker, bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import { fileURLToPath } from 'node:url';
import type { ActivityDeps } from '../activities';
import { createActivities } from '../activities';

export const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

export async function connectClient(address: string, namespace: string): Promise<Client> {
  const connection = await Connection.connect({ address });
  return new Client({ connection, namespace });
}

/** Bundles workflow code once; tests share one bundle across many workers. */
export function bundleWorkflows(): Promise<WorkflowBundle> {
  return bundleWorkflowCode({ workflowsPath, logger: quietBundlerLogger });
}

export interface CreateWorkerOptions extends ActivityDeps {
  address: string;
  namespace: string;
  taskQueue: string;
  workflowBundle?: WorkflowBundle;
  maxConcurrentActivityTaskExecutions?: number;
}

export async function createWorker({
  address,
  namespace,
  taskQueue,
  workflowBundle,
  maxConcurrentActivityTaskExecutions = 100,
  ...deps
}: CreateWorkerOptions): Promise<{ worker: Worker; connection: NativeConnection }> {
  const connection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection,
    namespace,
    taskQueue,
    activities: createActivities(deps),
    ...(workflowBundle ? { workflowBundle } : { workflowsPath }),
    maxConcurrentActivityTaskExecutions,
    // Drain in-flight activities on shutdown; Temporal retries whatever does not finish in time.
    shutdownGraceTime: '10s',
  });
  return { worker, connection };
}

const quietBundlerLogger = {
  log() {},
  trace() {},
  debug() {},
  info() {},
  warn(message: string, meta?: unknown) {
    console.warn(message, meta ?? '');
  },
  error(message: string, meta?: unknown) {
    console.error(message, meta ?? '');
  },
};
