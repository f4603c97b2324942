import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { parseLicenseKey } from '../domain/licensing/codes';
import { localLicenseApi } from './app';
import type { LicenseServerConfig } from './config';
import { poolKeeper } from './keeper';
import { emptyPoolState, LocalPool } from './pool';
import { rootClient } from './root-client';
import { loadState, saveState } from './store';

export interface RunningLicenseServer {
  url: string;
  /** One pass of the keeper (obtain, renew or nothing); it also runs on its own every few seconds. */
  tick(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts a local license server (spec 04 §5.5): loads its state file, serves leases from its pool over HTTP
 * and lets the keeper (keeper.ts) obtain and renew the pool from the root.
 */
export async function startLicenseServer(config: LicenseServerConfig, { now = () => new Date(), log = (line: Record<string, unknown>) => console.log(JSON.stringify(line)) } = {}): Promise<RunningLicenseServer> {
  const { code: key, prefix } = parseLicenseKey(config.LICENSE_SERVER_KEY);
  const identity = { key, productCode: config.LICENSE_SERVER_PRODUCT, serverId: config.LICENSE_SERVER_ID };
  const stateFile = config.LICENSE_SERVER_STATE_FILE;
  const pool = new LocalPool(emptyPoolState(randomUUID()), identity, config.LICENSE_SERVER_LEASE_TTL_SECONDS);
  const saved = await loadState(stateFile);
  if (saved) pool.restore(saved);

  // One write at a time: each waits for the one before, so the file always ends with the latest state. A failed
  // write is logged and the next change writes the whole state again.
  let saving = Promise.resolve();
  const save = () =>
    (saving = saving.then(() => saveState(stateFile, pool.state)).catch((err: unknown) => log({ event: 'state_not_saved', message: (err as Error).message })));

  const root = rootClient(config.LICENSE_SERVER_ROOT_URL);
  const keeper = poolKeeper({ pool, root, identity, prefix, seats: config.LICENSE_SERVER_SEATS, validSeconds: config.LICENSE_SERVER_POOL_SECONDS, now, save, log });
  const app = localLicenseApi({ pool, identity, heartbeatSeconds: config.LICENSE_SERVER_HEARTBEAT_SECONDS, now, changed: save, rootStatus: keeper.rootStatus });
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: config.LICENSE_SERVER_HOST, port: config.LICENSE_SERVER_PORT }, () => resolve(s));
  });
  const url = `http://${config.LICENSE_SERVER_HOST}:${(server.address() as AddressInfo).port}`;
  log({ event: 'listening', url });

  // A pass every 1/20 of the pool's validity, between 0.2 s and 5 s: a 24 h pool is renewed on time and retried
  // often enough without flooding the root (which limits calls per key).
  const passMs = Math.min(5_000, Math.max(200, (config.LICENSE_SERVER_POOL_SECONDS * 1000) / 20));
  await keeper.tick();
  const timer = setInterval(() => void keeper.tick(), passMs);

  return {
    url,
    tick: keeper.tick,
    async close() {
      clearInterval(timer);
      await new Promise<void>((resolve) => {
        // Keep-alive sockets would hold close() open until they time out.
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => resolve());
      });
      await save();
    },
  };
}
