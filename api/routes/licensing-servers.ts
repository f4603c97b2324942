import { createRoute, z } from '@hono/zod-openapi';
import { revokeLicenseServer } from '../../operations/licensing/license-servers/revoke-license-server';
import { licenseServers } from '../../queries/licensing/license-servers';
import { guard, staffIdOf } from '../auth';
import { router, type ApiDeps } from '../deps';
import { notFound } from '../errors';
import { jsonBody, jsonResponses, looseObject } from '../schemas';
import { callersKey } from './licensing-key-card';

const codeParam = z.object({ code: z.string().max(64).openapi({ param: { name: 'code', in: 'path' } }) });
const entitlementParam = z.object({ id: z.coerce.number().int().positive().max(2_147_483_647).openapi({ param: { name: 'id', in: 'path' } }) });
const serverParam = codeParam.extend({ serverId: z.coerce.number().int().positive().max(2_147_483_647).openapi({ param: { name: 'serverId', in: 'path' } }) });
const revokeInput = z.object({ reason: z.string().trim().min(1).max(500) }).strict().openapi('LicensingServerRevokeInput');

/**
 * Customers' local license servers (spec 04 §1.2 LicenseServer, §5.5) for staff: the servers of a key or of one
 * license, with the seats their pools hold, and revocation. The tenant gate (api/tenancy.ts) holds the key and the
 * license to the caller's reseller: the paths name them.
 */
export function licensingServerRoutes({ sql, now = () => new Date() }: ApiDeps) {
  const app = router();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/licensing/keys/{code}/license-servers',
      tags: ['Licensing'],
      summary: "The key's local license servers: identity, registration, last sync, revocation, and the pools holding seats now",
      ...guard('catalog', false),
      request: { params: codeParam },
      responses: jsonResponses(200, looseObject, '{ items }'),
    }),
    async (c) => {
      const key = await callersKey(sql, c, c.req.valid('param').code);
      return c.json({ items: await licenseServers(sql, { keyId: key.id, now: now() }) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/licensing/entitlements/{id}/license-servers',
      tags: ['Licensing'],
      summary: 'The local license servers that pooled seats of this license, with the pools of it holding seats now',
      ...guard('catalog', false),
      request: { params: entitlementParam },
      responses: jsonResponses(200, looseObject, '{ items }'),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const [exists] = await sql`select 1 from entitlements where id = ${id}`;
      if (!exists) throw notFound('entitlement', id);
      return c.json({ items: await licenseServers(sql, { entitlementId: id, now: now() }) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/licensing/keys/{code}/license-servers/{serverId}/revoke',
      tags: ['Licensing'],
      summary: "Revoke a local license server of the key: its pools' seats return at once; its next renewal or obtain is refused with LICENSE_SERVER_REVOKED",
      ...guard('catalog', true),
      request: { params: serverParam, ...jsonBody(revokeInput) },
      responses: jsonResponses(200, looseObject, '{ revoked (false when it was already), pools taken back, server }'),
    }),
    async (c) => {
      const { code, serverId } = c.req.valid('param');
      const key = await callersKey(sql, c, code);
      const at = now();
      const done = await revokeLicenseServer(sql, { keyId: key.id, licenseServerId: serverId, reason: c.req.valid('json').reason, staffId: staffIdOf(c), now: at });
      const server = (await licenseServers(sql, { keyId: key.id, now: at })).find((s) => s.id === done.id);
      return c.json({ revoked: done.revoked, pools: done.pools, server: server ?? null }, 200);
    },
  );

  return app;
}
