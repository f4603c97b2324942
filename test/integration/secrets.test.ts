import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpReceiver, type SmtpReceiver } from '../fakes/smtp-receiver';
import { createClient, createTestPlatform, eventually, seedCatalog, waitForOrderStatus, type Catalog, type TestPlatform } from '../support/platform';

/**
 * Issue 9: secrets (API tokens, session tokens, the SMTP password, the vendor's signing secret, the SMS gateway's
 * authorization, passwords) never appear in an API answer after the one that issues them, in the event log, or
 * in anything the process writes to its logs. Everything is exercised for real: mail is attempted with the
 * password, the vendor is called with the secret, the gateway is configured, tokens are issued and used.
 */
const mark = () => `S3CR3T-${randomBytes(9).toString('hex')}`;
const smtpPassword = mark();
const smsAuthorization = `Bearer ${mark()}`;
const resellerSmtpPassword = mark();
const staffPassword = `pass ${mark()}`;
const printed: string[] = [];
const restore: Array<() => void> = [];
let smtp: SmtpReceiver;
let p: TestPlatform;
let catalog: Catalog;
let secrets: Record<string, string>;

beforeAll(async () => {
  // Everything written to stdout / stderr (console, loggers) while the platform works.
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      printed.push(String(chunk));
      return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write;
    restore.push(() => (stream.write = write));
  }
  process.env.TEST_DEBUG = '1'; // the test app prints request errors only when asked: ask, so they are checked too
  smtp = await startSmtpReceiver();
  p = await createTestPlatform('secrets', { mail: { url: `smtp://billing:${smtpPassword}@127.0.0.1:${smtp.port}`, from: 'billing@example.com' } });
  catalog = await seedCatalog(p);
}, 120_000);

afterAll(async () => {
  delete process.env.TEST_DEBUG;
  restore.forEach((undo) => undo());
  await p?.close();
  await smtp?.close();
});

