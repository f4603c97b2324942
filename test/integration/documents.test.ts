import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, todayIn } from '../../domain/dates';
import { nextFinancialDay } from '../../domain/lifecycle';
import { startSmtpReceiver, type SmtpReceiver } from '../fakes/smtp-receiver';
import { pdfText } from '../support/pdf-text';
import { isSealed, secretBox } from '../../infra/secret-box';
import { sealPlainSmtpPasswords } from '../../operations/resellers/smtp-password';
import { createClient, createTestPlatform, eventually, seedCatalog, testLicensingKeyEncryptionKey, type Catalog, type TestPlatform } from '../support/platform';

// Issue 21 point 6: acts and order invoices as PDF files of the client's reseller — its language, inherited or
// modified template, seal and numbering — rendered once and served as stored; the invoice attached to the
// "Order created" e-mail, sent through the reseller's (or the nearest ancestor's) SMTP relay.
//
// Tree: operator → A (Russian, own SMTP relay with a password, modified act template) → A1 (own seal, nothing
// else: language, relay and template come from A); B beside A. Clients: one of A1, one of B, one of the operator.
// A staff member acts only on its own reseller's clients (issue 21 point 5): A1's and B's clients are created and
// ordered by their own staff, with their own service rules and their delegated copies of the operator's plan.

const png1x1 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const relayPassword = 'relay-Pa55word';
let p: TestPlatform;
let installationSmtp: SmtpReceiver;
let resellerSmtp: SmtpReceiver;
let catalog: Catalog;
const ids = { a: 0, a1: 0, b: 0 };
const tokens = { a: '', a1: '', b: '' };
const clients = { a1: 0, b: 0, operator: 0 };
/** The monthly period each client orders: the operator's own, or the reseller's delegated copy of it. */
const periods = { a1: 0, b: 0, operator: 0 };

const as = (token: string) => (method: string, path: string, body?: unknown) => p.api(method, path, body, { token });

async function staffToken(resellerId: number, email: string): Promise<string> {
  // The upstream (here the operator) creates the reseller's first staff member (spec 05 §2.1 step 3).
  const member = await p.api('POST', '/api/v1/staff', { name: `Admin ${email}`, email, role: 'admin', resellerId });
  expect(member.status, JSON.stringify(member.body)).toBe(201);
  const token = await p.api('POST', `/api/v1/staff/${member.body.id}/tokens`, { name: 'docs' });
  expect(token.status, JSON.stringify(token.body)).toBe(201);
  return token.body.token as string;
}

/** Delegates `planId` to the direct child `resellerId` as `token`'s staff; answers the copy's id and monthly period. */
async function delegate(planId: number, resellerId: number, token?: string): Promise<{ planId: number; monthlyPeriodId: number }> {
  const copy = await p.api('POST', `/api/v1/plans/${planId}/delegations`, { resellerId }, token ? { token } : {});
  expect(copy.status, JSON.stringify(copy.body)).toBe(201);
  const monthly = (copy.body.periods as Array<{ id: number; duration: number; unit: string }>).find((x) => x.duration === 1 && x.unit === 'month')!;
  return { planId: copy.body.id, monthlyPeriodId: monthly.id };
}

/** The plan's monthly period as A1's and B's own copies: operator → A → A1, operator → B. */
async function delegatedPeriods(planId: number) {
  const a = await delegate(planId, ids.a);
  const a1 = await delegate(a.planId, ids.a1, tokens.a);
  const b = await delegate(planId, ids.b);
  return { a1: a1.monthlyPeriodId, b: b.monthlyPeriodId };
}

/** A client of the token's reseller, on the reseller's own service rule. */
async function clientOf(token: string, name: string, serviceRuleId: number): Promise<number> {
  const answer = await as(token)('POST', '/api/v1/clients', { name, serviceRuleId, contacts: [{ name: 'Olga Owner', email: 'olga@example.com', role: 'owner', language: 'en' }] });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body.id as number;
}

