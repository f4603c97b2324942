import { readLicenseServerConfig, type LicenseServerConfig } from './config';
import { startLicenseServer } from './server';

/**
 * `npm run license-server`: a local license server for one key and floating product (spec 04 §5.5), configured
 * by LICENSE_SERVER_* environment variables (license-server/config.ts, README "Local license server").
 * SIGTERM and SIGINT stop it with its state saved; the pool stays held at the root until it lapses, so a restart
 * serves the same seats.
 */
let config: LicenseServerConfig;
try {
  config = readLicenseServerConfig(process.env);
} catch (err) {
  // A bad variable is the installer's to fix: one line naming it, no stack.
  console.error((err as Error).message);
  process.exit(1);
}
const server = await startLicenseServer(config);
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    void server.close().then(() => process.exit(0));
  });
}
