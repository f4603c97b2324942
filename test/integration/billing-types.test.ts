import { beforeAll, describe, expect, it } from 'vitest';
import { createBillingRunActivities } from '../../activities/billing-runs';
import { checkLedger } from '../../operations/ledger/ledger-check';
import { createDefaultPluginRegistry } from '../../operations/plugins/registry';
import { publicEgressOnly } from '../../infra/egress';
import { billingTypesPlatform, month } from '../support/billing-types-platform';
import { eventually, runBillingDay, waitForOrderStatus, type TestPlatform } from '../support/platform';

// Issue 19: the billing types of spec 02 §4.10 through the real API, Temporal scenarios and the fake vendor, on a
// business date the test moves (financial day 1; 30.00 a month). The seed's figures: a month of 30 days at 3000
// minor units is 100 a day.

let today = '2026-09-01';
const env = billingTypesPlatform('billing-types', () => today);
let p: TestPlatform;
let api: TestPlatform['api'];
beforeAll(() => {
  ({ p, api } = env);
});

const plan = (billingType: string, periods: unknown[] = [month], provisioningRuleId?: number) => env.plan(billingType, periods, provisioningRuleId);

/** A client with 1000.00 on its balance and an active subscription of a new plan of the type, bought today. */
async function subscribed(billingType: string, periods: unknown[] = [month]) {
  const clientId = await env.clientWithMoney(`${billingType} client`);
  return { clientId, ...(await env.buy(clientId, billingType, periods)) };
}

const charges = async (subscriptionId: number) =>
  ((await api('GET', `/api/v1/charges?subscriptionId=${subscriptionId}&limit=100`)).body.items as any[])
    .filter((c) => !c.superseded && c.status !== 'deleted')
    .map((c) => `${c.periodFrom}..${c.periodTo} ${c.status} ${c.amount}`)
    .sort();
const funds = async (clientId: number) => (await api('GET', `/api/v1/clients/${clientId}/funds`)).body as { available: number; blocked: number };
const subscription = async (id: number) => (await api('GET', `/api/v1/subscriptions/${id}`)).body;
const waitFor = (id: number, status: string) => eventually(async () => ((await subscription(id)).status === status ? true : null), { what: `subscription ${id} ${status}` });

async function operate(subscriptionId: number, operation: 'stop' | 'activate' | 'delete', status: string) {
  const answer = await api('POST', `/api/v1/subscriptions/${subscriptionId}/${operation}`, { reason: 'test' });
  expect(answer.status, JSON.stringify(answer.body)).toBe(202);
  await waitFor(subscriptionId, status);
}

describe('plans of each billing type', () => {
  it('every sellable type can be put on a plan whose periods fit it; terms that do not fit are refused with plan_billing_type', async () => {
    const fits: Record<string, unknown[]> = {
      prepaid_term: [month],
      monthly_flexible: [month],
      no_refund: [{ duration: 1, unit: 'year', recurringFee: 3000 }],
      peak_monthly: [month],
      csp_monthly: [month],
      csp_annual: [{ duration: 1, unit: 'year', recurringFee: 3000 }],
      eset_monthly: [month],
      non_recurring: [{ duration: 1, unit: 'month', unlimited: true, setupFee: 15_000, recurringFee: 0 }],
    };
    for (const [type, periods] of Object.entries(fits)) expect((await plan(type, periods)).status, type).toBe(201);
    const refused = [
      await plan('csp_monthly', [{ ...month, setupFee: 500 }]),
      await plan('no_refund', [month]),
      await plan('non_recurring', [month]),
      await plan('usage_internal', [month]),
    ];
    expect(refused.map((r) => r.body.code)).toEqual(['plan_billing_type', 'plan_billing_type', 'plan_billing_type', 'plan_billing_type']);
    const rule = (await api('POST', '/api/v1/provisioning-rules', { key: 'fd2', name: 'Financial day 2', financialDay: 2 })).body;
    expect((await plan('peak_monthly', [month], rule.id)).body.code).toBe('plan_billing_type');
  });
});

