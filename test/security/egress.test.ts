import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSmsGateway, type FakeSmsGateway } from '../fakes/sms-gateway';
import { createClient, createTestPlatform, eventually, seedCatalog, waitForOrderStatus, type Catalog, type TestPlatform } from '../support/platform';
import { httpApi, serveOverHttp, type ServedApp } from '../support/serve';

/**
 * Issue 17, class 4: SSRF through vendor and SMS gateway URLs. Every outbound call goes through one egress
 * policy: http(s) only, checked when the URL is saved; no loopback, private, link-local or metadata address,
 * checked again after DNS resolution and on every redirect, unless the operator allow-lists the host
 * (EGRESS_ALLOW_HOSTS). Here only the SMS gateway and one stand-in vendor are allow-listed, by host and
 * port: the platform's own fake vendor on 127.0.0.1 is not, and neither is the "internal service".
 */
let p: TestPlatform;
let catalog: Catalog;
let served: ServedApp;
let api: ReturnType<typeof httpApi>;
let sms: FakeSmsGateway;
/** Stands for anything inside the network (a database, the Temporal UI): it must never be reached. */
let internal: RecordingServer;
/** An allow-listed vendor whose answers a test chooses, vendor-shaped or not. */
let vendor: RecordingServer;

interface RecordingServer {
  url: string;
  hostPort: string;
  requests: string[];
  answer: { status: number; contentType: string; body: string };
  close(): Promise<void>;
}

