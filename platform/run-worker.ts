import { loadConfigOrExit } from '../infra/config';
import { createLogger } from '../infra/logger';
import { onShutdown, requireTemporal, runEntryPoint, startWorker, tolerateLostDatabaseConnections } from './processes';

runEntryPoint(async () => {
  const config = await requireTemporal(loadConfigOrExit());
  const logger = createLogger(config.LOG_LEVEL);
  tolerateLostDatabaseConnections(logger);
  const worker = await startWorker(config, logger);
  onShutdown(logger, () => worker.stop());
  await worker.done;
});
