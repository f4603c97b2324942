import { serve, type ServerType } from '@hono/node-server';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, todayIn } from '../../domain/dates';
import { translator, type MessageKey } from '../../web/i18n';
import { sections } from '../../web/layout';
import { listDefinitions } from '../../web/list-definitions';
import { createClient, createTestPlatform, eventually, flattenTree, seedCatalog, waitForOrderStatus, waitForScenarioStatus, type Catalog, type TestPlatform } from '../support/platform';
import { fillLists } from './fill-lists';

/**
 * Issue 8's acceptance in headless Chromium (playwright-core driving Debian's Chromium): the real app on a real
 * port, a real Temporal worker, real PostgreSQL. Screenshots go to test-results/screenshots.
 */
const chromiumPath = process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const screenshots = join(process.cwd(), 'test-results', 'screenshots');
const password = 'a long operator passphrase';

let p: TestPlatform;
let catalog: Catalog;
let server: ServerType;
let base: string;
let browser: Browser;
/** Every request the pages made that did not go to this server (acceptance 7). */
const outside: string[] = [];
const staff: Record<'admin' | 'support' | 'sales' | 'subReseller', { id: number; email: string }> = {} as never;
let stuck: { orderId: number; scenarioId: string; clientId: number; subscriptionId: number };
const operations: number[] = [];

async function staffMember(role: string, email: string, name: string) {
  const created = await p.api('POST', '/api/v1/staff', { name, email, role, language: 'en' });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  expect((await p.api('POST', `/api/v1/staff/${created.body.id}/password`, { password })).status).toBe(200);
  return { id: created.body.id as number, email };
}

async function orderStuckAtProvisioning(name: string) {
  const clientId = await createClient(p, catalog, name);
  await p.api('POST', `/api/v1/clients/${clientId}/top-ups`, { amount: 5000 });
  p.vendor.rejectNext(1, 422, 'plan BK-100 is not sold in this region');
  const order = (await p.api('POST', '/api/v1/orders', { clientId, planPeriodId: catalog.monthlyPeriodId })).body;
  const errored = await waitForOrderStatus(p, order.id, 'activation_error');
  await waitForScenarioStatus(p, `order-${order.id}`, 'waiting');
  return { orderId: order.id as number, scenarioId: `order-${order.id}`, clientId, subscriptionId: errored.subscriptionId as number };
}

beforeAll(async () => {
  if (!chromiumPath) throw new Error('Chromium is needed for the browser tests: apt-get install chromium, or set CHROMIUM_PATH');
  await mkdir(screenshots, { recursive: true });
  p = await createTestPlatform('web_ui');
  catalog = await seedCatalog(p);
  staff.admin = await staffMember('admin', 'anna.admin@example.com', 'Anna Admin');
  staff.support = await staffMember('support', 'sergei.support@example.com', 'Sergei Support');
  staff.sales = await staffMember('sales_manager', 'maria.sales@example.com', 'Maria Sales');

  // A failed scenario for support, pending manual operations for the operator, and some ordinary business.
  // Orders leave a note in the client panel: the notification log has rows of its own.
  const [panelTemplate] = await p.sql<Array<{ id: number }>>`select id from notification_templates where default_key = 'order_created.panel'`;
  expect((await p.api('POST', '/api/v1/notification-handlers', { event: 'order_created', templateId: panelTemplate!.id })).status).toBe(201);
  stuck = await orderStuckAtProvisioning('Stuck Region Ltd');
  const manualTemplate = await p.api('POST', '/api/v1/service-templates', { name: 'Hand-made hosting', plugin: 'manual' });
  const manualPlan = await p.api('POST', '/api/v1/plans', {
    productId: catalog.productId,
    serviceTemplateId: manualTemplate.body.id,
    provisioningRuleId: catalog.provisioningRuleId,
    name: 'Managed server',
    periods: [{ duration: 1, unit: 'month', recurringFee: 1000 }],
  });
  for (const name of ['Hands On LLC', 'Manual Works', 'By Hand Co']) {
    const clientId = await createClient(p, catalog, name);
    await p.api('POST', `/api/v1/clients/${clientId}/top-ups`, { amount: 2000 });
    const order = (await p.api('POST', '/api/v1/orders', { clientId, planPeriodId: manualPlan.body.periods[0].id })).body;
    const op = await eventually(async () => (await p.sql<Array<{ id: number }>>`select id from manual_operations where order_id = ${order.id} and status = 'pending'`)[0], { what: 'a manual operation' });
    operations.push(op.id);
  }
  const paying = await createClient(p, catalog, 'Completed Orders Inc');
  await p.api('POST', `/api/v1/clients/${paying}/top-ups`, { amount: 5000 });
  const done = (await p.api('POST', '/api/v1/orders', { clientId: paying, planPeriodId: catalog.monthlyPeriodId })).body;
  await waitForOrderStatus(p, done.id, 'completed');
  await eventually(async () => (await p.sql`select 1 from notifications limit 1`)[0], { what: 'a panel notification' });
  await fillLists(p.sql, { orderId: done.id, scenarioId: `order-${done.id}`, operationId: operations[0]! });

  server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: p.app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(null)));
  await p?.close();
});