async function startRecordingServer(): Promise<RecordingServer> {
  const recording: RecordingServer = {
    url: '',
    hostPort: '',
    requests: [],
    answer: { status: 200, contentType: 'application/json', body: '{}' },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    recording.requests.push(`${req.method} ${req.url}`);
    req.resume();
    req.on('end', () => res.writeHead(recording.answer.status, { 'content-type': recording.answer.contentType }).end(recording.answer.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  recording.hostPort = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  recording.url = `http://${recording.hostPort}`;
  return recording;
}

const port = (url: string) => new URL(url).port;

beforeAll(async () => {
  sms = await startFakeSmsGateway();
  internal = await startRecordingServer();
  vendor = await startRecordingServer();
  p = await createTestPlatform('security_egress', { egressAllowHosts: [new URL(sms.url).host, vendor.hostPort] });
  catalog = await seedCatalog(p, { vendorUrl: vendor.url });
  served = await serveOverHttp(p.app);
  api = httpApi(served.url, p.adminToken);
});
afterAll(async () => {
  await served?.close();
  await p?.close();
  await Promise.all([sms?.close(), internal?.close(), vendor?.close()]);
});

const templateCount = async () => Number((await p.sql`select count(*)::int as n from service_templates`)[0]!.n);

/** A plan on a service template with these http-vendor settings, saved through the API or (legacy) by SQL. */
async function planOn(baseUrl: string, via: 'api' | 'sql' = 'api'): Promise<number> {
  let templateId: number;
  const settings = { baseUrl, secret: 'egress-secret', timeoutMs: 3000 };
  if (via === 'api') {
    const template = await api('POST', '/api/v1/service-templates', { name: `Vendor at ${baseUrl}`, plugin: 'http-vendor', settings });
    expect(template.status, JSON.stringify(template.body)).toBe(201);
    templateId = template.body.id;
  } else {
    const [row] = await p.sql<Array<{ id: number }>>`
      insert into service_templates (name, plugin, settings) values ('Saved before the policy', 'http-vendor', ${JSON.stringify(settings)}::jsonb) returning id`;
    templateId = row!.id;
  }
  const plan = await api('POST', '/api/v1/plans', {
    productId: catalog.productId,
    serviceTemplateId: templateId,
    provisioningRuleId: catalog.provisioningRuleId,
    name: `Plan at ${baseUrl}`,
    currency: 'EUR',
    periods: [{ duration: 1, unit: 'month', recurringFee: 1000 }],
  });
  expect(plan.status, JSON.stringify(plan.body)).toBe(201);
  return plan.body.periods[0].id;
}

/** Orders the period for a new client and hands back the log of its failed provisioning task. */
async function failedProvisioning(periodId: number, name: string) {
  const clientId = await createClient(p, catalog, name);
  await api('POST', `/api/v1/clients/${clientId}/top-ups`, { amount: 1000 });
  const order = await api('POST', '/api/v1/orders', { clientId, planPeriodId: periodId });
  expect(order.status, JSON.stringify(order.body)).toBe(201);
  await waitForOrderStatus(p, order.body.id, 'activation_error');
  const task = await eventually(async () => (await api('GET', `/api/v1/tasks?clientId=${clientId}&status=failed`)).body.items[0], { what: 'a failed task' });
  return (await api('GET', `/api/v1/tasks/${task.id}`)).body as { errorClass: string; log: Array<{ errorMessage: string | null; responseExcerpt: string | null }> };
}

describe('egress policy (issue 17, class 4)', () => {
  it('refuses, when saved, vendor and gateway URLs that are not http(s), carry credentials or a query, or name a loopback, private, link-local or metadata address', async () => {
    const before = await templateCount();
    const refused: Array<[string, number, string]> = [
      ['file:///etc/passwd', 422, 'invalid_settings'],
      ['gopher://127.0.0.1:5432/_SELECT', 422, 'invalid_settings'],
      [`${vendor.url}/api?x=`, 422, 'invalid_settings'],
      [`http://user:secret@${vendor.hostPort}`, 422, 'invalid_settings'],
      // The platform's own fake vendor: loopback, and not allow-listed here.
      [p.vendor.url, 422, 'egress_refused'],
      [`http://127.0.0.1:${port(served.url)}`, 422, 'egress_refused'],
      ['http://127.0.0.1:5432', 422, 'egress_refused'],
      ['http://0x7f000002:8233', 422, 'egress_refused'],
      ['http://0.0.0.0:5432', 422, 'egress_refused'],
      ['http://10.1.2.3', 422, 'egress_refused'],
      ['http://192.168.0.10', 422, 'egress_refused'],
      ['http://100.64.0.1', 422, 'egress_refused'],
      ['http://169.254.169.254/latest/meta-data', 422, 'egress_refused'],
      ['http://[::1]:5432', 422, 'egress_refused'],
      ['http://[::ffff:7f00:1]:5432', 422, 'egress_refused'],
      ['http://[fd00::1]', 422, 'egress_refused'],
      ['http://[fe80::1]', 422, 'egress_refused'],
    ];
    for (const [baseUrl, status, code] of refused) {
      const answer = await api('POST', '/api/v1/service-templates', { name: 'Sneaky', plugin: 'http-vendor', settings: { baseUrl, secret: 's' } });
      expect([answer.status, answer.body?.code], `${baseUrl}: ${JSON.stringify(answer.body)}`).toEqual([status, code]);
    }
    expect(await templateCount()).toBe(before);

    for (const url of ['http://169.254.169.254/latest', `http://127.0.0.1:${port(served.url)}/login`, 'http://{phone}.example.com/send', 'http://[::1]/send']) {
      const answer = await api('POST', '/api/v1/settings/sms-gateway', { url });
      expect(answer.status, `${url}: ${JSON.stringify(answer.body)}`).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
      expect(['egress_refused', 'validation_failed']).toContain(answer.body.code);
    }
    expect(await p.sql`select 1 from settings where key = 'sms_gateway'`).toHaveLength(0);
  });

  it('refuses at run time a vendor host that resolves to loopback, and a loopback URL saved before the policy: nothing is sent', async () => {
    const viaName = await planOn(`http://localhost:${port(p.vendor.url)}`);
    const legacy = await planOn(p.vendor.url, 'sql');
    for (const [periodId, name] of [[viaName, 'Resolves Inside Ltd'], [legacy, 'Saved Long Ago Ltd']] as const) {
      const task = await failedProvisioning(periodId, name);
      expect(task.errorClass).toBe('permanent');
      expect(task.log.at(-1)!.errorMessage).toMatch(/egress refused/i);
    }
    expect(p.vendor.calls).toHaveLength(0);
  });

  it('follows an SMS gateway redirect only where the policy allows: one to an internal address fails and reaches nothing', async () => {
    expect((await api('POST', '/api/v1/settings/sms-gateway', { url: sms.url, messageIdField: 'id' })).status).toBe(200);
    const items = (await api('GET', '/api/v1/notification-templates?event=payment_received&limit=200')).body.items;
    const template = items.find((t: { defaultKey: string }) => t.defaultKey === 'payment_received.sms');
    expect((await api('POST', '/api/v1/notification-handlers', { event: 'payment_received', templateId: template.id })).status).toBe(201);
    const smsOf = async (phone: string) =>
      eventually(async () => (await api('GET', `/api/v1/notifications?channel=sms&limit=200`)).body.items.find((n: any) => n.recipient === phone && ['sent', 'failed'].includes(n.status)), { what: `an SMS to ${phone}` });

    const phones = ['+37060000101', '+37060000102'];
    const clients: number[] = [];
    for (const phone of phones) {
      const created = await api('POST', '/api/v1/clients', { name: `Texted ${phone}`, serviceRuleId: catalog.serviceRuleId, contacts: [{ name: 'Owner', phone, role: 'owner', language: 'en' }] });
      clients.push(created.body.id);
    }
    sms.redirectNext(`${internal.url}/steal`);
    await api('POST', `/api/v1/clients/${clients[0]}/top-ups`, { amount: 700 });
    const refused = await smsOf(phones[0]!);
    expect(refused.status).toBe('failed');
    expect(refused.lastError).toMatch(/egress refused/i);
    expect(internal.requests).toEqual([]);

    // A redirect within the allow-listed gateway is followed.
    sms.redirectNext(`${sms.url}?moved=1`);
    await api('POST', `/api/v1/clients/${clients[1]}/top-ups`, { amount: 700 });
    expect((await smsOf(phones[1]!)).status).toBe('sent');
    expect(sms.messages.map((m) => m.to)).toEqual([phones[1]]);
  });

  it('keeps a capped excerpt of a vendor-shaped answer in the task log, and none of any other answer', async () => {
    const periodId = await planOn(vendor.url);
    vendor.answer = { status: 200, contentType: 'application/json', body: JSON.stringify({ rows: [{ user: 'postgres', password: 'hunter2' }] }) };
    const leaky = await failedProvisioning(periodId, 'Leaky Answer Ltd');
    expect(JSON.stringify(leaky.log)).not.toContain('hunter2');

    vendor.answer = { status: 404, contentType: 'text/html', body: '<html><title>Temporal UI</title>secret workflow list</html>' };
    const html = await failedProvisioning(periodId, 'Html Answer Ltd');
    expect(JSON.stringify(html.log)).not.toContain('secret workflow');

    vendor.answer = { status: 422, contentType: 'application/json', body: JSON.stringify({ error: `plan sold out. ${'x'.repeat(50_000)}` }) };
    const shaped = await failedProvisioning(periodId, 'Shaped Answer Ltd');
    const last = shaped.log.at(-1)!;
    expect(last.errorMessage).toContain('plan sold out');
    expect(last.responseExcerpt).toContain('{"error":"plan sold out');
    expect(last.responseExcerpt!.length).toBeLessThan(2_200);
  });
});
