import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cookieOf, serveOverHttp, signInOverHttp, type HttpServer } from '../support/http';
import { createTestPlatform, type TestPlatform } from '../support/platform';

/**
 * Issue 17, class 9: the session cookie is `Secure` whenever the browser reached the platform over HTTPS (here: a
 * trusted proxy that terminates TLS says so with X-Forwarded-Proto), and the API reference page has a
 * Content-Security-Policy under which it still works in Chromium.
 */
const chromiumPath = process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path) => existsSync(path));
let p: TestPlatform;
let direct: HttpServer;
let proxied: HttpServer;
let browser: Browser;
const email = 'sina.secure@example.com';
const password = 'a long and correct passphrase';

beforeAll(async () => {
  if (!chromiumPath) throw new Error('Chromium is needed for the browser tests: apt-get install chromium, or set CHROMIUM_PATH');
  p = await createTestPlatform('security_cookies', { runWorker: false });
  const staffId = (await p.api('POST', '/api/v1/staff', { name: 'Sina Secure', email, role: 'admin' })).body.id;
  expect((await p.api('POST', `/api/v1/staff/${staffId}/password`, { password })).status).toBe(200);
  direct = await serveOverHttp(p.appWith());
  proxied = await serveOverHttp(p.appWith({ trustProxy: '127.0.0.1' }));
  browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
});
afterAll(async () => {
  await browser?.close();
  await direct?.close();
  await proxied?.close();
  await p?.close();
});

const https = { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.5' };

describe('cookies and headers (issue 17, class 9)', () => {
  it('behind a trusted proxy that terminated HTTPS, the session and sign-in form cookies are Secure, HttpOnly and SameSite=Strict', async () => {
    const form = await fetch(`${proxied.url}/login`, { headers: https });
    expect(cookieOf(form, 'bp_login_csrf')).toMatch(/;\s*Secure/i);
    const res = await signInOverHttp(proxied.url, { email, password }, https);
    expect(res.status).toBe(303);
    const session = cookieOf(res, 'bp_session')!;
    expect(session).toMatch(/;\s*Secure/i);
    expect(session).toMatch(/;\s*HttpOnly/i);
    expect(session).toMatch(/;\s*SameSite=Strict/i);
  });

  it('over plain HTTP, or when X-Forwarded-Proto comes from a client that is no trusted proxy, the cookie is not marked Secure', async () => {
    expect(cookieOf(await signInOverHttp(proxied.url, { email, password }), 'bp_session')).not.toMatch(/Secure/i);
    expect(cookieOf(await signInOverHttp(direct.url, { email, password }, https), 'bp_session')).not.toMatch(/Secure/i);
  });

  it('/api/docs is served with a Content-Security-Policy that allows no inline script, and the reference still renders in Chromium', async () => {
    const res = await fetch(`${direct.url}/api/docs`);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/default-src 'self'/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    const scriptSrc = /script-src ([^;]*)/.exec(csp)?.[1] ?? '';
    expect(scriptSrc).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');

    const context = await browser.newContext();
    const outside: string[] = [];
    await context.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.origin === direct.url || url.protocol === 'data:') return route.continue();
      outside.push(url.href);
      return route.abort();
    });
    const page = await context.newPage();
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    await page.goto(`${direct.url}/api/docs`);
    // Swagger UI started (its start-up script is a file of this server) and rendered the document's routes.
    await page.waitForSelector('.opblock', { timeout: 30_000 });
    expect(await page.locator('.info .title').textContent()).toContain('Billing and provisioning platform API');
    expect(violations).toEqual([]);
    expect(outside).toEqual([]);
    await context.close();
  });
});
