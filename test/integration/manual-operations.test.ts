import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, eventually, flattenTree, platformWithCatalog, waitForOrderStatus, waitForScenarioStatus, type Catalog, type TestPlatform } from '../support/platform';

let p: TestPlatform;
let catalog: Catalog;
let manualPeriodId: number;
let approvalPeriodId: number;


async function planOn(templateBody: Record<string, unknown>, name: string): Promise<number> {
  const template = await p.api('POST', '/api/v1/service-templates', templateBody);
  expect(template.status).toBe(201);
  const plan = await p.api('POST', '/api/v1/plans', {
    productId: catalog.productId,
    serviceTemplateId: template.body.id,
    provisioningRuleId: catalog.provisioningRuleId,
    name,
    periods: [{ duration: 1, unit: 'month', recurringFee: 1000 }],
  });
  expect(plan.status).toBe(201);
  return plan.body.periods[0].id;
}

beforeAll(async () => {
  ({ p, catalog } = await platformWithCatalog('manual_ops'));
  manualPeriodId = await planOn({ name: 'Hand-made hosting', plugin: 'manual' }, 'Managed server');
  approvalPeriodId = await planOn(
    {
      name: 'Backup with approval',
      plugin: 'http-vendor',
      settings: { baseUrl: p.vendor.url, secret: p.vendorSecret },
      capabilities: { approvals: ['install'] },
    },
    'Backup (approved)',
  );
});
afterAll(async () => p?.close());

async function orderFor(periodId: number, clientName: string) {
  const clientId = await createClient(p, catalog, clientName);
  await p.api('POST', `/api/v1/clients/${clientId}/top-ups`, { amount: 1000 });
  const order = (await p.api('POST', '/api/v1/orders', { clientId, planPeriodId: periodId })).body;
  const operation = await eventually(
    async () => (await p.api('GET', `/api/v1/manual-operations?clientId=${clientId}&status=pending`)).body.items[0],
    { what: `a pending manual operation for ${clientName}` },
  );
  return { clientId, order, operation };
}