/** The reseller's own copy of the operator's service rule `ruleId` (copied when the reseller was created, spec 05 §2.2). */
async function ownCopyOfRule(token: string, ruleId: number): Promise<number> {
  const key = (await p.api('GET', `/api/v1/service-rules/${ruleId}`)).body.key as string;
  const own = (await as(token)('GET', '/api/v1/service-rules?limit=100')).body.items as Array<{ id: number; key: string }>;
  const copy = own.find((r) => r.key === key);
  expect(copy, `a copy of ${key}`).toBeTruthy();
  expect(copy!.id).not.toBe(ruleId);
  return copy!.id;
}

/** Waits, as the order's own reseller's staff (the operator does not see a reseller's order), for the status. */
async function waitForOrder(orderId: number, status: string, token?: string) {
  return eventually(async () => {
    const order = (await p.api('GET', `/api/v1/orders/${orderId}`, undefined, token ? { token } : {})).body;
    return order.status === status ? order : null;
  }, { what: `order ${orderId} to be ${status}` });
}

async function download(path: string, token: string | undefined, headers: Record<string, string> = {}) {
  const res = await p.app.request(path, { headers: { authorization: `Bearer ${token ?? p.adminToken}`, ...headers } }, { incoming: { socket: { remoteAddress: '127.0.0.1' } } });
  return { status: res.status, headers: res.headers, bytes: new Uint8Array(await res.arrayBuffer()) };
}

beforeAll(async () => {
  installationSmtp = await startSmtpReceiver();
  resellerSmtp = await startSmtpReceiver({ credentials: { user: 'a-mailer', password: relayPassword } });
  p = await createTestPlatform('documents', { mail: { url: installationSmtp.url, from: 'billing@operator.example' } });
  const today = todayIn('UTC', new Date());
  const dayOfMonth = Number(today.slice(8));
  catalog = await seedCatalog(p, {
    serviceRule: { defaultPaymentModel: 'postpay', subscriptionCreditLimit: 100_000, paymentDeferralDays: 3 },
    provisioningRule: { financialDay: dayOfMonth >= 28 ? 1 : dayOfMonth + 1 },
  });
  ids.a = (await p.api('POST', '/api/v1/resellers', { name: 'Реселлер А', currency: 'EUR' })).body.id;
  ids.a1 = (await p.api('POST', '/api/v1/resellers', { name: 'Субреселлер А1', currency: 'EUR', parentId: ids.a })).body.id;
  ids.b = (await p.api('POST', '/api/v1/resellers', { name: 'Reseller B', currency: 'EUR' })).body.id;
  tokens.a = await staffToken(ids.a, 'admin@a.example');
  tokens.a1 = await staffToken(ids.a1, 'admin@a1.example');
  tokens.b = await staffToken(ids.b, 'admin@b.example');
  clients.a1 = await clientOf(tokens.a1, 'ООО «Ромашка»', await ownCopyOfRule(tokens.a1, catalog.serviceRuleId));
  clients.b = await clientOf(tokens.b, 'Bee Ltd', await ownCopyOfRule(tokens.b, catalog.serviceRuleId));
  clients.operator = await createClient(p, catalog, 'Operator Client');
  Object.assign(periods, await delegatedPeriods(catalog.planId), { operator: catalog.monthlyPeriodId });
}, 120_000);

afterAll(async () => {
  await p?.close();
  await installationSmtp?.close();
  await resellerSmtp?.close();
});

