import type { Db } from '../../db/client';
import type { BillingType } from '../../domain/billing-types';
import { isUsageBillingType } from '../../domain/billing-types/types';
import type { IsoDate } from '../../domain/dates';
import { multiplyDecimals, usageChain } from '../../domain/plan-delegation';
import { frozenUpstreamMarkups, planChains } from './usage-chain';
import { usagePeriodClosed, usagePeriodOf, type ClosedPeriodPolicy, type UsageRecord, type UsageRefusal } from '../../domain/usage';

/** What the ingestion needs to know about a subscription records name, read once per batch. */
export interface UsageSubscription {
  id: number;
  clientId: number;
  status: string;
  billingType: BillingType;
  paymentModel: 'prepay' | 'postpay';
  startDate: IsoDate | null;
  financialDay: number;
  /** The price version: the subscription's bumps + every level's plan version (any level's change opens a new charge). */
  rateVersion: number;
  /** The product of `markups`: what the provider's price is multiplied by for the client. */
  markup: string;
  /** usage_external: the coefficient of every level, root first, the seller's (or the individual markup) last (05 §4.7). */
  markups: string[];
  /** The client's currency: what the usage charges are in. */
  currency: string;
  /** The plan's: what its prices (and the provider's) are in. */
  planCurrency: string;
  /** The rate in force today when the two differ (set by the ingestion): what a new usage charge is converted at. */
  exchange?: { rate: string; nominal: number };
  /** The purchase order: usage charges hang on it (charges need an order; it is free, so its own charges are none). */
  orderId: number | null;
  /** Plan resource key → monthly unit price (minor units). */
  prices: Record<string, number>;
}

/**
 * The subscriptions of a batch, locked FOR SHARE so that a deletion (which takes the row for update) cannot close
 * their charges between this read and the growth: it waits for the batch, and the batch never grows a closed charge.
 */
export async function usageSubscriptions(tx: Db, ids: number[]): Promise<{ subs: Map<number, UsageSubscription>; closedPeriod: ClosedPeriodPolicy }> {
  // The closed-period setting rides along (one round trip less per batch: single-record requests feel it).
  const rows = await tx<Array<UsageSubscription & SubscriptionChainFacts & { closed_period: unknown }>>`
    select s.id, s.client_id as "clientId", s.status, s.billing_type as "billingType", s.payment_model as "paymentModel",
           s.start_date::text as "startDate", pr.financial_day as "financialDay", p.usage_rate_version + s.usage_rate_bump as "rateVersion",
           coalesce(s.usage_markup, p.usage_markup)::text as markup, p.id as "planId", p.chain_length as "chainLength", p.fixed_price as "fixedPrice",
           s.usage_markup::text as "individualMarkup", s.usage_rate_bump as "rateBump",
           c.currency, p.currency as "planCurrency",
           (select o.id from orders o where o.subscription_id = s.id and o.type = 'purchase' order by o.id limit 1) as "orderId",
           coalesce((select jsonb_object_agg(r.key, r.recurring_price) from plan_resources r where r.plan_id = s.plan_id), '{}'::jsonb) as prices,
           (select value from settings where key = 'usage_closed_period') as closed_period
    from subscriptions s join plans p on p.id = s.plan_id join provisioning_rules pr on pr.id = s.provisioning_rule_id join clients c on c.id = s.client_id
    where s.id = any(${ids}::int[])
    order by s.id
    for share of s`;
  // usage_internal copies are priced by their own (synced) resource prices; only external prices go through the chain.
  const chained = rows.filter((r) => r.chainLength > 0 && r.billingType === 'usage_external');
  const chains = await planChains(tx, [...new Set(chained.map((r) => r.planId))]);
  const frozenOf = await frozenUpstreamMarkups(tx, chained.filter((r) => r.fixedPrice).map((r) => r.id));
  for (const r of rows) {
    const chain = chains.get(r.planId);
    if (!chain) {
      r.markups = [r.markup];
      continue;
    }
    // fixed_price: the levels above keep their coefficients of the subscription's creation (spec 05 §4.6); a subscription
    // whose snapshot lacks them (taken before they were kept) follows the current chain. The version adds up every
    // level's whatever the flag says, so it only ever grows: a change above a fixed-price subscription opens a charge
    // on the same chain, and switching the flag can never bring an older charge's version back.
    const snapshot = frozenOf.get(r.id);
    const frozen = snapshot?.length === chain.markups.length - 1 ? snapshot : null;
    r.markups = usageChain(chain.markups, { individual: r.individualMarkup, frozenUpstream: frozen });
    r.markup = multiplyDecimals(r.markups);
    r.rateVersion = chain.versions.reduce((a, b) => a + b, 0) + r.rateBump;
  }
  return { subs: new Map(rows.map((r) => [r.id, r])), closedPeriod: rows[0]?.closed_period === 'next_period' ? 'next_period' : 'refuse' };
}

interface SubscriptionChainFacts {
  planId: number;
  chainLength: number;
  fixedPrice: boolean;
  individualMarkup: string | null;
  rateBump: number;
}

/** A record the subscription takes, with what prices it and the financial period it is booked to. */
export interface PricedRecord extends UsageRecord {
  unitPrice: string;
  markup: string;
  /** The chain's coefficients (usage_external), written on a new usage charge. */
  markups: string[];
  financialPeriod: IsoDate;
  periodTo: IsoDate;
  closeDate: IsoDate;
  rateVersion: number;
}

/**
 * The checks that need the subscription (issue 20 "bad input"): it exists, is pay-as-you-go, was provisioned and is
 * not deleted, the resource is the plan's, an external record brings its provider price, and its financial period is
 * still open (or, by the setting, the record is booked to the open one).
 */
export function priceRecord(r: UsageRecord, s: UsageSubscription | undefined, today: IsoDate, closed: ClosedPeriodPolicy): PricedRecord | UsageRefusal {
  if (!s) return { code: 'unknown_subscription', message: `subscription ${r.subscriptionId} does not exist` };
  if (!isUsageBillingType(s.billingType)) return { code: 'not_usage_billing', message: `subscription ${s.id} is billed ${s.billingType}, not by usage` };
  if (s.status === 'deleted') return { code: 'subscription_deleted', message: `subscription ${s.id} is deleted` };
  if (!s.startDate || s.orderId === null) return { code: 'not_provisioned', message: `subscription ${s.id} has not started yet` };
  if (r.usedOn < s.startDate) return { code: 'before_start', message: `usedAt ${r.usedOn} is before the subscription started (${s.startDate})` };
  const planPrice = s.prices[r.resource];
  if (planPrice === undefined) return { code: 'unknown_resource', message: `the plan of subscription ${s.id} has no resource "${r.resource}"` };
  const external = s.billingType === 'usage_external';
  if (external && r.unitPrice === null) return { code: 'price_required', message: 'a pay-as-you-go (external) record brings its provider price (unitPrice)' };
  let day = r.usedOn;
  if (usagePeriodClosed(day, s.financialDay, today)) {
    if (closed === 'refuse') return { code: 'period_closed', message: `the financial period of ${r.usedOn} was closed on ${usagePeriodOf(day, s.financialDay).closeDate}` };
    day = today;
  }
  const period = usagePeriodOf(day, s.financialDay);
  return {
    ...r,
    unitPrice: external ? r.unitPrice! : String(planPrice),
    markup: external ? s.markup : '1',
    markups: external ? s.markups : ['1'],
    financialPeriod: period.from,
    periodTo: period.to,
    closeDate: period.closeDate,
    rateVersion: s.rateVersion,
  };
}
