import { createRoute, z } from '@hono/zod-openapi';
import { createClientUser } from '../../operations/client-users/create-client-user';
import { linkClientUser, unlinkClientUser } from '../../operations/client-users/client-user-links';
import { issueClientUserToken, revokeClientUserToken } from '../../operations/client-users/client-user-tokens';
import { statusLabels } from '../../domain/client-capabilities';
import { blockedMessage, deletedMessage } from '../../domain/client-capabilities';
import { clientAccessLevels, type ClientStatus } from '../../domain/statuses';
import { generateToken, guard, hashToken } from '../auth';
import { clientAccess } from '../client-access';
import { router, type ApiDeps } from '../deps';
import { AppError, notFound } from '../errors';
import { ownedDirectly } from '../../queries/tenancy';
import { idParam, jsonBody, jsonResponses, looseObject, name, page, pageOf, pageQuery } from '../schemas';

const clientUserInput = z
  .object({ name, email: z.email().max(320), language: z.enum(['en', 'ru']).default('en') })
  .strict()
  .openapi('ClientUserInput');
const tokenInput = z.object({ name: z.string().trim().min(1).max(100) }).strict().openapi('ClientUserTokenInput');
const reasonInput = (name: string) => z.object({ reason: z.string().trim().min(1).max(2000) }).strict().openapi(name);
const tokenParams = z.object({
  id: z.coerce.number().int().positive().openapi({ param: { name: 'id', in: 'path' } }),
  tokenId: z.coerce.number().int().positive().openapi({ param: { name: 'tokenId', in: 'path' } }),
});
const linkParams = z.object({
  id: z.coerce.number().int().positive().openapi({ param: { name: 'id', in: 'path' } }),
  clientUserId: z.coerce.number().int().positive().openapi({ param: { name: 'clientUserId', in: 'path' } }),
});
const linkInput = z
  .object({ clientUserId: z.number().int().positive(), accessLevel: z.enum(clientAccessLevels) })
  .strict()
  .openapi('ClientUserLinkInput');

/**
 * Client users (spec 01 §2, §4.2): people who use the client panel, each linked to one or more clients
 * with an access level. Staff create them, link them and issue their tokens; a client user's token opens
 * only the routes marked for client users, for their own clients, as far as the client's status allows. Long because it registers every route of the resource;
 * each handler validates, guards, calls its operation or query and shapes the answer.
 */
