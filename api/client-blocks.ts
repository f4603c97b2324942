import { startScenario } from '../contracts/scenario-client';
import { blockScenarioId, blockScenarioType, unblockScenarioId, type BlockKind } from '../contracts/scenarios';
import type { ApiDeps } from './deps';
import { startOnce } from './start-once';

/**
 * Starts the scenarios of block periods that changed: `<kind>-block-<client>-<n>` when a block began,
 * `<kind>-unblock-<client>-<n>` when it ended (kind: financial or administrative). The balance change that moved the client writes the
 * period in its own transaction; this runs after such API requests and every minute (for changes made by
 * scenarios), and starting twice is harmless.
 */
export async function startPendingBlockScenarios(deps: ApiDeps): Promise<number> {
  const rows = await deps.sql<Array<{ id: number; client_id: number; kind: BlockKind; n: number; ended: boolean; block_started: boolean }>>`
    select id, client_id, kind, n, ended_at is not null as ended, block_scenario_started_at is not null as block_started from client_blocks
    where block_scenario_started_at is null or (ended_at is not null and unblock_scenario_started_at is null)
    order by id limit 500`;
  for (const row of rows) {
    const input = { clientId: row.client_id, n: row.n, policy: deps.pluginRetryPolicy };
    const { block, unblock } = blockScenarioType[row.kind];
    if (!row.block_started) {
      await startOnce(startScenario(deps.temporal, block, { workflowId: blockScenarioId(row.kind, row.client_id, row.n), taskQueue: deps.taskQueue, input }));
      await deps.sql`update client_blocks set block_scenario_started_at = coalesce(block_scenario_started_at, now()) where id = ${row.id}`;
    }
    if (row.ended) {
      await startOnce(startScenario(deps.temporal, unblock, { workflowId: unblockScenarioId(row.kind, row.client_id, row.n), taskQueue: deps.taskQueue, input }));
      await deps.sql`update client_blocks set unblock_scenario_started_at = coalesce(unblock_scenario_started_at, now()) where id = ${row.id}`;
    }
  }
  return rows.length;
}