describe('secrets (issue 9)', () => {
  it('are answered once when issued and never again: not in any GET answer, the event log, an error, or the logs', async () => {
    // A staff member with a password and an API token; a client user with a panel token.
    const member = (await p.api('POST', '/api/v1/staff', { name: 'Sonia Secret', email: 'sonia@example.com', role: 'admin' })).body;
    expect((await p.api('POST', `/api/v1/staff/${member.id}/password`, { password: staffPassword })).status).toBe(200);
    const staffToken = (await p.api('POST', `/api/v1/staff/${member.id}/tokens`, { name: 'laptop' })).body.token as string;
    expect(staffToken).toMatch(/^bpt_/);
    expect((await p.api('GET', '/api/v1/orders', undefined, { token: staffToken })).status).toBe(200);
    const user = (await p.api('POST', '/api/v1/client-users', { name: 'Panel Paula', email: 'paula@example.com' })).body;
    const clientToken = (await p.api('POST', `/api/v1/client-users/${user.id}/tokens`, { name: 'panel' })).body.token as string;
    expect(clientToken).toMatch(/^bpc_/);

    // The SMS gateway's authorization; a refused change echoes nothing of it either.
    expect((await p.api('POST', '/api/v1/settings/sms-gateway', { url: 'http://127.0.0.1:9/send', authorization: smsAuthorization })).status).toBe(200);
    const refused = await p.api('POST', '/api/v1/settings/sms-gateway', { url: 'not a url', authorization: smsAuthorization });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).not.toContain(smsAuthorization);
    // A reseller's own SMTP relay (issue 21 point 6): its password is written, never answered.
    const reseller = (await p.api('POST', '/api/v1/resellers', { name: 'Secret Reseller', currency: 'EUR' })).body;
    const relay = { host: '127.0.0.1', port: 9, security: 'none', user: 'relay', password: resellerSmtpPassword };
    expect((await p.api('POST', `/api/v1/resellers/${reseller.id}/settings`, { smtp: relay })).status).toBe(200);
    const badRelay = await p.api('POST', `/api/v1/resellers/${reseller.id}/settings`, { smtp: { ...relay, port: 0 } });
    expect(badRelay.status).toBe(400);
    expect(JSON.stringify(badRelay.body)).not.toContain(resellerSmtpPassword);
    const shortPassword = await p.api('POST', `/api/v1/staff/${member.id}/password`, { password: 'S3CR3T' });
    expect(shortPassword.status).toBe(400);
    expect(JSON.stringify(shortPassword.body)).not.toContain('S3CR3T');

    // Work that uses them: an order provisioned at the vendor (signed with its secret), and an e-mail
    // attempted with the SMTP password (the receiver has no authentication, so the attempt fails).
    const [orderCreated] = await p.sql<Array<{ id: number }>>`select id from notification_templates where default_key = 'order_created.email'`;
    expect((await p.api('POST', '/api/v1/notification-handlers', { event: 'order_created', templateId: orderCreated!.id })).status).toBe(201);
    const clientId = await createClient(p, catalog, 'Secretive Ltd');
    await p.api('POST', `/api/v1/clients/${clientId}/top-ups`, { amount: 5000 });
    const order = (await p.api('POST', '/api/v1/orders', { clientId, planPeriodId: catalog.monthlyPeriodId })).body;
    await waitForOrderStatus(p, order.id, 'completed');
    expect(p.vendor.calls.some((c) => c.signatureValid)).toBe(true);
    const mail = await eventually(async () => (await p.sql<Array<{ id: number; status: string; attempts: number }>>`select id, status, attempts from notifications where channel = 'email' and attempts > 0`)[0], { what: 'an e-mail attempt', timeoutMs: 30_000 });
    expect(mail.attempts).toBeGreaterThan(0);

    // An operator UI session: its token is the cookie, never shown in a page.
    const form = await p.app.request('/login');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1]!;
    const loginCookie = form.headers.getSetCookie()[0]!.split(';')[0]!;
    const signedIn = await p.app.request('/login', {
      method: 'POST',
      headers: { cookie: loginCookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf, email: 'sonia@example.com', password: staffPassword }).toString(),
    });
    const sessionToken = signedIn.headers.getSetCookie().find((c) => c.startsWith('bp_session='))!.split(';')[0]!.slice('bp_session='.length);
    const pages: string[] = [];
    for (const page of ['/', '/orders', `/orders/${order.id}`, `/clients/${clientId}`, '/notifications', '/event-log', '/notification-templates', '/scenarios']) {
      const res = await p.app.request(page, { headers: { cookie: `bp_session=${sessionToken}` } });
      expect(res.status, page).toBe(200);
      pages.push(await res.text());
    }

    secrets = { staffToken, clientToken, sessionToken, smtpPassword, resellerSmtpPassword, smsAuthorization, staffPassword, vendorSecret: p.vendorSecret, adminToken: p.adminToken };

    // Every GET route of the API, with the ids of the records above where the route names one.
    const doc = (await p.api('GET', '/api/openapi.json', undefined, { token: null })).body;
    const ids: Record<string, string | number> = {
      resellers: reseller.id,
      staff: member.id,
      'client-users': user.id,
      clients: clientId,
      orders: order.id,
      subscriptions: order.subscriptionId ?? 0,
      'service-templates': catalog.serviceTemplateId,
      plans: catalog.planId,
      products: catalog.productId,
      notifications: mail.id,
      scenarios: `order-${order.id}`,
    };
    const answers: string[] = [];
    let gets = 0;
    for (const [path, item] of Object.entries<Record<string, unknown>>(doc.paths)) {
      if (!item.get || !path.startsWith('/api/v1/')) continue;
      const filled = path.replace(/\/([^/]+)\/\{(\w+)\}/g, (_m, resource: string) => `/${resource}/${encodeURIComponent(String(ids[resource] ?? 1))}`);
      const answer = await p.api('GET', filled);
      gets += 1;
      answers.push(`${filled} ${JSON.stringify(answer.body)}`);
    }
    expect(gets).toBeGreaterThan(40);
    const eventLog = JSON.stringify(await p.sql`select * from event_log`);
    // At rest too: the reseller's SMTP password is stored sealed (SECRETS_ENCRYPTION_KEY), so the table holds no trace of it.
    expect(JSON.stringify(await p.sql`select * from reseller_settings`)).not.toContain(resellerSmtpPassword);
    const notifications = JSON.stringify(await p.sql`select last_error, content from notifications`);
    // The answers did carry the records (so a leak would have been seen): the service template, the staff member.
    expect(answers.join('\n')).toContain('sonia@example.com');
    expect(answers.join('\n')).toMatch(/"secret":"\*{8}"/);

    const leaks: string[] = [];
    for (const [name, secret] of Object.entries(secrets)) {
      if (answers.some((a) => a.includes(secret))) leaks.push(`${name} in a GET answer: ${answers.find((a) => a.includes(secret))!.slice(0, 200)}`);
      if (eventLog.includes(secret)) leaks.push(`${name} in the event log`);
      if (notifications.includes(secret)) leaks.push(`${name} in the notification log`);
      if (pages.some((html) => html.includes(secret))) leaks.push(`${name} in an operator UI page`);
      if (printed.some((line) => line.includes(secret))) leaks.push(`${name} in the process output: ${printed.find((l) => l.includes(secret))!.slice(0, 200)}`);
    }
    expect(leaks).toEqual([]);
  });
});
