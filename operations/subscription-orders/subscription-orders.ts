import type { TransactionSql } from 'postgres';
import { type Db, oneRow } from '../../db/client';
import { addDays, type IsoDate, type PeriodUnit } from '../../domain/dates';
import { AppError } from '../../domain/errors';
import type { BillingType, LifecycleState, OpenOrder } from '../../domain/lifecycle';
import type { SubscriptionOrderType } from '../../domain/order-effects';
import { extensionAmounts } from '../../domain/pricing';
import type { PlannedCharge } from '../../domain/charges';
import { convertAmount, convertLines } from '../../domain/exchange';
import { chargesPaid, insertOrderCharges } from '../charges/charges';
import { redeemPromoCode, usablePromoCode, type PromoCodeRequest } from '../discounts/redeem-promo-code';
import { nextDocumentNumber } from '../documents/next-document-number';
import { logEvent } from '../event-log/event-log';
import { exchangeFor } from '../exchange-rates/rate-in-force';
import { paymentRounding } from '../payments/payment-rounding';
import { takeCostSnapshot } from '../reseller-charges/take-cost-snapshot';

/** Subscription orders (renewal, prolongation, resource change, plan switch): their rows, and the states they act on. */
export interface LifecycleRow {
  subscriptionId: number;
  /** The plan period's renewal fee (charged once per renewal). */
  renewalFee: number;
  /** The monthly price of the resource quantities above the plan's included ones. */
  resourceMonthly: number;
  clientId: number;
  balance: number;
  planName: string;
  currency: string;
  state: LifecycleState;
}

/** One subscription with its plan, rules and open order, as loadLifecycleStates reads it. */
interface LifecycleStateRow {
  id: number; client_id: number; balance: string; plan_name: string; currency: string; status: string; billing_type: BillingType;
  payment_model: 'prepay' | 'postpay'; trial: boolean; trial_renewable: boolean | null; expiration_date: string | null; prolonged_until: string | null;
  duration: number; unit: PeriodUnit; unlimited: boolean; setup_fee: string; recurring_fee: string; renewal_fee: string;
  auto_renew: boolean; auto_renew_point_days: number; unpaid_stop_after_days: number; blocking_period_days: number;
  delete_mode: 'automatic' | 'manual'; financial_day: number; unpaid_order_cancel_days: number; resource_monthly: string;
  order_id: number | null; order_type: OpenOrder['type'] | null; order_status: OpenOrder['status'] | null; order_automatic: boolean | null;
  order_amount: string | null; auto_pay_date: string | null; provisioning_date: string | null; end_date: string | null; term_key: string | null;
}

/** The row in the shape the rules of `domain/lifecycle.ts` read, with the renewal and prolongation prices. */
function toLifecycleRow(r: LifecycleStateRow): LifecycleRow {
  const period = {
    duration: r.duration,
    unit: r.unit,
    trial: r.trial,
    unlimited: r.unlimited,
    setupFee: Number(r.setup_fee),
    recurringFee: Number(r.recurring_fee),
    renewalFee: Number(r.renewal_fee),
  };
  const amounts = extensionAmounts(r.billing_type, period, Number(r.resource_monthly));
  return {
    subscriptionId: r.id,
    renewalFee: Number(r.renewal_fee),
    resourceMonthly: Number(r.resource_monthly),
    clientId: r.client_id,
    balance: Number(r.balance),
    planName: r.plan_name,
    currency: r.currency,
    state: {
      status: r.status,
      billingType: r.billing_type,
      paymentModel: r.payment_model,
      trial: r.trial,
      trialRenewable: r.trial_renewable === true,
      expirationDate: r.expiration_date,
      prolongedUntil: r.prolonged_until,
      period: { duration: r.duration, unit: r.unit },
      autoRenew: r.auto_renew,
      autoRenewPointDays: r.auto_renew_point_days,
      unpaidStopAfterDays: r.unpaid_stop_after_days,
      blockingPeriodDays: r.blocking_period_days,
      deleteMode: r.delete_mode,
      financialDay: r.financial_day,
      unpaidOrderCancelDays: r.unpaid_order_cancel_days,
      renewalAmount: amounts.renewal,
      prolongationAmount: amounts.prolongation,
      openOrder:
        r.order_id === null
          ? null
          : {
              id: r.order_id,
              type: r.order_type!,
              status: r.order_status!,
              automatic: r.order_automatic === true,
              amount: Number(r.order_amount),
              autoPayDate: r.auto_pay_date,
              provisioningDate: r.provisioning_date,
              endDate: r.end_date!,
              termKey: r.term_key,
            },
    },
  };
}

