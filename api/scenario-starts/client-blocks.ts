import { startOnce, startScenario } from '../../contracts/scenario-client';
import { blockScenarioId, blockScenarioType, unblockScenarioId } from '../../contracts/scenarios';
import { blockPeriodsToStart, markBlockScenarioStarted } from '../../operations/client-blocks/block-scenario-starts';
import type { ApiDeps } from '../deps';

/**
 * Starts the scenarios of block periods that changed: `<kind>-block-<client>-<n>` when a block began,
 * `<kind>-unblock-<client>-<n>` when it ended (kind: financial or administrative). The balance change that moved the client writes the
 * period in its own transaction; this runs after such API requests and every minute (for changes made by
 * scenarios), and starting twice is harmless.
 */
export async function startPendingBlockScenarios(deps: ApiDeps): Promise<number> {
  const rows = await blockPeriodsToStart(deps.sql);
  for (const row of rows) {
    const input = { clientId: row.client_id, n: row.n, policy: deps.pluginRetryPolicy };
    const { block, unblock } = blockScenarioType[row.kind];
    if (!row.block_started) {
      await startOnce(startScenario(deps.temporal, block, { workflowId: blockScenarioId(row.kind, row.client_id, row.n), taskQueue: deps.taskQueue, input }));
      await markBlockScenarioStarted(deps.sql, row.id, 'block');
    }
    if (row.ended) {
      await startOnce(startScenario(deps.temporal, unblock, { workflowId: unblockScenarioId(row.kind, row.client_id, row.n), taskQueue: deps.taskQueue, input }));
      await markBlockScenarioStarted(deps.sql, row.id, 'unblock');
    }
  }
  return rows.length;
}
