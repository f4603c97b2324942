// Pay-as-you-go in the charge forecast (issue 20 point 3): usage is not billed by the runs but grows as records
// arrive, so the forecast projects it: each day of the horizon the subscription uses what it has used on average
// per day of the current financial period so far, its running usage charge grows by that (blocked on the balance,
// or postpay debt), and the run of the financial day closes the period's charges, as it does for real ones. The
// projection knows nothing of price changes, stops or deletions to come: it is a trend, and its cause says so.

import { addDays, compareDates, daysBetween, type IsoDate } from '../dates';
import { usagePeriodOf } from '../usage';
import type { ChargeForecastEvent } from './charge-forecast';

export interface UsageForecastSubject {
  subscriptionId: number;
  billingType: 'usage_internal' | 'usage_external';
  paymentModel: 'prepay' | 'postpay';
  financialDay: number;
  /** Whether the subscription uses its service (active): a stopped or blocked one is projected to use nothing. */
  using: boolean;
  /** Minor units rated in the current financial period up to today (unrounded: Σ of its usage charges' usage amounts). */
  ratedSoFar: number;
  /** The first day of the period the subscription could use: the period's start, or its start date if later. */
  ratedSince: IsoDate;
  /** The running (blocked, not superseded) usage charges, each with its rounded amount. */
  charges: Array<{ id: number; from: IsoDate; to: IsoDate; closeDate: IsoDate; amount: number }>;
}

interface Running {
  id: number | null;
  from: IsoDate;
  to: IsoDate;
  closeDate: IsoDate;
  /** Unrounded: what the rounded amount is taken from, as the ingestion does. */
  exact: number;
  amount: number;
}

/**
 * The average a day of the current period so far: the rated amount over the days from `ratedSince` to yesterday
 * (at least one; today's records arrive tomorrow).
 */
export function usageDailyRate(s: Pick<UsageForecastSubject, 'ratedSoFar' | 'ratedSince'>, today: IsoDate): number {
  return s.ratedSoFar / Math.max(1, daysBetween(s.ratedSince, today));
}

/**
 * The projected usage events of `days` days from `from`, in date order: on each day first the run closes the
 * charges whose close date has come, then the day's projected use grows the charge of the period it falls in
 * (created when the period has none yet: its id is null, like every charge the forecast expects).
 */
export function forecastUsage(subjects: readonly UsageForecastSubject[], from: IsoDate, days: number): ChargeForecastEvent[] {
  const events: ChargeForecastEvent[] = [];
  for (const s of subjects) {
    const rate = usageDailyRate(s, from);
    const running: Running[] = s.charges.map((c) => ({ ...c, exact: c.amount }));
    for (let i = 0; i < days; i++) {
      const date = addDays(from, i);
      for (const c of running.filter((c) => compareDates(c.closeDate, date) <= 0)) {
        events.push(usageEvent(s, date, 'closed', c, -c.amount, 'its period has passed'));
        running.splice(running.indexOf(c), 1);
      }
      if (!s.using || rate <= 0) continue;
      const period = usagePeriodOf(date, s.financialDay);
      let charge = running.find((c) => c.closeDate === period.closeDate);
      if (!charge) {
        charge = { id: null, from: date, to: period.to, closeDate: period.closeDate, exact: 0, amount: 0 };
        running.push(charge);
      }
      charge.exact += rate;
      const grown = Math.round(charge.exact) - charge.amount;
      charge.amount += grown;
      if (grown !== 0) events.push(usageEvent(s, date, 'grown', charge, grown, `usage projected at ${Math.round(rate)} a day, the average of the period so far`));
    }
  }
  return events.sort((a, b) => compareDates(a.date, b.date));
}

/** `held`: how the charge's blocked amount changed (growth +, closing −); the money moves like a blocked charge's. */
function usageEvent(s: UsageForecastSubject, date: IsoDate, action: 'grown' | 'closed', c: Running, held: number, cause: string): ChargeForecastEvent {
  const prepay = s.paymentModel === 'prepay';
  return {
    date,
    subscriptionId: s.subscriptionId,
    action,
    chargeId: c.id,
    kind: 'usage',
    from: c.from,
    to: c.to,
    amount: c.amount,
    status: action === 'closed' ? 'closed' : 'blocked',
    // Growth blocks money (prepaid) or adds debt (postpay); closing a blocked charge debits what it held, so the
    // available balance does not move then.
    available: prepay && action === 'grown' ? -held : 0,
    blocked: prepay ? held : 0,
    debt: prepay ? 0 : held,
    cause,
  };
}