describe('reseller settings (issue 21 point 1, spec 05 §8, spec 02 §13.6)', () => {
  it('are set by the reseller or an ancestor; a descendant inherits language and relay; the password is never answered', async () => {
    const a = await p.api('POST', `/api/v1/resellers/${ids.a}/settings`, {
      language: 'ru',
      sender: { name: 'Биллинг А', email: 'billing@a.example' },
      smtp: { host: '127.0.0.1', port: resellerSmtp.port, security: 'none', user: 'a-mailer', password: relayPassword },
    });
    expect(a.status, JSON.stringify(a.body)).toBe(200);
    expect(a.body.own.smtp).toEqual({ host: '127.0.0.1', port: resellerSmtp.port, security: 'none', user: 'a-mailer', passwordSet: true });
    // A1's own administrator sets its seal; the rest it inherits from A.
    const a1 = await p.api('POST', `/api/v1/resellers/${ids.a1}/settings`, { seal: png1x1 }, { token: tokens.a1 });
    expect(a1.status, JSON.stringify(a1.body)).toBe(200);
    expect(a1.body.own).toMatchObject({ language: null, smtp: null, seal: { contentType: 'image/png', bytes: 70 } });
    expect(a1.body.effective).toEqual({ language: 'ru', timeZone: null, sender: { name: 'Биллинг А', email: 'billing@a.example' }, smtpFromResellerId: ids.a });
    // A change that names no password keeps it.
    const kept = await p.api('POST', `/api/v1/resellers/${ids.a}/settings`, { smtp: { host: '127.0.0.1', port: resellerSmtp.port, security: 'none', user: 'a-mailer' } });
    expect(kept.body.own.smtp.passwordSet).toBe(true);
    for (const answer of [a, a1, kept, await p.api('GET', `/api/v1/resellers/${ids.a}/settings`)]) expect(JSON.stringify(answer.body)).not.toContain(relayPassword);
    // At rest the password is sealed with the secrets key (SECRETS_ENCRYPTION_KEY): the column holds no plain password.
    const [stored] = await p.sql<Array<{ smtp_password: string }>>`select smtp_password from reseller_settings where reseller_id = ${ids.a}`;
    expect(isSealed(stored!.smtp_password)).toBe(true);
    expect(stored!.smtp_password).not.toContain(relayPassword);
    expect(JSON.stringify(await p.sql`select * from reseller_settings`)).not.toContain(relayPassword);
    expect(secretBox(testLicensingKeyEncryptionKey).open(stored!.smtp_password)).toBe(relayPassword);
    const [log] = await p.sql<Array<{ n: number }>>`select count(*)::int as n from event_log where changes::text like ${`%${relayPassword}%`}`;
    expect(log!.n).toBe(0);
  });

  it('refuse bad input and change nothing: an oversized or broken image, a bad time zone, a reseller outside the subtree', async () => {
    const before = await p.api('GET', `/api/v1/resellers/${ids.a1}/settings`);
    const oversized = Buffer.concat([Buffer.from(png1x1, 'base64'), Buffer.alloc(300 * 1024)]).toString('base64');
    const broken = Buffer.concat([Buffer.from(png1x1, 'base64').subarray(0, 20), Buffer.alloc(40)]).toString('base64');
    const refused = [
      await p.api('POST', `/api/v1/resellers/${ids.a1}/settings`, { logo: oversized }, { token: tokens.a1 }),
      await p.api('POST', `/api/v1/resellers/${ids.a1}/settings`, { logo: Buffer.from('GIF89a not accepted').toString('base64') }, { token: tokens.a1 }),
      await p.api('POST', `/api/v1/resellers/${ids.a1}/settings`, { seal: broken }, { token: tokens.a1 }),
      await p.api('POST', `/api/v1/resellers/${ids.a1}/settings`, { timeZone: 'Mars/Olympus' }, { token: tokens.a1 }),
      await p.api('POST', `/api/v1/resellers/${ids.a1}/settings`, { language: 'xx' }, { token: tokens.a1 }),
      await p.api('POST', `/api/v1/resellers/${ids.a}/settings`, { language: 'en' }, { token: tokens.a1 }),
      await p.api('POST', `/api/v1/resellers/${ids.a1}/settings`, { language: 'en' }, { token: tokens.b }),
    ];
    expect(refused.map((r) => [r.status, r.body.code])).toEqual([
      [422, 'image_too_large'],
      [422, 'invalid_image'],
      [422, 'invalid_image'],
      [422, 'invalid_time_zone'],
      [400, 'validation_failed'],
      [404, 'not_found'],
      [404, 'not_found'],
    ]);
    expect((await p.api('GET', `/api/v1/resellers/${ids.a1}/settings`)).body).toEqual(before.body);
  });
});

