import type { Db } from '../../db/client';
import { compareDates, type IsoDate } from '../../domain/dates';
import { balanceForecast, forecastCharges, type BalanceForecastDay, type ChargeForecast, type ChargeForecastSubject } from '../../domain/billing-types/charge-forecast';
import type { ChargeKind, ChargeStatus } from '../../domain/billing-types';
import { loadLifecycleStates, type LifecycleRow } from '../subscription-orders/subscription-orders';
import { exchangeFor } from '../exchange-rates/rate-in-force';
import { clientFunds } from './charges';
import { forecastUsage, type UsageForecastSubject } from '../../domain/billing-types/usage-forecast';
import { usagePeriodOf } from '../../domain/usage';

// Reads what the charge forecast (domain/billing-types/charge-forecast.ts) plays forward: the lifecycle states the
// billing run reads, the subscriptions' live charges, and the rate in force today for plans priced in another
// currency than the client's. It writes nothing.

interface LiveChargeRow {
  id: number; subscription_id: number; order_id: number; kind: ChargeKind; status: ChargeStatus; from: string; to: string; close_date: string; amount: string; refund: boolean; commitment: boolean;
}

async function subjectsOf(db: Db, rows: LifecycleRow[], today: IsoDate): Promise<ChargeForecastSubject[]> {
  const ids = rows.map((r) => r.subscriptionId);
  if (ids.length === 0) return [];
  const charges = await db<LiveChargeRow[]>`
    select id, subscription_id, order_id, kind, status, period_from::text as "from", period_to::text as "to", close_date::text, amount::text, refund, commitment
    from charges where subscription_id = any(${ids}::int[]) and status in ('new', 'open', 'blocked') and not superseded
    order by period_from, id`;
  const currencies = await db<Array<{ id: number; plan_currency: string; client_currency: string }>>`
    select s.id, p.currency as plan_currency, c.currency as client_currency
    from subscriptions s join plans p on p.id = s.plan_id join clients c on c.id = s.client_id where s.id = any(${ids}::int[])`;
  const currencyOf = new Map(currencies.map((c) => [c.id, c] as const));
  const subjects: ChargeForecastSubject[] = [];
  for (const r of rows) {
    const cur = currencyOf.get(r.subscriptionId)!;
    const exchange = cur.plan_currency === cur.client_currency ? null : await exchangeFor(db, cur.client_currency, cur.plan_currency, today);
    subjects.push({
      subscriptionId: r.subscriptionId,
      state: r.state,
      renewalFee: r.renewalFee,
      exchange,
      charges: charges
        .filter((c) => c.subscription_id === r.subscriptionId)
        .map((c) => ({ id: c.id, orderId: c.order_id, kind: c.kind, status: c.status, from: c.from, to: c.to, closeDate: c.close_date, amount: Number(c.amount), refund: c.refund, commitment: c.commitment })),
    });
  }
  return subjects;
}

/**
 * The pay-as-you-go subscriptions the forecast projects (domain/billing-types/usage-forecast.ts), of one client or
 * one subscription: what each rated in its current financial period, and its running usage charges.
 */
async function usageSubjectsOf(db: Db, of: { clientId: number } | { subscriptionId: number }, today: IsoDate): Promise<UsageForecastSubject[]> {
  const rows = await db<Array<{ id: number; billing_type: 'usage_internal' | 'usage_external'; payment_model: 'prepay' | 'postpay'; status: string; financial_day: number; start_date: string }>>`
    select s.id, s.billing_type, s.payment_model, s.status, pr.financial_day, s.start_date::text
    from subscriptions s join provisioning_rules pr on pr.id = s.provisioning_rule_id
    where s.billing_type in ('usage_internal', 'usage_external') and s.status <> 'deleted' and s.start_date is not null
      and ${'clientId' in of ? db`s.client_id = ${of.clientId}` : db`s.id = ${of.subscriptionId}`}`;
  if (rows.length === 0) return [];
  const periods = new Map(rows.map((r) => [r.id, usagePeriodOf(today, r.financial_day)]));
  const earliest = [...periods.values()].map((p) => p.from).sort()[0]!;
  // The running charges, and every charge rated in a current period: one closed early (an internal price change
  // closes the running charge and opens another) still counts towards the period's average.
  const charges = await db<Array<{ id: number; subscription_id: number; status: string; from: string; to: string; close_date: string; amount: string; usage_period: string; usage_amount: string }>>`
    select id, subscription_id, status, period_from::text as "from", period_to::text as "to", close_date::text, amount::text, usage_period::text, usage_amount::text
    from charges where subscription_id = any(${rows.map((r) => r.id)}::int[]) and kind = 'usage' and not superseded
      and (status = 'blocked' or (status = 'closed' and usage_period >= ${earliest}::date))
    order by id`;
  return rows.map((r) => {
    const period = periods.get(r.id)!;
    const own = charges.filter((c) => c.subscription_id === r.id);
    return {
      subscriptionId: r.id,
      billingType: r.billing_type,
      paymentModel: r.payment_model,
      financialDay: r.financial_day,
      using: r.status === 'active',
      ratedSoFar: own.filter((c) => c.usage_period === period.from).reduce((sum, c) => sum + Number(c.usage_amount), 0),
      ratedSince: r.start_date > period.from ? r.start_date : period.from,
      charges: own.filter((c) => c.status === 'blocked').map((c) => ({ id: c.id, from: c.from, to: c.to, closeDate: c.close_date, amount: Number(c.amount) })),
    };
  });
}

