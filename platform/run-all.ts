import { ensureDatabase, migrateDatabase } from '../db/migrate';
import { loadConfigOrExit } from './config';
import { createLogger } from './logger';
import { onShutdown, requireTemporalAddress, startApi, startWorker, tolerateLostDatabaseConnections } from './processes';

/** One process for a newcomer: migrations, a worker and the API (scripts/start.sh starts Temporal first). */
const config = requireTemporalAddress(loadConfigOrExit());
const logger = createLogger(config.LOG_LEVEL);
tolerateLostDatabaseConnections(logger);
await ensureDatabase(config.DATABASE_URL);
await migrateDatabase(config.DATABASE_URL);
const worker = await startWorker(config, logger);
const api = await startApi(config, logger);
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
onShutdown(logger, async () => {
  await api.stop();
  await worker.stop();
});