describe('document templates (spec 05 §3.6)', () => {
  it("a reseller's modified copy reaches a descendant that has none; a broken template is refused", async () => {
    const base = (await p.api('GET', `/api/v1/resellers/${ids.a}/document-templates/act.ru`)).body;
    expect(base.origin).toBe('default');
    const body = base.body.replace('[seal]', 'Шаблон реселлера А\n[seal]');
    expect((await p.api('POST', `/api/v1/resellers/${ids.a}/document-templates/act.ru`, { body })).status).toBe(200);
    expect((await p.api('GET', `/api/v1/resellers/${ids.a1}/document-templates/act.ru`, undefined, { token: tokens.a1 })).body).toMatchObject({ origin: 'inherited', resellerId: ids.a, body });
    const broken = await p.api('POST', `/api/v1/resellers/${ids.a1}/document-templates/act.ru`, { body: '{{#each document.lines}}' }, { token: tokens.a1 });
    expect([broken.status, broken.body.code]).toEqual([422, 'template_syntax']);
    expect((await p.api('GET', `/api/v1/resellers/${ids.a}/document-templates/act.de`)).status).toBe(404);
  });
});

describe('document templates on the propagation mechanism (spec 05 §3.6, spec 03 §2.3-§2.5)', () => {
  it("a sub-reseller's edit is its own modified copy: its upstream's later change stops there, restore brings the upstream's back", async () => {
    const a1 = as(tokens.a1);
    const path = (id: number) => `/api/v1/resellers/${id}/document-templates/act.en`;
    const factory = (await p.api('GET', path(1))).body;
    expect(factory).toMatchObject({ origin: 'default', installed: true, inherited: false, modified: false, upstream: { resellerId: null } });
    expect((await a1('GET', path(ids.a1))).body).toMatchObject({ origin: 'default', installed: false, inherited: true, modified: false });
    // Nothing edited, nothing to restore.
    expect((await a1('POST', path(ids.a1), { body: null })).body.code).toBe('nothing_to_restore');

    const own = factory.body.replace('[seal]', 'A1 own layout\n[seal]');
    const edited = await a1('POST', path(ids.a1), { body: own });
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    expect(edited.body).toMatchObject({ origin: 'own', resellerId: ids.a1, installed: false, inherited: true, modified: true, body: own });
    // A's change upstream reaches nobody below A that kept its own version.
    const fromA = factory.body.replace('[seal]', 'A layout\n[seal]');
    expect((await p.api('POST', path(ids.a), { body: fromA })).body).toMatchObject({ origin: 'own', inherited: true, modified: true });
    const seenByA1 = (await a1('GET', path(ids.a1))).body;
    expect(seenByA1).toMatchObject({ body: own, modified: true, upstream: { body: fromA, resellerId: ids.a } });
    // Restore: A1's copy goes, A's version applies, and its later changes reach A1 again.
    expect((await a1('POST', path(ids.a1), { body: null })).body).toMatchObject({ origin: 'inherited', resellerId: ids.a, body: fromA, modified: false, inherited: true });
    const fromA2 = factory.body.replace('[seal]', 'A layout 2\n[seal]');
    await p.api('POST', path(ids.a), { body: fromA2 });
    expect((await a1('GET', path(ids.a1))).body.body).toBe(fromA2);
    // A restores too: everyone is back on the factory default.
    await p.api('POST', path(ids.a), { body: null });
    expect((await a1('GET', path(ids.a1))).body).toMatchObject({ origin: 'default', body: factory.body });
    const rows = await p.sql<Array<{ n: number }>>`select count(*)::int as n from document_templates where kind = 'act' and language = 'en'`;
    expect(rows[0]!.n).toBe(1);
  });
});