describe('stop, activation and deletion split charges through the ledger', () => {
  it('monthly flexible (spec 02 §4.9 standard stop): stop on 21 Sep closes 21.00 and gives 9.00 back; activation on 25 Sep blocks 6.00', async () => {
    today = '2026-09-01';
    const { clientId, subscriptionId } = await subscribed('monthly_flexible');
    expect(await charges(subscriptionId)).toEqual(['2026-09-01..2026-09-30 blocked 3000']);
    expect(await funds(clientId)).toMatchObject({ available: 97_000, blocked: 3000 });
    today = '2026-09-21';
    await operate(subscriptionId, 'stop', 'stopped');
    expect(await charges(subscriptionId)).toEqual(['2026-09-01..2026-09-21 closed 2100', '2026-09-22..2026-09-30 open 900']);
    expect(await funds(clientId)).toMatchObject({ available: 97_900, blocked: 0 });
    today = '2026-09-25';
    await operate(subscriptionId, 'activate', 'active');
    expect(await charges(subscriptionId)).toEqual(['2026-09-01..2026-09-21 closed 2100', '2026-09-25..2026-09-30 blocked 600']);
    expect(await funds(clientId)).toMatchObject({ available: 97_300, blocked: 600 });
    const ledger = (await api('GET', `/api/v1/clients/${clientId}/transactions?limit=50`)).body.items ?? [];
    expect(ledger.filter((t: any) => t.kind === 'charge_split').map((t: any) => t.amount).sort()).toEqual([-600, 900].sort());
  });

  it('monthly flexible: the day after a stop the billing run leaves the open remainder alone (it blocks only postpay charges)', async () => {
    today = '2026-09-01';
    const { clientId, subscriptionId } = await subscribed('monthly_flexible');
    today = '2026-09-21';
    await operate(subscriptionId, 'stop', 'stopped');
    today = '2026-09-22';
    await runBillingDay(p, '2026-09-22');
    expect(await charges(subscriptionId)).toEqual(['2026-09-01..2026-09-21 closed 2100', '2026-09-22..2026-09-30 open 900']);
    expect(await funds(clientId)).toMatchObject({ available: 97_900, blocked: 0 });
    expect((await checkLedger(p.sql, { clientId })).discrepancies).toEqual([]);
    today = '2026-10-01';
    await runBillingDay(p, '2026-10-01');
    expect(await charges(subscriptionId)).toEqual(['2026-09-01..2026-09-21 closed 2100']);
    expect(await funds(clientId)).toMatchObject({ available: 97_900, blocked: 0 });
  });

  it('CSP monthly (seed 8.3.4.1.8): a stop gives nothing back; the next financial day deletes the stopped remainder and gives it back', async () => {
    today = '2026-09-01';
    const { clientId, subscriptionId } = await subscribed('csp_monthly');
    today = '2026-09-21';
    await operate(subscriptionId, 'stop', 'stopped');
    expect(await charges(subscriptionId)).toEqual(['2026-09-01..2026-09-21 closed 2100', '2026-09-22..2026-09-30 blocked 900']);
    expect(await funds(clientId)).toMatchObject({ available: 97_000, blocked: 900 });
    today = '2026-10-01';
    await runBillingDay(p, '2026-10-01');
    expect(await charges(subscriptionId)).toEqual(['2026-09-01..2026-09-21 closed 2100']);
    expect(await funds(clientId)).toMatchObject({ available: 97_900, blocked: 0 });
  });

  it('ESET (seed 8.3.4.3.9): deletion on 10 Sep closes 1-10 Sep (10.00) and gives 20.00 back', async () => {
    today = '2026-09-01';
    const { clientId, subscriptionId } = await subscribed('eset_monthly');
    today = '2026-09-10';
    await operate(subscriptionId, 'delete', 'deleted');
    expect(await charges(subscriptionId)).toEqual(['2026-09-01..2026-09-10 closed 1000']);
    expect(await funds(clientId)).toMatchObject({ available: 99_000, blocked: 0 });
  });

  it('pre-order: a stop changes no charge (the term is paid); deletion closes the used part and gives the rest back', async () => {
    today = '2026-09-01';
    const { clientId, subscriptionId } = await subscribed('prepaid_term');
    today = '2026-09-11';
    await operate(subscriptionId, 'stop', 'stopped');
    expect(await charges(subscriptionId)).toEqual(['2026-09-01..2026-09-30 blocked 3000']);
    await operate(subscriptionId, 'delete', 'deleted');
    expect(await charges(subscriptionId)).toEqual(['2026-09-01..2026-09-11 closed 1100']);
    expect(await funds(clientId)).toMatchObject({ available: 98_900, blocked: 0 });
  });
});

