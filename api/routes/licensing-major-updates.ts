import { createRoute, z } from '@hono/zod-openapi';
import { addMajorRelease } from '../../operations/licensing/catalog/add-major-release';
import { payMajorUpdate } from '../../operations/licensing/major-updates/pay-major-update';
import type { MajorUpdateAnswer } from '../../operations/licensing/major-updates/request-major-update';
import { guard } from '../auth';
import { router, type ApiDeps } from '../deps';
import { operateOnEntitlement } from '../entitlement-workflow';
import { idParam, jsonBody, jsonResponses, looseObject } from '../schemas';
import { majorRelease } from './licensing';

const requestInput = z.object({ targetMajor: z.number().int().min(0).max(10_000) }).strict().openapi('LicensingMajorUpdateRequest');
const payInput = z
  .object({ method: z.enum(['balance', 'external']), reference: z.string().min(1).max(200).optional().describe('the payment outside the platform (method external)') })
  .strict()
  .refine((v) => v.method !== 'external' || v.reference !== undefined, { message: 'a payment outside the platform needs its reference', path: ['reference'] })
  .openapi('LicensingMajorUpdatePayment');

/**
 * Major updates of perpetual licenses (spec 04 §5.3, issue 22 point 3): a product's major releases; a license's
 * update request (the §5.3 quote, stored as an order); its payment, which moves the license.
 */
export function licensingMajorUpdateRoutes(deps: ApiDeps) {
  const { sql, now = () => new Date() } = deps;
  const app = router();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/licensing/products/{id}/major-releases',
      tags: ['Licensing'],
      summary: 'Record the release date of a major version of a product (replaces an earlier date for the same major)',
      ...guard('catalog', true),
      request: { params: idParam, ...jsonBody(majorRelease) },
      responses: jsonResponses(200, looseObject, 'the product\'s major releases'),
    }),
    async (c) => c.json(await addMajorRelease(sql, { productId: c.req.valid('param').id, ...c.req.valid('json') }), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/licensing/entitlements/{id}/major-updates',
      tags: ['Licensing'],
      summary: 'requestMajorUpdate (spec 04 §5.3): the quote from the stored entitled major and anchor; a free update is applied at once',
      ...guard('catalog', true),
      request: { params: idParam, ...jsonBody(requestInput) },
      responses: jsonResponses(201, looseObject, 'the quote and the update order (status quoted, applied or already_entitled)'),
    }),
    async (c) => {
      const at = now();
      const input = { entitlementId: c.req.valid('param').id, targetMajor: c.req.valid('json').targetMajor, now: at.toISOString() };
      return c.json(await operateOnEntitlement<MajorUpdateAnswer>(deps, { kind: 'requestMajorUpdate', input }, at), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/licensing/major-updates/{id}/pay',
      tags: ['Licensing'],
      summary: 'Pay a quoted major update (from the client balance, or outside with a reference); the license moves to the new major',
      ...guard('catalog', true),
      request: { params: idParam, ...jsonBody(payInput) },
      responses: jsonResponses(200, looseObject, 'the applied update'),
    }),
    async (c) => c.json(await payMajorUpdate(sql, { updateId: c.req.valid('param').id, ...c.req.valid('json'), now: now() }), 200),
  );

  return app;
}