/**
 * The lifecycle state of subscriptions, as the rules of `domain/lifecycle.ts` read it: one set-based
 * query. `due` keeps the subscriptions whose dates are near enough to `due` to have anything due (every
 * rule's window starts at most the auto-renewal point before the paid-through date); `ids` picks some.
 */
export async function loadLifecycleStates(sql: Db, filter: { due?: IsoDate; ids?: number[]; clientId?: number; limit?: number }): Promise<LifecycleRow[]> {
  const due = filter.due ?? null;
  const ids = filter.ids ?? null;
  const clientId = filter.clientId ?? null;
  const rows = await sql<LifecycleStateRow[]>`
    select s.id, s.client_id, c.balance, p.name as plan_name, s.currency, s.status, s.billing_type, s.payment_model, s.trial,
           (t.capabilities ->> 'trialRenewable')::boolean as trial_renewable,
           s.expiration_date::text, s.prolonged_until::text, pp.duration, pp.unit, pp.unlimited, pp.setup_fee, pp.recurring_fee,
           pp.renewal_fee, s.auto_renew, s.auto_renew_point_days, pr.unpaid_stop_after_days, pr.blocking_period_days,
           r.delete_mode, pr.financial_day, r.unpaid_order_cancel_days,
           coalesce((select sum(greatest(sr.quantity - res.included, 0) * res.recurring_price)
                     from subscription_resources sr join plan_resources res on res.plan_id = s.plan_id and res.key = sr.key
                     where sr.subscription_id = s.id), 0) as resource_monthly,
           o.id as order_id, o.type as order_type, o.status as order_status, o.automatic as order_automatic, o.amount as order_amount,
           o.auto_pay_date::text, o.provisioning_date::text, o.end_date::text, o.term_key::text
    from subscriptions s
      join plans p on p.id = s.plan_id
      join plan_periods pp on pp.id = s.plan_period_id
      join provisioning_rules pr on pr.id = s.provisioning_rule_id
      join service_templates t on t.id = s.service_template_id
      join clients c on c.id = s.client_id
      join service_rules r on r.id = c.service_rule_id
      left join lateral (
        select * from orders where subscription_id = s.id and status not in ('completed', 'cancelled') order by id limit 1
      ) o on true
    where s.status not in ('deleted', 'new_order', 'installing', 'install_error') and s.expiration_date is not null
      and (${ids}::int[] is null or s.id = any(${ids}::int[]))
      and (${clientId}::int is null or s.client_id = ${clientId}::int)
      and (${due}::date is null
           or least(s.expiration_date, coalesce(s.prolonged_until, s.expiration_date)) - s.auto_renew_point_days <= ${due}::date
           or o.id is not null)
    order by s.id
    limit ${filter.limit ?? 100_000}`;
  return rows.map(toLifecycleRow);
}

export interface NewSubscriptionOrder {
  type: SubscriptionOrderType;
  subscriptionId: number;
  /** In the plan's currency, like `lines`, `charges` and a switch's `details.credit`: insertSubscriptionOrder converts them. */
  amount: number;
  /** The plan period the order is for (the target period of a switch). */
  planPeriodId?: number;
  /** A line's `amount` is after its `discount` (spec 01 §16), both in the plan's currency. */
  lines: Array<{ kind: 'subscription' | 'resource'; priceType: 'setup' | 'recurring' | 'renewal'; description: string; quantity: number; periodMonths: string; unitPrice: number; amount: number; discount?: number }>;
  today: IsoDate;
  createdBy: number | null;
  automatic?: boolean;
  autoPayDate?: IsoDate | null;
  termKey?: IsoDate | null;
  deferred?: boolean;
  provisioningDate?: IsoDate;
  details?: Record<string, unknown>;
  customerIp?: string | null;
  /** What the order pays for, period by period (prepaid renewals and prolongations). */
  charges?: PlannedCharge[];
  /** A client user placed the order through the client-panel API (`createdBy` is then null). */
  clientUserId?: number;
  /** The promo code that discounted the draft (promo-code.ts discountDraft) and the order's discount, in the plan's currency. */
  promo?: { request: PromoCodeRequest; discount: number };
}

