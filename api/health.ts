import type { ApiDeps } from './deps';

export interface Health {
  status: 'ok' | 'degraded';
  database: { ok: boolean; error?: string };
  temporal: { ok: boolean; error?: string };
  worker: { ok: boolean; pollers: number; taskQueue: string; error?: string };
}

const withTimeout = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms).unref())]);

/** Database and Temporal reachable, and at least one worker polling our task queue. */
export async function checkHealth({ sql, temporal, taskQueue }: ApiDeps): Promise<Health> {
  const [database, temporalCheck, worker] = await Promise.all([
    withTimeout(sql`select 1`, 3000).then(
      () => ({ ok: true }),
      (err: Error) => ({ ok: false, error: err.message }),
    ),
    withTimeout(temporal.connection.workflowService.getSystemInfo({}), 3000).then(
      () => ({ ok: true }),
      (err: Error) => ({ ok: false, error: err.message }),
    ),
    withTimeout(
      temporal.workflowService.describeTaskQueue({
        namespace: temporal.options.namespace,
        taskQueue: { name: taskQueue },
        taskQueueType: 1, // workflow task pollers
      }),
      3000,
    ).then(
      (res) => ({ ok: (res.pollers?.length ?? 0) > 0, pollers: res.pollers?.length ?? 0, taskQueue }),
      (err: Error) => ({ ok: false, pollers: 0, taskQueue, error: err.message }),
    ),
  ]);
  const ok = database.ok && temporalCheck.ok && worker.ok;
  return { status: ok ? 'ok' : 'degraded', database, temporal: temporalCheck, worker };
}
