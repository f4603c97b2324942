import { createRoute, z } from '@hono/zod-openapi';
import { staffRoles } from '../../domain/statuses';
import { issueApiToken, revokeApiToken } from '../../operations/staff/api-tokens';
import { createStaffMember } from '../../operations/staff/create-staff-member';
import { setStaffPassword } from '../../operations/staff/set-staff-password';
import { forgetCheckedStaffTokens, generateToken, guard, hashToken } from '../auth';
import { router, type ApiDeps } from '../deps';
import { AppError, notFound } from '../errors';
import { inSubtreeOf, resellerInSubtree } from '../../queries/tenancy';
import { idParam, jsonBody, jsonResponses, looseObject, name, page, pageOf, pageQuery } from '../schemas';

const staffInput = z
  .object({
    name,
    email: z.email().max(320),
    role: z.enum(staffRoles),
    language: z.enum(['en', 'ru']).default('en'),
    resellerId: z.number().int().positive().max(2_147_483_647).optional().describe("the member's reseller: the caller's own (default) or one below it"),
  })
  .strict()
  .openapi('StaffInput');
const passwordInput = z.object({ password: z.string().min(12, 'at least 12 characters').max(200) }).strict().openapi('StaffPasswordInput');
const tokenInput = z.object({ name: z.string().trim().min(1).max(100) }).strict().openapi('TokenInput');
const tokenParams = z.object({
  id: z.coerce.number().int().positive().openapi({ param: { name: 'id', in: 'path' } }),
  tokenId: z.coerce.number().int().positive().openapi({ param: { name: 'tokenId', in: 'path' } }),
});

/**
 * Staff members and their API tokens (spec 02 §14). A token is shown once, when it is issued. Long because it registers every route of the resource;
 * each handler validates, guards, calls its operation or query and shapes the answer.
 */
export function staffRoutes({ sql }: ApiDeps) {
  const app = router();

  async function loadStaff(id: number) {
    const [member] = await sql<Array<Record<string, unknown> & { status: string }>>`
      select id, reseller_id as "resellerId", name, email, role, status, language, created_at as "createdAt" from staff where id = ${id}`;
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
      const viewer = c.get('staff');
      // A reseller outside the caller's subtree answers as an unknown one, as the reseller routes do.
      if (input.resellerId !== undefined && !(await resellerInSubtree(sql, viewer, input.resellerId))) {
        throw new AppError('invalid_reference', `reseller ${input.resellerId} does not exist`);
      }
      const id = await createStaffMember(sql, { ...input, resellerId: input.resellerId ?? viewer.resellerId }, { by: viewer.id });
      return c.json(await loadStaff(id), 201);
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
        select id, reseller_id as "resellerId", name, email, role, status, created_at as "createdAt" from staff
        where ${inSubtreeOf(sql, c.get('staff'), 'reseller_id')} and (${after ?? null}::int is null or id < ${after ?? null})
        order by id desc limit ${limit + 1}`;
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
      const token = generateToken();
      const tokenId = await issueApiToken(sql, id, { name: c.req.valid('json').name, token: { token, hash: hashToken(token) }, by: c.get('staff').id });
      return c.json({ id: tokenId, token, prefix: token.slice(0, 8) }, 201);
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
      const staff = c.get('staff');
      await revokeApiToken(sql, { staffId: id, tokenId, reason, by: staff.id, byTokenId: staff.tokenId });
      // This process answers the revoked token 401 from now on; other API processes within a second (api/auth.ts).
      forgetCheckedStaffTokens();
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
      await setStaffPassword(sql, id, { password, by: c.get('staff').id });
      return c.json(await loadStaff(id), 200);
    },
  );

  return app;
}