describe('resource decrease (spec 02 §4.9, seed 8.3.3.4.4)', () => {
  it('G Suite: 3 extra GB bought on 1 Sep (9.00), 2 given up on 11 Sep: 1-11 Sep closed (3.30), 1 GB kept (1.90), 3.80 refunded through the ledger; October prolongs the kept GB in its own charge', async () => {
    today = '2026-09-01';
    const storage = { key: 'storage', name: 'Storage, GB', included: 10, minimum: 5, maximum: 100, recurringPrice: 300 };
    const created = await api('POST', '/api/v1/plans', { productId: env.catalog.productId, serviceTemplateId: env.catalog.serviceTemplateId, provisioningRuleId: env.catalog.provisioningRuleId, name: 'flexible with storage', billingType: 'monthly_flexible', periods: [{ duration: 1, unit: 'year', recurringFee: 3000 }], resources: [storage] });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const client = (await api('POST', '/api/v1/clients', { name: 'storage client', serviceRuleId: env.catalog.serviceRuleId })).body;
    await api('POST', `/api/v1/clients/${client.id}/top-ups`, { amount: 100_000 });
    const order = await api('POST', '/api/v1/orders', { clientId: client.id, planPeriodId: created.body.periods[0].id });
    const { subscriptionId } = await waitForOrderStatus(p, order.body.id, 'completed');

    const increase = await api('POST', `/api/v1/subscriptions/${subscriptionId}/change-resources`, { resources: { storage: 13 } });
    expect(increase.body, JSON.stringify(increase.body)).toMatchObject({ amount: 900 });
    await waitForOrderStatus(p, increase.body.id, 'completed');
    const resourceCharges = async () =>
      ((await api('GET', `/api/v1/charges?subscriptionId=${subscriptionId}&limit=100`)).body.items as any[])
        .filter((c) => c.resourceKey === 'storage' && !c.superseded)
        .map((c) => `${c.periodFrom}..${c.periodTo} ${c.status} ${c.amount} ×${c.quantity}${c.refund ? ' refund' : ''}`)
        .sort();
    expect(await resourceCharges()).toEqual(['2026-09-01..2026-09-30 blocked 900 ×3']);
    expect(await funds(client.id)).toMatchObject({ available: 96_100, blocked: 3900 });

    today = '2026-09-11';
    const decrease = await api('POST', `/api/v1/subscriptions/${subscriptionId}/change-resources`, { resources: { storage: 11 } });
    expect(decrease.status, JSON.stringify(decrease.body)).toBe(201);
    await waitForOrderStatus(p, decrease.body.id, 'completed');
    expect(await resourceCharges()).toEqual([
      '2026-09-01..2026-09-11 closed 330 ×3',
      '2026-09-12..2026-09-30 blocked 190 ×1',
      '2026-09-12..2026-09-30 deleted 380 ×2',
      '2026-09-12..2026-09-30 refunded 380 ×2 refund',
    ]);
    expect(await funds(client.id)).toMatchObject({ available: 96_480, blocked: 3190 });
    const ledger = (await api('GET', `/api/v1/clients/${client.id}/transactions?limit=50`)).body.items ?? [];
    expect(ledger.filter((t: any) => t.kind === 'charge_split').map((t: any) => t.amount)).toEqual([380]);

    // The service's charge was never touched, and the prolongation charges the kept GB apart from the service.
    today = '2026-10-01';
    await runBillingDay(p, '2026-10-01');
    expect((await charges(subscriptionId)).filter((c) => c.startsWith('2026-10'))).toEqual(['2026-10-01..2026-10-31 blocked 300', '2026-10-01..2026-10-31 blocked 3000']);
    expect((await resourceCharges()).filter((c) => c.startsWith('2026-10'))).toEqual(['2026-10-01..2026-10-31 blocked 300 ×1']);
    expect((await checkLedger(p.sql, { clientId: client.id })).discrepancies).toEqual([]);
  });
});

