import { inTransaction, type Db } from '../../../db/client';
import { AppError } from '../../../domain/errors';
import { renewalPaymentMethods, renewEntitlement as decideRenewal, type RenewalPaymentMethod } from '../../../domain/licensing/commercial';
import type { EventEntry } from '../../event-log/event-log';
import { logEvent } from '../../event-log/event-log';
import { renewalState, subscriptionRefusal, type RenewalState } from './renewal-state';

export interface RenewEntitlementInput {
  entitlementId: number;
  periodMonths: number;
  paymentMethod: RenewalPaymentMethod;
  /** The cost of the period in the client's currency, passed by the caller until the billing catalogue is linked. */
  price: number;
  /** Who renews, for the event log. */
  actor: Pick<EventEntry, 'actorId' | 'actorKind'>;
  now: Date;
}

export interface RenewedEntitlement {
  state: RenewalState;
  status: 'active';
  expiresAt: Date;
}

/**
 * Renews a license (spec 04 §4.2 Renew, §7.2 renew, §8 #30): `expiresAt = max(expiresAt, now) + periodMonths`
 * calendar months and the license is `active` (an expired one comes back). `paymentMethod: 'balance'` is refused
 * with 422 `INSUFFICIENT_BALANCE` unless the key's billing client has a balance covering `price`. No money moves
 * here yet (collecting from the balance or issuing the invoice is billing's part); the renewal is in the event log.
 */
export async function renewEntitlement(db: Db, input: RenewEntitlementInput): Promise<RenewedEntitlement> {
  const id = input.entitlementId;
  const at = input.now;
  return inTransaction(db, async (tx) => {
    const state = await renewalState(tx, { entitlementId: id, lock: true });
    const refusal = subscriptionRefusal(state);
    if (refusal) throw refusal;
    const decision = decideRenewal({ status: state.status, expiresAt: state.expires_at === null ? null : new Date(state.expires_at), now: at, periodMonths: input.periodMonths });
    if (!decision.ok) throw new AppError(decision.code, decision.message);
    if (!renewalPaymentMethods({ balance: state.balance, cost: input.price }).includes(input.paymentMethod)) {
      throw new AppError(
        'INSUFFICIENT_BALANCE',
        state.balance === null ? 'the key belongs to no billing client, so there is no balance to pay from' : 'the account balance does not cover the price',
        { balance: state.balance, price: input.price },
      );
    }
    await tx`update entitlements set expires_at = ${decision.expiresAt.toISOString()}, status = ${decision.status}, updated_at = ${at.toISOString()} where id = ${id}`;
    await logEvent(tx, {
      ...input.actor,
      viaApi: true,
      entityKind: 'entitlement',
      entityId: id,
      action: 'renewed',
      changes: {
        periodMonths: input.periodMonths,
        price: input.price,
        paymentMethod: input.paymentMethod,
        expiresAt: { from: state.expires_at, to: decision.expiresAt.toISOString() },
        status: { from: state.status, to: decision.status },
      },
    });
    return { state, status: decision.status, expiresAt: decision.expiresAt };
  });
}
