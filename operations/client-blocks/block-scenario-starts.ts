import type { BlockKind } from '../../contracts/scenarios';
import type { Db } from '../../db/client';

/**
 * A client's block period is written with the balance change (or the operator's request) that began or ended it;
 * its block and unblock scenarios are started afterwards by the API. These find the periods whose scenarios are
 * still to start and record the starts.
 */
export interface BlockPeriodToStart {
  id: number;
  client_id: number;
  kind: BlockKind;
  n: number;
  ended: boolean;
  block_started: boolean;
}

export async function blockPeriodsToStart(db: Db): Promise<BlockPeriodToStart[]> {
  return db<BlockPeriodToStart[]>`
    select id, client_id, kind, n, ended_at is not null as ended, block_scenario_started_at is not null as block_started from client_blocks
    where block_scenario_started_at is null or (ended_at is not null and unblock_scenario_started_at is null)
    order by id limit 500`;
}

/** Records that the period's block (or unblock) scenario has started (the first time counts). */
export async function markBlockScenarioStarted(db: Db, periodId: number, which: 'block' | 'unblock'): Promise<void> {
  if (which === 'block') await db`update client_blocks set block_scenario_started_at = coalesce(block_scenario_started_at, now()) where id = ${periodId}`;
  else await db`update client_blocks set unblock_scenario_started_at = coalesce(unblock_scenario_started_at, now()) where id = ${periodId}`;
}