export function clientUserRoutes({ sql }: ApiDeps) {
  const app = router();

  async function loadClientUser(id: number) {
    const [user] = await sql<Array<{ id: number; name: string; email: string; status: string; language: string; createdAt: Date }>>`
      select id, name, email, status, language, created_at as "createdAt" from client_users where id = ${id}`;
    if (!user) throw notFound('client user', id);
    const clients = await sql<Array<{ id: number; name: string; status: ClientStatus; accessLevel: string }>>`
      select c.id, c.name, c.status, l.access_level as "accessLevel"
      from client_user_links l join clients c on c.id = l.client_id where l.client_user_id = ${id} order by c.id`;
    const tokens = await sql`
      select id, name, prefix, created_at as "createdAt", last_used_at as "lastUsedAt", revoked_at as "revokedAt"
      from client_user_tokens where client_user_id = ${id} order by id`;
    return { ...user, clients: clients.map((c) => ({ ...c, statusLabel: statusLabels[c.status] })), tokens };
  }

  app.openapi(
    createRoute({
      method: 'post',
      path: '/client-users',
      tags: ['Client users'],
      ...guard('operations', true),
      request: jsonBody(clientUserInput),
      responses: jsonResponses(201, looseObject, 'the client user'),
    }),
    async (c) => {
      const id = await createClientUser(sql, c.req.valid('json'), { by: c.get('staff').id, resellerId: c.get('staff').resellerId });
      return c.json(await loadClientUser(id), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/client-users',
      tags: ['Client users'],
      ...guard('operations', false),
      request: { query: z.object(pageQuery) },
      responses: jsonResponses(200, pageOf(looseObject), 'client users, newest first'),
    }),
    async (c) => {
      const { limit, after } = c.req.valid('query');
      const rows = await sql<Array<{ id: number }>>`
        select id, name, email, status, created_at as "createdAt" from client_users
        where ${ownedDirectly(sql, c.get('staff'), 'reseller_id')} and (${after ?? null}::int is null or id < ${after ?? null})
        order by id desc limit ${limit + 1}`;
      return c.json(page(rows, limit), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/client-users/{id}',
      tags: ['Client users'],
      ...guard('operations', false),
      request: { params: idParam },
      responses: jsonResponses(200, looseObject, 'the client user with their clients and token metadata'),
    }),
    async (c) => c.json(await loadClientUser(c.req.valid('param').id), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/clients/{id}/users',
      tags: ['Client users', 'Clients'],
      summary: "Give a client user access to the client, or change their level; a new owner makes the previous one an administrator",
      ...guard('operations', true),
      request: { params: idParam, ...jsonBody(linkInput) },
      responses: jsonResponses(200, looseObject, 'the client user'),
    }),
    async (c) => {
      const { id: clientId } = c.req.valid('param');
      const { clientUserId, accessLevel } = c.req.valid('json');
      await linkClientUser(sql, { clientId, clientUserId, accessLevel, by: c.get('staff').id });
      return c.json(await loadClientUser(clientUserId), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/client-users/{id}/tokens',
      tags: ['Client users'],
      summary: 'Issue a client-panel token for the user (shown once)',
      ...guard('operations', true),
      request: { params: idParam, ...jsonBody(tokenInput) },
      responses: jsonResponses(201, looseObject, 'the token, shown only now'),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { name: tokenName } = c.req.valid('json');
      const token = generateToken('client_user');
      const tokenId = await issueClientUserToken(sql, id, { name: tokenName, token, hash: hashToken(token), by: c.get('staff').id });
      return c.json({ id: tokenId, token }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/client-users/{id}/tokens/{tokenId}/revoke',
      tags: ['Client users'],
      summary: "Revoke a client user's token: its next request is refused",
      ...guard('operations', true),
      request: { params: tokenParams, ...jsonBody(reasonInput('RevokeClientUserTokenInput')) },
      responses: jsonResponses(200, looseObject, 'the client user'),
    }),
    async (c) => {
      const { id, tokenId } = c.req.valid('param');
      const { reason } = c.req.valid('json');
      await revokeClientUserToken(sql, { clientUserId: id, tokenId, reason, by: c.get('staff').id });
      return c.json(await loadClientUser(id), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/clients/{id}/users/{clientUserId}/unlink',
      tags: ['Client users', 'Clients'],
      summary: 'Take a client user’s access to the client away: their next request for it is refused',
      ...guard('operations', true),
      request: { params: linkParams, ...jsonBody(reasonInput('UnlinkClientUserInput')) },
      responses: jsonResponses(200, looseObject, 'the client user, with the clients left'),
    }),
    async (c) => {
      const { id: clientId, clientUserId } = c.req.valid('param');
      const { reason } = c.req.valid('json');
      await unlinkClientUser(sql, { clientId, clientUserId, reason, by: c.get('staff').id });
      return c.json(await loadClientUser(clientUserId), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/me',
      tags: ['Client users'],
      summary: "Who the token belongs to; for a client user, the account switcher: each client with its status label (spec 01 §4.2)",
      ...guard('operations', false, clientAccess.self(sql)),
      responses: jsonResponses(200, looseObject, 'the signed-in staff member or client user'),
    }),
    async (c) => {
      const clientUser = c.get('clientUser');
      if (!clientUser) {
        const staff = c.get('staff');
        return c.json({ kind: 'staff', id: staff.id, name: staff.name, role: staff.role }, 200);
      }
      const me = await loadClientUser(clientUser.id);
      // A user of one client only is turned away when it is blocked or deleted, with the spec's message.
      const [only] = me.clients;
      if (me.clients.length === 1 && only!.status === 'administratively_blocked') throw new AppError('account_blocked', blockedMessage);
      if (me.clients.length === 1 && only!.status === 'deleted') throw new AppError('account_deleted', deletedMessage);
      return c.json({ kind: 'client_user', id: me.id, name: me.name, clients: me.clients }, 200);
    },
  );

  return app;
}
