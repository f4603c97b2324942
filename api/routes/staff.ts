import { createRoute, z } from '@hono/zod-openapi';
import { logEvent } from '../../operations/event-log/event-log';
import { staffRoles } from '../../domain/statuses';
import { generateToken, guard, hashToken } from '../auth';
import { hashPassword } from '../../infra/passwords';
import { router, type ApiDeps } from '../deps';
import { AppError, notFound } from '../errors';
import { idParam, jsonBody, jsonResponses, looseObject, name, page, pageOf, pageQuery } from '../schemas';

const staffInput = z
  .object({ name, email: z.email().max(320), role: z.enum(staffRoles), language: z.enum(['en', 'ru']).default('en') })
  .strict()
  .openapi('StaffInput');
const passwordInput = z.object({ password: z.string().min(12, 'at least 12 characters').max(200) }).strict().openapi('StaffPasswordInput');
const tokenInput = z.object({ name: z.string().trim().min(1).max(100) }).strict().openapi('TokenInput');
const tokenParams = z.object({
  id: z.coerce.number().int().positive().openapi({ param: { name: 'id', in: 'path' } }),
  tokenId: z.coerce.number().int().positive().openapi({ param: { name: 'tokenId', in: 'path' } }),
});

/** Staff members and their API tokens (spec 02 §14). A token is shown once, when it is issued. */
export function staffRoutes({ sql }: ApiDeps) {
  const app = router();

  async function loadStaff(id: number) {
    const [member] = await sql<Array<Record<string, unknown> & { status: string }>>`
      select id, name, email, role, status, language, created_at as "createdAt" from staff where id = ${id}`;
    if (!member) throw notFound('staff member', id);
    const tokens = await sql`
      select id, name, prefix, created_at as "createdAt", last_used_at as "lastUsedAt", revoked_at as "revokedAt"
      from api_tokens where staff_id = ${id} order by id`;
    return { ...member, tokens };
  }

  app.openapi(
    createRoute({
      method: 'post',
      path: '/staff',
      tags: ['Staff'],
      ...guard('staff', true),
      request: jsonBody(staffInput),
      responses: jsonResponses(201, looseObject, 'the staff member'),
    }),
    async (c) => {
      const input = c.req.valid('json');
      const [row] = await sql<Array<{ id: number }>>`
        insert into staff (name, email, role, language) values (${input.name}, ${input.email.toLowerCase()}, ${input.role}, ${input.language})
        returning id`;
      await logEvent(sql, { actorId: c.get('staff').id, viaApi: true, entityKind: 'staff', entityId: row!.id, action: 'created', changes: { role: input.role } });
      return c.json(await loadStaff(row!.id), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/staff',
      tags: ['Staff'],
      ...guard('staff', false),
      request: { query: z.object(pageQuery) },
      responses: jsonResponses(200, pageOf(looseObject), 'staff members, newest first'),
    }),
    async (c) => {
      const { limit, after } = c.req.valid('query');
      const rows = await sql<Array<{ id: number }>>`
        select id, name, email, role, status, created_at as "createdAt" from staff
        where (${after ?? null}::int is null or id < ${after ?? null}) order by id desc limit ${limit + 1}`;
      return c.json(page(rows, limit), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/staff/{id}',
      tags: ['Staff'],
      ...guard('staff', false),
      request: { params: idParam },
      responses: jsonResponses(200, looseObject, 'the staff member with token metadata (never the tokens)'),
    }),
    async (c) => c.json(await loadStaff(c.req.valid('param').id), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/staff/{id}/tokens',
      tags: ['Staff'],
      summary: 'Issue an API token; the answer is the only time it is shown',
      ...guard('staff', true),
      request: { params: idParam, ...jsonBody(tokenInput) },
      responses: jsonResponses(201, looseObject, 'the token, shown once'),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const member = await loadStaff(id);
      if (member.status !== 'active') throw new AppError('staff_inactive', `staff member ${id} is inactive`);
      const token = generateToken();
      const [row] = await sql<Array<{ id: number }>>`
        insert into api_tokens (staff_id, name, token_hash, prefix)
        values (${id}, ${c.req.valid('json').name}, ${hashToken(token)}, ${token.slice(0, 8)}) returning id`;
      await logEvent(sql, { actorId: c.get('staff').id, viaApi: true, entityKind: 'staff', entityId: id, action: 'token_issued', changes: { tokenId: row!.id } });
      return c.json({ id: row!.id, token, prefix: token.slice(0, 8) }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/staff/{id}/tokens/{tokenId}/revoke',
      tags: ['Staff'],
      summary: 'Revoke an API token: it stops working at once',
      ...guard('staff', true),
      request: { params: tokenParams, ...jsonBody(z.object({ reason: z.string().trim().min(1).max(2000) }).strict().openapi('RevokeTokenInput')) },
      responses: jsonResponses(200, looseObject, 'the staff member'),
    }),
    async (c) => {
      const { id, tokenId } = c.req.valid('param');
      const { reason } = c.req.valid('json');
      // Revoking the token this request came with would lock its holder out mid-request; use another token.
      if (tokenId === c.get('staff').tokenId) throw new AppError('own_token', 'a token cannot revoke itself; revoke it with another token');
      const revoked = await sql`
        update api_tokens set revoked_at = coalesce(revoked_at, now()) where id = ${tokenId} and staff_id = ${id} returning id`;
      if (revoked.length === 0) throw notFound('token', tokenId);
      await logEvent(sql, { actorId: c.get('staff').id, viaApi: true, entityKind: 'staff', entityId: id, action: 'token_revoked', reason, changes: { tokenId } });
      return c.json(await loadStaff(id), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/staff/{id}/password',
      tags: ['Staff'],
      summary: "Set a staff member's password for the operator UI (stored as a scrypt hash; unlocks a locked account)",
      ...guard('staff', true),
      request: { params: idParam, ...jsonBody(passwordInput) },
      responses: jsonResponses(200, looseObject, 'the staff member'),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { password } = c.req.valid('json');
      await loadStaff(id);
      await sql`update staff set password_hash = ${await hashPassword(password)}, failed_logins = 0, locked_until = null, updated_at = now() where id = ${id}`;
      await logEvent(sql, { actorId: c.get('staff').id, viaApi: true, entityKind: 'staff', entityId: id, action: 'password_set' });
      return c.json(await loadStaff(id), 200);
    },
  );

  return app;
}
