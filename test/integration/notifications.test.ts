import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../domain/dates';
import { startFakeSmsGateway, type FakeSmsGateway } from '../fakes/sms-gateway';
import { startSmtpReceiver, type SmtpReceiver } from '../fakes/smtp-receiver';
import { createTestPlatform, eventually, seedCatalog, waitForOrderStatus, type Catalog, type TestPlatform } from '../support/platform';

let p: TestPlatform;
let catalog: Catalog;
let smtp: SmtpReceiver;
let sms: FakeSmsGateway;
/** The worker's clock runs this far ahead of the wall clock (sending-hour test). */
let clockOffsetMs = 0;

beforeAll(async () => {
  smtp = await startSmtpReceiver();
  sms = await startFakeSmsGateway();
  p = await createTestPlatform('notifications', { mail: { url: smtp.url, from: 'billing@example.com' }, now: () => new Date(Date.now() + clockOffsetMs) });
  catalog = await seedCatalog(p);
});
afterAll(async () => {
  await p?.close();
  await smtp?.close();
  await sms?.close();
});

let seq = 0;
/** A client whose owner contact has its own address, language and phone. */
async function client(language: 'en' | 'ru', topUp = 0) {
  seq += 1;
  const email = `owner${seq}@example.com`;
  const phone = `+3706000000${seq}`;
  const created = await p.api('POST', '/api/v1/clients', {
    name: `Notified ${seq} Ltd`,
    serviceRuleId: catalog.serviceRuleId,
    language,
    contacts: [{ name: `Owner ${seq}`, email, phone, role: 'owner', language }],
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  if (topUp > 0) await p.api('POST', `/api/v1/clients/${created.body.id}/top-ups`, { amount: topUp });
  return { id: created.body.id as number, email, phone };
}

async function defaultTemplate(key: string) {
  const event = key.split('.')[0];
  const items = (await p.api('GET', `/api/v1/notification-templates?event=${event}&limit=200`)).body.items;
  const found = items.find((t: any) => t.defaultKey === key);
  expect(found, `default template ${key}`).toBeDefined();
  return found.id as number;
}

async function handler(body: Record<string, unknown>) {
  const answer = await p.api('POST', '/api/v1/notification-handlers', body);
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body.id as number;
}

const mailsTo = (address: string) => smtp.received.filter((m) => m.to.includes(address));
const logOf = async (query: string) => (await p.api('GET', `/api/v1/notifications?${query}`)).body.items;

async function runDay(date: string) {
  const started = await p.api('POST', '/api/v1/billing/runs', { date, confirmDate: date });
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  await p.temporal.workflow.getHandle(started.body.scenarioId).result();
  return (await p.api('GET', `/api/v1/billing/runs/${date}`)).body;
}

/** Waits until no notification of the test is still on its way (queued or sending). */
async function settled() {
  await eventually(async () => {
    const [row] = await p.sql<Array<{ n: number }>>`
      select (select count(*) from notification_events where handled_at is null)::int
           + (select count(*) from notifications where status in ('queued', 'sending'))::int as n`;
    return row?.n === 0;
  }, { what: 'notifications to settle', timeoutMs: 30_000 });
}

describe('notifications (spec 03; issue 6)', () => {
  it('ships a default template for every event, in English and Russian', async () => {
    const events = (await p.api('GET', '/api/v1/notification-events')).body.items;
    expect(events.length).toBeGreaterThanOrEqual(15);
    const templates = (await p.api('GET', '/api/v1/notification-templates?limit=200')).body.items;
    for (const e of events) {
      const email = templates.find((t: any) => t.defaultKey === `${e.key}.email`);
      expect(email, e.key).toBeDefined();
      const full = (await p.api('GET', `/api/v1/notification-templates/${email.id}`)).body;
      expect(Object.keys(full.versions).sort(), e.key).toEqual(['en', 'ru']);
    }
  });

  it('a completed purchase sends the owner exactly one "order changed" e-mail in their language (acceptance 1)', async () => {
    const template = await defaultTemplate('order_changed.email');
    await handler({ event: 'order_changed', templateId: template, rule: 'order.status = "completed"' });
    const owner = await client('ru', 1500);
    const order = (await p.api('POST', '/api/v1/orders', { clientId: owner.id, planPeriodId: catalog.monthlyPeriodId, subscriptionName: 'Архив бухгалтерии' })).body;
    await waitForOrderStatus(p, order.id, 'completed');
    await eventually(async () => mailsTo(owner.email).length === 1, { what: 'the e-mail' });
    await settled();
    const [mail] = mailsTo(owner.email);
    expect(mailsTo(owner.email)).toHaveLength(1);
    expect(mail!.subject).toContain(order.number);
    expect(mail!.text).toContain('15,00 EUR');
    expect(mail!.text).toContain('Архив бухгалтерии');
    // Russian, as the owner reads.
    expect(mail!.text).toMatch(/[А-Яа-я]{4,}/);
    const [logged] = await logOf(`event=order_changed&clientId=${owner.id}`);
    expect(logged).toMatchObject({ status: 'sent', channel: 'email', recipient: owner.email, attempts: 1 });
    expect(logged.providerMessageId).toBe(mail!.messageId);
  });

  it('"before subscription expiration" with days_left = 3 sends once, on expiry − 3 only, and never twice (acceptance 2)', async () => {
    const template = await defaultTemplate('before_subscription_expiration.email');
    await handler({ event: 'before_subscription_expiration', templateId: template, rule: 'subscription.days_left = 3' });
    const owner = await client('en', 1500);
    const order = (await p.api('POST', '/api/v1/orders', { clientId: owner.id, planPeriodId: catalog.monthlyPeriodId })).body;
    const done = await waitForOrderStatus(p, order.id, 'completed');
    const exp = (await p.api('GET', `/api/v1/subscriptions/${done.subscriptionId}`)).body.expirationDate as string;

    // The owner also gets the "order changed" mail of the first test's handler; count the expiry notices.
    const notices = async () => {
      const logged = await logOf(`event=before_subscription_expiration&clientId=${owner.id}`);
      return smtp.received.filter((m) => logged.some((l: any) => l.providerMessageId === m.messageId));
    };
    await runDay(addDays(exp, -4));
    await settled();
    expect(await notices()).toHaveLength(0);
    const due = await runDay(addDays(exp, -3));
    expect(due.duties.notificationEvents.done).toBeGreaterThanOrEqual(1);
    await settled();
    const [notice] = await notices();
    expect(notice?.to).toEqual([owner.email]);
    expect(notice!.subject).toContain('expires in 3 days');
    await runDay(addDays(exp, -3));
    await runDay(addDays(exp, -2));
    await settled();
    expect(await notices()).toHaveLength(1);
  }, 60_000);

  it('SMTP refusing the first attempts: retried, then sent; the order did not wait for it (acceptance 3)', async () => {
    const owner = await client('en', 1500);
    smtp.refuseNext(2);
    const order = (await p.api('POST', '/api/v1/orders', { clientId: owner.id, planPeriodId: catalog.monthlyPeriodId })).body;
    const completed = await waitForOrderStatus(p, order.id, 'completed');
    expect(completed.status).toBe('completed');
    await eventually(async () => mailsTo(owner.email).length === 1, { what: 'the e-mail after retries' });
    await settled();
    const [logged] = await logOf(`event=order_changed&clientId=${owner.id}`);
    const full = (await p.api('GET', `/api/v1/notifications/${logged.id}`)).body;
    expect(full).toMatchObject({ status: 'sent', attempts: 3 });
    expect(full.attemptLog.map((a: any) => a.status)).toEqual(['failed', 'failed', 'sent']);
    expect(full.attemptLog[0].error).toContain('451');
  });

  it('an SMS gateway answering 500 leaves the SMS failed after its retries; a resend after recovery is sent (acceptance 4)', async () => {
    expect((await p.api('POST', '/api/v1/settings/sms-gateway', { url: sms.url, authorization: 'Bearer gw-secret', messageIdField: 'id' })).status).toBe(200);
    const template = await defaultTemplate('payment_received.sms');
    await handler({ event: 'payment_received', templateId: template, rule: 'payment.total >= 700' });
    const owner = await client('en');
    sms.failing(true);
    await p.api('POST', `/api/v1/clients/${owner.id}/top-ups`, { amount: 700 });
    await settled();
    const [failed] = await logOf(`event=payment_received&channel=sms&clientId=${owner.id}`);
    expect(failed).toMatchObject({ status: 'failed', recipient: owner.phone, attempts: 4 });
    expect(failed.lastError).toContain('500');
    expect(sms.messages).toHaveLength(0);

    sms.failing(false);
    const resent = await p.api('POST', `/api/v1/notifications/${failed.id}/resend`, {});
    expect(resent.status, JSON.stringify(resent.body)).toBe(201);
    expect(resent.body.resentFromId).toBe(failed.id);
    await settled();
    expect((await p.api('GET', `/api/v1/notifications/${resent.body.id}`)).body).toMatchObject({ status: 'sent', providerMessageId: 'sms-1' });
    expect(sms.messages).toEqual([{ to: owner.phone, text: expect.stringContaining('7.00 EUR'), authorization: 'Bearer gw-secret' }]);
    // The first stays failed: the log keeps what happened.
    expect((await p.api('GET', `/api/v1/notifications/${failed.id}`)).body.status).toBe('failed');
  });

  it('refuses a template with unknown placeholders (naming them) and a rule with a syntax error (with its position) (acceptance 5)', async () => {
    const bad = await p.api('POST', '/api/v1/notification-templates', {
      name: 'Typo',
      channel: 'email',
      event: 'order_created',
      recipients: { to: '{{owner.email}}' },
      versions: { en: { subject: 'Order {{order.nmber}}', text: 'Hello {{client.name}}, {{order.number}}' } },
    });
    expect([bad.status, bad.body.code]).toEqual([422, 'template_unknown_placeholders']);
    expect(bad.body.details.unknown).toEqual(['client.name', 'order.nmber']);

    const template = await defaultTemplate('order_created.email');
    const rule = await p.api('POST', '/api/v1/notification-handlers', { event: 'order_created', templateId: template, rule: 'order.total > 100 and )' });
    expect([rule.status, rule.body.code, rule.body.details.position]).toEqual([422, 'rule_syntax', 22]);
    const unknown = await p.api('POST', '/api/v1/notification-handlers', { event: 'order_created', templateId: template, rule: 'order.totl > 100' });
    expect([unknown.status, unknown.body.code, unknown.body.details.unknown]).toEqual([422, 'rule_unknown_variable', ['order.totl']]);
    const missing = await p.api('POST', '/api/v1/notification-handlers', { event: 'before_subscription_expiration', templateId: await defaultTemplate('before_subscription_expiration.email'), rule: '' });
    expect([missing.status, missing.body.code]).toEqual([422, 'rule_required']);
  });

  it('previews a template for a real order, and for sample data, without sending anything (acceptance 6)', async () => {
    const owner = await client('en');
    const order = (await p.api('POST', '/api/v1/orders', { clientId: owner.id, planPeriodId: catalog.monthlyPeriodId })).body;
    await settled();
    const before = { mails: smtp.received.length, rows: (await p.sql<Array<{ n: number }>>`select count(*)::int as n from notifications`)[0]!.n };
    const template = await defaultTemplate('order_created.email');
    const real = await p.api('POST', `/api/v1/notification-templates/${template}/preview`, { subject: { kind: 'order', id: order.id } });
    expect(real.status, JSON.stringify(real.body)).toBe(200);
    expect(real.body.subject).toContain(order.number);
    expect(real.body.recipients.to).toBe(owner.email);
    expect(real.body.text).toContain('15.00 EUR');
    const sample = await p.api('POST', `/api/v1/notification-templates/${template}/preview`, { language: 'ru' });
    expect(sample.body).toMatchObject({ language: 'ru', sample: true });
    expect(sample.body.subject.length).toBeGreaterThan(0);
    const wrongKind = await p.api('POST', `/api/v1/notification-templates/${template}/preview`, { subject: { kind: 'client', id: owner.id } });
    expect([wrongKind.status, wrongKind.body.code]).toEqual([422, 'preview_subject']);
    expect(smtp.received.length).toBe(before.mails);
    expect((await p.sql<Array<{ n: number }>>`select count(*)::int as n from notifications`)[0]!.n).toBe(before.rows);
  });

  it('a handler with sending hour H holds a notification made before H until H (acceptance 7)', async () => {
    // Put the worker's clock 3 seconds before the next full hour.
    const now = Date.now();
    const nextHour = Math.ceil((now + 10_000) / 3_600_000) * 3_600_000;
    clockOffsetMs = nextHour - 3_000 - now;
    const hour = new Date(nextHour).getUTCHours();
    try {
      const template = await defaultTemplate('account_created.email');
      await handler({ event: 'account_created', templateId: template, sendHour: hour });
      const owner = await client('en');
      const queued = await eventually(async () => (await logOf(`event=account_created&clientId=${owner.id}`))[0], { what: 'the held notification' });
      expect(queued.status).toBe('queued');
      expect(new Date(queued.sendAt).getTime()).toBe(nextHour);
      await new Promise((r) => setTimeout(r, 1_500));
      expect(mailsTo(owner.email)).toHaveLength(0);
      expect((await logOf(`event=account_created&clientId=${owner.id}`))[0].status).toBe('queued');
      await eventually(async () => mailsTo(owner.email).length === 1, { what: 'the e-mail at the hour' });
      // The receiver has the mail a moment before the delivery activity records it as sent.
      const sent = await eventually(async () => {
        const row = (await logOf(`event=account_created&clientId=${owner.id}`))[0];
        return row?.status === 'queued' || row?.status === 'sending' ? undefined : row;
      }, { what: 'the delivery recorded' });
      expect(sent.status).toBe('sent');
    } finally {
      clockOffsetMs = 0;
      await p.api('POST', `/api/v1/notification-handlers/${(await p.api('GET', '/api/v1/notification-handlers')).body.items.find((h: any) => h.event === 'account_created').id}`, { active: false });
    }
  });

  it('client-panel notifications are stored for the client and listed in its panel', async () => {
    const template = await defaultTemplate('promised_payment_created.panel');
    await handler({ event: 'promised_payment_created', templateId: template });
    const owner = await client('en');
    const user = (await p.api('POST', '/api/v1/client-users', { name: 'Panel Owner', email: `panel-${owner.email}` })).body;
    await p.api('POST', `/api/v1/clients/${owner.id}/users`, { clientUserId: user.id, accessLevel: 'owner' });
    const token = (await p.api('POST', `/api/v1/client-users/${user.id}/tokens`, { name: 'panel' })).body.token;
    const expiresOn = addDays(new Date().toISOString().slice(0, 10), 5);
    expect((await p.api('POST', `/api/v1/clients/${owner.id}/promised-payments`, { amount: 500, expiresOn, override: true })).status).toBe(201);
    await settled();
    const listed = await p.api('GET', `/api/v1/clients/${owner.id}/panel-notifications`, undefined, { token });
    expect(listed.status, JSON.stringify(listed.body)).toBe(200);
    expect(listed.body.items).toHaveLength(1);
    expect(listed.body.items[0]).toMatchObject({ event: 'promised_payment_created', clientUserId: String(user.id) });
    expect(listed.body.items[0].body).toContain('5.00 EUR');
  });

  it('an edited shipped template is never overwritten by an upgrade', async () => {
    const { installDefaultTemplates } = await import('../../operations/notifications/defaults');
    const id = await defaultTemplate('low_balance.email');
    const current = (await p.api('GET', `/api/v1/notification-templates/${id}`)).body;
    const edited = { ...current.versions, en: { ...current.versions.en, subject: 'Your balance, {{account.name}}' } };
    const saved = await p.api('POST', `/api/v1/notification-templates/${id}`, { name: current.name, channel: current.channel, event: current.event, recipients: current.recipients, versions: edited, fallbackLanguage: current.fallbackLanguage });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect(saved.body.modified).toBe(true);
    await installDefaultTemplates(p.sql);
    expect((await p.api('GET', `/api/v1/notification-templates/${id}`)).body.versions.en.subject).toBe('Your balance, {{account.name}}');
    // An untouched one is brought back to the shipped text.
    const other = await defaultTemplate('low_balance.panel');
    await p.sql`update notification_templates set versions = jsonb_set(versions, '{en,subject}', '"stale"') where id = ${other}`;
    await installDefaultTemplates(p.sql);
    expect((await p.api('GET', `/api/v1/notification-templates/${other}`)).body.versions.en.subject).not.toBe('stale');
  });
});
