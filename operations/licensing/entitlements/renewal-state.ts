import type { Db } from '../../../db/client';
import { AppError } from '../../../domain/errors';
import type { EntitlementStatus } from '../../../domain/licensing/activation';
import { notFound } from '../refusals';

/** What renewing a license reads: the license, its product, and the balance of the key's billing client. */
export interface RenewalState {
  id: number;
  status: EntitlementStatus;
  expires_at: string | null;
  subscription_id: number | null;
  product: string;
  bound_ip: string | null;
  client_id: number | null;
  /** The billing client's balance in minor units, null when the key has no billing client. */
  balance: number | null;
  currency: string | null;
}

/** The license's renewal state (locked in the caller's transaction when `lock`); 404 when missing. */
export async function renewalState(db: Db, input: { entitlementId: number; lock: boolean }): Promise<RenewalState> {
  const [row] = await db<Array<Omit<RenewalState, 'balance'> & { balance: string | null }>>`
    select e.id, e.status, e.expires_at, e.subscription_id, p.code as product, e.bound_ip, k.client_id, c.balance::text as balance, c.currency
    from entitlements e join license_keys k on k.id = e.key_id join licensing_products p on p.id = e.product_id left join clients c on c.id = k.client_id
    where e.id = ${input.entitlementId} ${input.lock ? db`for update of e` : db``}`;
  if (!row) throw notFound('entitlement', input.entitlementId);
  return { ...row, balance: row.balance === null ? null : Number(row.balance) };
}

/** A license billed by a subscription is renewed by renewing the subscription (spec 04 §7.2: billing calls `renew`). */
export function subscriptionRefusal(state: RenewalState): AppError | null {
  return state.subscription_id === null
    ? null
    : new AppError('renew_through_subscription', `the license is billed by subscription ${state.subscription_id}; renew the subscription instead`);
}

/** The client's unpaid invoices a renewal may be added to (§4.2 "add to the order"): waiting top-ups, not merged. */
export async function unpaidInvoiceCount(db: Db, clientId: number | null): Promise<number> {
  if (clientId === null) return 0;
  const [row] = await db<Array<{ n: number }>>`
    select count(*)::int as n from payments where client_id = ${clientId} and type = 'manual_topup' and status = 'waiting_for_payment' and not merged`;
  return row!.n;
}

/**
 * The license's renewal still waiting for its invoice, if any. A renewal whose invoice was cancelled (the top-up
 * itself, or the merged payment that took it over) will never be paid: it is marked `cancelled` here, under the
 * caller's lock of the license, so it no longer stands in the way of the next renewal (RENEWAL_AWAITING_PAYMENT).
 */
export async function waitingRenewal(tx: Db, entitlementId: number): Promise<{ id: number } | undefined> {
  await tx`
    update license_renewals r set status = 'cancelled'
    from payments p left join payments m on m.id = p.merged_into_id
    where r.entitlement_id = ${entitlementId} and r.status = 'awaiting_payment' and p.id = r.payment_id
      and p.status = 'cancelled' and (m.id is null or m.status = 'cancelled')`;
  const [waiting] = await tx<Array<{ id: number }>>`select id from license_renewals where entitlement_id = ${entitlementId} and status = 'awaiting_payment'`;
  return waiting;
}
