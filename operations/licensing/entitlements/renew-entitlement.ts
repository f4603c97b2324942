import type { TransactionSql } from 'postgres';
import { inTransaction, type Db } from '../../../db/client';
import { AppError } from '../../../domain/errors';
import { renewEntitlement as decideRenewal } from '../../../domain/licensing/commercial';
import { panelPaymentMethods, type PanelPaymentMethod } from '../../../domain/licensing/panel';
import type { EventEntry } from '../../event-log/event-log';
import { logEvent } from '../../event-log/event-log';
import { postLedgerEntry } from '../../ledger/ledger';
import { insertWaitingTopUp } from '../../payments/request-top-up';
import { renewalState, subscriptionRefusal, unpaidInvoiceCount, waitingRenewal, type RenewalState } from './renewal-state';

export interface RenewEntitlementInput {
  entitlementId: number;
  periodMonths: number;
  paymentMethod: PanelPaymentMethod;
  /** The unpaid invoice (a waiting top-up payment of the key's client) the cost is added to, for `unpaid_invoice`. */
  paymentId?: number | undefined;
  /** The cost of the period in the client's currency, passed by the caller until the billing catalogue is linked. */
  price: number;
  /** Who renews, for the event log. */
  actor: Pick<EventEntry, 'actorId' | 'actorKind'>;
  now: Date;
  /** A renewal that must happen once per business event (the auto-renewal hand-off): stored unique on the renewal. */
  idempotencyKey?: string | undefined;
}

export interface RenewedEntitlement {
  state: RenewalState;
  renewalId: number;
  /** `applied`: paid from the balance, valid-until moved; `awaiting_payment`: moves when the invoice is paid. */
  renewalStatus: 'applied' | 'awaiting_payment';
  status: string;
  expiresAt: Date | null;
  paymentId: number | null;
}