describe('acts as PDF (spec 02 §7; acceptance of issue 21 point 6)', () => {
  let actA1: { id: number; number: string; amount: number };
  let actB: { id: number; number: string };

  it('are numbered per reseller: A1 and B each start their own sequence, the operator keeps its own', async () => {
    const today = todayIn('UTC', new Date());
    const financialDay = Number(today.slice(8)) >= 28 ? 1 : Number(today.slice(8)) + 1;
    for (const key of ['a1', 'b', 'operator'] as const) {
      // Each client is ordered for by its own reseller's staff, on that reseller's copy of the plan.
      const token = key === 'operator' ? undefined : tokens[key];
      const order = await p.api('POST', '/api/v1/orders', { clientId: clients[key], planPeriodId: periods[key] }, token ? { token } : {});
      expect(order.status, JSON.stringify(order.body)).toBe(201);
      await waitForOrder(order.body.id, 'completed', token);
    }
    const fDay = nextFinancialDay(today, financialDay);
    for (const date of [fDay, addDays(fDay, 1)]) {
      const started = (await p.api('POST', '/api/v1/billing/runs', { date, confirmDate: date })).body;
      await p.temporal.workflow.getHandle(started.scenarioId).result();
    }
    const acts = await p.sql<Array<{ id: number; number: string; client_id: number; reseller_id: number; amount: string }>>`
      select id, number, client_id, reseller_id, amount::text from acts where client_id = any(${Object.values(clients)}::int[])`;
    const of = (clientId: number) => acts.find((a) => a.client_id === clientId)!;
    expect(of(clients.a1)).toMatchObject({ number: 'A000001', reseller_id: ids.a1 });
    expect(of(clients.b)).toMatchObject({ number: 'A000001', reseller_id: ids.b });
    expect(of(clients.operator).reseller_id).toBe(1);
    actA1 = { id: of(clients.a1).id, number: of(clients.a1).number, amount: Number(of(clients.a1).amount) };
    actB = of(clients.b);
    expect(actA1.amount).toBeGreaterThan(0);
  }, 180_000);

  it("an upstream change of the act template shows in the act PDF of an unmodified reseller and stops at a modified one (spec 05 §3.6)", async () => {
    // The operator edits its act templates; B never edited its own, A edited act.ru (the test above), A1 under A did not.
    const edit = async (key: string, marker: string) => {
      const factory = (await p.api('GET', `/api/v1/resellers/1/document-templates/${key}`)).body;
      const answer = await p.api('POST', `/api/v1/resellers/1/document-templates/${key}`, { body: factory.body.replace('[seal]', `${marker}\n[seal]`) });
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      expect(answer.body).toMatchObject({ origin: 'own', installed: true, inherited: false, modified: true });
    };
    await edit('act.en', 'Operator layout v2');
    await edit('act.ru', 'Макет оператора v2');
    expect((await as(tokens.b)('GET', `/api/v1/resellers/${ids.b}/document-templates/act.en`)).body).toMatchObject({ origin: 'inherited', resellerId: 1, inherited: true, modified: false });
    expect((await p.api('GET', `/api/v1/resellers/${ids.a}/document-templates/act.ru`)).body).toMatchObject({ origin: 'own', inherited: true, modified: true });
    expect((await as(tokens.a1)('GET', `/api/v1/resellers/${ids.a1}/document-templates/act.ru`)).body).toMatchObject({ origin: 'inherited', resellerId: ids.a, inherited: true, modified: false });

    const textB = await pdfText((await download(`/api/v1/acts/${actB.id}/pdf`, tokens.b)).bytes);
    expect(textB).toContain('Operator layout v2');
    expect(textB).toContain(`Act ${actB.number} Date:`);
    const textA1 = await pdfText((await download(`/api/v1/acts/${actA1.id}/pdf`, tokens.a1)).bytes);
    expect(textA1).toContain('Шаблон реселлера А');
    expect(textA1).not.toContain('Макет оператора v2');

    // Restore at the operator is the factory default again (the acts above keep what they were issued with).
    for (const key of ['act.en', 'act.ru']) {
      expect((await p.api('POST', `/api/v1/resellers/1/document-templates/${key}`, { body: null })).body).toMatchObject({ origin: 'default', installed: true, modified: false });
    }
    expect((await as(tokens.b)('GET', `/api/v1/resellers/${ids.b}/document-templates/act.en`)).body.body).not.toContain('Operator layout v2');
  });

  it("renders in the reseller's language, template and seal, and serves the same bytes on every download", async () => {
    const path = `/api/v1/acts/${actA1.id}/pdf`;
    const first = await download(path, tokens.a1);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('application/pdf');
    const text = await pdfText(first.bytes);
    const charges = (await as(tokens.a1)('GET', `/api/v1/charges?clientId=${clients.a1}&status=closed`)).body.items as Array<{ amount: number }>;
    expect(charges.length).toBeGreaterThan(0);
    const ru = (minor: number) => `${new Intl.NumberFormat('ru', { minimumFractionDigits: 2 }).format(minor / 100).replace(/\s/g, ' ')} EUR`;
    expect(text).toContain(`Акт № ${actA1.number}`);
    expect(text).toContain('Исполнитель: Субреселлер А1');
    expect(text).toContain('Заказчик: ООО «Ромашка»');
    expect(text).toContain(`Итого: ${ru(actA1.amount)}`);
    for (const charge of charges) expect(text).toContain(ru(charge.amount));
    expect(text).toMatch(/Период: \d{1,2} [а-я]+ \d{4} г\. – \d{1,2} [а-я]+ \d{4} г\./);
    expect(text).toContain('Шаблон реселлера А'); // A's modified template, inherited by A1
    expect(Buffer.from(first.bytes).includes(Buffer.from('/Subtype /Image'))).toBe(true); // A1's seal

    const second = await download(path, tokens.a1);
    expect(Buffer.from(second.bytes).equals(Buffer.from(first.bytes))).toBe(true);
    expect(second.headers.get('etag')).toBe(first.headers.get('etag'));
    expect((await download(path, tokens.a1, { 'if-none-match': first.headers.get('etag')! })).status).toBe(304);
    // A later change of the template does not change an issued act.
    expect((await p.api('POST', `/api/v1/resellers/${ids.a}/document-templates/act.ru`, { body: null })).body.origin).toBe('default');
    expect(Buffer.from((await download(path, tokens.a1)).bytes).equals(Buffer.from(first.bytes))).toBe(true);
  });

  it("is not found for another tenant's staff, for an unknown id, and for the operator's staff (its reseller's clients only)", async () => {
    expect((await download(`/api/v1/acts/${actA1.id}/pdf`, tokens.b)).status).toBe(404);
    expect((await download(`/api/v1/acts/${actA1.id}/pdf`, undefined)).status).toBe(404);
    expect((await download('/api/v1/acts/999999/pdf', tokens.a1)).status).toBe(404);
    const english = await download(`/api/v1/acts/${actB.id}/pdf`, tokens.b);
    expect(await pdfText(english.bytes)).toContain(`Act ${actB.number} Date:`);
  });
});

