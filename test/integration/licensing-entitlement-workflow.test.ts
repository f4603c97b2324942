import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entitlementLifecycleId, entitlementLifecycleStateQuery, type EntitlementLifecycleState } from '../../contracts/entitlement-lifecycle';
import { addCalendarMonths } from '../../domain/licensing/commercial';
import { autoRenewalKey, handOffAutoRenewal } from '../../operations/licensing/entitlements/hand-off-auto-renewal';
import { createClient, createTestPlatform, eventually, type TestPlatform } from '../support/platform';

/**
 * Issue 22 point 5: one workflow per entitlement (spec 04 §4.1 transitions, §7.3, §7.4). Staff operations on a
 * license run in its workflow `licensing-ent-<id>` one at a time (a second one answers 409 OPERATION_IN_PROGRESS and
 * is not queued); the workflow owns the valid-until timer (`active → expired` on time, `expired → active` on renewal)
 * and the auto-renewal hand-off to billing. Real Temporal, real time: the timers here are seconds long.
 */
let p: TestPlatform;
const prefix = 'WFLO';
const SECOND = 1000;

beforeAll(async () => {
  p = await createTestPlatform('licensing_entitlement_workflow');
  expect((await p.api('POST', '/api/v1/licensing/vendors', { name: 'Workflow Software', prefix })).status).toBe(201);
});
afterAll(async () => p?.close());

let seq = 0;
let address = 0;
const publicApi = (path: string, body: unknown) => {
  address += 1;
  return p.api('POST', `/licensing/v1${path}`, body, { token: null, headers: { 'x-forwarded-for': `198.51.100.${(address % 250) + 1}` } });
};

async function product(settings: Record<string, unknown> = {}) {
  seq += 1;
  const code = `wf-${seq}`;
  const made = await p.api('POST', '/api/v1/licensing/products', { vendorPrefix: prefix, code, name: `Workflow ${seq}`, activationPolicy: 'AcceptAllSingleMachine', maxActivations: 5, ...settings });
  expect(made.status, JSON.stringify(made.body)).toBe(201);
  return code;
}

/** A first-run key with a 30-day license granted by staff; with `balance`, the key belongs to a billing client holding it. */
async function license(options: { balance?: number; settings?: Record<string, unknown> } = {}) {
  const code = await product(options.settings);
  const registered = await publicApi('/keys', { vendorPrefix: prefix, productCode: code, customer: { companyName: `Workflow Customer ${seq}` } });
  expect(registered.status, JSON.stringify(registered.body)).toBe(201);
  const key = registered.body.key as string;
  let clientId: number | null = null;
  if (options.balance !== undefined) {
    const rule = (await p.api('POST', '/api/v1/service-rules', { key: `wf_rule_${seq}`, name: `Workflow ${seq}` })).body;
    clientId = await createClient(p, { serviceRuleId: rule.id } as never, `Workflow Client ${seq}`);
    if (options.balance > 0) expect((await p.api('POST', `/api/v1/clients/${clientId}/top-ups`, { amount: options.balance })).status).toBe(201);
    const repointed = await p.api('POST', `/api/v1/licensing/keys/${key}/client`, { clientId });
    expect(repointed.status, JSON.stringify(repointed.body)).toBe(200);
  }
  const granted = await p.api('POST', `/api/v1/licensing/keys/${key}/entitlements`, { productCode: code, periodDays: 30 });
  expect(granted.status, JSON.stringify(granted.body)).toBe(201);
  return { key, product: code, entitlementId: granted.body.id as number, clientId };
}

const row = async (id: number) =>
  (await p.sql<Array<{ status: string; expires_at: string | null; seats: number }>>`select status, expires_at, seats from entitlements where id = ${id}`)[0]!;
const workflowState = (id: number) => p.temporal.workflow.getHandle(entitlementLifecycleId(id)).query(entitlementLifecycleStateQuery) as Promise<EntitlementLifecycleState>;
const ledgerOf = async (clientId: number) =>
  (await p.sql<Array<{ amount: string }>>`select amount::text from ledger_transactions where client_id = ${clientId} and kind = 'license_renewal' order by id`).map((e) => Number(e.amount));
/** Valid-until `ms` from now, through the staff edit (which runs in the workflow and arms its timer). */
async function validFor(id: number, ms: number): Promise<string> {
  const validUntil = new Date(Date.now() + ms).toISOString();
  const edited = await p.api('POST', `/api/v1/licensing/entitlements/${id}`, { validUntil });
  expect(edited.status, JSON.stringify(edited.body)).toBe(200);
  return validUntil;
}

