import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPlatform, seedCatalog, type TestPlatform } from '../support/platform';
import { serveOverHttp, type ServedApp } from '../support/serve';

/**
 * Issue 17, class 5: CSV formula injection. Client names chosen by an attacker are exported from the operator
 * UI's clients list (Chromium, the real server over HTTP) and opened in a spreadsheet: a cell that starts with
 * = + - @ is a formula there unless it is a plain number, so every such cell must come out neutralised.
 */
const chromiumPath = process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path) => existsSync(path));
const password = 'a long operator passphrase';

let p: TestPlatform;
let served: ServedApp;
let browser: Browser;

const hostileNames = [`-2+3+cmd|' /C calc'!A0`, '-1+1', '=HYPERLINK("http://evil.example","x")', '+1+2', '@SUM(A1:A9)', '-A1'];
const plainNumbers = ['-42', '-1.50', '+7'];

beforeAll(async () => {
  if (!chromiumPath) throw new Error('Chromium is needed for this test: apt-get install chromium, or set CHROMIUM_PATH');
  p = await createTestPlatform('security_csv', { runWorker: false });
  const catalog = await seedCatalog(p);
  for (const name of [...hostileNames, ...plainNumbers]) {
    const created = await p.api('POST', '/api/v1/clients', { name, serviceRuleId: catalog.serviceRuleId });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
  }
  const staff = await p.api('POST', '/api/v1/staff', { name: 'Erik Export', email: 'erik@example.com', role: 'admin', language: 'en' });
  expect((await p.api('POST', `/api/v1/staff/${staff.body.id}/password`, { password })).status).toBe(200);
  served = await serveOverHttp(p.app);
  browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await served?.close();
  await p?.close();
});

/** Splits one CSV line of the export (RFC 4180 quoting) into its cells. */
function cells(line: string): string[] {
  const out: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i += 1) {
    const ch = line[i]!;
    if (quoted && ch === '"' && line[i + 1] === '"') {
      cell += '"';
      i += 1;
    } else if (ch === '"') quoted = !quoted;
    else if (ch === ',' && !quoted) {
      out.push(cell);
      cell = '';
    } else cell += ch;
  }
  out.push(cell);
  return out;
}

describe('CSV export (issue 17, class 5)', () => {
  it('neutralises every cell a spreadsheet would run as a formula, and leaves plain numbers as they are', async () => {
    const context = await browser.newContext({ baseURL: served.url, acceptDownloads: true });
    const page = await context.newPage();
    await page.goto('/login');
    await page.fill('input[name=email]', 'erik@example.com');
    await page.fill('input[name=password]', password);
    await Promise.all([page.waitForURL(`${served.url}/`), page.click('button[type=submit]')]);
    await page.goto('/clients');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('a.export')]);
    const lines = (await readFile((await download.path())!, 'utf8')).trimEnd().split('\r\n');
    const nameAt = cells(lines[0]!).indexOf('Name');
    expect(nameAt).toBeGreaterThanOrEqual(0);
    const exported = lines.slice(1).map((line) => cells(line)[nameAt]!);

    for (const name of hostileNames) expect(exported, name).toContain(`'${name}`);
    for (const name of plainNumbers) expect(exported, name).toContain(name);
    // Whatever else is in the file (balances such as "-15.00 EUR", dates): no cell starts a formula.
    for (const line of lines) {
      for (const cell of cells(line)) {
        if (/^[-+]?(\d+(\.\d+)?)$/.test(cell)) continue;
        expect(cell, line).not.toMatch(/^[=+\-@\t\r]/);
      }
    }
    await context.close();
  });
});
