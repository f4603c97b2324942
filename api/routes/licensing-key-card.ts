import { createRoute, z } from '@hono/zod-openapi';
import { canonicalKeyCode } from '../../domain/licensing/codes';
import { COUPON_LIMITS } from '../../domain/licensing/coupons';
import { editKeyRegistration } from '../../operations/licensing/keys/edit-key-registration';
import { generateKeyCompositionCoupon, keyCompositionDraft } from '../../operations/licensing/keys/generate-key-composition-coupon';
import { repointKey } from '../../operations/licensing/keys/repoint-key';
import { keyCard, keyCardHead, type KeyCardHead } from '../../queries/licensing/key-card';
import { eventActor, guard, staffIdOf, type AppEnv } from '../auth';
import { router, type ApiDeps } from '../deps';
import { notFound } from '../errors';
import { jsonBody, jsonResponses, looseObject } from '../schemas';
import type { Context } from 'hono';
import type { Sql } from '../../db/client';

const MAX_ID = 2_147_483_647;
const dbId = z.number().int().positive().max(MAX_ID);
const codeParam = z.object({ code: z.string().max(64).openapi({ param: { name: 'code', in: 'path' } }) });
const optionalText = (max: number) => z.string().trim().max(max).nullable().optional();

const registrationInput = z
  .object({
    companyName: optionalText(200),
    contactName: optionalText(200),
    phone: optionalText(64),
    email: z.email().max(320).nullable().optional(),
    distributorId: dbId.nullable().optional().describe('the licensing partner the customer is assigned to'),
    managerId: dbId.nullable().optional().describe('the staff member responsible for the customer'),
    comment: optionalText(2000),
    legalForm: z.enum(['organization', 'individual']).optional(),
  })
  .strict()
  .openapi('LicensingKeyRegistrationInput');

const repointInput = z.object({ clientId: dbId.describe('the billing client the key belongs to from now on') }).strict().openapi('LicensingKeyRepointInput');

const compositionInput = z
  .object({
    items: z
      .array(
        z
          .object({
            productCode: z.string().max(64),
            periodDays: z.number().int().min(COUPON_LIMITS.periodDays.min).max(COUPON_LIMITS.periodDays.max).nullable().describe('null = perpetual'),
            seats: z.number().int().min(1).max(100_000).default(1),
          })
          .strict(),
      )
      .min(1)
      .max(100)
      .refine((items) => new Set(items.map((i) => i.productCode)).size === items.length, 'each product once')
      .optional()
      .describe("the key's complete target composition; absent: its active products as they are (GET …/composition-draft)"),
    activateImmediately: z.boolean().optional(),
    distributorId: dbId.optional(),
    comment: z.string().trim().max(2000).optional(),
  })
  .strict()
  .openapi('LicensingKeyCompositionCouponInput');

/** The key `code` names (any spelling), if the caller's reseller owns it; 404 otherwise. */
export async function callersKey(sql: Sql, c: Context<AppEnv>, code: string): Promise<KeyCardHead> {
  const canonical = canonicalKeyCode(code);
  const head = await keyCardHead(sql, { code: canonical, resellerId: c.get('staff').resellerId });
  if (!head) throw notFound('license key', canonical);
  return head;
}

/**
 * The key card (spec 04 §3.6; §7.1 "keys (card, edit, rebind, delete, current usage)"): registration data and its
 * edit, re-pointing the key to another billing client, the products on the key, its activated coupons, its current
 * usage, and a composition coupon made for it. Keys are shown to the reseller that owns their client
 * (queries/licensing/key-scope.ts); another reseller's key answers 404 like a missing one.
 *
 * Long because it is a route table: each handler is a few lines (find the caller's key, call the operation, answer
 * the card), and the routes of one card read best together.
 */
export function licensingKeyCardRoutes({ sql, now = () => new Date() }: ApiDeps) {
  const app = router();

  const ownKey = (c: Context<AppEnv>, code: string) => callersKey(sql, c, code);

  app.openapi(
    createRoute({
      method: 'get',
      path: '/licensing/keys/{code}',
      tags: ['Licensing'],
      summary: 'The key card: registration data, products on the key, activated coupons, current usage (seen in the last 15 minutes)',
      ...guard('catalog', false),
      request: { params: codeParam },
      responses: jsonResponses(200, looseObject, 'the key card'),
    }),
    async (c) => {
      const code = canonicalKeyCode(c.req.valid('param').code);
      const card = await keyCard(sql, { code, resellerId: c.get('staff').resellerId, now: now() });
      if (!card) throw notFound('license key', code);
      return c.json(card, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/licensing/keys/{code}/registration',
      tags: ['Licensing'],
      summary: 'Edit the registration data of a key: company, contact, phone, e-mail, distributor, manager, comment, legal form (fields sent replace, null clears)',
      ...guard('catalog', true),
      request: { params: codeParam, ...jsonBody(registrationInput) },
      responses: jsonResponses(200, looseObject, 'the key card'),
    }),
    async (c) => {
      const key = await ownKey(c, c.req.valid('param').code);
      await editKeyRegistration(sql, { keyId: key.id, change: c.req.valid('json'), actor: eventActor(c) });
      return c.json((await keyCard(sql, { code: key.code, resellerId: c.get('staff').resellerId, now: now() }))!, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/licensing/keys/{code}/client',
      tags: ['Licensing'],
      summary: 'Re-point a key to another customer (billing client of the same reseller); a client holds one active key per vendor',
      ...guard('catalog', true),
      request: { params: codeParam, ...jsonBody(repointInput) },
      responses: jsonResponses(200, looseObject, 'the key card'),
    }),
    async (c) => {
      const key = await ownKey(c, c.req.valid('param').code);
      const staff = c.get('staff');
      await repointKey(sql, { keyId: key.id, clientId: c.req.valid('json').clientId, resellerId: staff.resellerId, actor: eventActor(c) });
      return c.json((await keyCard(sql, { code: key.code, resellerId: staff.resellerId, now: now() }))!, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/licensing/keys/{code}/composition-draft',
      tags: ['Licensing'],
      summary: 'The composition coupon form of a key, prefilled: this key as the target and its active products with the days they have left',
      ...guard('catalog', false),
      request: { params: codeParam },
      responses: jsonResponses(200, looseObject, 'the prefilled coupon parameters'),
    }),
    async (c) => {
      const key = await ownKey(c, c.req.valid('param').code);
      const items = await keyCompositionDraft(sql, { keyId: key.id, now: now() });
      return c.json({ type: 'change_composition', vendorPrefix: key.vendorPrefix, targetKey: key.code, items }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/licensing/keys/{code}/composition-coupons',
      tags: ['Licensing'],
      summary: 'Generate a composition coupon for this key (target prefilled); optionally applied at once (channel vendor_portal)',
      ...guard('catalog', true),
      request: { params: codeParam, ...jsonBody(compositionInput) },
      responses: jsonResponses(201, looseObject, 'the coupon (used when applied at once)'),
    }),
    async (c) => {
      const key = await ownKey(c, c.req.valid('param').code);
      const input = c.req.valid('json');
      const made = await generateKeyCompositionCoupon(sql, { ...input, keyId: key.id, keyCode: key.code, vendorPrefix: key.vendorPrefix, staffId: staffIdOf(c), now: now() });
      return c.json(made, 201);
    },
  );

  return app;
}
