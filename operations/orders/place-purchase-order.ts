import type { TransactionSql } from 'postgres';
import { orderScenarioId } from '../../contracts/scenarios';
import { oneRow, type Sql } from '../../db/client';
import { requirePayableCurrency } from '../../domain/currencies';
import { convertAmount, convertLines, type Exchange } from '../../domain/exchange';
import { firstExpirationDate, orderEndDate, type IsoDate } from '../../domain/dates';
import { AppError } from '../../domain/errors';
import { nextFinancialDay } from '../../domain/lifecycle';
import { firstFinancialPeriod, type ChargePeriod, type PlannedCharge } from '../../domain/charges';
import { checkPurchaseCreditLimit, postpayAdmission, type PostpayMode, type PostpayPermission } from '../../domain/postpay';
import { periodMonths, purchaseOrderAmount, purchaseOrderLines } from '../../domain/pricing';
import type { PaymentModel } from '../../domain/statuses';
import { insertOrderCharges, postpayChargeStatus, purchaseCharges } from '../charges/charges';
import { redeemPromoCode, usablePromoCode, type UsablePromoCode } from '../discounts/redeem-promo-code';
import { nextDocumentNumber } from '../documents/next-document-number';
import { logEvent, type EventEntry } from '../event-log/event-log';
import { exchangeFor } from '../exchange-rates/rate-in-force';
import { requestDebtTopUp } from '../payments/request-debt-top-up';
import { billedPerPeriod } from '../../domain/billing-types/payment';
import { paymentRounding } from '../payments/payment-rounding';

export interface PurchaseOrderInput {
  clientId: number;
  planPeriodId: number;
  subscriptionName?: string;
  /** Default: the client's service rule. */
  paymentModel?: PaymentModel;
  /** Today's business date: the order's date, its end date and the start of its charges. */
  today: IsoDate;
  /** The staff member who placed it (`created_by`), or null for a client user. */
  createdBy: number | null;
  /** Who placed it, for the event log. */
  actor: Pick<EventEntry, 'actorId' | 'actorKind'>;
  /** Placed by a client user in the client panel (spec 02 §2.13: a financially blocked one also gets a debt top-up). */
  byClientUser: boolean;
  customerIp: string | null;
  /** A promo code (the seed manual's 13.1): the order is discounted by its discount, or refused before anything is written. */
  promoCode?: string | undefined;
}

/** What the client and the plan period say about a purchase, read in one query. */
interface PurchaseTerms {
  client_status: string; client_currency: string; cancel_days: number; plan_id: number; plan_name: string; plan_status: string;
  currency: string; duration: number; unit: 'day' | 'month' | 'year'; trial: boolean; unlimited: boolean;
  setup_fee: string; recurring_fee: string; renewal_fee: string; single: boolean; billing_type: string; financial_day: number;
  default_payment_model: PaymentModel; credit_limit: string; postpay_permission: PostpayPermission; postpay_mode: unknown;
}

async function loadPurchaseTerms(sql: Sql, clientId: number, planPeriodId: number): Promise<PurchaseTerms> {
  const [found] = await sql<PurchaseTerms[]>`
    select c.status as client_status, c.currency as client_currency, r.unpaid_order_cancel_days as cancel_days, p.id as plan_id, p.name as plan_name,
           p.status as plan_status, p.currency, pp.duration, pp.unit, pp.trial, pp.unlimited, pp.setup_fee,
           pp.recurring_fee, pp.renewal_fee, p.single, p.billing_type, (select financial_day from provisioning_rules where id = p.provisioning_rule_id) as financial_day, r.default_payment_model,
           coalesce(c.subscription_credit_limit_override, r.subscription_credit_limit) as credit_limit,
           c.postpay_permission, (select value from settings where key = 'postpay_mode') as postpay_mode
    from clients c join service_rules r on r.id = c.service_rule_id, plan_periods pp join plans p on p.id = pp.plan_id
    where c.id = ${clientId} and pp.id = ${planPeriodId}`;
  if (found) return found;
  const [client] = await sql`select 1 from clients where id = ${clientId}`;
  throw client
    ? new AppError('invalid_reference', `plan period ${planPeriodId} does not exist`)
    : new AppError('invalid_reference', `client ${clientId} does not exist`);
}

