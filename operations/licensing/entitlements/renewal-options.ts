import type { Db } from '../../../db/client';
import { AppError } from '../../../domain/errors';
import { renewalPaymentMethods, renewEntitlement, type RenewalPaymentMethod } from '../../../domain/licensing/commercial';
import { renewalState, subscriptionRefusal, type RenewalState } from './renewal-state';

export interface RenewalOptions {
  state: RenewalState;
  paymentMethods: RenewalPaymentMethod[];
  newExpiresAt: Date | null;
  refusal: { code: string; message: string } | null;
}

/**
 * What the renewal form shows (spec 04 §4.2 Renew): the new valid-until if renewed at `now` for `periodMonths`,
 * and the payment methods offered for `price` (the balance only when the key's billing client has a balance
 * covering it), or why the license cannot be renewed. Reads only.
 */
export async function renewalOptions(db: Db, input: { entitlementId: number; periodMonths: number; price: number | undefined; now: Date }): Promise<RenewalOptions & { price: number }> {
  const state = await renewalState(db, { entitlementId: input.entitlementId, lock: false });
  // Optional in the query only so that an unknown license answers 404 first.
  const price = input.price;
  if (price === undefined) {
    throw new AppError('validation_failed', 'the request is invalid', [{ path: 'price', message: 'the price of the period is required', code: 'invalid_type' }]);
  }
  const decision = renewEntitlement({ status: state.status, expiresAt: state.expires_at === null ? null : new Date(state.expires_at), now: input.now, periodMonths: input.periodMonths });
  const refusal = subscriptionRefusal(state);
  if (refusal) return { state, price, paymentMethods: [], newExpiresAt: null, refusal: { code: refusal.code, message: refusal.message } };
  if (!decision.ok) return { state, price, paymentMethods: [], newExpiresAt: null, refusal: { code: decision.code, message: decision.message } };
  return { state, price, paymentMethods: renewalPaymentMethods({ balance: state.balance, cost: price }), newExpiresAt: decision.expiresAt, refusal: null };
}
