import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, platformWithCatalog, waitForOrderStatus, waitForScenarioStatus, type Catalog, type TestPlatform } from '../support/platform';

let p: TestPlatform;
let catalog: Catalog;
let postpayRuleId: number;
let trialPeriodId: number;

beforeAll(async () => {
  ({ p, catalog } = await platformWithCatalog('postpay'));
  const rule = await p.api('POST', '/api/v1/service-rules', {
    key: 'postpay_clients',
    name: 'Postpay clients',
    defaultPaymentModel: 'postpay',
    subscriptionCreditLimit: 100_000,
  });
  expect(rule.status).toBe(201);
  postpayRuleId = rule.body.id;
  const period = await p.api('POST', `/api/v1/plans/${catalog.planId}/periods`, { duration: 14, unit: 'day', trial: true, recurringFee: 300 });
  trialPeriodId = period.body.id;
});
afterAll(async () => p?.close());

async function postpayClient(name: string): Promise<number> {
  const answer = await p.api('POST', '/api/v1/clients', { name, serviceRuleId: postpayRuleId });
  expect(answer.status).toBe(201);
  return answer.body.id;
}
const permissionOf = async (clientId: number) => (await p.api('GET', `/api/v1/clients/${clientId}`)).body.postpayPermission;
const order = (clientId: number, planPeriodId = catalog.monthlyPeriodId) => p.api('POST', '/api/v1/orders', { clientId, planPeriodId });
const pendingOperation = (clientId: number) =>
  eventually(async () => (await p.api('GET', `/api/v1/manual-operations?clientId=${clientId}&status=pending&type=allow_postpay`)).body.items[0], {
    what: `an allow-postpay operation for client ${clientId}`,
  });

describe('postpay permission (spec 01 §5)', () => {
  it('automatic mode: a postpay order is provisioned at once, without a payment or an operation', async () => {
    await p.api('POST', '/api/v1/settings/postpay-mode', { mode: 'automatic' });
    const clientId = await postpayClient('Auto Postpay Co');
    const created = await order(clientId);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ paymentModel: 'postpay', status: 'provisioning', payments: [] });
    const done = await waitForOrderStatus(p, created.body.id, 'completed');
    expect((await p.api('GET', `/api/v1/subscriptions/${done.subscriptionId}`)).body).toMatchObject({ status: 'active', paymentModel: 'postpay' });
    expect(await permissionOf(clientId)).toBe('not_checked');
  });

  describe('manual mode', () => {
    beforeAll(async () => {
      expect((await p.api('POST', '/api/v1/settings/postpay-mode', { mode: 'manual' })).body.postpayMode).toBe('manual');
    });

    it('not checked → awaiting approval → approved: the first order waits for the operator, the next goes straight through', async () => {
      const clientId = await postpayClient('Approved Postpay Co');
      expect(await permissionOf(clientId)).toBe('not_checked');
      const first = (await order(clientId)).body;
      const operation = await pendingOperation(clientId);
      expect(operation).toMatchObject({ type: 'allow_postpay', orderId: first.id });
      expect(await permissionOf(clientId)).toBe('awaiting_approval');

      const second = await order(clientId);
      expect(second.status).toBe(422);
      expect(second.body.code).toBe('postpay_permission_pending');

      expect((await p.api('POST', `/api/v1/manual-operations/${operation.id}/approve`, { comment: 'contract signed' })).status).toBe(200);
      await waitForOrderStatus(p, first.id, 'completed');
      expect(await permissionOf(clientId)).toBe('approved');

      const third = (await order(clientId)).body;
      await waitForOrderStatus(p, third.id, 'completed');
      const operations = (await p.api('GET', `/api/v1/manual-operations?clientId=${clientId}`)).body.items;
      expect(operations).toHaveLength(1);
    });

    it('rejected: the held order is not provisioned, and the client can no longer order postpay', async () => {
      const clientId = await postpayClient('Rejected Postpay Co');
      const first = (await order(clientId)).body;
      const operation = await pendingOperation(clientId);
      expect((await p.api('POST', `/api/v1/manual-operations/${operation.id}/reject`, { comment: 'no credit history' })).status).toBe(200);
      const held = await waitForOrderStatus(p, first.id, 'activation_error');
      expect(held.subscriptionId).toBeNull();
      expect(await permissionOf(clientId)).toBe('rejected');
      expect(p.vendor.calls.some((c) => c.idempotencyKey?.startsWith(`order-${first.id}/`))).toBe(false);
      await waitForScenarioStatus(p, `order-${first.id}`, 'waiting');

      const again = await order(clientId);
      expect(again.status).toBe(422);
      expect(again.body.code).toBe('postpay_rejected');
      const prepaid = await p.api('POST', '/api/v1/orders', { clientId, planPeriodId: catalog.monthlyPeriodId, paymentModel: 'prepay' });
      expect(prepaid.status).toBe(201);
    });

    it('trials are never held, whatever the permission', async () => {
      const clientId = await postpayClient('Trial Postpay Co');
      const trial = (await order(clientId, trialPeriodId)).body;
      expect(trial.amount).toBe(0);
      await waitForOrderStatus(p, trial.id, 'completed');
      expect(await permissionOf(clientId)).toBe('not_checked');
    });

    it('only an administrator changes a permission afterwards, with a reason that is recorded', async () => {
      const clientId = await postpayClient('Override Co');
      const changed = await p.api('POST', `/api/v1/clients/${clientId}/postpay-permission`, { permission: 'approved', reason: 'framework contract' });
      expect(changed.status).toBe(200);
      expect(await permissionOf(clientId)).toBe('approved');
      const [event] = await p.sql`select actor_kind, reason, changes from event_log where entity_kind = 'client' and entity_id = ${String(clientId)} and action = 'postpay_permission_changed'`;
      expect(event).toMatchObject({ actor_kind: 'staff', reason: 'framework contract', changes: { postpayPermission: ['not_checked', 'approved'] } });
      expect((await p.api('POST', `/api/v1/clients/${clientId}/postpay-permission`, { permission: 'rejected' })).status).toBe(400);
    });
  });

  it('a postpay purchase needs a credit limit covering the order and one month', async () => {
    const noLimit = await p.api('POST', '/api/v1/clients', { name: 'No Limit Co', serviceRuleId: catalog.serviceRuleId });
    const refused = await p.api('POST', '/api/v1/orders', { clientId: noLimit.body.id, planPeriodId: catalog.monthlyPeriodId, paymentModel: 'postpay' });
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('credit_limit_insufficient');
    const [count] = await p.sql`select count(*)::int as n from orders where client_id = ${noLimit.body.id}`;
    expect(count!.n).toBe(0);
  });
});