describe('the order invoice on "Order created" (spec 01 §16.11)', () => {
  it("is attached to the e-mail, which leaves through the nearest ancestor's relay with its sender, and is the PDF the API serves", async () => {
    // A password stored in plain before passwords were sealed: the API's start seals it (platform/processes.ts),
    // and the e-mail below still logs in with it.
    await p.sql`update reseller_settings set smtp_password = ${relayPassword} where reseller_id = ${ids.a}`;
    expect(await sealPlainSmtpPasswords(p.sql, secretBox(testLicensingKeyEncryptionKey))).toBe(1);
    expect(await sealPlainSmtpPasswords(p.sql, secretBox(testLicensingKeyEncryptionKey))).toBe(0);
    const [resealed] = await p.sql<Array<{ smtp_password: string }>>`select smtp_password from reseller_settings where reseller_id = ${ids.a}`;
    expect(isSealed(resealed!.smtp_password)).toBe(true);
    const templates = (await p.api('GET', '/api/v1/notification-templates?event=order_created&limit=200')).body.items as any[];
    const template = templates.find((t) => t.defaultKey === 'order_created.email');
    expect((await p.api('POST', '/api/v1/notification-handlers', { event: 'order_created', templateId: template.id })).status).toBe(201);
    // "Order created" fires for an order that waits for a payment: prepaid ones.
    // A1 was created before this catalogue, so it has no copy of its rule: A1's staff make A1's own prepaid rule.
    const prepaid = await seedCatalog(p);
    const a1 = as(tokens.a1);
    const a1Rule = await a1('POST', '/api/v1/service-rules', { key: 'prepaid_a1', name: 'Prepaid A1' });
    expect(a1Rule.status, JSON.stringify(a1Rule.body)).toBe(201);
    const buyer = await clientOf(tokens.a1, 'ООО «Лютик»', a1Rule.body.id);
    const a1Period = (await delegatedPeriods(prepaid.planId)).a1;
    const operatorBuyer = await createClient(p, prepaid, 'Operator Buyer');
    const placed = await a1('POST', '/api/v1/orders', { clientId: buyer, planPeriodId: a1Period });
    expect(placed.status, JSON.stringify(placed.body)).toBe(201);
    const order = placed.body;
    const operatorOrder = (await p.api('POST', '/api/v1/orders', { clientId: operatorBuyer, planPeriodId: prepaid.monthlyPeriodId })).body;

    // The relay logged in with the password A set: the receiver refuses any other (its stored value is sealed).
    const mail = await eventually(async () => resellerSmtp.received.find((m) => m.parsed.attachments.length > 0), { what: "the reseller relay's e-mail", timeoutMs: 30_000 });
    expect(mail.user).toBe('a-mailer');
    expect(mail.from).toBe('billing@a.example');
    expect(mail.parsed.from?.text).toContain('Биллинг А');
    const attachment = mail.parsed.attachments[0]!;
    expect(attachment.contentType).toBe('application/pdf');
    const text = await pdfText(attachment.content);
    expect(text).toContain('Счёт № INV000001');
    expect(text).toContain(`Заказ: ${order.number}`);
    expect(text).toContain('Поставщик: Субреселлер А1');
    const served = await download(`/api/v1/orders/${order.id}/invoice.pdf`, tokens.a1);
    expect(served.status).toBe(200);
    expect(Buffer.from(served.bytes).equals(attachment.content)).toBe(true);
    expect((await download(`/api/v1/orders/${order.id}/invoice.pdf`, tokens.b)).status).toBe(404);
    // The client's own user downloads the same file through the client-panel token; another client's is refused.
    // A1's staff make the user (a client user belongs to a reseller) and give it access to A1's client.
    const user = (await a1('POST', '/api/v1/client-users', { name: 'Лютик User', email: 'user@lutik.example' })).body;
    expect((await a1('POST', `/api/v1/clients/${buyer}/users`, { clientUserId: user.id, accessLevel: 'user' })).status).toBe(200);
    const panelToken = (await a1('POST', `/api/v1/client-users/${user.id}/tokens`, { name: 'panel' })).body.token as string;
    expect(Buffer.from((await download(`/api/v1/orders/${order.id}/invoice.pdf`, panelToken)).bytes).equals(attachment.content)).toBe(true);
    expect((await download(`/api/v1/orders/${operatorOrder.id}/invoice.pdf`, panelToken)).status).toBe(403);

    // The operator's client: no reseller relay on its way up, so the installation's, with an English invoice.
    const operatorMail = await eventually(async () => installationSmtp.received.find((m) => m.parsed.attachments.some((f) => f.filename?.startsWith('invoice-'))), { what: "the installation relay's e-mail", timeoutMs: 30_000 });
    expect(operatorMail.from).toBe('billing@operator.example');
    expect(await pdfText(operatorMail.parsed.attachments[0]!.content)).toContain(`Order: ${operatorOrder.number}`);
  });
});
