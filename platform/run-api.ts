import { loadConfigOrExit } from '../infra/config';
import { createLogger } from '../infra/logger';
import { onShutdown, requireTemporal, runEntryPoint, startApi, tolerateLostDatabaseConnections } from './processes';

runEntryPoint(async () => {
  const config = await requireTemporal(loadConfigOrExit());
  const logger = createLogger(config.LOG_LEVEL);
  tolerateLostDatabaseConnections(logger);
  const api = await startApi(config, logger);
  logger.info({ url: api.url }, 'API listening');
  // The first start creates an administrator; its token is shown once, here (only a hash is stored).
  if (api.tokenCreated && !config.BOOTSTRAP_ADMIN_TOKEN) console.log(`Admin token (shown once): ${api.adminToken}`);
  onShutdown(logger, () => api.stop());
});
