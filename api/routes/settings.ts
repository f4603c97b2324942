import { createRoute, z } from '@hono/zod-openapi';
import { defaultDocumentMasks } from '../../domain/document-numbers';
import { setPostpayPermission } from '../../operations/clients/set-postpay-permission';
import { paymentRoundingKey } from '../../operations/payments/payment-rounding';
import { saveSetting } from '../../operations/settings/save-setting';
import { guard } from '../auth';
import { router, type ApiDeps } from '../deps';
import { idParam, jsonBody, jsonResponses, looseObject } from '../schemas';

const mergePaymentsInput = z.object({ enabled: z.boolean() }).strict().openapi('MergePaymentsSettingInput');
/** Spec 02 §13.3: generated payments are rounded up to a multiple of this many minor units (0: no rounding). */
const paymentRoundingInput = z
  .object({ value: z.number().int().min(0).max(1_000_000).describe('minor units; 100 rounds 1234.01 up to 1235.00; 0 turns rounding off') })
  .strict()
  .openapi('PaymentRoundingInput');
const postpayModeInput = z.object({ mode: z.enum(['automatic', 'manual']) }).strict().openapi('PostpayModeInput');
const permissionInput = z
  .object({ permission: z.enum(['not_checked', 'awaiting_approval', 'rejected', 'approved']), reason: z.string().trim().min(1).max(2000) })
  .strict()
  .openapi('PostpayPermissionInput');

/**
 * Platform settings (spec 02 §13) and the admin-only, audited override of a client's postpay permission (decision
 * 18). Long because it registers every route of the resource;
 * each handler validates, guards, calls its operation or query and shapes the answer.
 */
export function settingsRoutes({ sql }: ApiDeps) {
  const app = router();

  async function readSettings() {
    const rows = await sql<Array<{ key: string; value: unknown }>>`select key, value from settings`;
    const values = Object.fromEntries(rows.map((r) => [r.key, r.value]));
    return {
      postpayMode: values.postpay_mode === 'manual' ? 'manual' : 'automatic',
      /** Spec 02 §2.11, §13.5: merge waiting renewal and prolongation payments each night (default off). */
      mergePayments: values.merge_payments === true,
      /** Spec 02 §13.3, decision 26: order payments are rounded up to a multiple of this (minor units; 0 = off); the order's amount is not. */
      paymentRounding: typeof values[paymentRoundingKey] === 'number' ? values[paymentRoundingKey] : 0,
      documentMasks: Object.fromEntries(
        Object.entries(defaultDocumentMasks).map(([kind, mask]) => [kind, (values[`document_mask.${kind}`] as string | undefined) ?? mask]),
      ),
    };
  }

  app.openapi(
    createRoute({
      method: 'get',
      path: '/settings',
      tags: ['Settings'],
      ...guard('billing_config', false),
      responses: jsonResponses(200, looseObject, 'the platform settings'),
    }),
    async (c) => c.json(await readSettings(), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/settings/postpay-mode',
      tags: ['Settings'],
      summary: 'Allow postpay for clients automatically, or only after an operator approves the first postpay order',
      ...guard('billing_config', true),
      request: jsonBody(postpayModeInput),
      responses: jsonResponses(200, looseObject, 'the platform settings'),
    }),
    async (c) => {
      const { mode } = c.req.valid('json');
      await saveSetting(sql, { key: 'postpay_mode', value: mode, by: c.get('staff').id, changes: { mode } });
      return c.json(await readSettings(), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/settings/merge-payments',
      tags: ['Settings'],
      summary: 'Merge the waiting payments of prolongation and renewal orders into one payment per client each night',
      ...guard('billing_config', true),
      request: jsonBody(mergePaymentsInput),
      responses: jsonResponses(200, looseObject, 'the platform settings'),
    }),
    async (c) => {
      const { enabled } = c.req.valid('json');
      await saveSetting(sql, { key: 'merge_payments', value: enabled, by: c.get('staff').id, changes: { enabled } });
      return c.json(await readSettings(), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/settings/payment-rounding',
      tags: ['Settings'],
      summary: "Round the payments generated for orders up to a multiple of this value (spec 02 §13.3); the order's amount stays, an over-payment stays on the balance",
      ...guard('billing_config', true),
      request: jsonBody(paymentRoundingInput),
      responses: jsonResponses(200, looseObject, 'the platform settings'),
    }),
    async (c) => {
      const { value } = c.req.valid('json');
      await saveSetting(sql, { key: paymentRoundingKey, value, by: c.get('staff').id, changes: { value } });
      return c.json(await readSettings(), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/clients/{id}/postpay-permission',
      tags: ['Clients', 'Settings'],
      summary: "Change a client's postpay permission afterwards (administrators only, audited)",
      ...guard('billing_config', true),
      request: { params: idParam, ...jsonBody(permissionInput) },
      responses: jsonResponses(200, looseObject, 'the new permission'),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { permission, reason } = c.req.valid('json');
      await setPostpayPermission(sql, { clientId: id, permission, reason, by: c.get('staff').id });
      return c.json({ clientId: id, postpayPermission: permission }, 200);
    },
  );

  return app;
}