/**
 * Writes an order on an existing subscription with its lines and, for prepaid orders with an amount, its
 * payment (rounded up as spec 02 §13.3 says). The draft's plan-currency figures are converted to the client's
 * currency at the rate in force on `today` (spec 02 §4.13; rate 1 for the same currency). Postpay and zero-amount orders need no payment: they go straight to provisioning (or to
 * awaiting provisioning when deferred). A second open order on the subscription violates
 * `orders_one_open_per_subscription` (spec 01 §16.3); callers turn that into a 409.
 */
export async function insertSubscriptionOrder(tx: TransactionSql, o: NewSubscriptionOrder): Promise<{ orderId: number; workflowId: string }> {
  const [sub] = await tx<Array<{ client_id: number; plan_id: number; plan_period_id: number; payment_model: 'prepay' | 'postpay'; client_currency: string; name: string; cancel_days: number }>>`
    select s.client_id, s.plan_id, s.plan_period_id, s.payment_model, c.currency as client_currency, s.name, r.unpaid_order_cancel_days as cancel_days
    from subscriptions s join clients c on c.id = s.client_id join service_rules r on r.id = c.service_rule_id
    where s.id = ${o.subscriptionId}`;
  if (!sub) throw new AppError('subscription_not_found', `subscription ${o.subscriptionId} does not exist`);
  const planPeriodId = o.planPeriodId ?? sub.plan_period_id;
  const [target] = await tx<Array<{ plan_id: number; currency: string }>>`
    select pp.plan_id, p.currency from plan_periods pp join plans p on p.id = pp.plan_id where pp.id = ${planPeriodId}`;
  // Spec 02 §4.13: drafts price in the plan's currency; the order is the client's, at the rate in force on its date.
  // A subscription in another currency was bought at a rate, and rates are never deleted, so one is in force.
  const exchange = await exchangeFor(tx, sub.client_currency, target!.currency, o.today);
  // Checked again under the discount's row lock (as a purchase): a usage limit reached by a concurrent order of any
  // kind refuses this one, and the transaction writes nothing.
  const promo = o.promo ? await usablePromoCode(tx, o.promo.request, true) : null;
  const amount = convertAmount(o.amount, exchange);
  const discount = o.promo ? convertAmount(o.promo.discount, exchange) : 0;
  const lines = convertLines(o.lines, o.amount, exchange);
  const details = typeof o.details?.credit === 'number' ? { ...o.details, credit: convertAmount(o.details.credit, exchange) } : o.details;
  const needsPayment = sub.payment_model === 'prepay' && amount > 0;
  const status = needsPayment ? 'awaiting_payment' : o.deferred ? 'awaiting_provisioning' : 'provisioning';
  const kind = ({ renewal: 'renewal_order', prolongation: 'prolongation_order', resource_change: 'resource_change_order', plan_switch: 'plan_switch_order' } as const)[o.type];
  const number = await nextDocumentNumber(tx, kind);
  const { id } = await oneRow(tx<Array<{ id: number }>>`select nextval(pg_get_serial_sequence('orders', 'id'))::int as id`);
  const workflowId = `order-${id}`;
  await tx`
    insert into orders (id, number, type, status, client_id, subscription_id, plan_id, plan_period_id, payment_model, currency, amount, discount,
                        end_date, provisioning_date, deferred, automatic, auto_pay_date, term_key, details, subscription_name,
                        customer_ip, created_by, workflow_id)
    values (${id}, ${number}, ${o.type}, ${status}, ${sub.client_id}, ${o.subscriptionId}, ${target!.plan_id}, ${planPeriodId},
            ${sub.payment_model}, ${sub.client_currency}, ${amount}, ${discount}, ${addDays(o.today, sub.cancel_days)}, ${o.provisioningDate ?? o.today},
            ${o.deferred ?? false}, ${o.automatic ?? false}, ${o.autoPayDate ?? null}, ${o.termKey ?? null},
            ${JSON.stringify(details ?? {})}::jsonb, ${sub.name}, ${o.customerIp ?? null}, ${o.createdBy}, ${workflowId})`;
  // Spec 05 §4.6: a renewal (or a switch, a new term on another plan) takes the levels' current cost for its term.
  if (o.type === 'renewal' || o.type === 'plan_switch') await takeCostSnapshot(tx, { subscriptionId: o.subscriptionId, orderId: id, planPeriodId });
  for (const line of lines) {
    await tx`
      insert into order_items (order_id, kind, price_type, description, quantity, period_months, unit_price, discount, amount)
      values (${id}, ${line.kind}, ${line.priceType}, ${line.description}, ${line.quantity}, ${line.periodMonths}, ${line.unitPrice},
              ${convertAmount(line.discount ?? 0, exchange)}, ${line.amount})`;
  }
  // A prepaid order a 100 % discount made free keeps its charges (amount 0, each with its discount), paid at once as
  // the purchase's are (pay-order-from-balance.ts); other free orders have none, as before.
  const freeByDiscount = promo !== null && sub.payment_model === 'prepay' && amount === 0;
  if ((needsPayment || freeByDiscount) && o.charges?.length) {
    await insertOrderCharges(tx, { orderId: id, clientId: sub.client_id, subscriptionId: o.subscriptionId, exchange, label: `${sub.name}, order ${number}`, planned: o.charges });
    if (freeByDiscount) await chargesPaid(tx, id, o.today);
  }
  if (needsPayment) {
    const paymentNumber = await nextDocumentNumber(tx, 'payment');
    await tx`
      insert into payments (number, client_id, order_id, type, status, amount, currency)
      values (${paymentNumber}, ${sub.client_id}, ${id}, 'order', 'waiting_for_payment', ${await paymentRounding(tx, amount)}, ${sub.client_currency})`;
  }
  // A usage limit counts the redemptions of every order kind. As a purchase's, the redemption stays when the order is
  // cancelled later; a refused order rolls back and leaves none.
  if (promo) await redeemPromoCode(tx, { ...promo, orderId: id, clientId: sub.client_id, discount });
  await logEvent(tx, {
    ...(o.clientUserId ? { actorId: o.clientUserId, actorKind: 'client_user' as const } : { actorId: o.createdBy }),
    viaApi: o.createdBy !== null || o.clientUserId !== undefined,
    entityKind: 'order',
    entityId: id,
    action: 'created',
    changes: {
      number, type: o.type, amount, subscription: o.subscriptionId, automatic: o.automatic ?? false,
      ...(o.deferred ? { deferred: true, provisioningDate: o.provisioningDate } : {}),
      ...(o.promo ? { discount, promoCode: o.promo.request.code } : {}),
    },
  });
  return { orderId: id, workflowId };
}

/** Whether a database error is the "one open order per subscription" rule (spec 01 §16.3). */
export function isSecondOpenOrder(err: unknown): boolean {
  const e = err as { code?: string; constraint_name?: string };
  return e?.code === '23505' && e.constraint_name === 'orders_one_open_per_subscription';
}

/** Whether a database error is the "one automatic order per term" rule. */
export function isDuplicateAutomaticOrder(err: unknown): boolean {
  const e = err as { code?: string; constraint_name?: string };
  return e?.code === '23505' && e.constraint_name === 'orders_one_automatic_per_term';
}

/** Locks and returns what the billing run needs to re-check before it acts on one subscription. */
export async function lockLifecycleRow(tx: TransactionSql, subscriptionId: number): Promise<LifecycleRow | undefined> {
  await tx`select 1 from subscriptions where id = ${subscriptionId} for update`;
  const [row] = await loadLifecycleStates(tx, { ids: [subscriptionId] });
  return row;
}
