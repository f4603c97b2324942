import type { Client } from '@temporalio/client';
import type { Sql } from '../db/client';
import { startOnce, startScenario } from '../contracts/scenario-client';
import { notifyEventScenarioId, type NotificationRetryPolicy } from '../contracts/scenarios';

export interface NotificationDispatchDeps {
  sql: Sql;
  temporal: Client;
  taskQueue: string;
  policy?: NotificationRetryPolicy;
}

/**
 * Starts `notify-event-<id>` for every outbox event not started yet (oldest first). Events are written by
 * the database in the same transaction as the change that caused them, so none is lost; a start that
 * races another dispatcher is a no-op.
 */
export async function dispatchNotificationEvents({ sql, temporal, taskQueue, policy }: NotificationDispatchDeps, limit = 200): Promise<number> {
  // An event no active handler listens to needs no scenario: it is closed here (handlers act on events from
  // the moment they are active).
  await sql`
    update notification_events e set started_at = now(), handled_at = now()
    where e.started_at is null and not exists (select 1 from notification_handlers h where h.event = e.event and h.active)`;
  const pending = await sql<Array<{ id: string }>>`select id::text from notification_events where started_at is null order by id limit ${limit}`;
  for (const { id } of pending) {
    const eventId = Number(id);
    await startOnce(startScenario(temporal, 'notifyEvent', { workflowId: notifyEventScenarioId(eventId), taskQueue, input: { eventId, ...(policy ? { policy } : {}) } }));
    await sql`update notification_events set started_at = now() where id = ${eventId} and started_at is null`;
  }
  return pending.length;
}

/** Dispatches every `intervalMs` (a full batch goes again at once) until stopped. */
export function startNotificationDispatcher(deps: NotificationDispatchDeps & { intervalMs?: number; onError: (err: unknown) => void }) {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const tick = () => {
    running = (async () => {
      let n = 0;
      try {
        n = await dispatchNotificationEvents(deps);
      } catch (err) {
        if (!stopped) deps.onError(err);
      }
      if (!stopped) timer = setTimeout(tick, n >= 200 ? 0 : (deps.intervalMs ?? 1_000));
    })();
  };
  tick();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
