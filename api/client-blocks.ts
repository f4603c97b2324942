import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { financialBlock, financialBlockWorkflowId, financialUnblock, financialUnblockWorkflowId } from '../workflows/client-blocks';
import type { ApiDeps } from './deps';

/**
 * Starts the scenarios of block periods that changed: `financial-block-<client>-<n>` when a block began,
 * `financial-unblock-<client>-<n>` when it ended. The balance change that moved the client writes the
 * period in its own transaction; this runs after such API requests and every minute (for changes made by
 * scenarios), and starting twice is harmless.
 */
export async function startPendingBlockScenarios(deps: ApiDeps): Promise<number> {
  const rows = await deps.sql<Array<{ id: number; client_id: number; n: number; ended: boolean; block_started: boolean }>>`
    select id, client_id, n, ended_at is not null as ended, block_scenario_started_at is not null as block_started from client_blocks
    where kind = 'financial' and (block_scenario_started_at is null or (ended_at is not null and unblock_scenario_started_at is null))
    order by id limit 500`;
  for (const row of rows) {
    const args = [{ clientId: row.client_id, n: row.n, policy: deps.pluginRetryPolicy }] as const;
    if (!row.block_started) {
      await start(() => deps.temporal.workflow.start(financialBlock, { workflowId: financialBlockWorkflowId(row.client_id, row.n), taskQueue: deps.taskQueue, args: [...args] }));
      await deps.sql`update client_blocks set block_scenario_started_at = coalesce(block_scenario_started_at, now()) where id = ${row.id}`;
    }
    if (row.ended) {
      await start(() => deps.temporal.workflow.start(financialUnblock, { workflowId: financialUnblockWorkflowId(row.client_id, row.n), taskQueue: deps.taskQueue, args: [...args] }));
      await deps.sql`update client_blocks set unblock_scenario_started_at = coalesce(unblock_scenario_started_at, now()) where id = ${row.id}`;
    }
  }
  return rows.length;
}

async function start(run: () => Promise<unknown>) {
  try {
    await run();
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}
