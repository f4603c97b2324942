import { readLicenseServerConfig } from './config';
import { startLicenseServer } from './server';

/**
 * `npm run license-server`: a local license server for one key and floating product (spec 04 §5.5), configured
 * by LICENSE_SERVER_* environment variables (license-server/config.ts, README "Local license server").
 * SIGTERM and SIGINT stop it with its state saved; the pool stays held at the root until it lapses, so a restart
 * serves the same seats.
 */
const server = await startLicenseServer(readLicenseServerConfig(process.env));
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    void server.close().then(() => process.exit(0));
  });
}