/**
 * One subscription's charge forecast (its client's available balance as the wallet), or null when nothing is foreseen
 * (no lifecycle and no usage: deleted, not provisioned, unlimited). A pay-as-you-go one is its usage projection.
 */
export async function subscriptionChargeForecast(db: Db, input: { subscriptionId: number; today: IsoDate; days: number }): Promise<(ChargeForecast & { balance: number }) | null> {
  const rows = await loadLifecycleStates(db, { ids: [input.subscriptionId] });
  if (rows.length > 0) {
    const subjects = await subjectsOf(db, rows, input.today);
    return { ...forecastCharges(subjects, rows[0]!.balance, input.today, input.days), balance: rows[0]!.balance };
  }
  const usage = await usageSubjectsOf(db, { subscriptionId: input.subscriptionId }, input.today);
  if (usage.length === 0) return null;
  const [client] = await db<Array<{ client_id: number }>>`select client_id from subscriptions where id = ${input.subscriptionId}`;
  const funds = await clientFunds(db, client!.client_id);
  return { events: forecastUsage(usage, input.today, input.days), lifecycle: new Map(), balance: funds?.available ?? 0 };
}

export interface ClientForecast {
  funds: { available: number; blocked: number };
  days: BalanceForecastDay[];
  subscriptions: Array<{ subscriptionId: number; billingType: string; events: number; availableChange: number; blockedChange: number }>;
  events: ChargeForecast['events'];
}

/** The client's balance forecast: every subscription's charge forecast with one shared balance, summed day by day. Null: no such client. */
export async function clientBalanceForecast(db: Db, input: { clientId: number; today: IsoDate; days: number }): Promise<ClientForecast | null> {
  const funds = await clientFunds(db, input.clientId);
  if (!funds) return null;
  const rows = await loadLifecycleStates(db, { clientId: input.clientId });
  const subjects = await subjectsOf(db, rows, input.today);
  const usage = await usageSubjectsOf(db, { clientId: input.clientId }, input.today);
  // Usage projections join the runs' events day by day (a stable sort keeps each day's run order first). They do not
  // feed the wallet the lifecycle's auto-payments read: a trend is no reason to predict a failed payment.
  const events = [...forecastCharges(subjects, funds.available, input.today, input.days).events, ...forecastUsage(usage, input.today, input.days)].sort((a, b) => compareDates(a.date, b.date));
  return {
    funds: { available: funds.available, blocked: funds.blocked },
    days: balanceForecast(events, funds, input.today, input.days),
    subscriptions: [...rows.map((r) => ({ subscriptionId: r.subscriptionId, billingType: r.state.billingType as string })), ...usage.map((u) => ({ subscriptionId: u.subscriptionId, billingType: u.billingType as string }))].map((r) => {
      const own = events.filter((e) => e.subscriptionId === r.subscriptionId);
      return {
        subscriptionId: r.subscriptionId,
        billingType: r.billingType,
        events: own.length,
        availableChange: own.reduce((s, e) => s + e.available, 0),
        blockedChange: own.reduce((s, e) => s + e.blocked, 0),
      };
    }),
    events,
  };
}
