import type { Db } from '../../db/client';
import type { IsoDate } from '../../domain/dates';
import { balanceForecast, forecastCharges, type BalanceForecastDay, type ChargeForecast, type ChargeForecastSubject } from '../../domain/billing-types/charge-forecast';
import type { ChargeKind, ChargeStatus } from '../../domain/billing-types';
import { loadLifecycleStates, type LifecycleRow } from '../subscription-orders/subscription-orders';
import { exchangeFor } from '../exchange-rates/rate-in-force';
import { clientFunds } from './charges';

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

/** One subscription's charge forecast (its client's available balance as the wallet), or null when nothing is foreseen (no lifecycle: deleted, not provisioned, unlimited). */
export async function subscriptionChargeForecast(db: Db, input: { subscriptionId: number; today: IsoDate; days: number }): Promise<(ChargeForecast & { balance: number }) | null> {
  const rows = await loadLifecycleStates(db, { ids: [input.subscriptionId] });
  if (rows.length === 0) return null;
  const subjects = await subjectsOf(db, rows, input.today);
  return { ...forecastCharges(subjects, rows[0]!.balance, input.today, input.days), balance: rows[0]!.balance };
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
  const { events } = forecastCharges(subjects, funds.available, input.today, input.days);
  return {
    funds: { available: funds.available, blocked: funds.blocked },
    days: balanceForecast(events, funds, input.today, input.days),
    subscriptions: rows.map((r) => {
      const own = events.filter((e) => e.subscriptionId === r.subscriptionId);
      return {
        subscriptionId: r.subscriptionId,
        billingType: r.state.billingType,
        events: own.length,
        availableChange: own.reduce((s, e) => s + e.available, 0),
        blockedChange: own.reduce((s, e) => s + e.blocked, 0),
      };
    }),
    events,
  };
}
