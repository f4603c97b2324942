/**
 * The benchmark's worker process: the platform worker exactly as `npm run worker` starts it
 * (`startWorker`, configured from the environment), plus, when `BENCH_FLOOR_TASK_QUEUE` is set, a sibling
 * worker in the same process for the Temporal floor (bench/floor-workflow.ts) on its own task queue, so
 * the floor gets the same process, CPU share and server as the platform. Prints `BENCH_READY` when polling.
 */
import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { loadConfigOrExit } from '../infra/config';
import { createLogger } from '../infra/logger';
import { onShutdown, requireTemporal, startWorker } from '../platform/processes';
import { floorActivities } from './floor-activities';

const config = await requireTemporal(loadConfigOrExit());
const logger = createLogger(config.LOG_LEVEL);
const platform = await startWorker(config, logger);

let floor: { worker: Worker; done: Promise<void> } | null = null;
const floorTaskQueue = process.env.BENCH_FLOOR_TASK_QUEUE;
if (floorTaskQueue) {
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const workflowBundle = await bundleWorkflowCode({
    workflowsPath: fileURLToPath(new URL('./floor-workflow.ts', import.meta.url)),
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn: (m) => console.warn(m), error: (m) => console.error(m) },
  });
  const worker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: floorTaskQueue,
    workflowBundle,
    activities: floorActivities,
    maxConcurrentActivityTaskExecutions: config.WORKER_MAX_CONCURRENT_ACTIVITIES,
    shutdownGraceTime: '10s',
  });
  floor = { worker, done: worker.run().finally(() => connection.close()) };
}

console.log(`BENCH_READY ${JSON.stringify({ pid: process.pid, floorTaskQueue: floorTaskQueue ?? null })}`);
onShutdown(logger, async () => {
  if (floor && floor.worker.getState() === 'RUNNING') floor.worker.shutdown();
  await Promise.all([platform.stop(), floor?.done]);
});
await platform.done;