describe('postpay splits (spec 02 §4.11)', () => {
  it('monthly flexible postpay: a stop on 21 Sep keeps 1-21 Sep as debt (blocked until 1 Oct) and the rest open; the run neither owes nor bills the stopped days', async () => {
    today = '2026-09-01';
    expect((await api('POST', '/api/v1/settings/postpay-mode', { mode: 'automatic' })).status).toBe(200);
    const rule = (await api('POST', '/api/v1/service-rules', { key: 'postpay_types', name: 'Postpay', defaultPaymentModel: 'postpay', subscriptionCreditLimit: 100_000 })).body;
    const created = (await plan('monthly_flexible')).body;
    const client = (await api('POST', '/api/v1/clients', { name: 'postpay types client', serviceRuleId: rule.id })).body;
    const order = await api('POST', '/api/v1/orders', { clientId: client.id, planPeriodId: created.periods[0].id });
    expect(order.body.paymentModel, JSON.stringify(order.body)).toBe('postpay');
    const { subscriptionId } = await waitForOrderStatus(p, order.body.id, 'completed');
    expect(await charges(subscriptionId)).toEqual(['2026-09-01..2026-09-30 blocked 3000']);
    today = '2026-09-21';
    await operate(subscriptionId, 'stop', 'stopped');
    expect(await charges(subscriptionId)).toEqual(['2026-09-01..2026-09-21 blocked 2100', '2026-09-22..2026-09-30 open 900']);
    // Debt is not money taken: the balance never moves, and no ledger entry is written for the split.
    expect(await funds(client.id)).toMatchObject({ available: 0, blocked: 0 });
    today = '2026-09-22';
    await runBillingDay(p, '2026-09-22');
    expect(await charges(subscriptionId)).toEqual(['2026-09-01..2026-09-21 blocked 2100', '2026-09-22..2026-09-30 open 900']);
    today = '2026-10-01';
    await runBillingDay(p, '2026-10-01');
    expect(await charges(subscriptionId)).toEqual(['2026-09-01..2026-09-21 closed 2100']);
    const ledger = (await api('GET', `/api/v1/clients/${client.id}/transactions?limit=50`)).body.items ?? [];
    expect(ledger.filter((t: any) => t.kind === 'charge_split')).toEqual([]);
  });
});

describe('every event moves its own money', () => {
  it('payment in full: a stop, an activation and a second stop on the first day of the month each move the month (the second stop gives it back again)', async () => {
    today = '2026-09-10';
    const { clientId, subscriptionId } = await subscribed('peak_monthly');
    today = '2026-10-01';
    await runBillingDay(p, '2026-10-01');
    await eventually(async () => ((await charges(subscriptionId)).length > 0 ? true : null), { what: 'the renewal charge' });
    expect(await funds(clientId)).toMatchObject({ available: 97_000, blocked: 3000 });
    await operate(subscriptionId, 'stop', 'stopped');
    expect(await funds(clientId)).toMatchObject({ available: 100_000, blocked: 0 });
    await operate(subscriptionId, 'activate', 'active');
    expect(await funds(clientId)).toMatchObject({ available: 97_000, blocked: 3000 });
    await operate(subscriptionId, 'stop', 'stopped');
    expect(await charges(subscriptionId)).toEqual(['2026-10-01..2026-10-31 open 3000']);
    expect(await funds(clientId)).toMatchObject({ available: 100_000, blocked: 0 });
    expect((await checkLedger(p.sql, { clientId })).discrepancies).toEqual([]);
  });
});