/** Who may buy what (spec 01 §4): refusals for the client's status, the plan's, and the currency. */
function checkPurchaseAllowed(found: PurchaseTerms): void {
  if (found.client_status === 'deleted') throw new AppError('client_deleted', 'the client is deleted');
  if (found.client_status === 'administratively_blocked') {
    throw new AppError('client_blocked', 'the client is administratively blocked and cannot order');
  }
  // Decision 27: a financially blocked client may order paid subscriptions, not trials.
  if (found.client_status === 'financially_blocked' && found.trial) {
    throw new AppError('client_financially_blocked', 'the client is financially blocked and cannot order trials');
  }
  // Spec 05 §3.3 rule 11: a copy whose provider deactivated the plan upstream sells nothing in the subtree.
  if (found.plan_status === 'deactivated_by_provider') throw new AppError('plan_deactivated_by_provider', `plan "${found.plan_name}" was deactivated by its provider`);
  if (found.plan_status !== 'active') throw new AppError('plan_inactive', `plan "${found.plan_name}" is not active`);
  requirePayableCurrency(found.client_currency, found.currency);
}

/**
 * The price of the purchase and how it is paid; a postpay purchase must be admitted and fit the credit limit.
 * `planAmount` is in the plan's currency, `amount` (the order's) in the client's, converted at `exchange`.
 */
function pricePurchase(found: PurchaseTerms, requested: PaymentModel | undefined, exchange: Exchange, today: IsoDate) {
  const period = {
    duration: found.duration,
    unit: found.unit,
    trial: found.trial,
    unlimited: found.unlimited,
    setupFee: Number(found.setup_fee),
    recurringFee: Number(found.recurring_fee),
    renewalFee: Number(found.renewal_fee),
  };
  // Per-financial-period billing pays the current period at purchase; prolongations pay the next ones (spec 01 §11).
  // Payment in full is free until the first financial day (spec 02 §4.10): the purchase costs nothing, renewals pay.
  const billedPeriod = found.billing_type === 'peak_monthly' ? { ...period, trial: true } : billedPerPeriod(found.billing_type) && !period.unlimited ? { ...period, duration: 1, unit: 'month' as const } : period;
  const first = billedPerPeriod(found.billing_type) && !period.unlimited && !period.trial
    ? firstFinancialPeriod(today, firstExpirationDate(today, period), found.financial_day, period.recurringFee)
    : null;
  const planAmount = first ? period.setupFee + first.amount : purchaseOrderAmount(billedPeriod);
  const amount = convertAmount(planAmount, exchange);
  const paymentModel = requested ?? found.default_payment_model;
  if (paymentModel === 'postpay') {
    const mode: PostpayMode = found.postpay_mode === 'manual' ? 'manual' : 'automatic';
    postpayAdmission(mode, found.postpay_permission, found.trial);
    // A day period's recurring fee is the price of the whole period; otherwise it is per month.
    if (!found.trial) checkPurchaseCreditLimit(Number(found.credit_limit), amount, convertAmount(period.recurringFee, exchange));
  }
  return { period, billedPeriod, first, planAmount, amount, paymentModel, exchange };
}

type PricedPurchase = ReturnType<typeof pricePurchase> & { number: string; paymentNumber: string | null };

/**
 * What the order's money pays for, period by period (spec 02 §4.6), discounted by a promo code's terms (§4.14);
 * postpay one-off fees are debt until the nearest financial day, when they close into the act (§4.11).
 */
function planPurchaseCharges(input: PurchaseOrderInput, found: PurchaseTerms, priced: PricedPurchase, promo: UsablePromoCode | null): PlannedCharge[] {
  const { today } = input;
  // In the plan's currency: insertOrderCharges converts each charge and keeps Σ = the order's amount.
  const { period, planAmount, paymentModel } = priced;
  if (planAmount === 0) return [];
  const charged = purchaseCharges({ today, billingType: found.billing_type, period, financialDay: found.financial_day, setupFee: period.setupFee, recurringFee: period.recurringFee, total: planAmount, discount: promo?.terms ?? null });
  return paymentModel === 'postpay' ? charged.map((ch) => (ch.kind === 'recurring' ? ch : { ...ch, closeDate: nextFinancialDay(today, found.financial_day) })) : charged;
}

