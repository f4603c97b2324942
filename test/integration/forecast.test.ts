import { beforeAll, describe, expect, it } from 'vitest';
import { billingTypesPlatform } from '../support/billing-types-platform';
import { runBillingDay, type TestPlatform } from '../support/platform';

// Issue 19 point 5: the subscription forecast lists the charges each billing type will create, block, close or
// split; the client's balance forecast sums them. Seed-like figures (financial day 1, 30.00 a month), checked
// against what the billing run of the forecast day then does.

let today = '2026-09-01';
const env = billingTypesPlatform('forecast', () => today);
let p: TestPlatform;
let api: TestPlatform['api'];
beforeAll(() => {
  ({ p, api } = env);
});

const buy = async (clientId: number, billingType: string, periods: unknown[]) => (await env.buy(clientId, billingType, periods)).subscriptionId;

const sum = (events: any[], field: 'available' | 'blocked') => events.reduce((s, e) => s + e[field], 0);
const lines = (events: any[]) => events.map((e) => `${e.date} ${e.action} ${e.from}..${e.to} ${e.status} ${e.amount} ${e.available}/${e.blocked}`);

describe('subscription and balance forecasts follow the billing types (issue 19 point 5)', () => {
  it('a pre-order closes its months without moving money, a monthly flexible subscription takes each month; the client forecast sums them and the run agrees', async () => {
    today = '2026-09-01';
    const client = { id: await env.clientWithMoney('Forecast client') };
    const preorder = await buy(client.id, 'prepaid_term', [{ duration: 3, unit: 'month', setupFee: 0, recurringFee: 3000 }]);
    const flexible = await buy(client.id, 'monthly_flexible', [{ duration: 1, unit: 'year', setupFee: 0, recurringFee: 3000 }]);
    const funds = (await api('GET', `/api/v1/clients/${client.id}/funds`)).body;
    expect(funds).toMatchObject({ available: 100_000 - 9000 - 3000, blocked: 12_000 });

    today = '2026-09-15';
    const pre = (await api('GET', `/api/v1/subscriptions/${preorder}/forecast?days=60`)).body;
    expect(lines(pre.charges)).toEqual(['2026-10-01 closed 2026-09-01..2026-09-30 closed 3000 0/-3000', '2026-11-01 closed 2026-10-01..2026-10-31 closed 3000 0/-3000']);
    expect(pre).toMatchObject({ from: '2026-09-15', days: 60, availableChange: 0, blockedChange: -6000 });

    const flex = (await api('GET', `/api/v1/subscriptions/${flexible}/forecast?days=60`)).body;
    const taken = flex.charges.filter((e: any) => e.available < 0);
    expect(taken.map((e: any) => `${e.from}..${e.to} ${e.available}`)).toEqual(['2026-10-01..2026-10-31 -3000', '2026-11-01..2026-11-30 -3000']);
    expect(flex.charges.filter((e: any) => e.action === 'closed').map((e: any) => `${e.date} ${e.from}`)).toEqual(['2026-10-01 2026-09-01', '2026-11-01 2026-10-01']);
    expect(flex.charges.filter((e: any) => e.action === 'created').every((e: any) => e.chargeId === null)).toBe(true);
    expect(flex.availableChange).toBe(-6000);

    const balance = (await api('GET', `/api/v1/clients/${client.id}/forecast?days=60`)).body;
    expect(balance.funds).toEqual({ available: 88_000, blocked: 12_000 });
    expect(balance.forecast).toHaveLength(60);
    expect(sum(balance.charges, 'available')).toBe(pre.availableChange + flex.availableChange);
    expect(balance.forecast.at(-1)).toMatchObject({ available: 88_000 - 6000, blocked: 12_000 - 6000 - 6000 + 6000 });
    // 1 Oct: October is taken (−30.00) and blocked, both Septembers close: blocked 120.00 + 30.00 − 60.00.
    expect(balance.forecast.filter((d: any) => d.availableChange || d.blockedChange)).toEqual([
      { date: '2026-10-01', availableChange: -3000, blockedChange: -3000, available: 85_000, blocked: 9000 },
      { date: '2026-11-01', availableChange: -3000, blockedChange: -3000, available: 82_000, blocked: 6000 },
    ]);
    expect(balance.subscriptions.map((s: any) => `${s.billingType} ${s.availableChange}`).sort()).toEqual(['monthly_flexible -6000', 'prepaid_term 0']);

    // Bounded input: 1-366 days.
    for (const days of [0, 367, 'x']) {
      expect((await api('GET', `/api/v1/clients/${client.id}/forecast?days=${days}`)).status, String(days)).toBe(400);
      expect((await api('GET', `/api/v1/subscriptions/${flexible}/forecast?days=${days}`)).status, String(days)).toBe(400);
    }
    expect((await api('GET', '/api/v1/clients/999999/forecast')).status).toBe(404);

    // The run of 1 Oct does what the forecast said.
    today = '2026-10-01';
    await runBillingDay(p, '2026-10-01');
    expect((await api('GET', `/api/v1/clients/${client.id}/funds`)).body).toMatchObject({ available: 85_000, blocked: 9000 });
    const after = (await api('GET', `/api/v1/clients/${client.id}/forecast?days=32`)).body;
    expect(after.forecast.filter((d: any) => d.availableChange || d.blockedChange)).toEqual([{ date: '2026-11-01', availableChange: -3000, blockedChange: -3000, available: 82_000, blocked: 6000 }]);
  });
});
