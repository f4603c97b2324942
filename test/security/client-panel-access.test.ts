import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveOverHttp, type HttpServer } from '../support/http';
import { createClient, createTestPlatform, seedCatalog, type Catalog, type TestPlatform } from '../support/platform';

/**
 * Issue 17, class 6: staff revoke a client-panel token and unlink a client user from a client; either takes effect
 * on the user's next request and is written to the event log. The real server over HTTP.
 */
let p: TestPlatform;
let server: HttpServer;
let catalog: Catalog;

beforeAll(async () => {
  p = await createTestPlatform('security_client_panel', { runWorker: false });
  catalog = await seedCatalog(p);
  server = await serveOverHttp(p.appWith());
});
afterAll(async () => {
  await server?.close();
  await p?.close();
});

async function call(method: string, path: string, token: string, body?: unknown) {
  const res = await fetch(`${server.url}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}
const staff = (method: string, path: string, body?: unknown) => call(method, path, p.adminToken, body);

async function clientUser(email: string, clients: number[]) {
  const user = await staff('POST', '/client-users', { name: email, email });
  expect(user.status, JSON.stringify(user.body)).toBe(201);
  for (const clientId of clients) expect((await staff('POST', `/clients/${clientId}/users`, { clientUserId: user.body.id, accessLevel: 'admin' })).status).toBe(200);
  const tokens = [];
  for (const name of ['laptop', 'phone']) tokens.push((await staff('POST', `/client-users/${user.body.id}/tokens`, { name })).body as { id: number; token: string });
  return { id: user.body.id as number, tokens };
}

const logged = async (entityKind: string, entityId: number, action: string) =>
  p.sql<Array<{ reason: string; changes: Record<string, unknown>; actor_id: number }>>`
    select reason, changes, actor_id from event_log where entity_kind = ${entityKind} and entity_id = ${String(entityId)} and action = ${action}`;

describe('client-panel tokens and links (issue 17, class 6)', () => {
  it('a revoked client-panel token is refused on its next request; the user’s other token still works; the revocation is audited', async () => {
    const clientId = await createClient(p, catalog, 'Revoking Ltd');
    const user = await clientUser('rita.revoked@example.com', [clientId]);
    const [laptop, phone] = user.tokens as [{ id: number; token: string }, { id: number; token: string }];
    expect((await call('GET', '/me', laptop.token)).status).toBe(200);

    const revoked = await staff('POST', `/client-users/${user.id}/tokens/${laptop.id}/revoke`, { reason: 'laptop stolen' });
    expect(revoked.status, JSON.stringify(revoked.body)).toBe(200);
    expect(revoked.body.tokens.find((t: { id: number }) => t.id === laptop.id).revokedAt).not.toBeNull();
    expect(await call('GET', `/clients/${clientId}`, laptop.token)).toMatchObject({ status: 401, body: { code: 'unauthenticated' } });
    expect((await call('GET', `/clients/${clientId}`, phone.token)).status).toBe(200);
    expect(await logged('client_user', user.id, 'token_revoked')).toEqual([expect.objectContaining({ reason: 'laptop stolen', changes: { tokenId: laptop.id } })]);

    // Another user's token id, or one that does not exist, is not found; a client user may not revoke tokens.
    const other = await clientUser('oscar.other@example.com', [clientId]);
    expect((await staff('POST', `/client-users/${user.id}/tokens/${other.tokens[0]!.id}/revoke`, { reason: 'x' })).status).toBe(404);
    expect((await call('GET', '/me', other.tokens[0]!.token)).status).toBe(200);
    expect((await call('POST', `/client-users/${other.id}/tokens/${other.tokens[1]!.id}/revoke`, phone.token, { reason: 'x' })).body.code).toBe('forbidden');
  });

  it('a client user unlinked from a client loses it on the next request and keeps their other clients; the unlinking is audited', async () => {
    const first = await createClient(p, catalog, 'Unlinked Ltd');
    const second = await createClient(p, catalog, 'Still Linked Ltd');
    const user = await clientUser('ulla.unlinked@example.com', [first, second]);
    const token = user.tokens[0]!.token;
    expect((await call('GET', `/clients/${first}`, token)).status).toBe(200);

    const unlinked = await staff('POST', `/clients/${first}/users/${user.id}/unlink`, { reason: 'left the company' });
    expect(unlinked.status, JSON.stringify(unlinked.body)).toBe(200);
    expect(unlinked.body.clients.map((c: { id: number }) => c.id)).toEqual([second]);
    expect(await call('GET', `/clients/${first}`, token)).toMatchObject({ status: 403, body: { code: 'not_your_client' } });
    expect((await call('GET', `/clients/${second}`, token)).status).toBe(200);
    expect((await call('GET', '/me', token)).body.clients.map((c: { id: number }) => c.id)).toEqual([second]);
    expect(await logged('client', first, 'user_unlinked')).toEqual([expect.objectContaining({ reason: 'left the company', changes: { clientUserId: user.id, accessLevel: 'admin' } })]);
    // Unlinking again finds no link.
    expect((await staff('POST', `/clients/${first}/users/${user.id}/unlink`, { reason: 'again' })).body.code).toBe('not_found');
  });
});
