import { loadConfigOrExit } from './config';
import { createLogger } from './logger';
import { onShutdown, requireTemporalAddress, tolerateLostDatabaseConnections, startWorker } from './processes';

const config = requireTemporalAddress(loadConfigOrExit());
const logger = createLogger(config.LOG_LEVEL);
tolerateLostDatabaseConnections(logger);
const worker = await startWorker(config, logger);
onShutdown(logger, () => worker.stop());
await worker.done;
