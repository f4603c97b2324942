import type { Sql } from '../../db/client';
import { canStartClientOperation } from '../../domain/blocking';
import type { IsoDate } from '../../domain/dates';
import { AppError } from '../../domain/errors';
import { logEvent } from '../event-log/event-log';
import { financialBlockState, setFinancialBlockPeriod } from '../ledger/ledger';
import type { ClientBlockRequest } from './block-client';

export interface ActivatedClient {
  status: 'active' | 'financially_blocked';
  /** The financial block period the client is in afterwards, if any. */
  block: { kind: 'financial'; n: number } | null;
}

/**
 * Decision 3: lifting the administrative block makes the client active again, or financially blocked when the
 * balance says so on `today` (a financial block period opens; its scenario is the caller's to start).
 */
export async function activateClient(sql: Sql, { clientId, reason, by }: ClientBlockRequest, today: IsoDate): Promise<ActivatedClient> {
  return sql.begin(async (tx) => {
    const [client] = await tx<Array<{ status: string }>>`select status from clients where id = ${clientId} for no key update`;
    if (!client) throw new AppError('not_found', `client ${clientId} does not exist`);
    if (!canStartClientOperation('activate', client.status)) throw new AppError('client_status', `client ${clientId} is ${client.status}, not administratively blocked`);
    await tx`update client_blocks set ended_at = now() where client_id = ${clientId} and kind = 'administrative' and ended_at is null`;
    const state = (await financialBlockState(tx, clientId, today))!;
    const next = state.reason ? 'financially_blocked' : 'active';
    await tx`update clients set status = ${next}, updated_at = now() where id = ${clientId}`;
    if (state.reason) await setFinancialBlockPeriod(tx, clientId, state.description);
    // One event whatever the outcome: the account changed from blocked to active or to financially blocked.
    await logEvent(tx, { actorId: by, viaApi: true, entityKind: 'client', entityId: clientId, action: 'activated', reason, changes: { status: ['administratively_blocked', next], ...(state.reason ? { financialBlock: state.description } : {}) } });
    const [open] = await tx<Array<{ n: number }>>`select n from client_blocks where client_id = ${clientId} and kind = 'financial' and ended_at is null`;
    return { status: next, block: open ? { kind: 'financial', n: open.n } : null };
  });
}