/** Writes the order's charges: prepaid ones new, postpay ones the debt (spec 02 §4.11). */
async function insertPurchaseCharges(tx: TransactionSql, orderId: number, input: PurchaseOrderInput, found: PurchaseTerms, priced: PricedPurchase, planned: PlannedCharge[]) {
  const { today } = input;
  const { paymentModel } = priced;
  await insertOrderCharges(tx, {
    orderId,
    clientId: input.clientId,
    subscriptionId: null,
    exchange: priced.exchange,
    label: `${found.plan_name}, order ${priced.number}`,
    planned,
    statusOf: paymentModel === 'postpay' ? postpayChargeStatus(today) : undefined,
  });
}

/** Writes the order, its lines, its payment (prepaid orders with an amount) and its charges, with its event. */
async function insertPurchaseOrder(tx: TransactionSql, input: PurchaseOrderInput, found: PurchaseTerms, priced: PricedPurchase): Promise<number> {
  const { number, paymentNumber, paymentModel } = priced;
  if (found.single) {
    const [held] = await tx`select 1 from subscriptions where client_id = ${input.clientId} and plan_id = ${found.plan_id} and status <> 'deleted' limit 1`;
    if (held) throw new AppError('single_plan_held', `the client already holds a subscription on plan "${found.plan_name}"`);
  }
  // Checked again under the discount's row lock: a usage limit reached by a concurrent order refuses this one.
  const promo = input.promoCode === undefined ? null : await usablePromoCode(tx, promoRequest(input, found, priced), true);
  const planned = planPurchaseCharges(input, found, priced, promo);
  // Spec 02 §4.14: a discounted order costs its reference amount, which its charges add up to.
  // Both in the client's currency, converted at the order's rate like its charges.
  const planTotal = promo ? planned.reduce((s, c) => s + c.amount, 0) : priced.planAmount;
  const amount = promo ? convertAmount(planTotal, priced.exchange) : priced.amount;
  const discount = convertAmount(planned.reduce((s, c) => s + (c.discount ?? 0), 0), priced.exchange);
  const paymentAmount = await paymentRounding(tx, amount);
  const { id } = await oneRow(tx<Array<{ id: number }>>`select nextval(pg_get_serial_sequence('orders', 'id'))::int as id`);
  await tx`
    insert into orders (id, number, type, status, client_id, plan_id, plan_period_id, payment_model, currency, amount, discount,
                        end_date, provisioning_date, subscription_name, customer_ip, created_by, workflow_id)
    values (${id}, ${number}, 'purchase', ${paymentModel === 'postpay' ? 'provisioning' : 'awaiting_payment'}, ${input.clientId},
            ${found.plan_id}, ${input.planPeriodId}, ${paymentModel}, ${found.client_currency}, ${amount}, ${discount}, ${orderEndDate(input.today, found.cancel_days)}, ${input.today},
            ${input.subscriptionName ?? null}, ${input.customerIp}, ${input.createdBy},
            ${orderScenarioId(id)})`;
  // A discounted line is what its charges are: their amounts and discounts (spec 01 §16: the line's amount is after
  // discount); the lines are then converted together, so they add up to the order's amount.
  const planLines = purchaseOrderLines(priced.billedPeriod, found.plan_name).map((line) => firstPeriodLine(line, priced.first, found.plan_name)).map((line) => {
    const kind = line.kind === 'recurring_fee' ? 'recurring' : 'setup';
    const ofKind = planned.filter((c) => c.kind === kind);
    return { ...line, amount: promo ? ofKind.reduce((s, c) => s + c.amount, 0) : line.amount, discount: ofKind.reduce((s, c) => s + (c.discount ?? 0), 0) };
  });
  for (const line of convertLines(planLines, planTotal, priced.exchange)) {
    const lineAmount = line.amount;
    const lineDiscount = convertAmount(line.discount, priced.exchange);
    await tx`
      insert into order_items (order_id, kind, price_type, description, quantity, period_months, unit_price, discount, amount)
      values (${id}, 'subscription', ${line.kind.replace('_fee', '')}, ${line.description}, ${line.quantity},
              ${line.periodMonths ?? '0'}, ${line.unitPrice}, ${lineDiscount}, ${lineAmount})`;
  }
  // A 100 % discount makes the order free: like any free order it needs no payment (decision 27).
  if (paymentNumber && amount > 0) {
    await tx`
      insert into payments (number, client_id, order_id, type, status, amount, currency)
      values (${paymentNumber}, ${input.clientId}, ${id}, 'order', 'waiting_for_payment', ${paymentAmount}, ${found.client_currency})`;
  }
  if (planned.length > 0) await insertPurchaseCharges(tx, id, input, found, priced, planned);
  if (promo) await redeemPromoCode(tx, { ...promo, orderId: id, clientId: input.clientId, discount });
  await logEvent(tx, { ...input.actor, viaApi: true, entityKind: 'order', entityId: id, action: 'created', changes: promo ? { number, amount, discount, promoCode: input.promoCode } : { number, amount } });
  return id;
}

