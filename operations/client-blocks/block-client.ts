import { oneRow, type Sql } from '../../db/client';
import { canStartClientOperation } from '../../domain/blocking';
import { AppError } from '../../domain/errors';
import { logEvent } from '../event-log/event-log';
import { setFinancialBlockPeriod } from '../ledger/ledger';

export interface ClientBlockRequest {
  clientId: number;
  reason: string;
  /** The staff member who asked. */
  by: number;
}

/**
 * Spec 01 §4.4: the operator's administrative block of an active or financially blocked client. It takes over from
 * a financial block (whose period ends; its subscriptions stay stopped) and opens the next administrative block
 * period, whose scenario the caller starts. Returns the period's number.
 */
export async function blockClient(sql: Sql, { clientId, reason, by }: ClientBlockRequest): Promise<number> {
  return sql.begin(async (tx) => {
    const [client] = await tx<Array<{ status: string }>>`select status from clients where id = ${clientId} for no key update`;
    if (!client) throw new AppError('not_found', `client ${clientId} does not exist`);
    if (!canStartClientOperation('administrative_block', client.status)) {
      throw new AppError('client_status', `client ${clientId} is ${client.status}; only an active or financially blocked client can be blocked`);
    }
    await setFinancialBlockPeriod(tx, clientId, null);
    await tx`update clients set status = 'administratively_blocked', updated_at = now() where id = ${clientId}`;
    const period = await oneRow(tx<Array<{ n: number }>>`
      insert into client_blocks (client_id, kind, n, reason)
      select ${clientId}, 'administrative', coalesce(max(n), 0) + 1, ${reason} from client_blocks where client_id = ${clientId} and kind = 'administrative'
      returning n`);
    await logEvent(tx, { actorId: by, viaApi: true, entityKind: 'client', entityId: clientId, action: 'administratively_blocked', reason, changes: { status: [client.status, 'administratively_blocked'] } });
    return period.n;
  });
}
