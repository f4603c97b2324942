import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker, bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';
import { fileURLToPath } from 'node:url';
import type { ActivityDeps } from '../activities';
import { createActivities } from '../activities';
import { businessRefusalsAreFinal } from '../activities/failures';
import type { Logger } from '../infra/logger';
import { activityInterceptors, clientInterceptors } from '../infra/request-context';

export const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));
/** Workflow interceptors (the request id's way through a scenario); bundled with the workflows. */
export const workflowInterceptorsPath = fileURLToPath(new URL('../workflows/interceptors.ts', import.meta.url));

export async function connectClient(address: string, namespace: string): Promise<Client> {
  const connection = await Connection.connect({ address });
  return new Client({ connection, namespace, interceptors: clientInterceptors() });
}

/** Bundles workflow code once; tests share one bundle across many workers. */
export function bundleWorkflows(): Promise<WorkflowBundle> {
  return bundleWorkflowCode({ workflowsPath, workflowInterceptorModules: [workflowInterceptorsPath], logger: quietBundlerLogger });
}

export interface CreateWorkerOptions extends ActivityDeps {
  address: string;
  namespace: string;
  taskQueue: string;
  workflowBundle?: WorkflowBundle;
  maxConcurrentActivityTaskExecutions?: number;
  /** Gets a debug line per finished activity, with the request id that started its scenario. */
  logger?: Logger;
}

export async function createWorker({
  address,
  namespace,
  taskQueue,
  workflowBundle,
  maxConcurrentActivityTaskExecutions = 100,
  logger,
  ...deps
}: CreateWorkerOptions): Promise<{ worker: Worker; connection: NativeConnection }> {
  const connection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection,
    namespace,
    taskQueue,
    activities: createActivities(deps),
    // A prebuilt bundle carries its workflow interceptors (bundleWorkflows); workflowModules is for the unbundled path.
    ...(workflowBundle ? { workflowBundle } : { workflowsPath }),
    // The worker's own client (what activities get from `getClient()`: the billing run's dispatch) carries the
    // request id into the workflows it starts, as the API's client does.
    interceptors: {
      activity: [activityInterceptors(logger), businessRefusalsAreFinal],
      client: clientInterceptors(),
      ...(workflowBundle ? {} : { workflowModules: [workflowInterceptorsPath] }),
    },
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
