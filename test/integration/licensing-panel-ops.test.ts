import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatLicenseKey } from '../../domain/licensing/codes';
import { addCalendarMonths } from '../../domain/licensing/commercial';
import { createLicensingPlan, createLicensingProduct, firstRunLicense, publicLicensingApi, purchaseLicense, registerLicensingVendor, type PublicLicensingApi } from '../support/licensing';
import { createTestPlatform, waitForOrderStatus, waitForScenarioStatus, type TestPlatform } from '../support/platform';

/**
 * Issue 22 point 2: the hosting panel's license operations (spec 04 §4.2, seed 002 "Software licenses") through the
 * staff API and the public licensing API: Edit (name, IP, administrator password write-only and sealed at rest,
 * registration key replaced, "delete all existing registrations" keeping the ManagedExpiration anchor, auto-renewal,
 * valid-until for staff with billing told), license configuration within the product's limits, and Renew with the
 * payment choices of §4.2 (balance when it covers the cost, added to an unpaid invoice, a new invoice).
 */
let p: TestPlatform;
const prefix = 'MIKO';
const DAY = 86_400_000;
let clock = new Date('2026-12-01T09:00:00Z');
const days = (n: number) => new Date(Date.UTC(2026, 11, 1, 9) + n * DAY);
/** The same app with the test's clock: staff and public routes see the same "now". */
let at: TestPlatform['api'];

beforeAll(async () => {
  p = await createTestPlatform('licensing_panel_ops');
  await registerLicensingVendor(p, prefix);
  at = p.withClock(() => clock);
  publicApi = publicLicensingApi(p);
});
afterAll(async () => p?.close());

let seq = 0;
let publicApi: PublicLicensingApi;

async function product(settings: Record<string, unknown> = {}) {
  seq += 1;
  const code = `panel-${seq}`;
  await createLicensingProduct(p, prefix, code, `Panel ${seq}`, { activationPolicy: 'AcceptAllSingleMachine', maxActivations: 5, ...settings });
  return code;
}

/** A first-run key holding a product granted by staff (`periodDays`, null = perpetual). */
async function license(settings: Record<string, unknown> = {}, periodDays: number | null = 30, api: TestPlatform['api'] = p.api) {
  const code = await product(settings);
  return firstRunLicense(p, { prefix, productCode: code, companyName: `Panel Customer ${seq}`, grant: { periodDays }, publicApi, api });
}

/**
 * A billing client's key (bought through a plan on the licensing plugin, with `resources` if given) with a standalone
 * 30-day license on it; the purchase leaves the balance at 0.
 */
async function clientLicense(name: string, resources?: Array<Record<string, unknown>>) {
  const sold = await product();
  const plan = await createLicensingPlan(p, { prefix, productCode: sold, tag: `panel_${seq}`, name: `Panel license ${seq}`, sku: `PANEL-${seq}`, resources });
  const bought = await purchaseLicense(p, plan, name);
  const term = await product();
  const granted = await p.api('POST', `/api/v1/licensing/keys/${bought.key}/entitlements`, { productCode: term, periodDays: 30 });
  expect(granted.status, JSON.stringify(granted.body)).toBe(201);
  return { clientId: bought.clientId, key: bought.key, subscriptionId: bought.subscriptionId, subscribed: bought.keyRow.entitlements[0].id as number, entitlementId: granted.body.id as number };
}

const edit = (id: number, body: Record<string, unknown>, api: TestPlatform['api'] = p.api) => api('POST', `/api/v1/licensing/entitlements/${id}`, body);
const sig = (n: number) => ({ hdd: `H${n}`, cpu: `C${n}`, bios: `B${n}`, ethernet: `E${n}` });
const row = async (id: number) =>
  (await p.sql<Array<{ status: string; expires_at: string | null; admin_password_enc: string | null }>>`select status, expires_at, admin_password_enc from entitlements where id = ${id}`)[0]!;
const fundsOf = async (clientId: number) => (await p.api('GET', `/api/v1/clients/${clientId}/funds`)).body as { balance: number; available: number };

