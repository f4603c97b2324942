import { ensureDatabase, migrateDatabase } from '../db/migrate';
import { loadConfigOrExit } from '../infra/config';
import { createLogger } from '../infra/logger';
import { onShutdown, requireTemporal, runEntryPoint, startApi, startWorker, tolerateLostDatabaseConnections } from './processes';

/** One process for a newcomer: migrations, a worker and the API (`npm start` runs it; platform/run-local.ts). */
runEntryPoint(async () => {
  const config = await requireTemporal(loadConfigOrExit());
  const logger = createLogger(config.LOG_LEVEL);
  tolerateLostDatabaseConnections(logger);
  await ensureDatabase(config.DATABASE_URL);
  await migrateDatabase(config.DATABASE_URL);
  const worker = await startWorker(config, logger);
  const api = await startApi(config, logger).catch(async (err: unknown) => {
    await worker.stop();
    throw err;
  });
  const ui = config.TEMPORAL_UI_URL ?? 'http://127.0.0.1:8233';
  console.log(`
  Billing platform is running.
    API            ${api.url}/api/v1
    API reference  ${api.url}/api/docs
    Health         ${api.url}/health
    Temporal UI    ${ui}
    Operator UI    ${api.url}/
    Admin token    ${api.adminToken}
${config.BOOTSTRAP_ADMIN_PASSWORD ? `    Sign in as     admin@localhost (password in ${process.env.ADMIN_PASSWORD_FILE ?? 'BOOTSTRAP_ADMIN_PASSWORD'})\n` : ''}`);
  let stopping = false;
  onShutdown(logger, async () => {
    stopping = true;
    await api.stop();
    await worker.stop();
    logger.info('stopped: the API is closed and the worker has drained its in-flight work');
  });
  // A worker that ends by itself would leave an API taking orders that nobody processes: stop the API too and exit 1.
  void worker.done.then(
    () => undefined,
    (err: unknown) => err,
  ).then(async (err) => {
    if (stopping) return;
    logger.error({ err }, 'the worker stopped on its own; stopping the API');
    await api.stop();
    process.exit(1);
  });
});