describe('one workflow per entitlement (issue 22 point 5, spec 04 §7.3)', () => {
  it("a trial made at first run arms its workflow: the registration tells it the trial's valid-until, with no staff operation", async () => {
    const code = await product({ trialDays: 1 });
    const registered = await publicApi('/keys', { vendorPrefix: prefix, productCode: code, trial: true, customer: { companyName: 'Trial Customer' } });
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);
    expect(registered.body.entitlements).toEqual([expect.objectContaining({ kind: 'trial' })]);
    const [trial] = await p.sql<Array<{ id: number; expires_at: string }>>`
      select e.id, e.expires_at from entitlements e join license_keys k on k.id = e.key_id where k.created_via = 'first_run' and e.kind = 'trial' order by e.id desc limit 1`;
    // Before, no workflow ran for a first-run trial until staff touched it.
    const armed = await eventually(async () => (await workflowState(trial!.id).catch(() => null))?.armed ?? null, { what: "the trial's timer armed" });
    expect(new Date(armed.expiresAt).getTime()).toBe(new Date(trial!.expires_at).getTime());
  });

  it('serializes operations on one license: a second one answers 409 OPERATION_IN_PROGRESS and changes nothing; another license is not held up', async () => {
    const busy = await license();
    const other = await license();
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const lockTaken = new Promise<void>((resolve) => (locked = resolve));
    // The test holds the license's row, so operation 1 blocks inside its activity (on the operation's own row lock).
    const holder = p.sql.begin(async (tx) => {
      await tx`select id from entitlements where id = ${busy.entitlementId} for update`;
      locked();
      await released;
    });
    await lockTaken;
    const first = p.api('POST', `/api/v1/licensing/entitlements/${busy.entitlementId}/seats`, { seats: 3 });
    await eventually(async () => (await workflowState(busy.entitlementId).catch(() => null))?.running === 'changeSeats', { what: 'operation 1 running' });

    const second = await p.api('POST', `/api/v1/licensing/entitlements/${busy.entitlementId}/suspend`, { reason: 'while the seats change' });
    expect([second.status, second.body.code], JSON.stringify(second.body)).toEqual([409, 'OPERATION_IN_PROGRESS']);
    const edit = await p.api('POST', `/api/v1/licensing/entitlements/${busy.entitlementId}`, { name: 'renamed meanwhile' });
    expect([edit.status, edit.body.code]).toEqual([409, 'OPERATION_IN_PROGRESS']);

    // Another license's operation runs meanwhile.
    const elsewhere = await p.api('POST', `/api/v1/licensing/entitlements/${other.entitlementId}/suspend`, { reason: 'unrelated' });
    expect(elsewhere.status, JSON.stringify(elsewhere.body)).toBe(200);
    expect((await row(other.entitlementId)).status).toBe('suspended');

    release();
    await holder;
    const done = await first;
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body).toMatchObject({ previousSeats: 1, seats: 3 });
    // The refused operations changed nothing: not suspended, not renamed.
    expect(await row(busy.entitlementId)).toMatchObject({ status: 'active', seats: 3 });
    const card = await p.api('GET', `/api/v1/licensing/keys/${busy.key}`);
    expect(card.body.products[0].name ?? null).toBeNull();
    // Once operation 1 has finished the license takes operations again.
    expect((await p.api('POST', `/api/v1/licensing/entitlements/${busy.entitlementId}/suspend`, { reason: 'now' })).status).toBe(200);
    expect((await workflowState(busy.entitlementId)).running).toBeNull();
  });

  it('expires an active license at its valid-until without any request; a renewal makes it active and re-arms the timer for the new valid-until', async () => {
    const l = await license({ balance: 5000 });
    const validUntil = await validFor(l.entitlementId, 3 * SECOND);
    expect((await workflowState(l.entitlementId)).armed?.expiresAt).toBe(validUntil);
    expect((await row(l.entitlementId)).status).toBe('active');

    await eventually(async () => (await row(l.entitlementId)).status === 'expired', { timeoutMs: 20_000, what: 'the license expired' });
    // Not before its time (the timer is Temporal's, the date the staff edit set).
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(validUntil));
    const [event] = await p.sql<Array<{ changes: { expiresAt: string } }>>`
      select changes from event_log where entity_kind = 'entitlement' and entity_id = ${String(l.entitlementId)} and action = 'expired'`;
    expect(event!.changes.expiresAt).toBe(validUntil);

    // Renewed from the balance: active again, and the workflow waits for the new valid-until. The expiry step may
    // still be finishing in the workflow when its commit is seen here: the renewal is then refused with 409
    // OPERATION_IN_PROGRESS (not queued, §4.1) and a client tries again, as this test does.
    const renewed = await eventually(async () => {
      const answer = await p.api('POST', `/api/v1/licensing/entitlements/${l.entitlementId}/renewals`, { periodMonths: 1, paymentMethod: 'balance', price: 700 });
      return answer.status === 409 && answer.body.code === 'OPERATION_IN_PROGRESS' ? null : answer;
    }, { what: 'the renewal taken once the expiry step has finished' });
    expect(renewed.status, JSON.stringify(renewed.body)).toBe(200);
    expect(renewed.body).toMatchObject({ status: 'active', renewal: { status: 'applied' } });
    const after = await row(l.entitlementId);
    expect(after.status).toBe('active');
    const newExpiry = new Date(after.expires_at!).toISOString();
    expect(new Date(renewed.body.expiresAt).toISOString()).toBe(newExpiry);
    const state = await workflowState(l.entitlementId);
    expect(state.armed?.expiresAt).toBe(newExpiry);
    // About a month away on the workflow's clock.
    expect(Math.abs(state.armed!.deadline - Date.parse(newExpiry))).toBeLessThan(60 * SECOND);

    // And it expires again at a valid-until moved back by staff: the timer follows every change.
    const again = await validFor(l.entitlementId, 2 * SECOND);
    expect((await workflowState(l.entitlementId)).armed?.expiresAt).toBe(again);
    await eventually(async () => (await row(l.entitlementId)).status === 'expired', { timeoutMs: 20_000, what: 'the license expired again' });
  });

  it('hands an auto-renewing license to billing at its valid-until: renewed once from a balance that covers it (a second hand-off moves no money)', async () => {
    const l = await license({ balance: 2000 });
    const set = await p.api('POST', `/api/v1/licensing/entitlements/${l.entitlementId}`, { autoRenewMonths: 1, autoRenewPrice: 800 });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    const validUntil = await validFor(l.entitlementId, 2 * SECOND);

    const expected = addCalendarMonths(new Date(validUntil), 1).toISOString();
    await eventually(async () => {
      const r = await row(l.entitlementId);
      return r.expires_at !== null && new Date(r.expires_at).toISOString() === expected;
    }, { timeoutMs: 20_000, what: 'the auto-renewal' });
    // Renewed on time: the license never expired, the new term follows the old one without a gap.
    expect((await row(l.entitlementId)).status).toBe('active');
    expect(await ledgerOf(l.clientId!)).toEqual([-800]);
    const [renewal] = await p.sql<Array<{ status: string; payment_method: string; idempotency_key: string }>>`
      select status, payment_method, idempotency_key from license_renewals where entitlement_id = ${l.entitlementId}`;
    expect(renewal).toEqual({ status: 'applied', payment_method: 'balance', idempotency_key: autoRenewalKey(l.entitlementId, validUntil) });
    await eventually(async () => (await workflowState(l.entitlementId)).armed?.expiresAt === expected, { what: 'the timer re-armed' });

    // The same hand-off again (a replay or a retried activity): nothing is renewed or debited twice.
    expect(await handOffAutoRenewal(p.sql, { entitlementId: l.entitlementId, expiresAt: validUntil })).toMatchObject({ outcome: 'already_handed_off' });
    expect(await ledgerOf(l.clientId!)).toEqual([-800]);
    expect((await row(l.entitlementId)).expires_at).not.toBeNull();
    expect(new Date((await row(l.entitlementId)).expires_at!).toISOString()).toBe(expected);
    expect((await p.api('GET', `/api/v1/clients/${l.clientId}/funds`)).body.balance).toBe(1200);
  });

  it('invoices an auto-renewing license the balance does not cover: it expires, and paying the invoice renews it and re-arms the timer', async () => {
    const l = await license({ balance: 0 });
    expect((await p.api('POST', `/api/v1/licensing/entitlements/${l.entitlementId}`, { autoRenewMonths: 1, autoRenewPrice: 900 })).status).toBe(200);
    const validUntil = await validFor(l.entitlementId, 2 * SECOND);

    await eventually(async () => (await row(l.entitlementId)).status === 'expired', { timeoutMs: 20_000, what: 'the license expired' });
    const [renewal] = await p.sql<Array<{ status: string; payment_method: string; payment_id: number; price: string }>>`
      select status, payment_method, payment_id, price::text from license_renewals where entitlement_id = ${l.entitlementId}`;
    expect(renewal).toMatchObject({ status: 'awaiting_payment', payment_method: 'invoice', price: '900' });
    expect(await ledgerOf(l.clientId!)).toEqual([]);
    const [invoice] = await p.sql<Array<{ status: string; amount: string }>>`select status, amount::text from payments where id = ${renewal!.payment_id}`;
    expect(invoice).toEqual({ status: 'waiting_for_payment', amount: '900' });
    // A second hand-off for the same valid-until issues no second invoice.
    expect(await handOffAutoRenewal(p.sql, { entitlementId: l.entitlementId, expiresAt: validUntil })).toMatchObject({ outcome: 'already_handed_off', paymentId: renewal!.payment_id });
    expect((await p.sql`select id from payments where client_id = ${l.clientId} and status = 'waiting_for_payment'`).length).toBe(1);

    // Paid: renewed from now, active again, and the workflow waits for the new valid-until.
    const confirmed = await p.api('POST', `/api/v1/payments/${renewal!.payment_id}/confirm`, { method: 'bank_transfer' });
    expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
    const after = await row(l.entitlementId);
    expect(after.status).toBe('active');
    const newExpiry = new Date(after.expires_at!).toISOString();
    expect(Date.parse(newExpiry)).toBeGreaterThan(Date.parse(validUntil) + 27 * 86_400_000);
    expect(await ledgerOf(l.clientId!)).toEqual([-900]);
    await eventually(async () => (await workflowState(l.entitlementId)).armed?.expiresAt === newExpiry, { what: 'the timer re-armed after the payment' });
  });

  it('answers business refusals through the workflow with the same status, code and details as before', async () => {
    const l = await license({ settings: { masterLicense: { features: { reports: 5 } } } });
    const support = await p.api('POST', `/api/v1/licensing/entitlements/${l.entitlementId}/support-extensions`, { months: 12 });
    expect([support.status, support.body.code]).toEqual([422, 'SUPPORT_FOLLOWS_TERM']);

    const configured = await p.api('POST', `/api/v1/licensing/entitlements/${l.entitlementId}/configuration`, { features: { reports: 9 } });
    expect([configured.status, configured.body.code]).toEqual([422, 'CONFIGURATION_OUT_OF_LIMITS']);
    expect(configured.body.details).toEqual([{ feature: 'reports', limit: 5, requested: 9 }]);

    const renewal = await p.api('POST', `/api/v1/licensing/entitlements/${l.entitlementId}/renewals`, { periodMonths: 1, paymentMethod: 'invoice', price: 100 });
    expect([renewal.status, renewal.body.code]).toEqual([422, 'NO_BILLING_CLIENT']);

    const floating = await license({ settings: { licenseModel: 'floating' } });
    const upgrade = await p.api('POST', `/api/v1/licensing/entitlements/${floating.entitlementId}/upgrades`, { templateId: 1 });
    expect([upgrade.status, upgrade.body.code]).toEqual([409, 'LICENSE_NOT_FIXED']);

    expect((await p.api('POST', `/api/v1/licensing/entitlements/${l.entitlementId}/suspend`, { reason: 'x' })).status).toBe(200);
    const suspendedRenewal = await p.api('POST', `/api/v1/licensing/entitlements/${l.entitlementId}/renewals`, { periodMonths: 1, paymentMethod: 'invoice', price: 100 });
    expect([suspendedRenewal.status, suspendedRenewal.body.code]).toEqual([409, 'ENTITLEMENT_NOT_RENEWABLE']);
    expect((await p.api('POST', `/api/v1/licensing/entitlements/${l.entitlementId}/resume`, { reason: 'x' })).status).toBe(200);

    const missing = await p.api('POST', '/api/v1/licensing/entitlements/1999999999/suspend', { reason: 'nobody' });
    expect([missing.status, missing.body.code]).toEqual([404, 'not_found']);
    // An unknown license starts no workflow.
    await expect(p.temporal.workflow.getHandle(entitlementLifecycleId(1999999999)).describe()).rejects.toThrow(/not found/i);

    // Deleting the license ends its workflow.
    expect((await p.api('POST', `/api/v1/licensing/entitlements/${l.entitlementId}/delete`, { reason: 'done' })).status).toBe(200);
    await eventually(async () => (await p.temporal.workflow.getHandle(entitlementLifecycleId(l.entitlementId)).describe()).status.name === 'COMPLETED', { what: 'the workflow ended with the license' });
    // An operation on the deleted license starts a new run, which answers as the operation always did, and ends.
    const deleted = await p.api('POST', `/api/v1/licensing/entitlements/${l.entitlementId}/suspend`, { reason: 'too late' });
    expect([deleted.status, deleted.body.code]).toEqual([409, 'entitlement_status']);
  });
});
