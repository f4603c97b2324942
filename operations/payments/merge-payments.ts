import type { TransactionSql } from 'postgres';
import { AppError } from '../../domain/errors';
import { nextDocumentNumber } from '../documents/next-document-number';
import { logEvent } from '../event-log/event-log';
import { mergedOrderIds } from './merged-order-ids';

/** Orders whose scenario waits for a payment signal; a purchase is paid through its own scenario. */
const mergeableOrderTypes = ['renewal', 'prolongation', 'resource_change', 'plan_switch'];

/** A refusal to merge: the nightly merge skips the client (merge-waiting-payments.ts), the API answers it. */
export class PaymentMergeError extends AppError {}

export interface MergePaymentsInput {
  clientId: number;
  paymentIds: number[];
  /** The staff member who merged, or null for the nightly automatic merge. */
  by: number | null;
  automatic: boolean;
}

export interface MergedPayment {
  paymentId: number;
  number: string;
  amount: number;
  orderIds: number[];
}

interface Candidate {
  id: number;
  number: string;
  client_id: number;
  type: string;
  status: string;
  amount: string;
  currency: string;
  merged: boolean;
  order_id: number | null;
  order_type: string | null;
  order_status: string | null;
}

/** Why one payment cannot be merged, or null when it can. */
function candidateRefusal(p: Candidate, clientId: number): PaymentMergeError | null {
  if (p.client_id !== clientId) return new PaymentMergeError('payment_of_another_client', `payment ${p.number} belongs to another client`);
  if (p.status !== 'waiting_for_payment') return new PaymentMergeError('payment_not_waiting', `payment ${p.number} is ${p.status}; only waiting payments are merged`);
  if (p.type === 'postpay_services') return new PaymentMergeError('payment_not_mergeable', `payment ${p.number} is for postpay services, which are never merged`);
  if (p.type === 'order' && !p.merged && (p.order_type === null || !mergeableOrderTypes.includes(p.order_type))) {
    return new PaymentMergeError('payment_not_mergeable', `payment ${p.number} pays a ${p.order_type ?? 'missing'} order, which is paid on its own`);
  }
  if (p.type === 'order' && !p.merged && p.order_status !== 'awaiting_payment') {
    return new PaymentMergeError('payment_not_waiting', `the order of payment ${p.number} is ${p.order_status}`);
  }
  return null;
}

/** Locks the payments to merge and refuses the set unless every one of them may be merged together. */
async function lockCandidates(tx: TransactionSql, clientId: number, ids: number[]): Promise<Candidate[]> {
  if (ids.length < 2) throw new PaymentMergeError('merge_needs_two_payments', 'name at least two different waiting payments to merge');
  const [client] = await tx<Array<{ id: number }>>`select id from clients where id = ${clientId} for no key update`;
  if (!client) throw new PaymentMergeError('client_not_found', `client ${clientId} does not exist`);
  const rows = await tx<Candidate[]>`
    select p.id, p.number, p.client_id, p.type, p.status, p.amount::text, p.currency, p.merged, p.order_id,
           o.type as order_type, o.status as order_status
    from payments p left join orders o on o.id = p.order_id
    where p.id = any(${ids}::int[]) order by p.id for update of p`;
  const found = new Set(rows.map((r) => r.id));
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length > 0) throw new PaymentMergeError('payment_not_found', `no payment ${missing.join(', ')}`);
  for (const p of rows) {
    const refusal = candidateRefusal(p, clientId);
    if (refusal) throw refusal;
  }
  const currencies = new Set(rows.map((r) => r.currency));
  if (currencies.size > 1) throw new PaymentMergeError('currency_mismatch', `the payments are in different currencies (${[...currencies].join(', ')})`);
  if (!rows.some((r) => r.type === 'order')) throw new PaymentMergeError('merge_needs_an_order', 'a merged payment pays for at least one order; top-ups alone are not merged');
  return rows;
}

/**
 * Merges waiting payments of one client into a new waiting payment for their sum (spec 02 §2.11, see
 * merged-order-ids.ts). Order payments of renewal, prolongation, resource-change and plan-switch orders, top-ups and
 * earlier merged payments may be merged; payments for postpay services never, purchases are paid on their own.
 */
export async function mergePayments(tx: TransactionSql, { clientId, paymentIds, by, automatic }: MergePaymentsInput): Promise<MergedPayment> {
  const ids = [...new Set(paymentIds)].sort((a, b) => a - b);
  const rows = await lockCandidates(tx, clientId, ids);
  const amount = rows.reduce((sum, r) => sum + Number(r.amount), 0);
  const number = await nextDocumentNumber(tx, 'payment');
  const [created] = await tx<Array<{ id: number }>>`
    insert into payments (number, client_id, type, status, amount, currency, merged, comment)
    values (${number}, ${clientId}, 'order', 'waiting_for_payment', ${amount}, ${rows[0]!.currency}, true,
            ${`${automatic ? 'Merged automatically' : 'Merged'}: ${rows.map((r) => r.number).join(', ')}`})
    returning id`;
  const mergedId = created!.id;
  const earlierMerged = rows.filter((r) => r.merged).map((r) => r.id);
  if (earlierMerged.length > 0) {
    await tx`update payments set merged_into_id = ${mergedId}, updated_at = now() where merged_into_id = any(${earlierMerged}::int[])`;
  }
  await tx`
    update payments set status = 'cancelled', merged_into_id = ${mergedId}, closed_at = now(), updated_at = now()
    where id = any(${ids}::int[])`;
  const orderIds = await mergedOrderIds(tx, mergedId);
  await logEvent(tx, {
    actorId: by,
    entityKind: 'payment',
    entityId: mergedId,
    action: 'merged',
    changes: { number, amount, automatic, payments: rows.map((r) => r.number), orders: orderIds },
  });
  return { paymentId: mergedId, number, amount, orderIds };
}