describe('what a billing type forbids is refused before anything starts', () => {
  it('no refund: the first month is debited at once, the other months of the year open (seed 8.3.4.6.4) until their prolongation bills them; stop, deletion and renewal are refused with billing_type_forbids and start nothing', async () => {
    today = '2026-09-01';
    const { clientId, subscriptionId } = await subscribed('no_refund', [{ duration: 1, unit: 'year', recurringFee: 3000 }]);
    // Seed 8.3.4.6.4: bought on the financial day, 12 monthly charges: the first closed, the other 11 open
    // commitment months that hold nothing.
    const bought = await charges(subscriptionId);
    expect(bought).toHaveLength(12);
    expect(bought.slice(0, 2)).toEqual(['2026-09-01..2026-09-30 closed 3000', '2026-10-01..2026-10-31 open 3000']);
    expect(bought.at(-1)).toBe('2027-08-01..2027-08-31 open 3000');
    expect(await funds(clientId)).toMatchObject({ available: 97_000, blocked: 0 });
    const before = (await p.sql<Array<{ n: number }>>`select count(*)::int as n from scenarios`)[0]!.n;
    for (const operation of ['stop', 'delete'] as const) {
      const answer = await api('POST', `/api/v1/subscriptions/${subscriptionId}/${operation}`, { reason: 'test' });
      expect(answer.status).toBe(409);
      expect(answer.body).toMatchObject({ code: 'billing_type_forbids' });
    }
    const renewal = await api('POST', `/api/v1/subscriptions/${subscriptionId}/renew`, {});
    expect(renewal.body.code, JSON.stringify(renewal.body)).toBe('billing_type_forbids');
    const after = (await p.sql<Array<{ n: number }>>`select count(*)::int as n from scenarios`)[0]!.n;
    expect(after).toBe(before);
    expect((await subscription(subscriptionId)).status).toBe('active');
    // The financial day's prolongation bills October: its charge replaces the open commitment month, still 12 in all.
    today = '2026-10-01';
    await runBillingDay(p, '2026-10-01');
    const october = await eventually(async () => ((await charges(subscriptionId)).includes('2026-10-01..2026-10-31 closed 3000') ? charges(subscriptionId) : null), { what: 'October debited' });
    expect(october).toHaveLength(12);
    expect(october.filter((c) => c.startsWith('2026-10'))).toEqual(['2026-10-01..2026-10-31 closed 3000']);
    expect(await funds(clientId)).toMatchObject({ available: 94_000, blocked: 0 });
    expect((await checkLedger(p.sql, { clientId })).discrepancies).toEqual([]);
  });

  it('non-recurring (seed 8.3.4.5): one setup charge closed at payment, the subscription is delivered, renewal is refused', async () => {
    today = '2026-09-01';
    const { subscriptionId } = await subscribed('non_recurring', [{ duration: 1, unit: 'month', unlimited: true, setupFee: 15_000, recurringFee: 0 }]);
    expect(await charges(subscriptionId)).toEqual(['2026-09-01..2026-09-01 closed 15000']);
    expect((await subscription(subscriptionId)).status).toBe('delivered');
    expect((await api('POST', `/api/v1/subscriptions/${subscriptionId}/renew`, {})).body.code).toBe('billing_type_forbids');
  });

  it('payment in full: free until the first financial day (no payment, no charge); a plan switch in that period is refused', async () => {
    today = '2026-09-10';
    const { clientId, subscriptionId } = await subscribed('peak_monthly');
    expect(await charges(subscriptionId)).toEqual([]);
    expect(await funds(clientId)).toMatchObject({ available: 100_000 });
    expect((await subscription(subscriptionId)).expirationDate).toBe('2026-10-01');
    const target = await plan('peak_monthly');
    const answer = await api('POST', `/api/v1/subscriptions/${subscriptionId}/switch-plan`, { planPeriodId: target.body.periods[0].id });
    expect(answer.body.code, JSON.stringify(answer.body)).toBe('billing_type_forbids');
    // The renewal on the financial day: one charge for the whole of October at the full price, paid from the balance.
    today = '2026-10-01';
    await runBillingDay(p, '2026-10-01');
    await eventually(async () => ((await charges(subscriptionId)).length > 0 ? true : null), { what: 'the renewal charge' });
    expect(await charges(subscriptionId)).toEqual(['2026-10-01..2026-10-31 blocked 3000']);
    expect(await funds(clientId)).toMatchObject({ available: 97_000, blocked: 3000 });
  });
});

