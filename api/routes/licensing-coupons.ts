import { createRoute, z } from '@hono/zod-openapi';
import { canonicalKeyCode, formatCoupon, formatLicenseKey, isValidPrefix, parseLicenseKey } from '../../domain/licensing/codes';
import { COUPON_LIMITS, COUPON_TYPES, couponParamsProblems } from '../../domain/licensing/coupons';
import { applyCoupon } from '../../operations/licensing/coupons/apply-coupon';
import { generateCoupons } from '../../operations/licensing/coupons/generate-coupons';
import { reverseCouponActivation } from '../../operations/licensing/coupons/reverse-coupon-activation';
import { voidCoupon } from '../../operations/licensing/coupons/void-coupon';
import { guard, staffIdOf } from '../auth';
import { router, type ApiDeps } from '../deps';
import { tellExpiryChanged } from '../entitlement-workflow';
import { idParam, jsonBody, jsonResponses, looseObject, page, pageOf, pageQuery } from '../schemas';

const INT4_MAX = 2_147_483_647;

/** True for a well-formed license key (§2 check characters included). */
function isLicenseKey(input: string): boolean {
  try {
    parseLicenseKey(input);
    return true;
  } catch {
    return false;
  }
}

const couponItem = z
  .object({
    productCode: z.string().max(64),
    periodDays: z.number().int().min(COUPON_LIMITS.periodDays.min).max(COUPON_LIMITS.periodDays.max).nullable().optional().describe('add_product and change_composition: days; null = perpetual'),
    seats: z.number().int().min(1).max(100_000).optional().describe('add_product and change_composition; default 1'),
    remainingDays: z.number().int().min(COUPON_LIMITS.remainingDays.min).max(COUPON_LIMITS.remainingDays.max).optional().describe('extend_trial: the days the trial will have left'),
  })
  .strict();

const generateInput = z
  .object({
    vendorPrefix: z.string().refine(isValidPrefix, 'exactly four letters A-Z'),
    type: z.enum(COUPON_TYPES),
    distributorId: z.number().int().positive().max(INT4_MAX).optional().describe('the partner the products are distributed through (statistics)'),
    comment: z.string().trim().max(2000).optional(),
    count: z.number().int().min(COUPON_LIMITS.count.min).max(COUPON_LIMITS.count.max).optional().describe('add_product only; default 1'),
    items: z.array(couponItem).min(1).max(100),
    reusable: z.boolean().optional().describe('extend_trial only: any number of keys, once per key'),
    targetKey: z.string().max(64).refine(isLicenseKey, 'a license key with valid check characters').optional().describe('change_composition only (required there)'),
    activateImmediately: z.boolean().optional().describe('change_composition only: applied to the target key at once (channel vendor_portal)'),
  })
  .strict()
  .superRefine((input, ctx) => {
    for (const problem of couponParamsProblems(input)) ctx.addIssue({ code: 'custom', path: problem.path, message: problem.message });
  })
  .openapi('LicensingCouponInput');

const voidInput = z.object({}).strict().openapi('LicensingCouponVoidInput');
const applyInput = z.object({ key: z.string().max(64), coupon: z.string().max(64) }).strict().openapi('LicensingCouponApplyInput');
const reverseInput = z.object({ reason: z.string().trim().min(1).max(2000) }).strict().openapi('LicensingCouponReverseInput');

const display = <T extends { code: string }>(row: T) => ({ ...row, code: formatCoupon(row.code) });

/**
 * Staff side of coupons (spec 04 §3, §7.1 "coupon generation, void, list, activation and reversal"):
 * generation in batches (§3.1, optionally applied at once for a composition coupon), the list, voiding an
 * unused coupon, applying one from the vendor portal (§3.4 channel vendor_portal) and reversing an
 * activation made by mistake (§3.5). Refusals of the coupon rules answer with their §7.4 codes and statuses.
 *
 * Long because it is a route table: each handler is a few lines (parse, call the operation, shape the answer),
 * and the routes of one resource read best together.
 */
