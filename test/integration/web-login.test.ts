import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPlatform, type TestPlatform } from '../support/platform';

/**
 * The operator UI's sign-in, session and CSRF rules over HTTP (issue 8 acceptance 6 and the login of 1). The
 * browser tests of the pages themselves come with the rest of the UI.
 */
let p: TestPlatform;
let staffId: number;
const email = 'olga.operator@example.com';
const password = 'correct horse battery staple';

beforeAll(async () => {
  p = await createTestPlatform('web_login');
  staffId = (await p.api('POST', '/api/v1/staff', { name: 'Olga Operator', email, role: 'sales_manager', language: 'ru' })).body.id;
  expect((await p.api('POST', `/api/v1/staff/${staffId}/password`, { password })).status).toBe(200);
});
afterAll(async () => p?.close());

const cookiesOf = (res: Response) => res.headers.getSetCookie();
const cookieValue = (res: Response, name: string) => cookiesOf(res).find((c) => c.startsWith(`${name}=`))?.split(';')[0]!.slice(name.length + 1);

async function loginForm() {
  const res = await p.app.request('/login');
  const html = await res.text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(html)![1]!;
  return { csrf, cookie: `bp_login_csrf=${cookieValue(res, 'bp_login_csrf')}`, html };
}

async function login(pass: string, form?: { csrf: string; cookie: string }) {
  const f = form ?? (await loginForm());
  return p.app.request('/login', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: f.cookie },
    body: new URLSearchParams({ _csrf: f.csrf, email, password: pass }).toString(),
  });
}

describe('operator UI sign-in (issue 8)', () => {
  it('signs in with the password; the session cookie is HttpOnly and SameSite; the home page shows what needs attention in the staff language', async () => {
    const res = await login(password);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/');
    const session = cookiesOf(res).find((c) => c.startsWith('bp_session='))!;
    expect(session).toMatch(/HttpOnly/i);
    expect(session).toMatch(/SameSite=Strict/i);
    const home = await p.app.request('/', { headers: { cookie: session.split(';')[0]! } });
    const html = await home.text();
    expect(home.status).toBe(200);
    expect(html).toContain('Что требует внимания');
    expect(html).toContain('data-count="home.pendingOperations"');
    // The task list is not a sales manager's: its count is not shown either.
    expect(html).not.toContain('data-count="home.failedTasks"');
    expect(html).not.toContain('⟦');
    // The password is stored as a scrypt hash, never as sent.
    const [row] = await p.sql<Array<{ password_hash: string }>>`select password_hash from staff where id = ${staffId}`;
    expect(row!.password_hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(row!.password_hash).not.toContain(password);
  });

  it('without a session every page sends the browser to sign in, and the API is not affected', async () => {
    const res = await p.app.request('/');
    expect([res.status, res.headers.get('location')]).toEqual([303, '/login?next=%2F']);
    expect((await p.api('GET', '/api/v1/orders')).status).toBe(200);
    expect((await p.app.request('/health')).status).not.toBe(303);
  });

  it('refuses a form without its CSRF token: at sign-in and inside a session', async () => {
    const form = await loginForm();
    const noToken = await login(password, { csrf: 'forged', cookie: form.cookie });
    expect(noToken.status).toBe(403);
    const ok = await login(password);
    const cookie = cookieValue(ok, 'bp_session')!;
    const logout = await p.app.request('/logout', { method: 'POST', headers: { cookie: `bp_session=${cookie}`, 'content-type': 'application/x-www-form-urlencoded' }, body: '_csrf=wrong' });
    expect(logout.status).toBe(403);
    // The session is still alive: the forged sign-out did nothing.
    expect((await p.app.request('/', { headers: { cookie: `bp_session=${cookie}` } })).status).toBe(200);
  });

  it('locks the account after five wrong passwords, even for the right one, until an administrator sets a password', async () => {
    for (let i = 0; i < 4; i += 1) expect((await login('wrong password')).status).toBe(401);
    expect((await login('wrong password')).status).toBe(429);
    const locked = await login(password);
    expect(locked.status).toBe(429);
    expect(await locked.text()).toContain('the account is locked for 15 minutes');
    await p.api('POST', `/api/v1/staff/${staffId}/password`, { password });
    expect((await login(password)).status).toBe(303);
  });

  it('signs out: the session ends and its cookie no longer opens pages', async () => {
    const ok = await login(password);
    const cookie = `bp_session=${cookieValue(ok, 'bp_session')}`;
    const home = await (await p.app.request('/', { headers: { cookie } })).text();
    const csrf = /action="\/logout">\s*<input type="hidden" name="_csrf" value="([^"]+)"/.exec(home)?.[1];
    expect(csrf, home).toBeDefined();
    const out = await p.app.request('/logout', { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: `_csrf=${csrf!}` });
    expect([out.status, out.headers.get('location')]).toEqual([303, '/login']);
    expect((await p.app.request('/', { headers: { cookie } })).status).toBe(303);
  });

  it("the pages reach the API with the session's own token, as that staff member, and not after sign-out", async () => {
    const ok = await login(password);
    const token = cookieValue(ok, 'bp_session')!;
    expect(token.startsWith('bps_')).toBe(true);
    expect((await p.api('GET', '/api/v1/orders', undefined, { token })).status).toBe(200);
    // A sales manager may not read the task list, through the pages or the API.
    const tasks = await p.api('GET', '/api/v1/tasks', undefined, { token });
    expect([tasks.status, tasks.body.code]).toEqual([403, 'forbidden']);
    await p.sql`update staff_sessions set ended_at = now() where token_hash = encode(sha256(${token}::bytea), 'hex')`;
    expect((await p.api('GET', '/api/v1/orders', undefined, { token })).status).toBe(401);
  });

  it('logs every sign-in attempt with its source address (spec 02 §15.1)', async () => {
    const before = await p.sql`select count(*)::int as n from event_log where entity_kind = 'staff' and action = 'sign_in_failed'`;
    await login('wrong password');
    await login(password);
    const rows = await p.sql<Array<{ action: string; changes: { email: string; ip: string | null } }>>`
      select action, changes from event_log where entity_kind = 'staff' and entity_id = ${String(staffId)} order by id desc limit 2`;
    expect(rows.map((r) => r.action)).toEqual(['signed_in', 'sign_in_failed']);
    expect(rows[0]!.changes.email).toBe(email);
    expect(rows[0]!.changes).toHaveProperty('ip');
    const after = await p.sql`select count(*)::int as n from event_log where entity_kind = 'staff' and action = 'sign_in_failed'`;
    expect(after[0]!.n).toBe(before[0]!.n + 1);
  });
});