describe('CSP annual and manual close-all (seed 8.3.4.2.3, spec 02 §4.9)', () => {
  const year = [{ duration: 1, unit: 'year', recurringFee: 3000 }];

  it('13 monthly charges when bought between financial days, 12 when bought on one, all blocked at payment', async () => {
    today = '2026-09-10';
    const between = await subscribed('csp_annual', year);
    const thirteen = await charges(between.subscriptionId);
    expect(thirteen).toHaveLength(13);
    expect(thirteen.every((c) => c.includes(' blocked '))).toBe(true);
    today = '2026-09-01';
    const onDay = await subscribed('csp_annual', year);
    expect(await charges(onDay.subscriptionId)).toHaveLength(12);
    expect(await funds(onDay.clientId)).toMatchObject({ available: 100_000 - 36_000, blocked: 36_000 });
  });

  it('close-all: the dry run tells and writes nothing; the close replaces the blocked charges by one closed charge for the term', async () => {
    today = '2026-09-01';
    const { clientId, subscriptionId } = await subscribed('csp_annual', year);
    today = '2026-09-15';
    const before = await charges(subscriptionId);
    const dry = await api('POST', `/api/v1/subscriptions/${subscriptionId}/close-charges`, { comment: 'closed at Microsoft', dryRun: true });
    expect(dry.status, JSON.stringify(dry.body)).toBe(200);
    expect(dry.body).toMatchObject({ dryRun: true, replaced: 12, closedAmount: 36_000, debited: 0 });
    expect(dry.body.warnings.length).toBeGreaterThan(0);
    expect(await charges(subscriptionId)).toEqual(before);
    const done = await api('POST', `/api/v1/subscriptions/${subscriptionId}/close-charges`, { comment: 'closed at Microsoft' });
    expect(done.body).toMatchObject({ dryRun: false, replaced: 12, closedAmount: 36_000 });
    expect(await charges(subscriptionId)).toEqual(['2026-09-01..2027-08-31 closed 36000']);
    expect(await funds(clientId)).toMatchObject({ available: 100_000 - 36_000, blocked: 0 });
  });

  it('close-all is refused for no refund (its type) and for an unknown subscription', async () => {
    today = '2026-09-01';
    const { subscriptionId } = await subscribed('no_refund', year);
    expect((await api('POST', `/api/v1/subscriptions/${subscriptionId}/close-charges`, { comment: 'x' })).body.code).toBe('billing_type_forbids');
    expect((await api('POST', '/api/v1/subscriptions/999999999/close-charges', { comment: 'x' })).status).toBe(404);
  });
});

describe('the billing run on a large day', () => {
  it('a retry of the auto-payment duty (after its timeout) still answers the orders its first attempt paid, so their scenarios are told', async () => {
    today = '2026-09-01';
    const { subscriptionId } = await subscribed('monthly_flexible', [{ duration: 1, unit: 'year', recurringFee: 3000 }]);
    today = '2026-10-01';
    await runBillingDay(p, '2026-10-01');
    const [paid] = (await api('GET', `/api/v1/orders?subscriptionId=${subscriptionId}&type=prolongation`)).body.items;
    expect(paid).toMatchObject({ status: 'completed' });
    // The same activity again, as Temporal retries it when the first attempt ran past its timeout.
    const billing = createBillingRunActivities({ sql: p.sql, today: () => today, plugins: createDefaultPluginRegistry({ sql: p.sql, egress: publicEgressOnly }) });
    const again = await billing.autoPayOrders({ businessDate: '2026-10-01', items: [{ subscriptionId, action: { kind: 'auto_payment', orderId: paid.id } as never }] });
    expect(again.paid).toEqual([`order-${paid.id}`]);
  });
});

