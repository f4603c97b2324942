import { spawn, type ChildProcess } from 'node:child_process';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfigOrExit, StartupError, type Config } from '../infra/config';
import { probeTemporal, spawnDevServer, stopWhenParentDies, type DevServer } from './local-temporal';
import { portProblems, type PortToCheck } from './ports';

/**
 * `npm start`, after scripts/start.sh has set up: the platform as one unit that starts whole or not at all, and stops
 * whole.
 * - Before anything starts, every port it will listen on must be free (one line per taken port, exit 1), and a
 *   TEMPORAL_ADDRESS must answer: it never talks to a Temporal server it did not start unless TEMPORAL_ADDRESS says so.
 * - It starts a Temporal dev server (unless TEMPORAL_ADDRESS is set), then run-all.ts: migrations, a worker, the API.
 * - SIGINT/SIGTERM, whether sent to npm, to the script or to the whole process group, go to run-all, which drains the
 *   worker and closes the API; the dev server is stopped after it, so in-flight work can still report to it.
 * - If run-all or the dev server exits on its own, the other is stopped and `npm start` exits 1: never half a
 *   platform. It does not restart them: a crash shows at once, and whoever runs the command (a person, systemd)
 *   decides; deployments restart processes with their own back-off (docker-compose.yml's `restart:`).
 */
const root = fileURLToPath(new URL('..', import.meta.url));
const say = (line: string) => console.error(`npm start: ${line}`);
/** run-all gets this long to drain and close after it was told to stop (its worker's grace time is 10 s). */
const STOP_TIMEOUT_MS = 30_000;

let devServer: DevServer | undefined;
let app: ChildProcess | undefined;
/** Why the platform is stopping: a signal (a clean stop) or a part that died. */
let stopping: 'signal' | 'failure' | undefined;

function portsToCheck(config: Config): PortToCheck[] {
  const ports: PortToCheck[] = [];
  if (!config.TEMPORAL_ADDRESS) {
    const port = config.TEMPORAL_PORT;
    ports.push(
      { port, host: '127.0.0.1', variable: 'TEMPORAL_PORT', alternative: `or TEMPORAL_ADDRESS=127.0.0.1:${port} to use the Temporal server there` },
      { port: config.TEMPORAL_UI_PORT ?? port + 1000, host: '127.0.0.1', variable: 'TEMPORAL_UI_PORT' },
    );
  }
  if (config.PORT !== 0) ports.push({ port: config.PORT, host: config.HOST, variable: 'PORT' });
  return ports;
}

/** Stops what has started: run-all first (its exit handler then stops the dev server and exits), else the dev server. */
function stopAll(reason: 'signal' | 'failure', signal: NodeJS.Signals = 'SIGTERM'): void {
  const first = stopping === undefined;
  stopping = stopping === 'failure' ? 'failure' : reason;
  if (app && app.exitCode === null && app.signalCode === null) {
    app.kill(signal); // a repeated signal is passed on too: run-all exits at once on a second one
    if (first) setTimeout(() => {
      say(`the platform process did not stop within ${STOP_TIMEOUT_MS / 1000} s; killing it`);
      app?.kill('SIGKILL');
    }, STOP_TIMEOUT_MS).unref();
    return; // its exit handler stops the dev server
  }
  if (first) void finish(reason === 'signal' ? 0 : 1);
}

async function finish(code: number): Promise<never> {
  await devServer?.stop();
  process.exit(code);
}

function superviseApp(config: Config, temporal: { address: string; uiUrl?: string }): void {
  const uiUrl = config.TEMPORAL_UI_URL ?? temporal.uiUrl;
  const env = { ...process.env, TEMPORAL_ADDRESS: temporal.address, ...(uiUrl ? { TEMPORAL_UI_URL: uiUrl } : {}) };
  app = spawn(...stopWhenParentDies(process.execPath, ['--import', 'tsx', join(root, 'platform/run-all.ts')]), { cwd: root, env, stdio: 'inherit' });
  app.once('exit', (code, signal) => {
    if (!stopping) say(`the platform process exited on its own (${code ?? signal})${devServer ? '; stopping the Temporal dev server' : ''}`);
    stopping ??= 'failure';
    void finish(stopping === 'signal' && code === 0 ? 0 : code || 1);
  });
}

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => stopAll('signal', signal));

  const problems = await portProblems(portsToCheck(config));
  if (problems.length > 0) throw new StartupError(problems.join('\n'));
  if (config.TEMPORAL_ADDRESS) {
    await probeTemporal(config.TEMPORAL_ADDRESS, config.TEMPORAL_NAMESPACE);
    if (!stopping) superviseApp(config, { address: config.TEMPORAL_ADDRESS });
    return;
  }

  const dataDir = isAbsolute(config.TEMPORAL_DATA_DIR) ? config.TEMPORAL_DATA_DIR : join(root, config.TEMPORAL_DATA_DIR);
  const port = config.TEMPORAL_PORT;
  devServer = spawnDevServer({ binary: join(root, '.tools/bin/temporal'), port, uiPort: config.TEMPORAL_UI_PORT ?? port + 1000, dataDir });
  await devServer.ready();
  if (stopping) return;
  void devServer.exited.then(({ code, signal }) => {
    if (stopping) return;
    say(`the Temporal dev server exited on its own (${code ?? signal}); see ${devServer!.log}; stopping the platform`);
    stopAll('failure');
  });
  superviseApp(config, devServer);
}

main().catch(async (err: unknown) => {
  if (!(err instanceof StartupError)) throw err;
  if (stopping) return; // a signal during start-up: stopAll is already stopping the dev server that failed with it
  for (const line of err.message.split('\n')) say(line);
  await finish(1);
});
