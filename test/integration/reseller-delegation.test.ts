import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { billingTypesPlatform } from '../support/billing-types-platform';
import { eventually, runBillingDay, type TestPlatform } from '../support/platform';
import { createReseller, resellerAdminToken, resellerClient } from '../support/reseller-tree';

// Issue 21 points 2-4 (spec 05 §3.3, §4, §5, §9): plans delegated down a three-level tree (operator → R1 → R2 →
// client), prices through each level's markup, and the reseller charges a closed client charge of R2's client
// creates at each level above, through the real API, Temporal billing run and PostgreSQL.

let today = '2026-09-16';
const env = billingTypesPlatform('reseller-delegation', () => today);
let p: TestPlatform;
let api: TestPlatform['api'];
beforeAll(() => {
  ({ p, api } = env);
});

/** An operator plan: one monthly period at `recurringFee`, setup `setupFee`, and a resource. */
async function operatorPlan(name: string, recurringFee: number, setupFee = 0) {
  const created = await api('POST', '/api/v1/plans', {
    productId: env.catalog.productId, serviceTemplateId: env.catalog.serviceTemplateId, provisioningRuleId: env.catalog.provisioningRuleId,
    name, currency: 'EUR', periods: [{ duration: 1, unit: 'month', setupFee, recurringFee }],
    resources: [{ key: 'seats', name: 'Seats', included: 1, minimum: 1, maximum: 50, recurringPrice: 100 }],
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body;
}

const delegate = (planId: number, body: Record<string, unknown>, token?: string) =>
  api('POST', `/api/v1/plans/${planId}/delegations`, body, token === undefined ? {} : { token });

/** RFC 4180 rows (the exports quote fields with commas or quotes). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  for (const line of text.trim().split('\r\n')) {
    const cells: string[] = [];
    const re = /("((?:[^"]|"")*)"|[^,]*)(,|$)/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(line)) !== null) {
      cells.push(m[2] !== undefined ? m[2].replace(/""/g, '"') : m[1]!);
      if (m[3] === '') break;
    }
    rows.push(cells);
  }
  return rows;
}

const prices = (plan: any) => [plan.periods[0].recurringFee, plan.resources[0].recurringPrice];

describe('plan delegation and the price chain (spec 05 §3.3, §4, §13.1)', () => {
  let r1: number;
  let r2: number;
  let r1Token: string;
  let r2Token: string;
  beforeAll(async () => {
    today = '2026-09-16';
    r1 = await createReseller(api, 'R1', 'EUR');
    r2 = await createReseller(api, 'R2', 'EUR', r1);
    r1Token = await resellerAdminToken(api, r1);
    r2Token = await resellerAdminToken(api, r2);
  });

  it('1 → ×2 → ×3 prices 1, 2, 6 at the three levels; markup not set at R1 gives 1, 1, 3', async () => {
    const plan = await operatorPlan('Chain plan', 100);
    const atR1 = await delegate(plan.id, { resellerId: r1, markup: '2' });
    expect(atR1.status, JSON.stringify(atR1.body)).toBe(201);
    expect(atR1.body).toMatchObject({ resellerId: r1, sourcePlanId: plan.id, delegated: true, markup: '2.00', status: 'active' });
    const atR2 = await delegate(atR1.body.id, { resellerId: r2, markup: '3' }, r1Token);
    expect(atR2.status, JSON.stringify(atR2.body)).toBe(201);
    expect([prices(plan), prices(atR1.body), prices(atR2.body)]).toEqual([[100, 100], [200, 200], [600, 600]]);
    expect(atR2.body.periods[0].sourcePeriodId).toBe(atR1.body.periods[0].id);

    const other = await operatorPlan('Unset plan', 100);
    const unset = await delegate(other.id, { resellerId: r1 });
    expect(unset.body.markup).toBeNull();
    const below = await delegate(unset.body.id, { resellerId: r2, markup: '3' }, r1Token);
    expect([prices(unset.body), prices(below.body)]).toEqual([[100, 100], [300, 300]]);
  });

  it('upstream edits reach every level: synced fields unconditionally, prices through markups; a manual price switches markup off', async () => {
    const plan = await operatorPlan('Synced plan', 100);
    const atR1 = (await delegate(plan.id, { resellerId: r1, markup: '2' })).body;
    const atR2 = (await delegate(atR1.id, { resellerId: r2, markup: '3' }, r1Token)).body;
    const edited = await api('PATCH', `/api/v1/plans/${plan.id}`, { name: 'Synced plan v2', sku: 'SYN-2' });
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    const priced = await api('PATCH', `/api/v1/plans/${plan.id}/periods/${plan.periods[0].id}`, { recurringFee: 150 });
    expect(priced.status, JSON.stringify(priced.body)).toBe(200);
    // Each copy is read by its owner's staff (a plan is read by id only by its own reseller).
    let r1Plan = (await api('GET', `/api/v1/plans/${atR1.id}`, undefined, { token: r1Token })).body;
    let r2Plan = (await api('GET', `/api/v1/plans/${atR2.id}`, undefined, { token: r2Token })).body;
    expect([r1Plan.name, r1Plan.sku, r2Plan.name, r2Plan.sku]).toEqual(['Synced plan v2', 'SYN-2', 'Synced plan v2', 'SYN-2']);
    expect([r1Plan.periods[0].recurringFee, r2Plan.periods[0].recurringFee]).toEqual([300, 900]);

    // R1 prices by hand: its markup is off, its price no longer follows the operator's; R2 follows R1's.
    const manual = await api('PATCH', `/api/v1/plans/${atR1.id}/periods/${atR1.periods[0].id}`, { recurringFee: 250 }, { token: r1Token });
    expect(manual.status, JSON.stringify(manual.body)).toBe(200);
    expect(manual.body.markup).toBeNull();
    await api('PATCH', `/api/v1/plans/${plan.id}/periods/${plan.periods[0].id}`, { recurringFee: 1000 });
    r1Plan = (await api('GET', `/api/v1/plans/${atR1.id}`, undefined, { token: r1Token })).body;
    r2Plan = (await api('GET', `/api/v1/plans/${atR2.id}`, undefined, { token: r2Token })).body;
    expect([r1Plan.periods[0].recurringFee, r2Plan.periods[0].recurringFee]).toEqual([250, 750]);

    // A period added upstream reaches every level through the markups (R1's is off: passed through).
    const added = await api('POST', `/api/v1/plans/${plan.id}/periods`, { duration: 1, unit: 'year', recurringFee: 80 });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    r2Plan = (await api('GET', `/api/v1/plans/${atR2.id}`, undefined, { token: r2Token })).body;
    expect(r2Plan.periods.map((x: any) => [x.unit, x.recurringFee])).toEqual([['month', 750], ['year', 240]]);

    // A copy's synced fields and structure are not edited below (its owner's staff asks; to anyone else it is unknown).
    const refused = [
      await api('PATCH', `/api/v1/plans/${atR1.id}`, { name: 'Mine now' }, { token: r1Token }),
      await api('POST', `/api/v1/plans/${atR1.id}/periods`, { duration: 2, unit: 'month', recurringFee: 1 }, { token: r1Token }),
      await api('POST', `/api/v1/plans/${atR1.id}/periods`, { duration: 2, unit: 'month', recurringFee: 1 }),
    ];
    expect(refused.map((r) => [r.status, r.body.code])).toEqual([[409, 'plan_field_synced'], [409, 'plan_field_synced'], [404, 'not_found']]);
  });

  it('bad delegations are refused with a code and write nothing', async () => {
    const plan = await operatorPlan('Refused plan', 100);
    await delegate(plan.id, { resellerId: r1 });
    const inactive = await operatorPlan('Inactive plan', 100);
    await api('PATCH', `/api/v1/plans/${inactive.id}`, { status: 'inactive' });
    const [before] = await p.sql<Array<{ n: number }>>`select count(*)::int as n from plans`;
    const refused = [
      await delegate(plan.id, { resellerId: r2 }), // a grandchild, not a child
      await delegate(plan.id, { resellerId: r1 }), // again
      await delegate(inactive.id, { resellerId: r1 }),
      await delegate(plan.id, { resellerId: 999_999 }),
      await delegate(plan.id, { resellerId: r1, markup: '0' }),
      await delegate(plan.id, { resellerId: r1, markup: '1.234' }),
      await delegate(plan.id, { resellerId: r2 }, r1Token), // not R1's plan
      await delegate(999_999, { resellerId: r1 }),
    ];
    expect(refused.map((r) => [r.status, r.body.code])).toEqual([
      [422, 'delegation_not_to_child'],
      [409, 'plan_already_delegated'],
      [422, 'plan_inactive'],
      [422, 'delegation_not_to_child'],
      [422, 'invalid_markup'],
      [400, 'validation_failed'],
      [404, 'not_found'],
      [404, 'not_found'],
    ]);
    const [after] = await p.sql<Array<{ n: number }>>`select count(*)::int as n from plans`;
    expect(after!.n).toBe(before!.n);
  });
});

describe('reseller charges on the financial day (spec 05 §5, §13.2; decision 37 option A)', () => {
  let r1: number; // EUR, gives R2 50 %
  let r2: number;
  let r1Token: string;
  let r2Token: string;
  let rub1: number; // RUB, with its own rate
  let rub2: number; // RUB, keeps the root's rate
  let rub1Token: string;
  let rub2Token: string;
  const bought: Record<string, { subscriptionId: number; planId: number; periodId: number }> = {};

  /** Operator plan at `price` → R ×m1 → R' ×m2; a client of R' buys it today (R' staff places the order). */
  async function chain(label: string, price: number, top: number, bottom: number, topToken: string, bottomToken: string, m1: string, m2: string) {
    const plan = await operatorPlan(`${label} plan`, price);
    const atTop = (await delegate(plan.id, { resellerId: top, markup: m1 })).body;
    const atBottom = await delegate(atTop.id, { resellerId: bottom, markup: m2 }, topToken);
    expect(atBottom.status, JSON.stringify(atBottom.body)).toBe(201);
    const clientId = await resellerClient(api, bottomToken, `${label} client`, 1_000_000);
    const order = await api('POST', '/api/v1/orders', { clientId, planPeriodId: atBottom.body.periods[0].id }, { token: bottomToken });
    expect(order.status, JSON.stringify(order.body)).toBe(201);
    const done = await eventually(async () => {
      const o = (await api('GET', `/api/v1/orders/${order.body.id}`, undefined, { token: bottomToken })).body;
      return o.status === 'completed' ? o : null;
    }, { what: `${label} order completed` });
    bought[label] = { subscriptionId: done.subscriptionId, planId: atBottom.body.id, periodId: atBottom.body.periods[0].id };
  }

  beforeAll(async () => {
    today = '2026-10-01';
    r1 = await createReseller(api, 'Distributor child R1', 'EUR');
    r2 = await createReseller(api, 'Sub-reseller R2', 'EUR', r1);
    rub1 = await createReseller(api, 'Rouble reseller', 'RUB');
    rub2 = await createReseller(api, 'Rouble sub-reseller', 'RUB', rub1);
    [r1Token, r2Token, rub1Token, rub2Token] = [await resellerAdminToken(api, r1), await resellerAdminToken(api, r2), await resellerAdminToken(api, rub1), await resellerAdminToken(api, rub2)];
    // R1 gives R2 50 % on everything (05 §13.2).
    const discount = await api('POST', '/api/v1/reseller-discounts', { name: 'Top resellers', percent: '50.00', childResellerId: r2 }, { token: r1Token });
    expect(discount.status, JSON.stringify(discount.body)).toBe(201);
    // The root rate RUB per EUR is 100; the rouble reseller sets its own 90 (05 §4.9, §13.10).
    expect((await api('POST', '/api/v1/exchange-rates', { baseCurrency: 'RUB', quotedCurrency: 'EUR', rate: '100', validFrom: '2026-01-01' })).status).toBe(201);
    expect((await api('POST', '/api/v1/exchange-rates/own', { baseCurrency: 'RUB', quotedCurrency: 'EUR', rate: '90', validFrom: '2026-01-01' }, { token: rub1Token })).status).toBe(201);
    // Bought on the financial day: the first charge is the whole of October, 1 month, 1 unit.
    await chain('§13.2', 500, r1, r2, r1Token, r2Token, '10', '4');
    await chain('Rouble', 1000, rub1, rub2, rub1Token, rub2Token, '2', '3');
  });

  it('§13.2 (Q5: prices by 9.3.2): 5 → ×10 = 50 → ×4 = 200; on closing, R2 owes R1 50 × 1 × 1 × 50 % = 25 and R1 owes the operator 5', async () => {
    const plan = (await api('GET', `/api/v1/plans/${bought['§13.2']!.planId}`, undefined, { token: r2Token })).body;
    expect(plan.periods[0].recurringFee).toBe(20000);
    const before = await p.sql`select 1 from reseller_charges where subscription_id = ${bought['§13.2']!.subscriptionId}`;
    expect(before.length).toBe(0);
    today = '2026-11-01';
    await runBillingDay(p, '2026-11-01');
    const rows = await p.sql<Array<Record<string, unknown>>>`
      select rc.level, rc.creditor_reseller_id as creditor, rc.debtor_reseller_id as debtor, rc.unit_price::int as unit, rc.quantity, rc.period_months::text as months,
             rc.discount_bp as bp, rc.discount_amount::int as discount, rc.amount::int as amount, rc.currency, c.amount::int as client_amount, c.status
      from reseller_charges rc join charges c on c.id = rc.client_charge_id where rc.subscription_id = ${bought['§13.2']!.subscriptionId} order by rc.level`;
    expect(rows).toEqual([
      { level: 1, creditor: r1, debtor: r2, unit: 5000, quantity: 1, months: '1.000', bp: 5000, discount: 2500, amount: 2500, currency: 'EUR', client_amount: 20000, status: 'closed' },
      { level: 2, creditor: 1, debtor: r1, unit: 500, quantity: 1, months: '1.000', bp: 0, discount: 0, amount: 500, currency: 'EUR', client_amount: 20000, status: 'closed' },
    ]);
  });

  it("currency: each level converts at its own rate; a reseller's own rate applies to it alone, its descendants keep the root's", async () => {
    const rows = await p.sql<Array<{ level: number; creditor: number; original: number; rate: string; amount: number; currency: string }>>`
      select level, creditor_reseller_id as creditor, original_amount::int as original, exchange_rate::text as rate, amount::int as amount, currency
      from reseller_charges where subscription_id = ${bought.Rouble!.subscriptionId} order by level`;
    // rub2 owes rub1 20.00 EUR at rub1's own 90 = 1800.00 RUB; rub1 owes the operator 10.00 EUR (operator's currency).
    expect(rows).toEqual([
      { level: 1, creditor: rub1, original: 2000, rate: '90.0000', amount: 180000, currency: 'RUB' },
      { level: 2, creditor: 1, original: 1000, rate: '1.0000', amount: 1000, currency: 'EUR' },
    ]);
    const { resellerExchange } = await import('../../operations/exchange-rates/reseller-rate');
    expect((await resellerExchange(p.sql, rub1, 'RUB', 'EUR', '2026-11-01'))?.rate).toBe('90.0000');
    expect((await resellerExchange(p.sql, rub2, 'RUB', 'EUR', '2026-11-01'))?.rate).toBe('100.0000');
  });

  it('a re-run creates nothing twice; the ledger, the lists and the CSV reports read them per level', async () => {
    const { createResellerCharges } = await import('../../operations/reseller-charges/create-reseller-charges');
    expect((await createResellerCharges(p.sql)).created).toBe(0);

    const owedToR1 = await api('GET', `/api/v1/reseller-charges?role=creditor&counterpartyId=${r2}`, undefined, { token: r1Token });
    expect(owedToR1.body.items.map((c: any) => [c.debtorResellerId, c.amount])).toEqual([[r2, 2500]]);
    const r1Owes = await api('GET', '/api/v1/reseller-charges?role=debtor', undefined, { token: r1Token });
    expect(r1Owes.body.items.map((c: any) => [c.creditorResellerId, c.amount])).toEqual([[1, 500]]);
    // R2 sees what it owes R1, never R1's charge to the operator.
    const r2Sees = await api('GET', '/api/v1/reseller-charges', undefined, { token: r2Token });
    expect(r2Sees.body.items.map((c: any) => [c.creditorResellerId, c.debtorResellerId])).toEqual([[r1, r2]]);
    const balances = await api('GET', '/api/v1/reseller-charges/balances', undefined, { token: r1Token });
    expect(balances.body.items).toEqual([
      { creditorResellerId: 1, debtorResellerId: r1, currency: 'EUR', charges: 1, amount: 500 },
      { creditorResellerId: r1, debtorResellerId: r2, currency: 'EUR', charges: 1, amount: 2500 },
    ]);

    const report = await api('GET', '/api/v1/reports/closed-reseller-charges?closedFrom=2026-01-01&closedTo=2099-12-31');
    expect(report.status).toBe(200);
    const lines = parseCsv(report.body as string);
    const header = lines[0]!;
    const row = lines.find((cells) => cells[header.indexOf('Level 1 reseller ID')] === String(r1))!;
    const at = (col: string) => row[header.indexOf(col)];
    expect([at('Amount to operator'), at('Level 1 reseller'), at('Level 1 amount to reseller'), at('Level 1 discount amount'), at('Level 2 reseller ID'), at('Level 2 amount to reseller')])
      .toEqual(['5.00', 'Distributor child R1', '25.00', '25.00', String(r2), '200.00']);
    // The same report as Excel (spec 05 §9.2): the same header and cells.
    const excel = await p.app.request('/api/v1/reports/closed-reseller-charges?closedFrom=2026-01-01&closedTo=2099-12-31&format=xlsx', { headers: { authorization: `Bearer ${p.adminToken}` } }, { incoming: { socket: { remoteAddress: '127.0.0.1' } } });
    expect([excel.status, excel.headers.get('content-type')]).toEqual([200, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet']);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await excel.arrayBuffer());
    const sheet = workbook.worksheets[0]!;
    const cells = (n: number) => (sheet.getRow(n).values as unknown[]).slice(1).map((v) => (v === null || v === undefined ? '' : String(v)));
    expect(cells(1)).toEqual(header);
    const excelRow = Array.from({ length: sheet.rowCount - 1 }, (_, i) => cells(i + 2)).find((r) => r[header.indexOf('Level 1 reseller ID')] === String(r1))!;
    expect(excelRow[header.indexOf('Level 1 amount to reseller')]).toBe('25.00');
    expect(excelRow.length).toBeLessThanOrEqual(row.length);
    const costs = await api('GET', '/api/v1/reports/closed-client-charges?closedFrom=2026-01-01&closedTo=2099-12-31', undefined, { token: r2Token });
    const costLines = parseCsv(costs.body as string);
    const costHeader = costLines[0]!;
    // R2's clients' closed charges with what R2 owes R1 for each: the §13.2 month costs R2 25.00.
    const recurring = costLines.find((r) => r[costHeader.indexOf('Kind')] === 'recurring')!;
    expect([recurring[costHeader.indexOf('Amount')], recurring[costHeader.indexOf('Cost per charge')], recurring[costHeader.indexOf('Cost currency')]]).toEqual(['200.00', '25.00', 'EUR']);
  });

  it('upstream deactivation stops new sales in the whole subtree; activation upstream restores them', async () => {
    // Each level's copy is read by its owner's staff.
    const r2Plan = (await api('GET', `/api/v1/plans/${bought['§13.2']!.planId}`, undefined, { token: r2Token })).body;
    const operatorPlanId = (await api('GET', `/api/v1/plans/${(await api('GET', `/api/v1/plans/${r2Plan.sourcePlanId}`, undefined, { token: r1Token })).body.sourcePlanId}`)).body.id;
    expect((await api('PATCH', `/api/v1/plans/${operatorPlanId}`, { status: 'inactive' })).status).toBe(200);
    expect((await api('GET', `/api/v1/plans/${r2Plan.id}`, undefined, { token: r2Token })).body.status).toBe('deactivated_by_provider');
    const clientId = await resellerClient(api, r2Token, 'Late client', 100_000);
    const [before] = await p.sql<Array<{ n: number }>>`select count(*)::int as n from orders`;
    const refused = await api('POST', '/api/v1/orders', { clientId, planPeriodId: bought['§13.2']!.periodId }, { token: r2Token });
    expect([refused.status, refused.body.code]).toEqual([422, 'plan_deactivated_by_provider']);
    const activateBelow = await api('PATCH', `/api/v1/plans/${r2Plan.id}`, { status: 'active' }, { token: r2Token });
    expect([activateBelow.status, activateBelow.body.code]).toEqual([422, 'plan_deactivated_by_provider']);
    const [after] = await p.sql<Array<{ n: number }>>`select count(*)::int as n from orders`;
    expect(after!.n).toBe(before!.n);
    expect((await api('PATCH', `/api/v1/plans/${operatorPlanId}`, { status: 'active' })).status).toBe(200);
    expect((await api('GET', `/api/v1/plans/${r2Plan.id}`, undefined, { token: r2Token })).body.status).toBe('active');
  });

  it('bad input is refused with a code and writes nothing', async () => {
    const [before] = await p.sql<Array<{ n: number }>>`select (select count(*) from reseller_discounts) + (select count(*) from reseller_exchange_rates) as n`;
    const refused = [
      await api('POST', '/api/v1/reseller-discounts', { name: 'Grandchild', percent: '10', childResellerId: r2 }),
      await api('POST', '/api/v1/reseller-discounts', { name: 'Too much', percent: '100.01', childResellerId: r1 }),
      await api('POST', '/api/v1/reseller-discounts', { name: 'Zero', percent: '0', childResellerId: r1 }),
      await api('POST', '/api/v1/exchange-rates/own', { baseCurrency: 'RUB', quotedCurrency: 'EUR', rate: '90' }),
      await api('POST', '/api/v1/exchange-rates/own', { baseCurrency: 'RUB', quotedCurrency: 'EUR', rate: '-1' }, { token: rub1Token }),
      await api('GET', '/api/v1/reports/closed-reseller-charges?closedFrom=2026-12-01&closedTo=2026-01-01'),
      await api('GET', '/api/v1/reseller-charges?role=owner'),
    ];
    expect(refused.map((r) => [r.status, r.body.code])).toEqual([
      [422, 'invalid_reference'],
      [422, 'invalid_value'],
      [422, 'invalid_value'],
      [422, 'invalid_reference'],
      [422, 'invalid_exchange_rate'],
      [400, 'validation_failed'],
      [400, 'validation_failed'],
    ]);
    const [after] = await p.sql<Array<{ n: number }>>`select (select count(*) from reseller_discounts) + (select count(*) from reseller_exchange_rates) as n`;
    expect(after!.n).toBe(before!.n);
  });
});
