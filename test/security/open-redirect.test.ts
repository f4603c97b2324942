import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveOverHttp, signInOverHttp, type HttpServer } from '../support/http';
import { createTestPlatform, type TestPlatform } from '../support/platform';

/**
 * Issue 17, class 8: after sign-in the browser goes only to a page of this site, whatever `next` says. Over HTTP
 * for the Location headers, and in Chromium, which drops tabs and line breaks from URLs and reads `\` as `/`.
 */
const chromiumPath = process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path) => existsSync(path));
let p: TestPlatform;
let server: HttpServer;
let browser: Browser;
const email = 'rudi.redirect@example.com';
const password = 'a long and correct passphrase';

/** Ways to write "another site" that a prefix check lets through. */
const offSite = ['/\t/evil.example/x', '//evil.example', '/\\evil.example', '\\/evil.example', '/.//evil.example', '/./\\evil.example', 'https://evil.example/', 'http:evil.example', '/\u000b/evil.example', ' /evil.example'];

beforeAll(async () => {
  if (!chromiumPath) throw new Error('Chromium is needed for the browser tests: apt-get install chromium, or set CHROMIUM_PATH');
  p = await createTestPlatform('security_redirect', { runWorker: false });
  const staffId = (await p.api('POST', '/api/v1/staff', { name: 'Rudi Redirect', email, role: 'admin' })).body.id;
  expect((await p.api('POST', `/api/v1/staff/${staffId}/password`, { password })).status).toBe(200);
  server = await serveOverHttp(p.appWith());
  browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await p?.close();
});

describe('no open redirect after sign-in (issue 17, class 8)', () => {
  it('every next that leads off the site is replaced by the home page, in the form and in the Location header', async () => {
    const wrong: string[] = [];
    for (const next of offSite) {
      const form = await (await fetch(`${server.url}/login?next=${encodeURIComponent(next)}`)).text();
      const kept = /name="next" value="([^"]*)"/.exec(form)?.[1];
      if (kept !== '/') wrong.push(`form for ${JSON.stringify(next)} kept ${JSON.stringify(kept)}`);
      const res = await signInOverHttp(server.url, { email, password, next });
      const location = res.headers.get('location');
      if (res.status === 303 && location !== '/') wrong.push(`next ${JSON.stringify(next)} → Location ${JSON.stringify(location)}`);
      if (res.status !== 303 && res.status !== 400) wrong.push(`next ${JSON.stringify(next)} → ${res.status}`);
    }
    expect(wrong).toEqual([]);
    // A page of this site is kept, query string and all.
    const res = await signInOverHttp(server.url, { email, password, next: '/orders?f.status=completed&sort=id' });
    expect(res.headers.get('location')).toBe('/orders?f.status=completed&sort=id');
  });

  it('in Chromium, signing in from /login?next=%2F%09%2Fevil.example stays on this site', async () => {
    const context = await browser.newContext();
    const outside: string[] = [];
    await context.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.origin === server.url) return route.continue();
      outside.push(url.href);
      return route.abort();
    });
    const page = await context.newPage();
    for (const next of ['/\t/evil.example/x', '/\\evil.example', '/.//evil.example']) {
      await page.goto(`${server.url}/login?next=${encodeURIComponent(next)}`);
      await page.fill('input[name=email]', email);
      await page.fill('input[name=password]', password);
      await Promise.all([page.waitForLoadState('load'), page.click('button[type=submit]')]);
      await page.waitForURL((url) => !url.pathname.startsWith('/login'));
      expect(new URL(page.url()).origin, next).toBe(server.url);
    }
    expect(outside).toEqual([]);
    await context.close();
  });
});
