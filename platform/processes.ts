import { serve, type ServerType } from '@hono/node-server';
import type { Client } from '@temporalio/client';
import { Runtime, type LogLevel, type LogMetadata } from '@temporalio/worker';
import { createDefaultPluginRegistry } from '../operations/plugins/registry';
import { createPlatformApp } from './http-app';
import { bootstrapAdmin } from '../api/auth';
import { hashPassword } from '../infra/passwords';
import { secretBox, type SecretBox } from '../infra/secret-box';
import { sealPlainSigningKeys } from '../operations/licensing/signing/vendor-signing-keys';
import { sealPlainSmtpPasswords } from '../operations/resellers/smtp-password';
import type { ApiDeps } from '../api/deps';
import { startPendingBlockScenarios } from '../api/scenario-starts/client-blocks';
import { resendPaidSignals } from '../api/scenario-starts/orders';
import { installDefaultTemplates } from '../operations/notifications/defaults';
import { startNotificationDispatcher } from './notification-dispatcher';
import { startMissingOrderScenarios } from '../api/scenario-starts/orders';
import { connectDatabase, isConnectionLoss, type DatabaseHandle } from '../db/client';
import type { PluginRetryPolicy } from '../contracts/plugin-calls';
import { egressPolicyFrom, secretsKeyOf, StartupError, type Config } from '../infra/config';
import { probeTemporal } from './local-temporal';
import { ensureBillingSchedule } from './billing-schedule';
import type { Logger } from '../infra/logger';
import { bundleWorkflows, connectClient, createWorker } from './temporal';

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

/**
 * The secrets box for the API (SECRETS_ENCRYPTION_KEY, or its earlier name LICENSING_KEY_ENCRYPTION_KEY): one key
 * for every secret at rest (infra/config.ts `secretsKeyOf`). Values still stored in plain (signing keys from before
 * they were encrypted, SMTP passwords from before they were sealed) are sealed now; without the key, say so once.
 */
async function openSecrets(config: Config, database: DatabaseHandle, logger: Logger): Promise<{ licensingKeys?: SecretBox; secrets?: SecretBox }> {
  const key = secretsKeyOf(config);
  if (!key) {
    logger.warn('SECRETS_ENCRYPTION_KEY is not set: licensing vendors cannot be registered, documents cannot be signed and resellers cannot store SMTP passwords');
    return {};
  }
  const box = secretBox(key);
  const sealed = await sealPlainSigningKeys(database.sql, box);
  if (sealed > 0) logger.info({ sealed }, 'licensing signing keys sealed with SECRETS_ENCRYPTION_KEY');
  const passwords = await sealPlainSmtpPasswords(database.sql, box);
  if (passwords > 0) logger.info({ sealed: passwords }, 'reseller SMTP passwords sealed with SECRETS_ENCRYPTION_KEY');
  return { licensingKeys: box, secrets: box };
}

