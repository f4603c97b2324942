import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StartupError } from '../infra/config';
import { spawnDevServer } from './local-temporal';
import { freePort } from '../test/support/local-services';

/**
 * Issue 16, point 6: a port taken between npm start's check and the dev server's bind must stop the start, not
 * leave the platform talking to whoever holds the port.
 */
const binary = fileURLToPath(new URL('../.tools/bin/temporal', import.meta.url));
let held: Server;
let dataDir: string;

beforeAll(async () => {
  held = createServer();
  await new Promise<void>((resolve) => held.listen(0, '127.0.0.1', resolve));
  dataDir = await mkdtemp(join(tmpdir(), 'bp-dev-server-'));
});
afterAll(async () => {
  await new Promise<void>((resolve) => held.close(() => resolve()));
  await rm(dataDir, { recursive: true, force: true });
});

describe('the dev server npm start starts', () => {
  it('is not taken as ready when another process holds its port: the start fails and the server is stopped', async () => {
    const port = (held.address() as { port: number }).port;
    const server = spawnDevServer({ binary, port, uiPort: await freePort(), dataDir });
    const failure = await server.ready(60_000).then(() => undefined, (err: unknown) => err);
    expect(failure).toBeInstanceOf(StartupError);
    expect((failure as Error).message).toMatch(new RegExp(`port ${port} \\(TEMPORAL_PORT\\) was taken by pid ${process.pid}|the Temporal dev server exited`));
    await server.stop();
    expect(await server.exited).toBeDefined();
  });
});