/** The recurring line of a per-period purchase is its first financial period, prorated (see `firstFinancialPeriod`). */
function firstPeriodLine<L extends { kind: string; description: string; periodMonths: string | null; amount: number }>(line: L, first: ChargePeriod | null, planName: string): L {
  if (!first || line.kind !== 'recurring_fee') return line;
  const months = periodMonths({ duration: first.days, unit: 'day' });
  return { ...line, description: `${planName}, ${first.from} – ${first.to} (recurring fee, ${first.days} of ${first.periodDays} days)`, periodMonths: first.full ? '1' : months, amount: first.amount };
}

function promoRequest(input: PurchaseOrderInput, found: PurchaseTerms, priced: { amount: number }) {
  return { code: input.promoCode!, clientId: input.clientId, planId: found.plan_id, planPeriodId: input.planPeriodId, currency: found.currency, today: input.today, amount: priced.amount };
}

/**
 * Places a purchase order (spec 01 §4-5): checks the client, the plan and the postpay rules, prices it, and writes
 * the order with its lines, payment and charges in one transaction. `answer` runs in that transaction with the new
 * order's id, so what the caller answers (and keeps for a retry) commits with the order. The order's scenario is
 * the caller's to start, after the commit.
 */
export async function placePurchaseOrder<T>(sql: Sql, input: PurchaseOrderInput, answer: (tx: TransactionSql, orderId: number) => Promise<T>): Promise<T> {
  const found = await loadPurchaseTerms(sql, input.clientId, input.planPeriodId);
  checkPurchaseAllowed(found);
  // Spec 02 §4.13: the plan's prices are converted at the rate in force on the order's date, or the order is refused.
  const exchange = await exchangeFor(sql, found.client_currency, found.currency, input.today);
  const priced = pricePurchase(found, input.paymentModel, exchange, input.today);
  // A promo code that cannot be used refuses the order before anything is written (even its number).
  if (input.promoCode !== undefined) await usablePromoCode(sql, promoRequest(input, found, priced), false);
  const number = await nextDocumentNumber(sql, 'purchase_order');
  // Postpay orders are provisioned at once and billed with the act; only prepaid ones get a payment.
  const paymentNumber = priced.amount > 0 && priced.paymentModel === 'prepay' ? await nextDocumentNumber(sql, 'payment') : null;
  // Kept outside begin(): its result type unwraps promises and arrays, which a generic answer cannot be checked against.
  let answered: { value: T } | undefined;
  await sql.begin(async (tx) => {
    const orderId = await insertPurchaseOrder(tx, input, found, { ...priced, number, paymentNumber });
    // Spec 02 §2.13, 01 §4.5.3: a financially blocked client ordering in the client panel also gets a top-up for the debt.
    if (input.byClientUser && found.client_status === 'financially_blocked' && paymentNumber) {
      await requestDebtTopUp(tx, { clientId: input.clientId, currency: found.client_currency, actor: input.actor });
    }
    answered = { value: await answer(tx, orderId) };
  });
  return answered!.value;
}
