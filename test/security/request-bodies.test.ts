import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPlatform, type TestPlatform } from '../support/platform';
import { httpApi, serveOverHttp, type ServedApp } from '../support/serve';

/**
 * Issue 17, class 2: request bodies. Every body is limited before it is read, on the unauthenticated routes
 * (`/login`, `/licensing/v1/*`) as on the API, whether its size is declared (Content-Length) or streamed
 * (chunked); an oversized one gets 413 in the route's usual error shape, and JSON nested deeper than the cap
 * gets 400 before anything parses or serialises it. The real server, over HTTP.
 */
const MiB = 1024 * 1024;
const HUNDRED_MIB = 100 * MiB;

let p: TestPlatform;
let served: ServedApp;
let api: ReturnType<typeof httpApi>;

beforeAll(async () => {
  p = await createTestPlatform('security_bodies', { runWorker: false });
  served = await serveOverHttp(p.app);
  api = httpApi(served.url, p.adminToken);
});
afterAll(async () => {
  await served?.close();
  await p?.close();
});

interface StreamedAnswer {
  status: number;
  body: any;
  /** Bytes of the body written before the answer came. */
  sent: number;
}

/**
 * Streams `total` bytes as a chunked body (no Content-Length) without holding them: one 64 KiB chunk written
 * again and again, as fast as the socket takes it, until the server answers. Then the upload stops.
 */
function streamBody(path: string, total: number, contentType: string): Promise<StreamedAnswer> {
  return new Promise((resolve, reject) => {
    const chunk = Buffer.alloc(64 * 1024, contentType.includes('json') ? '[' : 'a');
    const req = request(`${served.url}${path}`, { method: 'POST', headers: { 'content-type': contentType, 'transfer-encoding': 'chunked' } });
    let sent = 0;
    let answered = false;
    req.on('response', (res) => {
      answered = true;
      const parts: Buffer[] = [];
      res.on('data', (b: Buffer) => parts.push(b));
      res.on('end', () => {
        req.destroy();
        const text = Buffer.concat(parts).toString('utf8');
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // not JSON: keep the text
        }
        resolve({ status: res.statusCode!, body, sent });
      });
    });
    // Once answered, the server may close the socket under the rest of the upload: that is the point.
    req.on('error', (err) => (answered ? undefined : reject(err)));
    const pump = () => {
      while (!answered && sent < total) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      if (!answered) req.end();
    };
    pump();
  });
}

/** Declares a 100 MiB body and sends none of it: the answer must come from the headers alone. */
function declareBody(path: string, contentType: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request(`${served.url}${path}`, { method: 'POST', headers: { 'content-type': contentType, 'content-length': String(HUNDRED_MIB) } });
    req.on('response', (res) => {
      const parts: Buffer[] = [];
      res.on('data', (b: Buffer) => parts.push(b));
      res.on('end', () => {
        req.destroy();
        resolve({ status: res.statusCode!, body: JSON.parse(Buffer.concat(parts).toString('utf8') || 'null') });
      });
    });
    req.on('error', reject);
    req.flushHeaders();
  });
}

const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const rows = async () => Number((await p.sql`select count(*)::int as n from service_templates`)[0]!.n) + Number((await p.sql`select count(*)::int as n from license_keys`)[0]!.n);

const apiShape = (body: any, code: string) => expect(body).toMatchObject({ code, message: expect.any(String) });
const licensingShape = (body: any, code: string) => expect(body).toMatchObject({ error: { code, message: expect.any(String) } });

