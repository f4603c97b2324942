import { serve, type ServerType } from '@hono/node-server';
import type { Client } from '@temporalio/client';
import { createDefaultPluginRegistry } from '../activities/adapters/registry';
import { createApp } from '../api/app';
import { bootstrapAdmin } from '../api/auth';
import type { ApiDeps } from '../api/deps';
import { startMissingOrderScenarios } from '../api/routes/orders';
import { connectDatabase, type DatabaseHandle } from '../db/client';
import type { PluginRetryPolicy } from '../workflows/engine/types';
import type { Config } from './config';
import type { Logger } from './logger';
import { connectClient, createWorker } from './temporal';

export function pluginRetryPolicyFrom(config: Config): PluginRetryPolicy {
  return {
    initialIntervalMs: config.PLUGIN_RETRY_INITIAL_MS,
    maximumIntervalMs: config.PLUGIN_RETRY_MAX_INTERVAL_MS,
    maximumAttempts: config.PLUGIN_RETRY_MAX_ATTEMPTS,
    heartbeatTimeoutMs: config.PLUGIN_HEARTBEAT_TIMEOUT_MS,
    startToCloseTimeoutMs: 300_000,
  };
}

export interface RunningApi {
  url: string;
  adminToken: string;
  tokenCreated: boolean;
  stop(): Promise<void>;
}

/** The HTTP API: connects, makes sure an admin token exists, serves, sweeps lost order starts. */
export async function startApi(config: Config & { TEMPORAL_ADDRESS: string }, logger: Logger): Promise<RunningApi> {
  const database: DatabaseHandle = connectDatabase(config.DATABASE_URL, { applicationName: 'billing-api' });
  const temporal: Client = await connectClient(config.TEMPORAL_ADDRESS, config.TEMPORAL_NAMESPACE);
  const deps: ApiDeps = {
    db: database.db,
    sql: database.sql,
    temporal,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    timeZone: config.PLATFORM_TIME_ZONE,
    pluginRetryPolicy: pluginRetryPolicyFrom(config),
  };
  const { token, created } = await bootstrapAdmin(database.sql, config.BOOTSTRAP_ADMIN_TOKEN);
  const app = createApp({ ...deps, logError: (err, ctx) => logger.error({ err, ...ctx }, 'request failed') });
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: config.HOST, port: config.PORT }, () => resolve(s));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const sweep = async () => {
    try {
      const started = await startMissingOrderScenarios(deps);
      if (started > 0) logger.warn({ started }, 'started order scenarios whose start had been lost');
    } catch (err) {
      logger.error({ err }, 'sweep for lost order scenarios failed');
    }
  };
  void sweep();
  const timer = setInterval(() => void sweep(), 60_000);
  return {
    url: `http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${port}`,
    adminToken: token,
    tokenCreated: created,
    async stop() {
      clearInterval(timer);
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await temporal.connection.close();
      await database.close();
    },
  };
}

export interface RunningWorker {
  stop(): Promise<void>;
  done: Promise<void>;
}

/** A worker: runs workflows and activities until stopped, then drains in-flight work. */
export async function startWorker(config: Config & { TEMPORAL_ADDRESS: string }, logger: Logger): Promise<RunningWorker> {
  const database = connectDatabase(config.DATABASE_URL, { applicationName: 'billing-worker', max: 20 });
  const { worker, connection } = await createWorker({
    address: config.TEMPORAL_ADDRESS,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    sql: database.sql,
    plugins: createDefaultPluginRegistry(),
    timeZone: config.PLATFORM_TIME_ZONE,
    maxConcurrentActivityTaskExecutions: config.WORKER_MAX_CONCURRENT_ACTIVITIES,
  });
  const done = worker.run().finally(async () => {
    await connection.close();
    await database.close();
  });
  logger.info({ taskQueue: config.TEMPORAL_TASK_QUEUE }, 'worker started');
  return {
    done,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}

/** Stops everything once on SIGINT/SIGTERM; a second signal exits at once. */
export function onShutdown(logger: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) process.exit(130);
      stopping = true;
      logger.info({ signal }, 'shutting down');
      stop().then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
  }
}

export function requireTemporalAddress(config: Config): Config & { TEMPORAL_ADDRESS: string } {
  if (!config.TEMPORAL_ADDRESS) {
    console.error('TEMPORAL_ADDRESS: required (host:port of the Temporal frontend)');
    process.exit(78);
  }
  return config as Config & { TEMPORAL_ADDRESS: string };
}