export function licensingCouponRoutes(deps: ApiDeps) {
  const { sql, now = () => new Date() } = deps;
  const app = router();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/licensing/coupons',
      tags: ['Licensing'],
      summary: 'Generate coupons (add_product in batches of up to 1000; extend_trial, possibly reusable; change_composition for one key, possibly applied at once)',
      ...guard('catalog', true),
      request: jsonBody(generateInput),
      responses: jsonResponses(201, looseObject, 'the batch and its coupons (display form)'),
    }),
    async (c) => {
      const made = await generateCoupons(sql, { ...c.req.valid('json'), staffId: staffIdOf(c), now: now() });
      return c.json(made, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/licensing/coupons',
      tags: ['Licensing'],
      summary: 'Coupons, newest first, by batch, status, type or vendor',
      ...guard('catalog', false),
      request: {
        query: z.object({
          ...pageQuery,
          batchId: z.coerce.number().int().positive().max(INT4_MAX).optional(),
          status: z.enum(['unused', 'used', 'void']).optional(),
          type: z.enum(COUPON_TYPES).optional(),
          vendorPrefix: z.string().max(4).optional(),
        }),
      },
      responses: jsonResponses(200, pageOf(looseObject), 'coupons, newest first'),
    }),
    async (c) => {
      const { limit, after, batchId, status, type, vendorPrefix } = c.req.valid('query');
      const rows = await sql<Array<{ id: number; code: string; targetKey: string | null }>>`
        select c.id, c.code, v.prefix as "vendorPrefix", c.type, c.status, c.batch_id as "batchId", c.items, c.reusable,
               c.distributor_id as "distributorId", k.code as "targetKey", c.comment, c.created_by as "createdBy", c.created_at as "createdAt",
               (select count(*)::int from coupon_activations a where a.coupon_id = c.id and a.status = 'applied') as "activations"
        from coupons c join licensing_vendors v on v.id = c.vendor_id left join license_keys k on k.id = c.target_key_id
        where (${after ?? null}::int is null or c.id < ${after ?? null})
          and (${batchId ?? null}::int is null or c.batch_id = ${batchId ?? null})
          and (${status ?? null}::text is null or c.status = ${status ?? null})
          and (${type ?? null}::text is null or c.type = ${type ?? null})
          and (${vendorPrefix?.toUpperCase() ?? null}::text is null or v.prefix = ${vendorPrefix?.toUpperCase() ?? null})
        order by c.id desc limit ${limit + 1}`;
      return c.json(page(rows.map((r) => ({ ...display(r), targetKey: r.targetKey && formatLicenseKey(r.targetKey) })), limit), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/licensing/coupons/{id}/void',
      tags: ['Licensing'],
      summary: 'Void an unused coupon (a reusable one stops working for further keys); voiding a void coupon changes nothing',
      ...guard('catalog', true),
      request: { params: idParam, ...jsonBody(voidInput) },
      responses: jsonResponses(200, looseObject, 'the coupon'),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      return c.json(await voidCoupon(sql, { couponId: id }), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/licensing/coupon-activations',
      tags: ['Licensing'],
      summary: "Apply a coupon to a key from the vendor portal (\"Activate coupon\": channel vendor_portal), with the same checks as the public API",
      ...guard('catalog', true),
      request: jsonBody(applyInput),
      responses: jsonResponses(201, looseObject, 'the coupon activation and the key’s entitlements'),
    }),
    async (c) => {
      const { key, coupon } = c.req.valid('json');
      const at = now();
      const applied = await applyCoupon(sql, { key, coupon, channel: 'vendor_portal', actor: `staff:${staffIdOf(c) ?? 'unknown'}`, now: at });
      await tellExpiryChanged(deps, applied.entitlements.map((e) => e.id), at);
      return c.json(applied, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/licensing/coupon-activations',
      tags: ['Licensing'],
      summary: "Coupon activations (the key card's \"activated coupons\"), with channel, actor, snapshots and reversal",
      ...guard('catalog', false),
      request: {
        query: z.object({
          ...pageQuery,
          key: z.string().max(64).optional(),
          couponId: z.coerce.number().int().positive().max(INT4_MAX).optional(),
          status: z.enum(['applied', 'reversed']).optional(),
        }),
      },
      responses: jsonResponses(200, pageOf(looseObject), 'activations, newest first'),
    }),
    async (c) => {
      const { limit, after, key, couponId, status } = c.req.valid('query');
      const keyCode = key === undefined ? null : canonicalKeyCode(key);
      const rows = await sql<Array<{ id: number; coupon: string; key: string }>>`
        select a.id, a.coupon_id as "couponId", c.code as coupon, k.code as key, a.channel, a.actor, a.status, a.activated_at as "activatedAt",
               a.before, a.after, a.reversed_at as "reversedAt", a.reversed_by as "reversedBy", a.reversal_reason as "reversalReason"
        from coupon_activations a join coupons c on c.id = a.coupon_id join license_keys k on k.id = a.key_id
        where (${after ?? null}::int is null or a.id < ${after ?? null})
          and (${keyCode}::text is null or k.code = ${keyCode})
          and (${couponId ?? null}::int is null or a.coupon_id = ${couponId ?? null})
          and (${status ?? null}::text is null or a.status = ${status ?? null})
        order by a.id desc limit ${limit + 1}`;
      return c.json(page(rows.map((r) => ({ ...r, coupon: formatCoupon(r.coupon), key: formatLicenseKey(r.key) })), limit), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/licensing/coupon-activations/{id}/reverse',
      tags: ['Licensing'],
      summary: 'Reverse a coupon activated by mistake: licenses restored, created ones deleted, bindings revoked, a single-use coupon unused again',
      ...guard('catalog', true),
      request: { params: idParam, ...jsonBody(reverseInput) },
      responses: jsonResponses(200, looseObject, 'the reversed activation, the coupon and the key’s entitlements'),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { reason } = c.req.valid('json');
      return c.json(await reverseCouponActivation(sql, { activationId: id, staffId: staffIdOf(c), reason, now: now() }), 200);
    },
  );

  return app;
}
