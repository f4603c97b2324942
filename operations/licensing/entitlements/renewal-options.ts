import type { Db } from '../../../db/client';
import { AppError } from '../../../domain/errors';
import { renewEntitlement } from '../../../domain/licensing/commercial';
import { panelPaymentMethods, type PanelPaymentMethod } from '../../../domain/licensing/panel';
import { renewalState, subscriptionRefusal, unpaidInvoiceCount, type RenewalState } from './renewal-state';

export interface RenewalOptions {
  state: RenewalState;
  paymentMethods: PanelPaymentMethod[];
  /** The client's unpaid invoices the renewal may be added to (`unpaid_invoice`). */
  unpaidInvoices: Array<{ id: number; number: string; amount: number }>;
  newExpiresAt: Date | null;
  refusal: { code: string; message: string } | null;
}

/**
 * What the renewal form shows (spec 04 §4.2 Renew): the new valid-until if renewed at `now` for `periodMonths`,
 * and the payment methods offered for `price` (domain/licensing/panel.ts `panelPaymentMethods`: the balance only
 * when it covers the price, an unpaid invoice when the client has one, a new invoice), or why the license cannot
 * be renewed. Reads only.
 */
export async function renewalOptions(db: Db, input: { entitlementId: number; periodMonths: number; price: number | undefined; now: Date }): Promise<RenewalOptions & { price: number }> {
  const state = await renewalState(db, { entitlementId: input.entitlementId, lock: false });
  // Optional in the query only so that an unknown license answers 404 first.
  const price = input.price;
  if (price === undefined) {
    throw new AppError('validation_failed', 'the request is invalid', [{ path: 'price', message: 'the price of the period is required', code: 'invalid_type' }]);
  }
  const none = { state, price, paymentMethods: [], unpaidInvoices: [], newExpiresAt: null };
  const decision = renewEntitlement({ status: state.status, expiresAt: state.expires_at === null ? null : new Date(state.expires_at), now: input.now, periodMonths: input.periodMonths });
  const refusal = subscriptionRefusal(state);
  if (refusal) return { ...none, refusal: { code: refusal.code, message: refusal.message } };
  if (!decision.ok) return { ...none, refusal: { code: decision.code, message: decision.message } };
  const unpaidInvoices = state.client_id === null ? [] : await db<Array<{ id: number; number: string; amount: number }>>`
    select id, number, amount::int8 as amount from payments
    where client_id = ${state.client_id} and type = 'manual_topup' and status = 'waiting_for_payment' and not merged order by id desc limit 50`;
  const paymentMethods = panelPaymentMethods({ balance: state.balance, cost: price, unpaidInvoices: await unpaidInvoiceCount(db, state.client_id) });
  if (paymentMethods.length === 0) return { ...none, refusal: { code: 'NO_BILLING_CLIENT', message: 'the key belongs to no billing client, so the renewal cannot be paid or invoiced' } };
  return { state, price, paymentMethods, unpaidInvoices: unpaidInvoices.map((p) => ({ ...p, amount: Number(p.amount) })), newExpiresAt: decision.expiresAt, refusal: null };
}