describe('hosting-panel license operations (issue 22 point 2, spec 04 §4.2)', () => {
  it('edits name and IP; the administrator password is write-only: sealed at rest, never answered, not in the event log', async () => {
    const l = await license();
    const password = 'Adm1n-S3cret-pässword';
    const edited = await edit(l.entitlementId, { name: 'Web server 1', boundIp: '203.0.113.7', adminPassword: password });
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    expect(edited.body).toMatchObject({ name: 'Web server 1', boundIp: '203.0.113.7', adminPasswordSet: true });
    expect(JSON.stringify(edited.body)).not.toContain(password);

    const stored = (await row(l.entitlementId)).admin_password_enc!;
    expect(stored).toMatch(/^v1\./);
    expect(stored).not.toContain(password);
    for (const answer of [await p.api('GET', `/api/v1/licensing/keys/${l.key}`), await p.api('GET', `/api/v1/licensing/entitlements?key=${encodeURIComponent(l.key)}`)]) {
      expect(answer.status).toBe(200);
      expect(JSON.stringify(answer.body)).not.toContain(password);
      expect(JSON.stringify(answer.body)).not.toContain(stored);
    }
    const events = await p.sql<Array<{ changes: unknown }>>`select changes from event_log where entity_kind = 'entitlement' and entity_id = ${String(l.entitlementId)}`;
    expect(JSON.stringify(events)).not.toContain(password);
    expect(events.some((e) => (e.changes as { adminPassword?: string } | null)?.adminPassword === 'changed')).toBe(true);

    // The bound IP is enforced (§8 #38); a new password replaces the sealed one; null clears it.
    const wrongIp = await publicApi('/activations', { key: l.key, productCode: l.product, machine: { signatures: sig(1), ip: '203.0.113.8' } });
    expect([wrongIp.status, wrongIp.body.error.code]).toEqual([403, 'IP_MISMATCH']);
    await edit(l.entitlementId, { adminPassword: 'another-one' });
    expect((await row(l.entitlementId)).admin_password_enc).not.toBe(stored);
    expect((await edit(l.entitlementId, { adminPassword: null })).body.adminPasswordSet).toBe(false);

    // An installation without LICENSING_KEY_ENCRYPTION_KEY stores no password (and changes nothing else of the edit).
    const unsealed = p.appWith({ licensingKeys: undefined });
    const refused = await unsealed.request(`/api/v1/licensing/entitlements/${l.entitlementId}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${p.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'renamed', adminPassword: password }),
    });
    expect([refused.status, ((await refused.json()) as { code: string }).code]).toEqual([409, 'SECRETS_KEY_NOT_CONFIGURED']);
    expect((await p.api('GET', `/api/v1/licensing/keys/${l.key}`)).body.products[0].name).toBe('Web server 1');
  });

  it('replaces the registration key: the old key is unknown, activations go on under the new one', async () => {
    const l = await license();
    const bound = await publicApi('/activations', { key: l.key, productCode: l.product, machine: { signatures: sig(2) } });
    expect(bound.status, JSON.stringify(bound.body)).toBe(201);
    const replaced = await edit(l.entitlementId, { regenerateKey: true });
    expect(replaced.status, JSON.stringify(replaced.body)).toBe(200);
    const newKey = formatLicenseKey(replaced.body.keyCode);
    expect(newKey).not.toBe(l.key);
    const old = await publicApi('/product-status', { key: l.key, productCode: l.product });
    expect([old.status, old.body.error.code]).toEqual([404, 'KEY_NOT_FOUND']);
    const machineId = bound.body.document.document.machineId;
    expect((await publicApi(`/activations/${bound.body.activationId}/validate`, { key: newKey, machineId })).body).toMatchObject({ valid: true });
  });

  it('"delete all existing registrations" keeps the ManagedExpiration anchor: 30 → 20 → (reset) → 12 days (seed 004 example)', async () => {
    clock = days(0);
    const l = await license({ activationPolicy: 'AcceptAllSingleMachine', maxActivations: 3, managedExpiration: true, masterLicense: { maxDayPeriod: 30 } }, null, at);
    const first = await publicApi('/activations', { key: l.key, productCode: l.product, machine: { signatures: sig(1) } }, at);
    expect([first.status, first.body.action, first.body.document.document.maxDayPeriod], JSON.stringify(first.body)).toEqual([201, 'Activated', 30]);
    clock = days(10);
    const second = await publicApi('/activations', { key: l.key, productCode: l.product, machine: { signatures: sig(2) } }, at);
    expect([second.body.action, second.body.document.document.maxDayPeriod]).toEqual(['Replaced', 20]);

    // The license goes to another customer: every registration deleted, the period's anchor kept.
    clock = days(15);
    const reset = await edit(l.entitlementId, { resetRegistrations: true }, at);
    expect(reset.status, JSON.stringify(reset.body)).toBe(200);
    const validation = await publicApi(`/activations/${second.body.activationId}/validate`, { key: l.key, machineId: second.body.document.document.machineId }, at);
    expect(validation.body).toMatchObject({ valid: false, code: 'ACTIVATION_REVOKED' });
    clock = days(18);
    const third = await publicApi('/activations', { key: l.key, productCode: l.product, machine: { signatures: sig(3) } }, at);
    // Logged Activated (the account counts as never activated), and the period runs on from day 0: 30 − 18 = 12.
    expect([third.status, third.body.action, third.body.document.document.maxDayPeriod]).toEqual([201, 'Activated', 12]);
    const log = (await p.api('GET', `/api/v1/licensing/activation-logs?entitlementId=${l.entitlementId}`)).body.items;
    expect(log.map((r: { action: string; cause: string | null }) => (r.cause ? `${r.action}:${r.cause}` : r.action)).reverse()).toEqual(['Activated', 'Replaced', 'Revoked:registrations_reset', 'Activated']);
  });

  it('sets the auto-renewal period, and valid-until for staff only: the status follows the date, billing is told through the subscription', async () => {
    const l = await clientLicense('Valid Until Ltd');
    expect((await edit(l.entitlementId, { autoRenewMonths: 12 })).body.autoRenewMonths).toBe(12);
    expect((await edit(l.entitlementId, { autoRenewMonths: null })).body.autoRenewMonths).toBeNull();
    expect((await edit(l.entitlementId, { autoRenewMonths: 0 })).status).toBe(400);

    const later = new Date(Date.now() + 90 * DAY);
    const moved = await edit(l.entitlementId, { validUntil: later.toISOString() });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(new Date(moved.body.expiresAt)).toEqual(later);
    // A license that started 60 days ago, ended yesterday by staff.
    await p.sql`update entitlements set starts_at = now() - interval '60 days' where id = ${l.entitlementId}`;
    const past = await edit(l.entitlementId, { validUntil: new Date(Date.now() - DAY).toISOString() });
    expect(past.body.status).toBe('expired');
    expect((await edit(l.entitlementId, { validUntil: later.toISOString() })).body.status).toBe('active');
    const beforeStart = await edit(l.entitlementId, { validUntil: '2000-01-01T00:00:00Z' });
    expect([beforeStart.status, beforeStart.body.code]).toEqual([422, 'VALID_UNTIL_INVALID']);

    // The license a subscription bills: the change is logged on the subscription for billing.
    const billed = await edit(l.subscribed, { validUntil: later.toISOString() });
    expect(billed.status, JSON.stringify(billed.body)).toBe(200);
    const told = await p.sql`select changes from event_log where entity_kind = 'subscription' and entity_id = ${String(l.subscriptionId)} and action = 'license_valid_until_changed'`;
    expect(told).toHaveLength(1);
    expect(told[0]!.changes).toMatchObject({ entitlementId: l.subscribed, validUntil: { to: later.toISOString() } });

    // Staff only: a client-panel token may not edit a license.
    const user = (await p.api('POST', '/api/v1/client-users', { name: 'Panel Paula', email: `paula-${seq}@example.com` })).body;
    const clientToken = (await p.api('POST', `/api/v1/client-users/${user.id}/tokens`, { name: 'panel' })).body.token as string;
    const byClient = await p.api('POST', `/api/v1/licensing/entitlements/${l.entitlementId}`, { validUntil: new Date(Date.now() + 400 * DAY).toISOString() }, { token: clientToken });
    expect(byClient.status).toBe(403);
    expect(new Date((await row(l.entitlementId)).expires_at!)).toEqual(later);
  });

  it('license configuration stays within the product’s limits and is signed into the license document', async () => {
    const l = await license({ masterLicense: { features: { reports: true, export: false, users: 10 } } });
    const refused = await p.api('POST', `/api/v1/licensing/entitlements/${l.entitlementId}/configuration`, { features: { users: 11, export: true } });
    expect([refused.status, refused.body.code], JSON.stringify(refused.body)).toEqual([422, 'CONFIGURATION_OUT_OF_LIMITS']);
    expect(refused.body.details.map((d: { feature: string }) => d.feature)).toEqual(['users', 'export']);
    const configured = await p.api('POST', `/api/v1/licensing/entitlements/${l.entitlementId}/configuration`, { features: { users: 5, reports: false } });
    expect(configured.status, JSON.stringify(configured.body)).toBe(200);
    expect(configured.body.configuration).toEqual({ users: 5, reports: false });
    const bound = await publicApi('/activations', { key: l.key, productCode: l.product, machine: { signatures: sig(4) } });
    expect(bound.body.document.document.features).toEqual({ reports: false, export: false, users: 5 });
  });

  it('an edit while an operation runs answers OPERATION_IN_PROGRESS and changes nothing', async () => {
    const l = await license();
    await p.sql`update entitlements set status = 'in_progress' where id = ${l.entitlementId}`;
    const busy = await edit(l.entitlementId, { name: 'busy', adminPassword: 'xxxxxxxx' });
    expect([busy.status, busy.body.code]).toEqual([409, 'OPERATION_IN_PROGRESS']);
    expect(await row(l.entitlementId)).toMatchObject({ status: 'in_progress', admin_password_enc: null });
  });

  it('renews with the payment choices of §4.2: the balance when it covers the cost (debited at once), added to an unpaid invoice, or a new invoice (applied when paid)', async () => {
    const l = await clientLicense('Renewal Payments Ltd');
    const validUntil = new Date((await row(l.entitlementId)).expires_at!);
    const { balance } = await fundsOf(l.clientId);

    // Balance short of the price: not offered; a waiting top-up makes "add to an unpaid invoice" possible.
    const price = balance + 500;
    const topUp = await p.api('POST', `/api/v1/clients/${l.clientId}/payments`, { amount: 2000 });
    expect(topUp.status, JSON.stringify(topUp.body)).toBe(201);
    const invoiceId = (topUp.body.id ?? topUp.body.paymentId) as number;
    const options = await p.api('GET', `/api/v1/licensing/entitlements/${l.entitlementId}/renewal-options?periodMonths=12&price=${price}`);
    expect(options.status, JSON.stringify(options.body)).toBe(200);
    expect(options.body.paymentMethods).toEqual(['unpaid_invoice', 'invoice']);
    expect(options.body.unpaidInvoices.map((i: { id: number }) => i.id)).toContain(invoiceId);
    const short = await p.api('POST', `/api/v1/licensing/entitlements/${l.entitlementId}/renewals`, { periodMonths: 12, paymentMethod: 'balance', price });
    expect([short.status, short.body.code]).toEqual([422, 'INSUFFICIENT_BALANCE']);

    // Added to the unpaid invoice: the invoice grows by the price; nothing moves until it is paid.
    const added = await p.api('POST', `/api/v1/licensing/entitlements/${l.entitlementId}/renewals`, { periodMonths: 12, paymentMethod: 'unpaid_invoice', paymentId: invoiceId, price });
    expect(added.status, JSON.stringify(added.body)).toBe(200);
    expect(added.body).toMatchObject({ renewal: { status: 'awaiting_payment' }, payment: { method: 'unpaid_invoice', id: invoiceId, collected: false } });
    const [invoice] = await p.sql<Array<{ amount: string }>>`select amount::text from payments where id = ${invoiceId}`;
    expect(Number(invoice!.amount)).toBe(2000 + price);
    const twice = await p.api('POST', `/api/v1/licensing/entitlements/${l.entitlementId}/renewals`, { periodMonths: 1, paymentMethod: 'invoice', price: 100 });
    expect([twice.status, twice.body.code]).toEqual([409, 'RENEWAL_AWAITING_PAYMENT']);
    expect(new Date((await row(l.entitlementId)).expires_at!)).toEqual(validUntil);

    // The invoice is paid: the top-up is credited, the renewal's price debited, valid-until + 12 months.
    expect((await p.api('POST', `/api/v1/payments/${invoiceId}/confirm`, { method: 'bank_transfer' })).status).toBe(200);
    expect(new Date((await row(l.entitlementId)).expires_at!)).toEqual(addCalendarMonths(validUntil, 12));
    expect((await fundsOf(l.clientId)).balance).toBe(balance + 2000);

    // Now the balance covers a 1-month renewal: paid at once, debited once in the ledger.
    const covered = await p.api('GET', `/api/v1/licensing/entitlements/${l.entitlementId}/renewal-options?periodMonths=1&price=700`);
    expect(covered.body.paymentMethods).toEqual(['balance', 'invoice']);
    const paid = await p.api('POST', `/api/v1/licensing/entitlements/${l.entitlementId}/renewals`, { periodMonths: 1, paymentMethod: 'balance', price: 700 });
    expect(paid.status, JSON.stringify(paid.body)).toBe(200);
    expect(paid.body).toMatchObject({ status: 'active', renewal: { status: 'applied' }, payment: { method: 'balance', collected: true } });
    expect(new Date(paid.body.expiresAt)).toEqual(addCalendarMonths(addCalendarMonths(validUntil, 12), 1));
    expect((await fundsOf(l.clientId)).balance).toBe(balance + 2000 - 700);
    const ledger = await p.sql<Array<{ amount: string }>>`select amount::text from ledger_transactions where client_id = ${l.clientId} and kind = 'license_renewal' order by id`;
    expect(ledger.map((e) => Number(e.amount))).toEqual([-price, -700]);

    // A new invoice: a waiting payment of the price, applied when confirmed.
    const invoiced = await p.api('POST', `/api/v1/licensing/entitlements/${l.entitlementId}/renewals`, { periodMonths: 1, paymentMethod: 'invoice', price: 300 });
    expect(invoiced.status, JSON.stringify(invoiced.body)).toBe(200);
    const [created] = await p.sql<Array<{ amount: string; status: string; client_id: number }>>`select amount::text, status, client_id from payments where id = ${invoiced.body.payment.id}`;
    expect(created).toEqual({ amount: '300', status: 'waiting_for_payment', client_id: l.clientId });
    expect((await p.api('POST', `/api/v1/payments/${invoiced.body.payment.id}/confirm`, { method: 'cash' })).status).toBe(200);
    expect(new Date((await row(l.entitlementId)).expires_at!)).toEqual(addCalendarMonths(addCalendarMonths(addCalendarMonths(validUntil, 12), 1), 1));

    // Only a waiting top-up of this client can take a renewal.
    const other = await clientLicense('Other Invoice Ltd');
    const foreignInvoice = (await p.api('POST', `/api/v1/clients/${other.clientId}/payments`, { amount: 100 })).body;
    const foreign = await p.api('POST', `/api/v1/licensing/entitlements/${l.entitlementId}/renewals`, { periodMonths: 1, paymentMethod: 'unpaid_invoice', paymentId: foreignInvoice.id ?? foreignInvoice.paymentId, price: 1 });
    expect([foreign.status, foreign.body.code]).toEqual([422, 'PAYMENT_NOT_ADDABLE']);
  });

  it('a renewal whose invoice is cancelled no longer waits: the next renewal is taken, and only the paid one moves the valid-until', async () => {
    const l = await clientLicense('Cancelled Invoice Ltd');
    const validUntil = new Date((await row(l.entitlementId)).expires_at!);
    const renew = () => p.api('POST', `/api/v1/licensing/entitlements/${l.entitlementId}/renewals`, { periodMonths: 1, paymentMethod: 'invoice', price: 300 });
    const first = await renew();
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    const cancelled = await p.api('POST', `/api/v1/payments/${first.body.payment.id}/cancel`, { reason: 'the client will not pay this invoice' });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBeLessThan(300);
    // Before: 409 RENEWAL_AWAITING_PAYMENT for ever, as the cancelled invoice's renewal still "waited".
    const second = await renew();
    expect(second.status, JSON.stringify(second.body)).toBe(200);
    const renewals = await p.sql<Array<{ status: string }>>`select status from license_renewals where entitlement_id = ${l.entitlementId} order by id`;
    expect(renewals.map((r) => r.status)).toEqual(['cancelled', 'awaiting_payment']);
    expect((await p.api('POST', `/api/v1/payments/${second.body.payment.id}/confirm`, { method: 'cash' })).status).toBe(200);
    expect(new Date((await row(l.entitlementId)).expires_at!)).toEqual(addCalendarMonths(validUntil, 1));
  });

  it('renewals on an unpaid invoice and on a new invoice, merged with an order into one payment, are applied when that payment is paid, once', async () => {
    const seats = { key: 'seats', name: 'Seats', included: 1, minimum: 1, maximum: 50, recurringPrice: 100 };
    const l = await clientLicense('Merged Renewals Ltd', [seats]);
    const term = await product();
    const second = await p.api('POST', `/api/v1/licensing/keys/${l.key}/entitlements`, { productCode: term, periodDays: 30 });
    expect(second.status, JSON.stringify(second.body)).toBe(201);
    const before = { first: new Date((await row(l.entitlementId)).expires_at!), second: new Date((await row(second.body.id)).expires_at!) };

    // One renewal added to a waiting top-up, the other on a new invoice.
    const topUp = (await p.api('POST', `/api/v1/clients/${l.clientId}/payments`, { amount: 2000 })).body;
    const topUpId = (topUp.id ?? topUp.paymentId) as number;
    const added = await p.api('POST', `/api/v1/licensing/entitlements/${l.entitlementId}/renewals`, { periodMonths: 12, paymentMethod: 'unpaid_invoice', paymentId: topUpId, price: 400 });
    const invoiced = await p.api('POST', `/api/v1/licensing/entitlements/${second.body.id}/renewals`, { periodMonths: 1, paymentMethod: 'invoice', price: 300 });
    expect([added.status, invoiced.status], JSON.stringify([added.body, invoiced.body])).toEqual([200, 200]);

    // A seats change the empty balance cannot pay: its order waits for its payment.
    const change = await p.api('POST', `/api/v1/subscriptions/${l.subscriptionId}/change-resources`, { resources: { seats: 2 } });
    expect(change.status, JSON.stringify(change.body)).toBe(201);
    await waitForScenarioStatus(p, `order-${change.body.id}`, 'waiting');
    const orderPayment = (await p.api('GET', `/api/v1/orders/${change.body.id}`)).body.payments[0];

    const merged = await p.api('POST', `/api/v1/clients/${l.clientId}/payments/merge`, { paymentIds: [orderPayment.id, topUpId, invoiced.body.payment.id] });
    expect(merged.status, JSON.stringify(merged.body)).toBe(201);
    expect(merged.body.amount).toBe(change.body.amount + 2000 + 400 + 300);
    const confirmed = await p.api('POST', `/api/v1/payments/${merged.body.id}/confirm`, { method: 'bank_transfer' });
    expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
    await waitForOrderStatus(p, change.body.id, 'completed');

    // Both renewals took effect with the merged payment, each debited once; the top-up's own 2000 stay on the balance.
    expect(new Date((await row(l.entitlementId)).expires_at!)).toEqual(addCalendarMonths(before.first, 12));
    expect(new Date((await row(second.body.id)).expires_at!)).toEqual(addCalendarMonths(before.second, 1));
    const renewals = await p.sql<Array<{ status: string }>>`select status from license_renewals where entitlement_id = any(${[l.entitlementId, second.body.id]}::int[]) order by id`;
    expect(renewals.map((r) => r.status)).toEqual(['applied', 'applied']);
    const debits = await p.sql<Array<{ amount: string; payment_id: number }>>`select amount::text, payment_id from ledger_transactions where client_id = ${l.clientId} and kind = 'license_renewal' order by id`;
    expect(debits.map((d) => [Number(d.amount), d.payment_id])).toEqual([
      [-400, merged.body.id],
      [-300, merged.body.id],
    ]);
    expect((await p.api('GET', `/api/v1/clients/${l.clientId}`)).body.balance).toBe(2000);
    expect((await p.api('POST', `/api/v1/payments/${merged.body.id}/confirm`, { method: 'cash' })).status).toBe(409);
  });

  it('another reseller’s staff find none of these licenses: edit, configuration, renewal options and renewal answer 404 and change nothing', async () => {
    const l = await clientLicense('Tenant Ltd');
    const reseller = await p.api('POST', '/api/v1/resellers', { name: 'Panel Reseller', currency: 'EUR' });
    const member = (await p.api('POST', '/api/v1/staff', { name: 'Rolf Reseller', email: 'rolf@example.com', role: 'admin' })).body;
    await p.sql`update staff set reseller_id = ${reseller.body.id} where id = ${member.id}`;
    const token = (await p.api('POST', `/api/v1/staff/${member.id}/tokens`, { name: 'reseller' })).body.token as string;
    const before = await row(l.entitlementId);
    const answers = [
      await p.api('POST', `/api/v1/licensing/entitlements/${l.entitlementId}`, { name: 'taken over' }, { token }),
      await p.api('POST', `/api/v1/licensing/entitlements/${l.entitlementId}/configuration`, { features: {} }, { token }),
      await p.api('GET', `/api/v1/licensing/entitlements/${l.entitlementId}/renewal-options?periodMonths=1&price=1`, undefined, { token }),
      await p.api('POST', `/api/v1/licensing/entitlements/${l.entitlementId}/renewals`, { periodMonths: 1, paymentMethod: 'invoice', price: 1 }, { token }),
    ];
    expect(answers.map((a) => [a.status, a.body.code])).toEqual(Array(4).fill([404, 'not_found']));
    expect(await row(l.entitlementId)).toEqual(before);
    expect(await p.sql`select 1 from license_renewals where entitlement_id = ${l.entitlementId}`).toHaveLength(0);
  });
});