/**
 * Renews a standalone license (spec 04 §4.2 Renew, §7.2 renew, §8 #30) with one of the payment methods §4.2 offers:
 * - `balance` (only when it covers the price): the price is debited at once (ledger `license_renewal`, key
 *   `license-renewal/<renewal id>`), `expiresAt = max(expiresAt, now) + periodMonths` and the license is `active`;
 * - `unpaid_invoice`: the price is added to a waiting top-up payment of the client (`paymentId`);
 * - `invoice`: a new waiting top-up payment of the price is issued.
 * The last two leave the renewal `awaiting_payment`; confirming the payment applies it (apply-paid-renewals.ts).
 * Refusals (nothing written): a license billed by a subscription (422 `renew_through_subscription`), one that cannot be
 * renewed (§4.1, domain `renewEntitlement`), a key without a billing client (422 `NO_BILLING_CLIENT`), a balance
 * short of the price (422 `INSUFFICIENT_BALANCE`), an invoice that is not the client's waiting top-up (422
 * `PAYMENT_NOT_ADDABLE`), a renewal of the license already waiting for its payment (409 `RENEWAL_AWAITING_PAYMENT`).
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
    const methods = panelPaymentMethods({ balance: state.balance, cost: input.price, unpaidInvoices: await unpaidInvoiceCount(tx, state.client_id) });
    if (!methods.includes(input.paymentMethod)) throw methodRefusal(state, input);
    if (await waitingRenewal(tx, id)) throw new AppError('RENEWAL_AWAITING_PAYMENT', 'a renewal of this license already waits for its payment');
    const base = { entitlementId: id, periodMonths: input.periodMonths, price: input.price, currency: state.currency!, method: input.paymentMethod, actorId: input.actor.actorId, idempotencyKey: input.idempotencyKey ?? null };
    if (input.paymentMethod === 'balance') {
      const renewalId = await insertRenewal(tx, { ...base, paymentId: null, status: 'applied', before: state.expires_at, after: decision.expiresAt, at });
      await postLedgerEntry(tx, {
        clientId: state.client_id!,
        kind: 'license_renewal',
        amount: -input.price,
        currency: state.currency!,
        description: `License ${id} (${state.product}) renewed for ${input.periodMonths} month(s)`,
        idempotencyKey: `license-renewal/${renewalId}`,
      });
      await tx`update entitlements set expires_at = ${decision.expiresAt.toISOString()}, status = ${decision.status}, updated_at = ${at.toISOString()} where id = ${id}`;
      await logRenewal(tx, input, state, { renewalId, applied: { from: state.expires_at, to: decision.expiresAt.toISOString() } });
      return { state, renewalId, renewalStatus: 'applied', status: decision.status, expiresAt: decision.expiresAt, paymentId: null };
    }
    const paymentId = input.paymentMethod === 'invoice' ? await issueInvoice(tx, state, input) : await addToInvoice(tx, state, input);
    const renewalId = await insertRenewal(tx, { ...base, paymentId, status: 'awaiting_payment', before: state.expires_at, after: null, at });
    await logRenewal(tx, input, state, { renewalId, paymentId });
    return { state, renewalId, renewalStatus: 'awaiting_payment', status: state.status, expiresAt: state.expires_at === null ? null : new Date(state.expires_at), paymentId };
  });
}

function methodRefusal(state: RenewalState, input: RenewEntitlementInput): AppError {
  if (state.balance === null) return new AppError('NO_BILLING_CLIENT', 'the key belongs to no billing client, so the renewal cannot be paid or invoiced');
  if (input.paymentMethod === 'balance') return new AppError('INSUFFICIENT_BALANCE', 'the account balance does not cover the price', { balance: state.balance, price: input.price });
  return new AppError('PAYMENT_NOT_ADDABLE', 'the client has no unpaid invoice to add the renewal to');
}

async function issueInvoice(tx: TransactionSql, state: RenewalState, input: RenewEntitlementInput): Promise<number> {
  const comment = `License ${state.id} (${state.product}) renewal for ${input.periodMonths} month(s)`;
  return (await insertWaitingTopUp(tx, { clientId: state.client_id!, amount: input.price, currency: state.currency!, comment, actor: input.actor })).paymentId;
}

/** Adds the price to a waiting top-up of the key's client (§4.2 "add to the order"): one payment pays both. */
async function addToInvoice(tx: TransactionSql, state: RenewalState, input: RenewEntitlementInput): Promise<number> {
  if (input.paymentId === undefined) throw new AppError('PAYMENT_NOT_ADDABLE', 'name the unpaid invoice (paymentId) to add the renewal to');
  const [grown] = await tx<Array<{ id: number }>>`
    update payments set amount = amount + ${input.price}, updated_at = now()
    where id = ${input.paymentId} and client_id = ${state.client_id} and type = 'manual_topup' and status = 'waiting_for_payment' and not merged
    returning id`;
  if (!grown) throw new AppError('PAYMENT_NOT_ADDABLE', `payment ${input.paymentId} is not an unpaid invoice of this client`);
  await logEvent(tx, { ...input.actor, viaApi: true, entityKind: 'payment', entityId: grown.id, action: 'license_renewal_added', changes: { entitlementId: state.id, amount: input.price } });
  return grown.id;
}

interface RenewalRow {
  entitlementId: number;
  periodMonths: number;
  price: number;
  currency: string;
  method: PanelPaymentMethod;
  paymentId: number | null;
  status: 'applied' | 'awaiting_payment';
  before: string | null;
  after: Date | null;
  actorId: number | null;
  idempotencyKey: string | null;
  at: Date;
}

async function insertRenewal(tx: TransactionSql, r: RenewalRow): Promise<number> {
  const [row] = await tx<Array<{ id: number }>>`
    insert into license_renewals (entitlement_id, period_months, price, currency, payment_method, payment_id, status, expires_at_before, expires_at_after, applied_at, created_by, idempotency_key)
    values (${r.entitlementId}, ${r.periodMonths}, ${r.price}, ${r.currency}, ${r.method}, ${r.paymentId}, ${r.status}, ${r.before === null ? null : new Date(r.before).toISOString()},
            ${r.after?.toISOString() ?? null}, ${r.status === 'applied' ? r.at.toISOString() : null}, ${r.actorId}, ${r.idempotencyKey})
    returning id`;
  return row!.id;
}

async function logRenewal(tx: TransactionSql, input: RenewEntitlementInput, state: RenewalState, extra: Record<string, unknown>) {
  await logEvent(tx, {
    ...input.actor,
    viaApi: true,
    entityKind: 'entitlement',
    entityId: state.id,
    action: 'renewal_requested',
    changes: { periodMonths: input.periodMonths, price: input.price, paymentMethod: input.paymentMethod, ...extra },
  });
}
