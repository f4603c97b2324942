import { describe, expect, it } from 'vitest';
import { forecastUsage, usageDailyRate, type UsageForecastSubject } from './usage-forecast';

// The seed's numbers (8.3.4.7.4, as in test/integration/usage.test.ts): 30.00 a month per unit, 2 units a day, so a
// day of use is rated 200. Financial day 1; on 25 Nov the period 1-30 Nov has rated 21-24 Nov: 800 over the 4 days
// since the subscription started on 21 Nov.
const subject = (over: Partial<UsageForecastSubject> = {}): UsageForecastSubject => ({
  subscriptionId: 7,
  billingType: 'usage_internal',
  paymentModel: 'prepay',
  financialDay: 1,
  using: true,
  ratedSoFar: 800,
  ratedSince: '2026-11-21',
  charges: [{ id: 41, from: '2026-11-21', to: '2026-11-30', closeDate: '2026-12-01', amount: 800 }],
  ...over,
});

describe('the usage forecast (pay-as-you-go in the charge forecast)', () => {
  it('projects the average a day of the period so far', () => {
    expect(usageDailyRate(subject(), '2026-11-25')).toBe(200);
    // Counted from the period's start when the subscription is older than the period.
    expect(usageDailyRate(subject({ ratedSince: '2026-11-01', ratedSoFar: 4800 }), '2026-11-25')).toBe(200);
    // On the first day there is nothing to average yet: one day is the floor.
    expect(usageDailyRate(subject({ ratedSince: '2026-11-25', ratedSoFar: 0 }), '2026-11-25')).toBe(0);
  });

  it('grows the running charge day by day, closes it on the financial day and grows a new one for the next period', () => {
    const events = forecastUsage([subject()], '2026-11-25', 8);
    expect(events.map((e) => `${e.date} ${e.action} ${e.chargeId ?? 'new'} ${e.amount} avail ${e.available} blocked ${e.blocked}`)).toEqual([
      '2026-11-25 grown 41 1000 avail -200 blocked 200',
      '2026-11-26 grown 41 1200 avail -200 blocked 200',
      '2026-11-27 grown 41 1400 avail -200 blocked 200',
      '2026-11-28 grown 41 1600 avail -200 blocked 200',
      '2026-11-29 grown 41 1800 avail -200 blocked 200',
      '2026-11-30 grown 41 2000 avail -200 blocked 200',
      // The run of 1 Dec closes November's charge: what it held is debited, the available balance does not move.
      '2026-12-01 closed 41 2000 avail 0 blocked -2000',
      '2026-12-01 grown new 200 avail -200 blocked 200',
      '2026-12-02 grown new 400 avail -200 blocked 200',
    ]);
  });

  it('postpay usage is debt: it grows and closes without touching the balance', () => {
    // On 30 Nov: 21-29 Nov rated 1800, 200 a day.
    const charges = [{ id: 41, from: '2026-11-21', to: '2026-11-30', closeDate: '2026-12-01', amount: 1800 }];
    const events = forecastUsage([subject({ paymentModel: 'postpay', ratedSoFar: 1800, charges })], '2026-11-30', 2);
    expect(events.map((e) => [e.action, e.available, e.blocked, e.debt])).toEqual([
      ['grown', 0, 0, 200],
      ['closed', 0, 0, -2000],
      ['grown', 0, 0, 200],
    ]);
  });

  it('rounds like the ingestion: fractions accumulate and move the rounded amount only when it changes', () => {
    const third = subject({ ratedSoFar: 1, ratedSince: '2026-11-22', charges: [{ id: 41, from: '2026-11-22', to: '2026-11-30', closeDate: '2026-12-01', amount: 0 }] });
    const grown = forecastUsage([third], '2026-11-25', 5).map((e) => [e.date, e.amount]);
    // A third a day: the rounded amount reaches 1 on the second day, 2 on the fifth.
    expect(grown).toEqual([['2026-11-26', 1], ['2026-11-29', 2]]);
  });

  it('a stopped subscription is projected to use nothing; its running charge still closes', () => {
    const events = forecastUsage([subject({ using: false })], '2026-11-25', 10);
    expect(events.map((e) => `${e.date} ${e.action}`)).toEqual(['2026-12-01 closed']);
  });
});
