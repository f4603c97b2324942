import { loadConfigOrExit } from './config';
import { createLogger } from './logger';
import { onShutdown, requireTemporalAddress, startApi } from './processes';

const config = requireTemporalAddress(loadConfigOrExit());
const logger = createLogger(config.LOG_LEVEL);
const api = await startApi(config, logger);
logger.info({ url: api.url }, 'API listening');
onShutdown(logger, () => api.stop());
