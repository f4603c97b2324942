import { oneRow, type Db } from '../../db/client';
import { AppError } from '../../domain/errors';
import { logEvent } from '../event-log/event-log';

export interface AdjustmentInput {
  clientId: number;
  /** credit raises the balance, debit lowers it (decision 21). */
  direction: 'credit' | 'debit';
  amount: number;
  comment: string;
  subscriptionId?: number | undefined;
  includeInAct: boolean;
  periodFrom?: string | undefined;
  periodTo?: string | undefined;
  /** The staff member who creates it. */
  by: number;
}

/**
 * Spec 02 §5, first step: a balance adjustment awaiting approval, in the client's currency; nothing moves yet. A
 * subscription named must be the client's and prepaid (a postpay debt is adjusted with its acts). Returns its id.
 */
export async function createAdjustment(db: Db, a: AdjustmentInput): Promise<number> {
  const [client] = await db<Array<{ currency: string }>>`select currency from clients where id = ${a.clientId}`;
  if (!client) throw new AppError('not_found', `client ${a.clientId} does not exist`);
  if (a.subscriptionId !== undefined) {
    const [sub] = await db<Array<{ client_id: number; payment_model: string }>>`select client_id, payment_model from subscriptions where id = ${a.subscriptionId}`;
    if (!sub || sub.client_id !== a.clientId) throw new AppError('invalid_reference', `subscription ${a.subscriptionId} is not a subscription of client ${a.clientId}`);
    if (sub.payment_model === 'postpay') throw new AppError('postpay_adjustment_unsupported', 'adjustments of a postpay subscription\'s debt arrive with acts; adjust the balance instead');
  }
  const row = await oneRow(db<Array<{ id: number }>>`
    insert into adjustments (client_id, subscription_id, direction, amount, currency, comment, include_in_act, period_from, period_to, created_by)
    values (${a.clientId}, ${a.subscriptionId ?? null}, ${a.direction}, ${a.amount}, ${client.currency}, ${a.comment},
            ${a.includeInAct}, ${a.periodFrom ?? null}, ${a.periodTo ?? null}, ${a.by})
    returning id`);
  await logEvent(db, { actorId: a.by, viaApi: true, entityKind: 'adjustment', entityId: row.id, action: 'created', changes: { client: a.clientId, direction: a.direction, amount: a.amount } });
  return row.id;
}
