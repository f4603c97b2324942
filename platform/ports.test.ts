import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindError, portHolder, portProblems } from './ports';

let held: Server;
let port: number;

beforeAll(async () => {
  held = createServer();
  await new Promise<void>((resolve) => held.listen(0, '127.0.0.1', resolve));
  port = (held.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((resolve) => held.close(() => resolve())));

describe('ports npm start needs (issue 16, point 6)', () => {
  it('a port somebody listens on cannot be bound, and /proc tells who', async () => {
    expect(await bindError(port, '127.0.0.1')).toBe('EADDRINUSE');
    expect(await portHolder(port)).toMatchObject({ pid: process.pid });
  });

  it('one line per taken port, naming the variable that moves it, the holder and the way out', async () => {
    const problems = await portProblems([{ port, host: '127.0.0.1', variable: 'TEMPORAL_PORT', alternative: `or TEMPORAL_ADDRESS=127.0.0.1:${port} to use the Temporal server there` }]);
    expect(problems).toEqual([
      expect.stringMatching(new RegExp(`^port ${port} \\(TEMPORAL_PORT\\) is in use by pid ${process.pid} \\(.+\\); set TEMPORAL_PORT to another port, or TEMPORAL_ADDRESS=127\\.0\\.0\\.1:${port} to use the Temporal server there$`)),
    ]);
  });

  it('says nothing about free ports', async () => {
    const free = createServer();
    await new Promise<void>((resolve) => free.listen(0, '127.0.0.1', resolve));
    const freePort = (free.address() as { port: number }).port;
    await new Promise<void>((resolve) => free.close(() => resolve()));
    expect(await portProblems([{ port: freePort, host: '127.0.0.1', variable: 'PORT' }])).toEqual([]);
  });
});