/** The HTTP API: connects, makes sure an admin token exists, serves, sweeps lost order starts. */
export async function startApi(config: Config & { TEMPORAL_ADDRESS: string }, logger: Logger): Promise<RunningApi> {
  const database: DatabaseHandle = connectDatabase(config.DATABASE_URL, {
    applicationName: 'billing-api',
    statementTimeoutMs: config.API_STATEMENT_TIMEOUT_MS || undefined,
    parallelQuery: false,
  });
  const temporal: Client = await connectClient(config.TEMPORAL_ADDRESS, config.TEMPORAL_NAMESPACE);
  const deps: ApiDeps = {
    db: database.db,
    sql: database.sql,
    temporal,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    timeZone: config.PLATFORM_TIME_ZONE,
    pluginRetryPolicy: pluginRetryPolicyFrom(config),
    egress: egressPolicyFrom(config),
    ...(await openSecrets(config, database, logger)),
  };
  const { token, created } = await bootstrapAdmin(database.sql, config.BOOTSTRAP_ADMIN_TOKEN);
  // The operator UI needs a password: the first administrator gets the configured one, only while it has none.
  if (config.BOOTSTRAP_ADMIN_PASSWORD) {
    await database.sql`update staff set password_hash = ${await hashPassword(config.BOOTSTRAP_ADMIN_PASSWORD)}, updated_at = now()
                       where email = 'admin@localhost' and password_hash is null`;
  }
  const templates = await installDefaultTemplates(database.sql);
  if (templates.created + templates.updated > 0) logger.info(templates, 'notification templates installed');
  await ensureBillingSchedule(temporal, {
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    timeZone: config.PLATFORM_TIME_ZONE,
    hour: config.BILLING_RUN_HOUR,
    catchupDays: config.BILLING_CATCHUP_DAYS,
  });
  const app = createPlatformApp({
    ...deps,
    temporalUiUrl: config.TEMPORAL_UI_URL ?? 'http://127.0.0.1:8233',
    logger,
    metricsToken: config.METRICS_TOKEN,
    trustProxy: config.TRUST_PROXY,
    licensingTrialsPerHour: config.LICENSING_TRIALS_PER_HOUR,
    logError: (err, ctx) => logger.error({ err, ...ctx }, 'request failed'),
  });
  const server: ServerType = await new Promise((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: config.HOST, port: config.PORT }, () => resolve(s));
    s.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new StartupError(`port ${config.PORT} (PORT) is in use on ${config.HOST}; set PORT to another port`) : err),
    );
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const sweep = async () => {
    try {
      const started = await startMissingOrderScenarios(deps);
      if (started > 0) logger.warn({ started }, 'started order scenarios whose start had been lost');
      const told = await resendPaidSignals(deps);
      if (told > 0) logger.warn({ told }, 'told order scenarios of a merged payment paid while they were not told');
    } catch (err) {
      logger.error({ err }, 'sweep for lost order scenarios failed');
    }
  };
  void sweep();
  const timer = setInterval(() => void sweep(), 60_000);
  // Blocks begun or ended by scenarios (a payment from the balance, a refund) are picked up within seconds.
  const blocks = setInterval(() => void startPendingBlockScenarios(deps).catch((err) => logger.error({ err }, 'starting block scenarios failed')), 5_000);
  // Notification events wait in the outbox until their scenario starts (within about a second).
  const notifications = startNotificationDispatcher({ sql: deps.sql, temporal, taskQueue: deps.taskQueue, onError: (err) => logger.error({ err }, 'dispatching notification events failed') });
  return {
    // Behind a proxy the public address is the one to show; locally, where we listen.
    url: config.PUBLIC_URL?.replace(/\/$/, '') ?? `http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${port}`,
    adminToken: token,
    tokenCreated: created,
    async stop() {
      clearInterval(timer);
      clearInterval(blocks);
      await notifications.stop();
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
  routeTemporalLogs(logger);
  const database = connectDatabase(config.DATABASE_URL, { applicationName: 'billing-worker', max: 20 });
  const { worker, connection } = await createWorker({
    // Bundled with a quiet logger: the SDK's own bundling prints webpack statistics at INFO.
    workflowBundle: await bundleWorkflows(),
    address: config.TEMPORAL_ADDRESS,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    sql: database.sql,
    plugins: createDefaultPluginRegistry({ sql: database.sql, egress: egressPolicyFrom(config) }),
    egress: egressPolicyFrom(config),
    timeZone: config.PLATFORM_TIME_ZONE,
    maxConcurrentActivityTaskExecutions: config.WORKER_MAX_CONCURRENT_ACTIVITIES,
    mail: { url: config.SMTP_URL, from: config.MAIL_FROM },
    ...(secretsKeyOf(config) ? { secrets: secretBox(secretsKeyOf(config)!) } : {}),
    logger,
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

/**
 * The Temporal SDK logs (worker state, bundling) through the process logger, so LOG_LEVEL applies to them.
 * The runtime can be set up once per process, before the first worker; later calls keep the first setup.
 */
function routeTemporalLogs(logger: Logger): void {
  const log = (level: LogLevel, message: string, meta?: LogMetadata) =>
    logger[level.toLowerCase() as 'trace' | 'debug' | 'info' | 'warn' | 'error']({ temporal: meta }, message);
  try {
    Runtime.install({
      logger: {
        log,
        trace: (message, meta) => log('TRACE', message, meta),
        debug: (message, meta) => log('DEBUG', message, meta),
        info: (message, meta) => log('INFO', message, meta),
        warn: (message, meta) => log('WARN', message, meta),
        error: (message, meta) => log('ERROR', message, meta),
      },
    });
  } catch {
    // Already installed or instantiated: keep it.
  }
}

/**
 * The PostgreSQL driver can reject a query's promise that nobody waits for when the connection is lost under
 * it (seen once in the chaos test that terminates connections under load, after the patched driver bugs of
 * porsager/postgres#1208). The work that query belonged to failed with it and is retried (an activity by
 * Temporal, a request by its client), so the process logs it and carries on. Any other unhandled rejection
 * still ends the process, as it does by default.
 */
export function tolerateLostDatabaseConnections(logger: Logger): void {
  process.on('unhandledRejection', (reason) => {
    const code = (reason as { code?: unknown } | null | undefined)?.code;
    if (typeof code === 'string' && isConnectionLoss(code)) {
      logger.warn({ err: reason }, 'a database query nobody was waiting for lost its connection');
      return;
    }
    throw reason;
  });
}

/**
 * Stops everything once on SIGINT/SIGTERM; a second signal exits at once. Copies of the first signal that
 * arrive within a second are not a second request: a terminal's Ctrl-C or a process-group SIGTERM reaches
 * node and scripts/start.sh together, and the script passes it on again.
 */
export function onShutdown(logger: Logger, stop: () => Promise<void>): void {
  let stoppingSince: number | undefined;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stoppingSince !== undefined) {
        if (Date.now() - stoppingSince < 1000) return;
        process.exit(130);
      }
      stoppingSince = Date.now();
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

/** The configuration with a TEMPORAL_ADDRESS that answers (exit 78 without one; a StartupError when it does not answer). */
export async function requireTemporal(config: Config): Promise<Config & { TEMPORAL_ADDRESS: string }> {
  if (!config.TEMPORAL_ADDRESS) {
    console.error('TEMPORAL_ADDRESS: required (host:port of the Temporal frontend)');
    process.exit(78);
  }
  await probeTemporal(config.TEMPORAL_ADDRESS, config.TEMPORAL_NAMESPACE);
  return config as Config & { TEMPORAL_ADDRESS: string };
}

/** Runs a process entry point: a StartupError ends it with its one-line message and exit 1, anything else with its stack. */
export function runEntryPoint(main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    if (!(err instanceof StartupError)) throw err;
    console.error(err.message);
    process.exit(1);
  });
}
