import { createRoute, z } from '@hono/zod-openapi';
import { rotateVendorSigningKey, vendorSigningKeys } from '../../operations/licensing/signing/vendor-signing-keys';
import { guard } from '../auth';
import { router, type ApiDeps } from '../deps';
import { idParam, jsonBody, jsonResponses, looseObject } from '../schemas';

const rotateInput = z.object({ reason: z.string().max(500).optional() }).strict().openapi('LicensingKeyRotation');

/**
 * Staff side of the vendors' signing keys (spec 04 §6.8, issue 22 point 8): list them, rotate the active one.
 * Private halves never leave the server; these answers carry public keys only.
 */
export function licensingSigningKeyRoutes({ sql, now = () => new Date(), licensingKeys }: ApiDeps) {
  const app = router();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/licensing/vendors/{id}/signing-keys',
      tags: ['Licensing'],
      summary: "A vendor's signing keys: the active one first, then the retired ones (public halves only)",
      ...guard('catalog', false),
      request: { params: idParam },
      responses: jsonResponses(200, z.object({ keys: z.array(looseObject) }), 'the keys'),
    }),
    async (c) => c.json({ keys: await vendorSigningKeys(sql, c.req.valid('param').id) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/licensing/vendors/{id}/signing-keys/rotate',
      tags: ['Licensing'],
      summary: 'Rotate the signing key: new documents are signed with a new key; documents signed before still verify with the retired one',
      ...guard('catalog', true),
      request: { params: idParam, ...jsonBody(rotateInput) },
      responses: jsonResponses(201, looseObject, 'the new active key and the retired one'),
    }),
    async (c) => c.json(await rotateVendorSigningKey(sql, { vendorId: c.req.valid('param').id, vault: licensingKeys, now: now() }), 201),
  );

  return app;
}