/** A browser context of its own (cookies), with every request outside this server recorded and refused. */
async function signIn(who: keyof typeof staff, language: 'en' | 'ru' = 'en'): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL: base, acceptDownloads: true, locale: language === 'ru' ? 'ru-RU' : 'en-US' });
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.origin === base || url.protocol === 'data:' || url.protocol === 'about:') return route.continue();
    outside.push(url.href);
    return route.abort();
  });
  const page = await context.newPage();
  page.on('dialog', (dialog) => void dialog.accept());
  await page.goto('/login');
  await page.fill('input[name=email]', staff[who].email);
  await page.fill('input[name=password]', password);
  await Promise.all([page.waitForURL(`${base}/`), page.click('button[type=submit]')]);
  if (language === 'ru') await navigating(page, () => page.click('header form[action="/language"] button'));
  return { context, page };
}

/** Runs an action that loads a new document (a form post and its redirect) and waits for it. */
async function navigating(page: Page, action: () => Promise<unknown>) {
  await Promise.all([page.waitForEvent('framenavigated', { predicate: (frame) => frame === page.mainFrame() }), action()]);
  await page.waitForLoadState('load');
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });

describe('operator UI in a browser (issue 8)', () => {
  it('acceptance 1: from the home page to a failed scenario, its error, a retry with corrected input, and the tree turning green without a reload', async () => {
    const { context, page } = await signIn('support');
    expect(await page.locator('[data-count="home.waitingScenarios"] b').textContent()).not.toBe('0');
    await page.click(`#waiting-scenarios a[href="/scenarios/${stuck.scenarioId}"]`);
    await page.waitForURL(`${base}/scenarios/${stuck.scenarioId}`);
    const failed = page.locator('li.step[data-status=failed]');
    expect(await failed.count()).toBe(1);
    expect(await failed.locator('.step-error').textContent()).toContain('not sold in this region');
    expect(await page.locator('a.temporal-link').getAttribute('href')).toBe(`http://127.0.0.1:8233/namespaces/${p.temporalNamespace}/workflows/${stuck.scenarioId}`);
    await shot(page, 'scenario-failed');

    // A marker on the window: a page load would wipe it.
    await page.evaluate(() => ((globalThis as unknown as { unchanged: boolean }).unchanged = true));
    const retry = failed.locator('form.retry');
    await retry.locator('textarea[name=input]').fill('{"region": eu-west');
    await retry.locator('button[type=submit]').click();
    await page.waitForFunction(() => (globalThis as unknown as { document: { querySelector(s: string): { textContent: string | null } | null } }).document.querySelector('form.retry .form-error')?.textContent?.includes('invalid_json'));
    expect((await p.api('GET', `/api/v1/scenarios/${stuck.scenarioId}`)).body.status).toBe('waiting');

    await retry.locator('textarea[name=input]').fill('{"region": "eu-west"}');
    await retry.locator('input[name=reason]').fill('region corrected with the vendor');
    await retry.locator('button[type=submit]').click();
    await page.waitForSelector('#tree[data-scenario-status=completed]', { timeout: 45_000 });
    expect(await page.evaluate(() => (globalThis as unknown as { unchanged?: boolean }).unchanged)).toBe(true);
    expect(await page.locator('li.step[data-status=failed]').count()).toBe(0);
    expect(await page.locator('li.step[data-status=succeeded]').count()).toBeGreaterThan(1);
    await shot(page, 'scenario-green');

    const scenario = (await p.api('GET', `/api/v1/scenarios/${stuck.scenarioId}`)).body;
    const provision = flattenTree(scenario.tree).find((s: { name: string }) => s.name === 'Provision at vendor');
    expect(provision).toMatchObject({ status: 'succeeded', input: { region: 'eu-west' } });
    expect(scenario.decisions).toEqual([expect.objectContaining({ decision: 'retry', reason: 'region corrected with the vendor', decidedBy: staff.support.id })]);
    await context.close();
  });

  it('acceptance 2: approve and reject manual operations from the list and from the detail page; the list updates', async () => {
    const { context, page } = await signIn('sales');
    await page.goto('/manual-operations?f.status=pending');
    const row = (id: number) => page.locator(`table.list tr[data-id="${id}"]`);
    expect(await row(operations[0]!).count()).toBe(1);
    await shot(page, 'manual-operations-pending');
    await navigating(page, () => row(operations[0]!).locator('button.approve').click());
    await page.waitForURL(/\/manual-operations\?f\.status=pending/);
    expect(await row(operations[0]!).count()).toBe(0);
    await navigating(page, () => row(operations[1]!).locator('button.reject').click());
    expect(await row(operations[1]!).count()).toBe(0);
    expect(await row(operations[2]!).count()).toBe(1);

    await page.goto(`/manual-operations/${operations[2]}`);
    await page.fill('form.approve-form input[name=comment]', 'server racked by hand');
    await page.fill('form.approve-form textarea[name=output]', '{"vendorReference": "RACK-7"}');
    await navigating(page, () => page.click('form.approve-form button.approve'));
    expect(await page.locator('.status.s-approved').count()).toBeGreaterThan(0);
    await shot(page, 'manual-operation-approved');

    const statuses = await p.sql<Array<{ id: number; status: string; comment: string | null; decided_by: number }>>`
      select id, status, comment, decided_by from manual_operations where id in ${p.sql(operations)} order by id`;
    expect(statuses.map((s) => [s.id, s.status, s.decided_by])).toEqual([
      [operations[0], 'approved', staff.sales.id],
      [operations[1], 'rejected', staff.sales.id],
      [operations[2], 'approved', staff.sales.id],
    ]);
    expect(statuses[2]!.comment).toBe('server racked by hand');
    await page.goto('/manual-operations?f.status=pending');
    for (const id of operations) expect(await row(id).count()).toBe(0);
    await context.close();
  });

  // One test per list: each is a dozen page loads, and nine lists in one test outgrew its time on a loaded machine.
  for (const def of listDefinitions) {
    it(`acceptance 3: the ${def.name} list filters, sorts, pages, remembers the chosen columns and exports the filtered list as CSV`, async () => {
      const { context, page } = await signIn('admin');
      const t = translator('en');
      await page.goto(def.path);
      const total = Number(await page.locator('p.counter').getAttribute('data-total'));
      expect(total, `${def.name}: enough rows to page`).toBeGreaterThan(50);
      expect(await page.locator('table.list tbody tr').count(), def.name).toBe(50);

      // Page: the second page starts at 51.
      await navigating(page, () => page.click('nav.pager a[rel=next]'));
      expect(await page.locator('p.counter').textContent(), def.name).toContain(`51–${Math.min(100, total)}`);

      // Sort by ID (scenarios: by start), ascending then descending.
      const sortKey = def.name === 'scenarios' ? 'startedAt' : 'id';
      const numeric = sortKey === 'id';
      const values = async () => (await page.locator(`table.list tbody td[data-column="${sortKey}"]`).allTextContents()).map((v) => v.trim());
      const order = (dir: 1 | -1) => (a: string, b: string) => dir * (numeric ? Number(a) - Number(b) : a < b ? -1 : a > b ? 1 : 0);
      await page.goto(def.path);
      await navigating(page, () => page.click(`th[data-column="${sortKey}"] a`));
      const ascending = await values();
      expect(ascending, `${def.name} ascending`).toEqual([...ascending].sort(order(1)));
      await navigating(page, () => page.click(`th[data-column="${sortKey}"] a`));
      const descending = await values();
      expect(descending, `${def.name} descending`).toEqual([...descending].sort(order(-1)));
      expect(descending[0], def.name).not.toBe(ascending[0]);

      // Filter: the first filter with a value present in the list.
      const filter = def.filters[0]!;
      const value = await filterValue(def.name, filter.key);
      await page.goto(def.path);
      if (filter.kind === 'enum') await page.selectOption(`select[name="f.${filter.key}"]`, value);
      else await page.fill(`input[name="f.${filter.key}"]`, value);
      await navigating(page, () => page.click('form.filters button[type=submit]'));
      const filtered = Number(await page.locator('p.counter').getAttribute('data-total'));
      expect(filtered, `${def.name} filtered by ${filter.key}=${value}`).toBeGreaterThan(0);
      expect(filtered, `${def.name} filtered by ${filter.key}=${value}`).toBeLessThan(total);
      const column = def.columns.find((col) => col.key === filter.key);
      if (column && filter.kind === 'enum') {
        const cells = await page.locator(`table.list tbody td[data-column="${column.key}"]`).allTextContents();
        expect(new Set(cells), def.name).toEqual(new Set([t.value(value)]));
      }

      // Export the filtered list: the visible columns, one line per row.
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('a.export')]);
      const csv = (await readFile((await download.path())!, 'utf8')).trimEnd().split('\r\n');
      const headers = await page.locator('table.list thead th[data-column]').allTextContents();
      expect(csv[0], def.name).toBe(headers.map((h) => h.replace(/ [▲▼]$/, '')).map(csvQuote).join(','));
      expect(csv.length - 1, `${def.name} CSV rows`).toBe(filtered);

      // Columns: hide one (applied at once), still hidden on the next visit, then shown again.
      const hide = def.columns.find((col) => !col.hidden && col.key !== 'id')!;
      await page.goto(def.path);
      await page.click('details.columns summary');
      await navigating(page, () => page.click(`details.columns input[value="${hide.key}"]`));
      await page.goto(def.path);
      expect(await page.locator(`th[data-column="${hide.key}"]`).count(), `${def.name} hides ${hide.key}`).toBe(0);
      const shown = def.columns.find((col) => col.hidden);
      await page.click('details.columns summary');
      await navigating(page, () => page.click(`details.columns input[value="${hide.key}"]`));
      if (shown) {
        await page.click('details.columns summary');
        await navigating(page, () => page.click(`details.columns input[value="${shown.key}"]`));
      }
      await page.goto(def.path);
      expect(await page.locator(`th[data-column="${hide.key}"]`).count(), def.name).toBe(1);
      if (shown) expect(await page.locator(`th[data-column="${shown.key}"]`).count(), `${def.name} shows ${shown.key}`).toBe(1);
      await shot(page, `list-${def.name}`);
      await context.close();
    });
  }

  it('acceptance 3: the chosen columns of every list are remembered for the staff member', async () => {
    const saved = await p.sql`select list from staff_list_preferences where staff_id = ${staff.admin.id}`;
    expect(saved.map((r) => r.list).sort()).toEqual(listDefinitions.map((d) => d.name).sort());
  });

  it('acceptance 4: every page renders in Russian and in English without an untranslated word', async () => {
    const taskId = (await p.sql<Array<{ id: number }>>`select id from tasks where scenario_id = ${stuck.scenarioId} order by id limit 1`)[0]!.id;
    const templateId = (await p.sql<Array<{ id: number }>>`select id from notification_templates order by id limit 1`)[0]!.id;
    await p.api('POST', '/api/v1/billing/runs', { date: '2026-01-15' });
    const pages = [
      '/',
      ...listDefinitions.map((d) => d.path),
      `/scenarios/${stuck.scenarioId}`,
      `/tasks/${taskId}`,
      `/manual-operations/${operations[0]}`,
      `/orders/${stuck.orderId}`,
      `/subscriptions/${stuck.subscriptionId}`,
      `/clients/${stuck.clientId}`,
      '/notification-templates',
      `/notification-templates/${templateId}`,
      '/billing-runs',
      '/billing-runs/2026-01-15',
      '/billing-runs/preview?date=2026-01-15',
    ];
    for (const language of ['en', 'ru'] as const) {
      const t = translator(language);
      const { context, page } = await signIn('admin', language);
      const untranslated: string[] = [];
      for (const path of pages) {
        const res = await page.goto(path);
        expect(res!.status(), `${language} ${path}`).toBe(200);
        const html = await page.content();
        expect(await page.locator('html').getAttribute('lang')).toBe(language);
        for (const m of html.matchAll(/⟦([^⟧]+)⟧/g)) untranslated.push(`${language} ${path}: ${m[1]}`);
        expect(html, `${language} ${path}`).toContain(t('nav.home'));
      }
      await page.goto('/login');
      expect(untranslated).toEqual([]);
      await shot(page, `home-${language}`);
      await context.close();
    }
    // Both dictionaries hold every key: the Russian one is typed against the English keys, and is not a copy of it.
    const en = translator('en');
    const ru = translator('ru');
    const keys: MessageKey[] = ['nav.orders', 'home.title', 'list.exportCsv', 'scenario.openInTemporal'];
    for (const k of keys) expect(ru(k)).not.toBe(en(k));
  });

  it('acceptance 5: a support user sees no approve buttons and gets 403 when posting the form anyway', async () => {
    const pending = await pendingOperation();
    const { context, page } = await signIn('support');
    await page.goto('/manual-operations?f.status=pending');
    expect(await page.locator(`table.list tr[data-id="${pending}"]`).count()).toBe(1);
    expect(await page.locator('button.approve, button.reject').count()).toBe(0);
    await page.goto(`/manual-operations/${pending}`);
    expect(await page.locator('form.approve-form, button.approve').count()).toBe(0);
    await shot(page, 'support-manual-operation');
    // The form a sales manager would see, posted with the support user's own valid session and form token.
    const csrf = await page.locator('header form[action="/logout"] input[name=_csrf]').getAttribute('value');
    const res = await page.request.post(`/manual-operations/${pending}/approve`, { form: { _csrf: csrf!, comment: 'sneaky' } });
    expect(res.status()).toBe(403);
    expect(await res.text()).toContain('forbidden');
    const [op] = await p.sql`select status from manual_operations where id = ${pending}`;
    expect(op!.status).toBe('pending');
    await context.close();
  });

  it('acceptance 6: a form post without the token is refused; the session cookie is HttpOnly and SameSite', async () => {
    const pending = await pendingOperation();
    const { context, page } = await signIn('sales');
    const cookie = (await context.cookies()).find((c) => c.name === 'bp_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    expect(await page.evaluate(() => (globalThis as unknown as { document: { cookie: string } }).document.cookie)).not.toContain('bp_session');
    const withoutToken = await page.request.post(`/manual-operations/${pending}/approve`, { form: { comment: 'no token' } });
    expect(withoutToken.status()).toBe(403);
    const wrongToken = await page.request.post(`/manual-operations/${pending}/approve`, { form: { _csrf: 'x'.repeat(32), comment: 'forged' } });
    expect(wrongToken.status()).toBe(403);
    const [op] = await p.sql`select status from manual_operations where id = ${pending}`;
    expect(op!.status).toBe('pending');
    // Signing out ends the session on the server: the old cookie opens nothing.
    await Promise.all([page.waitForURL(/\/login/), page.click('header form[action="/logout"] button')]);
    await context.addCookies([{ ...cookie }]);
    await page.goto('/');
    expect(page.url()).toContain('/login');
    await context.close();
  });

  it('the cards, templates and billing run pages work: a template refused with its error at the field, a preview, a billing run watched to its end', async () => {
    const { context, page } = await signIn('admin');
    const templateId = (await p.sql<Array<{ id: number }>>`select id from notification_templates where channel = 'email' order by id limit 1`)[0]!.id;
    await page.goto(`/notification-templates/${templateId}`);
    const text = page.locator('textarea[name="en.text"]');
    const before = await text.inputValue();
    await text.fill(`${before} {{order.nonsense_field}}`);
    await navigating(page, () => page.click('form.template-form button[type=submit]'));
    expect(await page.locator('p.error').getAttribute('data-code')).toBeTruthy();
    expect(await page.locator('label.invalid .field-error').first().textContent()).toContain('order.nonsense_field');
    expect(await page.locator('textarea[name="en.text"]').inputValue()).toContain('{{order.nonsense_field}}');
    const [unchanged] = await p.sql`select modified from notification_templates where id = ${templateId}`;
    expect(unchanged!.modified).toBe(false);
    await shot(page, 'template-refused');
    await navigating(page, () => page.click('form.preview-form button[type=submit]'));
    expect(await page.locator('section.preview pre').textContent()).not.toBe('');
    await shot(page, 'template-preview');

    await page.goto('/billing-runs');
    await page.fill('form.preview-form input[name=date]', '2026-02-01');
    await navigating(page, () => page.click('form.preview-form button'));
    // A past date: the dry run, then the run without typing the date again.
    expect(await page.locator('form.run-form input[name=confirmDate]').count()).toBe(0);
    await Promise.all([page.waitForURL(`${base}/billing-runs/2026-02-01`), page.click('form.run-form button')]);
    await page.waitForSelector('#run[data-final="1"]', { timeout: 45_000 });
    expect(await page.locator('#run table tr').count()).toBeGreaterThan(10);
    await shot(page, 'billing-run');

    await page.goto(`/clients/${stuck.clientId}`);
    await page.fill('form.block input[name=reason]', 'contract review');
    await navigating(page, () => page.click('form.block button'));
    await navigating(page, () => page.click('form.confirm-form button.confirm'));
    expect(await page.locator('h1 .status').getAttribute('class')).toContain('s-administratively_blocked');
    await page.fill('form.activate input[name=reason]', 'review done');
    await navigating(page, () => page.click('form.activate button'));
    expect((await p.api('GET', `/api/v1/clients/${stuck.clientId}`)).body.status).toBe('active');
    await page.goto(`/subscriptions/${stuck.subscriptionId}`);
    await page.fill('form.expiration input[name=comment]', 'agreed with the client');
    await page.fill('form.expiration input[name=expirationDate]', '2031-01-31');
    await navigating(page, () => page.click('form.expiration button'));
    expect((await p.api('GET', `/api/v1/subscriptions/${stuck.subscriptionId}`)).body.expirationDate).toBe('2031-01-31');
    await page.goto(`/orders/${stuck.orderId}`);
    expect(await page.locator('h2').allTextContents()).toEqual(expect.arrayContaining(['General information', 'Cost information', 'Ordered service', 'Detail lines', 'Event log', 'Scenarios']));
    await shot(page, 'order-card');
    await context.close();
  });

  it("issue 21: a sub-reseller's staff member sees its own clients in the client list, never a sibling reseller's", async () => {
    const reseller = async (name: string, parentId?: number) => {
      const created = await p.api('POST', '/api/v1/resellers', { name, currency: 'EUR', ...(parentId ? { parentId } : {}) });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      return created.body.id as number;
    };
    const a1 = await reseller('Sub-reseller A1', await reseller('Reseller A'));
    const b = await reseller('Reseller B');
    const own = await createClient(p, catalog, 'Client of A1');
    const sibling = await createClient(p, catalog, 'Client of B');
    await p.sql`update clients set reseller_id = ${a1} where id = ${own}`;
    await p.sql`update clients set reseller_id = ${b} where id = ${sibling}`;
    const member = await p.api('POST', '/api/v1/staff', { name: 'Alex A1', email: 'alex.a1@example.com', role: 'admin', language: 'en', resellerId: a1 });
    expect(member.status, JSON.stringify(member.body)).toBe(201);
    expect((await p.api('POST', `/api/v1/staff/${member.body.id}/password`, { password })).status).toBe(200);
    staff.subReseller = { id: member.body.id, email: 'alex.a1@example.com' };
    const { context, page } = await signIn('subReseller');
    await page.goto('/clients');
    expect(await page.locator(`table.list tr[data-id="${own}"]`).count()).toBe(1);
    expect(await page.locator(`table.list tr[data-id="${sibling}"]`).count()).toBe(0);
    expect(await page.content()).not.toContain('Client of B');
    await shot(page, 'sub-reseller-clients');
    await context.close();
  });

  it("issue 21: a reseller's staff member's menu lacks the operator's sections (task list, event log, billing runs), whose URLs answer 403; the operator sees them all", async () => {
    // The menu follows the API's tenant gate through the route each section names; each named route is the API's own.
    const doc = (await p.api('GET', '/api/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
    const apiRoutes = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    for (const s of sections.filter((x) => x.route !== null)) expect(apiRoutes, s.href).toContain(s.route);
    const t = translator('en');
    const operatorOnly = ['/tasks', '/event-log', '/billing-runs'];
    const menuOf = async (page: Page) => page.locator('header nav a').evaluateAll((links) => links.map((a) => a.getAttribute('href')));

    const { context, page } = await signIn('subReseller');
    const menu = await menuOf(page);
    expect(menu).toEqual(expect.arrayContaining(['/', '/orders', '/subscriptions', '/clients', '/payments', '/manual-operations', '/scenarios', '/notifications', '/notification-templates']));
    for (const href of operatorOnly) expect(menu).not.toContain(href);
    expect(await page.locator('main').textContent()).not.toContain(t('home.billingRuns'));
    const [task] = await p.sql<Array<{ id: number }>>`select id from tasks order by id limit 1`;
    for (const path of [...operatorOnly, `/tasks/${task!.id}`, `/billing-runs/${todayIn('UTC', new Date())}`, '/tasks?format=csv']) {
      const answer = await page.goto(path);
      expect(answer?.status(), path).toBe(403);
      expect(await page.locator('[data-code="operator_only"]').textContent(), path).toBe(t('error.operatorOnly'));
      expect(await menuOf(page), path).not.toContain('/tasks');
    }
    await shot(page, 'sub-reseller-operator-only');
    await context.close();

    const operator = await signIn('admin');
    expect(await menuOf(operator.page)).toEqual(sections.map((s) => s.href));
    for (const path of operatorOnly) expect((await operator.page.goto(path))?.status(), path).toBe(200);
    await operator.context.close();
  });

  it('acceptance 7: no page requested anything outside this server', () => {
    expect(outside).toEqual([]);
  });
});

/** A paid purchase whose subscription is active at the vendor. */
async function activeSubscription(name: string) {
  const clientId = await createClient(p, catalog, name);
  await p.api('POST', `/api/v1/clients/${clientId}/top-ups`, { amount: 5000 });
  const order = (await p.api('POST', '/api/v1/orders', { clientId, planPeriodId: catalog.monthlyPeriodId })).body;
  const done = await waitForOrderStatus(p, order.id, 'completed');
  return { clientId, subscriptionId: done.subscriptionId as number };
}

const subscriptionStatus = async (id: number) => (await p.api('GET', `/api/v1/subscriptions/${id}`)).body.status as string;
const scenariosOf = async (subscriptionId: number) => (await p.sql`select id from scenarios where subject_kind = 'subscription' and subject_id = ${String(subscriptionId)}`).length;

describe('nothing irreversible on one click (issue 16)', () => {
  it('point 11: the billing run page shows the dry run first; a date ahead of the schedule runs only when typed again', async () => {
    const { context, page } = await signIn('admin');
    const ahead = addDays(todayIn('UTC', new Date()), 1);
    await page.goto('/billing-runs');
    await page.fill('form.preview-form input[name=date]', ahead);
    await navigating(page, () => page.click('form.preview-form button'));
    expect(page.url()).toBe(`${base}/billing-runs/preview?date=${ahead}`);
    // What the run would do, per duty, and nothing done yet.
    expect(await page.locator('#preview-duties b[data-duty=stops]').count()).toBe(1);
    expect(await page.locator('#preview-duties b[data-duty=cancelUnpaidOrders]').count()).toBe(1);
    expect(await page.locator('p.warning[data-ahead="1"]').textContent()).toContain(ahead);
    await shot(page, 'billing-run-dry-run');
    expect(await p.sql`select 1 from billing_runs where business_date = ${ahead}`).toHaveLength(0);

    // Ahead of the schedule: the date must be typed again; a wrong one is refused with the API's code and runs nothing.
    const confirm = page.locator('form.run-form input[name=confirmDate]');
    expect(await confirm.getAttribute('required')).not.toBeNull();
    await confirm.fill(addDays(ahead, 1));
    await navigating(page, () => page.click('form.run-form button'));
    expect(await page.locator('p.error').getAttribute('data-code')).toBe('confirmation_required');
    expect(await p.sql`select 1 from billing_runs where business_date = ${ahead}`).toHaveLength(0);
    // A form posted without having shown the dry run shows it instead of running.
    const csrf = await page.locator('header form[action="/logout"] input[name=_csrf]').getAttribute('value');
    const direct = await page.request.post('/billing-runs', { form: { _csrf: csrf!, date: ahead, confirmDate: ahead }, maxRedirects: 0 });
    expect([direct.status(), direct.headers().location]).toEqual([303, `/billing-runs/preview?date=${ahead}`]);
    expect(await p.sql`select 1 from billing_runs where business_date = ${ahead}`).toHaveLength(0);

    await page.locator('form.run-form input[name=confirmDate]').fill(ahead);
    await Promise.all([page.waitForURL(`${base}/billing-runs/${ahead}`), page.click('form.run-form button')]);
    await page.waitForSelector('#run[data-final="1"]', { timeout: 45_000 });
    await context.close();
  });

  it('point 12: delete asks first, saying what will happen; Back changes nothing; after confirming, the page follows the deletion to its end', async () => {
    const { subscriptionId } = await activeSubscription('Delete Me Ltd');
    const { context, page } = await signIn('admin');
    await page.goto(`/subscriptions/${subscriptionId}`);
    // Only what an active subscription allows: stop, renew, delete, the expiration date; not activate.
    for (const action of ['stop', 'renew', 'delete', 'expiration']) expect(await page.locator(`#state form.${action}`).count(), action).toBe(1);
    expect(await page.locator('#state form.activate').count()).toBe(0);

    await page.fill('#state form.delete input[name=reason]', 'contract ended');
    await navigating(page, () => page.click('#state form.delete button'));
    expect(await page.locator('section.confirm h1').textContent()).toContain(`#${subscriptionId}`);
    expect(await page.locator('ul.consequences').textContent()).toContain('cannot be undone');
    expect(await page.locator('section.confirm dd').first().textContent()).toBe('contract ended');
    await shot(page, 'confirm-delete');
    expect([await subscriptionStatus(subscriptionId), await scenariosOf(subscriptionId)]).toEqual(['active', 0]);
    await navigating(page, () => page.click('section.confirm a.back'));
    expect(page.url()).toBe(`${base}/subscriptions/${subscriptionId}`);
    expect([await subscriptionStatus(subscriptionId), await scenariosOf(subscriptionId)]).toEqual(['active', 0]);

    await page.fill('#state form.delete input[name=reason]', 'contract ended');
    await navigating(page, () => page.click('#state form.delete button'));
    await navigating(page, () => page.click('form.confirm-form button.confirm'));
    expect(page.url()).toContain(`/subscriptions/${subscriptionId}?scenario=`);
    // The page does not stay on "Active": it follows the deletion (live) and then offers nothing more.
    await page.waitForSelector('#state[data-status=deleted][data-final="1"]', { timeout: 45_000 });
    expect(await page.locator('#state .operation .status').getAttribute('class')).toContain('s-completed');
    expect(await page.locator('#state form').count()).toBe(0);
    expect(await subscriptionStatus(subscriptionId)).toBe('deleted');
    await shot(page, 'subscription-deleted');
    await context.close();
  });

  it('point 12: a client block says what it stops, and Back changes nothing; renew says it creates an order paid from the balance, then shows that order', async () => {
    const { clientId, subscriptionId } = await activeSubscription('Renew Me Ltd');
    const { context, page } = await signIn('admin');
    await page.goto(`/clients/${clientId}`);
    await page.fill('form.block input[name=reason]', 'fraud check');
    await navigating(page, () => page.click('form.block button'));
    expect(await page.locator('ul.consequences').textContent()).toContain('(1)');
    await navigating(page, () => page.click('section.confirm a.back'));
    expect((await p.api('GET', `/api/v1/clients/${clientId}`)).body.status).toBe('active');

    await page.goto(`/subscriptions/${subscriptionId}`);
    await navigating(page, () => page.click('#state form.renew button'));
    expect(await page.locator('ul.consequences').textContent()).toContain('35.00 EUR');
    const renewals = async () => (await p.sql`select id from orders where subscription_id = ${subscriptionId} and type = 'renewal'`).map((r) => r.id as number);
    expect(await renewals()).toEqual([]);
    await navigating(page, () => page.click('form.confirm-form button.confirm'));
    const [renewal] = await renewals();
    expect(page.url()).toBe(`${base}/orders/${renewal}`);
    expect(await page.locator('h1').textContent()).toContain('Order');
    // The renewal is paid from the balance and renewed at the vendor (before the next test scripts the vendor).
    await waitForOrderStatus(p, renewal!, 'completed');
    await context.close();
  });

  it('point 12: skipping a vendor step warns that the resource may not exist; the actions follow the role', async () => {
    const failed = await orderStuckAtProvisioning('Skip Me Ltd');
    const { context, page } = await signIn('admin');
    await page.goto(`/scenarios/${failed.scenarioId}`);
    const step = page.locator('li.step[data-status=failed]');
    await step.locator('form.skip input[name=reason]').fill('made by hand at the vendor');
    await navigating(page, () => step.locator('form.skip button').click());
    expect(await page.locator('section.confirm p.warning').textContent()).toContain('may not exist');
    expect(await page.locator('section.confirm p.warning').textContent()).toContain('http-vendor.create');
    expect((await p.api('GET', `/api/v1/scenarios/${failed.scenarioId}`)).body.status).toBe('waiting');
    await shot(page, 'confirm-skip');
    await navigating(page, () => page.click('form.confirm-form button.confirm'));
    expect(page.url()).toBe(`${base}/scenarios/${failed.scenarioId}`);
    await page.waitForSelector('#tree[data-scenario-status=completed]', { timeout: 45_000 });
    expect(await page.locator('li.step[data-status=skipped]').count()).toBe(1);
    await context.close();

    // Support may read the subscription and the client but change neither: no action is offered.
    const support = await signIn('support');
    await support.page.goto(`/subscriptions/${failed.subscriptionId}`);
    expect(await support.page.locator('#state form').count()).toBe(0);
    await support.page.goto(`/clients/${failed.clientId}`);
    expect(await support.page.locator('form.block, form.activate').count()).toBe(0);
    await support.context.close();
  });
});

async function pendingOperation(): Promise<number> {
  const clientId = await createClient(p, catalog, `Pending ${Math.random().toString(36).slice(2, 8)}`);
  await p.api('POST', `/api/v1/clients/${clientId}/top-ups`, { amount: 2000 });
  const [plan] = await p.sql<Array<{ id: number }>>`select pp.id from plan_periods pp join plans pl on pl.id = pp.plan_id where pl.name = 'Managed server'`;
  const order = (await p.api('POST', '/api/v1/orders', { clientId, planPeriodId: plan!.id })).body;
  const op = await eventually(async () => (await p.sql<Array<{ id: number }>>`select id from manual_operations where order_id = ${order.id} and status = 'pending'`)[0], { what: 'a manual operation' });
  return op.id;
}

/** A value of a list's first filter that some rows have and others do not. */
async function filterValue(list: string, key: string): Promise<string> {
  // The rarest value that some rows have: the filtered list is neither empty nor the whole list.
  const rarest = (table: string, column: string) =>
    p.sql.unsafe<Array<{ v: string }>>(`select ${column}::text as v from ${table} group by 1 having count(*) < (select count(*) from ${table}) order by count(*), 1 limit 1`);
  const queries: Record<string, () => Promise<Array<{ v: string }>>> = {
    orders: () => rarest('orders', 'status'),
    subscriptions: () => rarest('subscriptions', 'status'),
    clients: () => rarest('clients', 'status'),
    payments: () => rarest('payments', 'status'),
    tasks: () => rarest('tasks', 'status'),
    'manual-operations': () => rarest('manual_operations', 'status'),
    scenarios: () => rarest('scenarios', 'status'),
    notifications: () => rarest('notifications', 'status'),
    'event-log': () => rarest('event_log', 'entity_kind'),
  };
  const [row] = await queries[list]!();
  expect(row, `${list}.${key}`).toBeTruthy();
  return row!.v;
}

const csvQuote = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