describe('manual operations', () => {
  it('a plan on the manual plugin creates an install operation; approve completes the order with the reference given', async () => {
    const { order, operation } = await orderFor(manualPeriodId, 'Manual Approve Co');
    expect(operation).toMatchObject({ type: 'install_application', status: 'pending', orderId: order.id });
    expect((await p.api('GET', `/api/v1/orders/${order.id}`)).body.status).toBe('provisioning');
    await waitForScenarioStatus(p, `order-${order.id}`, 'waiting');

    const approved = await p.api('POST', `/api/v1/manual-operations/${operation.id}/approve`, {
      comment: 'server racked',
      output: { vendorReference: 'RACK-7' },
    });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body).toMatchObject({ status: 'approved', comment: 'server racked', decidedBy: expect.any(Number) });
    const done = await waitForOrderStatus(p, order.id, 'completed');
    const sub = (await p.api('GET', `/api/v1/subscriptions/${done.subscriptionId}`)).body;
    expect(sub).toMatchObject({ status: 'active', vendorReference: 'RACK-7' });

    const twice = await p.api('POST', `/api/v1/manual-operations/${operation.id}/approve`, {});
    expect(twice.status).toBe(409);
    expect(twice.body.code).toBe('already_decided');
    const card = (await p.api('GET', `/api/v1/manual-operations/${operation.id}`)).body;
    expect(card.events.map((e: any) => e.action)).toEqual(['created', 'approved']);
    expect(card).toMatchObject({ serviceRuleId: catalog.serviceRuleId, decidedByName: 'Administrator' });
  });

  it('reject leaves the order in activation_error; a retry decision opens a new operation, whose approval completes it', async () => {
    const { order, operation } = await orderFor(manualPeriodId, 'Manual Reject Co');
    const rejected = await p.api('POST', `/api/v1/manual-operations/${operation.id}/reject`, { comment: 'no rack space' });
    expect(rejected.status).toBe(200);
    expect(rejected.body.status).toBe('rejected');
    const errored = await waitForOrderStatus(p, order.id, 'activation_error');
    expect(errored.statusReason).toContain('no rack space');
    expect((await p.api('GET', `/api/v1/subscriptions/${errored.subscriptionId}`)).body.status).toBe('install_error');
    const scenario = await waitForScenarioStatus(p, `order-${order.id}`, 'waiting');
    const step = flattenTree(scenario.tree).find((s) => s.name === 'Install application');
    expect(step).toMatchObject({ status: 'failed', errorClass: 'rejected', kind: 'manual' });

    expect((await p.api('POST', `/api/v1/scenarios/order-${order.id}/decisions`, { step: step.path, decision: 'retry', reason: 'rack freed' })).status).toBe(202);
    const second = await eventually(
      async () => (await p.api('GET', `/api/v1/manual-operations?clientId=${operation.clientId}&status=pending`)).body.items[0],
      { what: 'the second manual operation' },
    );
    expect(second.id).not.toBe(operation.id);
    expect((await p.api('POST', `/api/v1/manual-operations/${second.id}/approve`, {})).status).toBe(200);
    await waitForOrderStatus(p, order.id, 'completed');
  });

  it('approving the instant the operation appears is accepted (the scenario waits before it writes the operation)', async () => {
    for (let i = 0; i < 3; i++) {
      const clientId = await createClient(p, catalog, `Manual Quick Co ${i}`);
      await p.api('POST', `/api/v1/clients/${clientId}/top-ups`, { amount: 1000 });
      const order = (await p.api('POST', '/api/v1/orders', { clientId, planPeriodId: manualPeriodId })).body;
      const operation = await eventually(
        async () => (await p.api('GET', `/api/v1/manual-operations?clientId=${clientId}&status=pending`)).body.items[0],
        { intervalMs: 2, what: 'the operation to appear' },
      );
      const approved = await p.api('POST', `/api/v1/manual-operations/${operation.id}/approve`, {});
      expect(approved.status, JSON.stringify(approved.body)).toBe(200);
      await waitForOrderStatus(p, order.id, 'completed');
    }
  });

  it('approve and reject at the same moment: exactly one wins, the other answers 409', async () => {
    const { order, operation } = await orderFor(manualPeriodId, 'Manual Race Co');
    const answers = await Promise.all([
      p.api('POST', `/api/v1/manual-operations/${operation.id}/approve`, {}),
      p.api('POST', `/api/v1/manual-operations/${operation.id}/reject`, { comment: 'late' }),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    const final = (await p.api('GET', `/api/v1/manual-operations/${operation.id}`)).body;
    const winner = answers.find((a) => a.status === 200)!;
    expect(final.status).toBe(winner.body.status);
    await waitForOrderStatus(p, order.id, final.status === 'approved' ? 'completed' : 'activation_error');
  });

  it('a template asking for install approval calls the vendor only after the approval', async () => {
    const { order, operation } = await orderFor(approvalPeriodId, 'Approval Gate Co');
    expect(operation.description).toMatch(/^Approve: Install Backup \(approved\)/);
    await new Promise((r) => setTimeout(r, 300));
    expect(p.vendor.calls.filter((c) => c.idempotencyKey?.startsWith(`order-${order.id}/`))).toEqual([]);
    expect((await p.api('POST', `/api/v1/manual-operations/${operation.id}/approve`, {})).status).toBe(200);
    await waitForOrderStatus(p, order.id, 'completed');
    expect(p.vendor.calls.filter((c) => c.operation === 'create' && c.idempotencyKey?.startsWith(`order-${order.id}/`))).toHaveLength(1);
  });
});

describe('approvals named by the service template', () => {
  it('with install and update approvals both set, a new subscription creates only the install operation (spec 01 §18 note)', async () => {
    const periodId = await planOn(
      { name: 'Both approvals', plugin: 'http-vendor', settings: { baseUrl: p.vendor.url, secret: p.vendorSecret }, capabilities: { approvals: ['install', 'update'] } },
      'Backup (install+update approvals)',
    );
    const { clientId, order, operation } = await orderFor(periodId, 'Both Approvals Co');
    expect(operation.type).toBe('install_application');
    expect((await p.api('POST', `/api/v1/manual-operations/${operation.id}/approve`, {})).status).toBe(200);
    await waitForOrderStatus(p, order.id, 'completed');
    const all = (await p.api('GET', `/api/v1/manual-operations?clientId=${clientId}`)).body.items;
    expect(all.map((o: any) => o.type)).toEqual(['install_application']);
  });
});

describe('manual operation list over many rows', () => {
  it('filters by status, type, client and service rule, and pages over 1,100 generated operations', async () => {
    const a = await createClient(p, catalog, 'Many Ops A');
    await p.sql`
      insert into manual_operations (type, status, scenario_id, step_path, round, client_id, description, created_at)
      select (array['stop_subscription', 'delete_subscription', 'install_application'])[1 + g % 3],
             (array['pending', 'approved', 'rejected'])[1 + (g / 3) % 3], 'gen-op-' || g, '1', 1, ${a},
             'generated operation ' || g, now() - g * interval '1 minute'
      from generate_series(1, 1100) g`;
    const [expected] = await p.sql`select count(*)::int as n from manual_operations where client_id = ${a} and status = 'pending' and type = 'stop_subscription'`;
    const seen: number[] = [];
    let after: number | null = null;
    do {
      const answer: any = await p.api(
        'GET',
        `/api/v1/manual-operations?clientId=${a}&status=pending&type=stop_subscription&serviceRuleId=${catalog.serviceRuleId}&limit=50${after ? `&after=${after}` : ''}`,
      );
      expect(answer.status).toBe(200);
      for (const op of answer.body.items) {
        expect(op).toMatchObject({ clientId: a, status: 'pending', type: 'stop_subscription', serviceRuleId: catalog.serviceRuleId });
        seen.push(op.id);
      }
      after = answer.body.nextCursor;
    } while (after !== null);
    expect(seen.length).toBe(expected!.n);
    expect(seen.length).toBeGreaterThan(100);
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort((x, y) => y - x)).toEqual(seen);
    const otherRule = await p.api('GET', `/api/v1/manual-operations?clientId=${a}&serviceRuleId=999999`);
    expect(otherRule.body.items).toEqual([]);
  });
});