describe('request bodies (issue 17, class 2)', () => {
  it('answers 413 to a declared 100 MiB body on /login, /licensing/v1 and /api/v1 before any of it is sent', async () => {
    const login = await declareBody('/login', 'application/x-www-form-urlencoded');
    expect(login.status).toBe(413);
    apiShape(login.body, 'payload_too_large');
    const licensing = await declareBody('/licensing/v1/activations', 'application/json');
    expect(licensing.status).toBe(413);
    licensingShape(licensing.body, 'PAYLOAD_TOO_LARGE');
    const clients = await declareBody('/api/v1/clients', 'application/json');
    expect(clients.status).toBe(413);
    apiShape(clients.body, 'payload_too_large');
  });

  it('answers 413 to three streamed 100 MiB bodies at once long before their end, and the process does not grow by anything like their size', async () => {
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const answers = await Promise.all([
      streamBody('/login', HUNDRED_MIB, 'application/x-www-form-urlencoded'),
      streamBody('/licensing/v1/activations', HUNDRED_MIB, 'application/json'),
      streamBody('/licensing/v1/keys', HUNDRED_MIB, 'application/json'),
    ]).finally(() => clearInterval(sampler));
    peak = Math.max(peak, process.memoryUsage().rss);

    expect(answers.map((a) => a.status)).toEqual([413, 413, 413]);
    apiShape(answers[0]!.body, 'payload_too_large');
    licensingShape(answers[1]!.body, 'PAYLOAD_TOO_LARGE');
    licensingShape(answers[2]!.body, 'PAYLOAD_TOO_LARGE');
    // Refused while most of each body was still to come (socket buffers hold a few MiB in flight).
    for (const answer of answers) expect(answer.sent).toBeLessThan(HUNDRED_MIB / 4);
    // 300 MiB were offered; buffering even one of them would show here.
    const grewMiB = (peak - before) / MiB;
    expect(grewMiB, `RSS grew by ${grewMiB.toFixed(1)} MiB`).toBeLessThan(50);
  });

  it('limits a streamed body on an authenticated API route to the default (1 MiB), and lets a notification template, which needs more, through', async () => {
    const big = await streamBody('/api/v1/clients', 2 * MiB, 'application/json');
    expect(big.status).toBe(413);
    apiShape(big.body, 'payload_too_large');

    // Six fields of 100,000 two-byte characters: a 1.2 MB template, within what the template route takes.
    const text = 'ж'.repeat(100_000);
    const template = await api('POST', '/api/v1/notification-templates', {
      name: 'Long letter',
      channel: 'email',
      event: 'order_created',
      recipients: { to: 'owner@example.com' },
      versions: { en: { subject: text, html: text, text }, ru: { subject: text, html: text, text } },
    });
    expect(template.status, JSON.stringify(template.body).slice(0, 300)).toBe(201);
  });

  it('refuses JSON nested deeper than 64 levels with 400 before it is parsed or stored, on the API and the public licensing API', async () => {
    const before = await rows();
    const headers = { authorization: `Bearer ${p.adminToken}`, 'content-type': 'application/json' };
    const deepTemplate = `{"name":"Deep","plugin":"manual","settings":{"x":${nested(100_000)}}}`;
    const refused = await fetch(`${served.url}/api/v1/service-templates`, { method: 'POST', headers, body: deepTemplate });
    expect(refused.status).toBe(400);
    apiShape(await refused.json(), 'json_too_deep');

    // 20,000 levels: 40 KB, within the public API's limit, so it is the nesting that is refused.
    const deepKey = `{"vendorPrefix":"ABCD","productCode":"x","customer":{"companyName":${nested(20_000)}}}`;
    const licensing = await fetch(`${served.url}/licensing/v1/keys`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: deepKey });
    expect(licensing.status).toBe(400);
    licensingShape(await licensing.json(), 'JSON_TOO_DEEP');

    // Brackets inside strings are text, not nesting; and 64 levels are still fine.
    const quoted = await fetch(`${served.url}/api/v1/service-templates`, { method: 'POST', headers, body: JSON.stringify({ name: 'Brackets', plugin: 'manual', settings: { note: nested(1000) } }) });
    expect(quoted.status).toBe(201);
    const atCap = await fetch(`${served.url}/api/v1/service-templates`, { method: 'POST', headers, body: `{"name":"At the cap","plugin":"manual","settings":{"x":${nested(62)}}}` });
    expect(atCap.status).toBe(201);
    expect(await rows()).toBe(before + 2);
  });
});
