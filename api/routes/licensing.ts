import { createRoute, z } from '@hono/zod-openapi';
import { ACTIVATION_POLICIES } from '../../domain/licensing/activation';
import { canonicalKeyCode, formatLicenseKey, isValidPrefix } from '../../domain/licensing/codes';
import { createProduct } from '../../operations/licensing/catalog/create-product';
import { registerVendor } from '../../operations/licensing/catalog/register-vendor';
import { entitlementCard } from '../../operations/licensing/entitlements/entitlement-card';
import { sealAdminPassword } from '../../operations/licensing/entitlements/edit-entitlement';
import { entitlementOwnedBy } from '../../queries/licensing/key-scope';
import { ENTITLEMENT_SWITCHES } from '../../operations/licensing/entitlements/set-entitlement-status';
import { deleteKey } from '../../operations/licensing/keys/delete-key';
import { grantEntitlement } from '../../operations/licensing/keys/grant-entitlement';
import type { Context } from 'hono';
import { ownRows } from '../tenancy';
import { eventActor, guard, type AppEnv } from '../auth';
import { router, type ApiDeps } from '../deps';
import { operateOnEntitlement, tellExpiryChanged } from '../entitlement-workflow';
import { notFound } from '../errors';
import { isoDate, jsonBody, jsonResponses, looseObject, money, name, page, pageOf, pageQuery } from '../schemas';

const vendorInput = z
  .object({ name, prefix: z.string().refine(isValidPrefix, 'exactly four letters A-Z') })
  .strict()
  .openapi('LicensingVendorInput');
/** A major release of a product (spec 04 §1.2 `majorReleases`). */
export const majorRelease = z.object({ major: z.number().int().min(0).max(10_000), releasedAt: isoDate }).strict();
const productInput = z
  .object({
    vendorPrefix: z.string().refine(isValidPrefix, 'exactly four letters A-Z'),
    code: z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/),
    name,
    licenseModel: z.enum(['fixed', 'floating']).default('fixed'),
    termType: z.enum(['term', 'perpetual']).default('term'),
    maxActivations: z.number().int().min(-1).max(1_000_000).refine((n) => n !== 0, 'use -1 for unlimited').default(-1),
    activationPolicy: z.enum(ACTIVATION_POLICIES).default('Medium'),
    managedExpiration: z.boolean().default(false),
    managedExecution: z.boolean().default(false),
    nonTransferable: z.boolean().default(false),
    transferTimeMode: z.enum(['managed', 'preserve']).default('managed'),
    masterLicense: z.record(z.string(), z.unknown()).default({}),
    trialDays: z.number().int().min(0).max(365).default(0),
    majorReleases: z.array(majorRelease).max(100).default([]),
    retailPrice: z.number().int().min(0).max(1_000_000_000_000).optional().describe('perpetual license retail price, minor units (spec 04 §5.3)'),
    retailCurrency: z.string().regex(/^[A-Z]{3}$/).optional(),
  })
  .strict()
  .openapi('LicensingProductInput');

const entitlementEditInput = z
  .object({
    name: z.string().trim().min(1).max(200).nullable().optional(),
    boundIp: z.string().trim().min(3).max(64).nullable().optional().describe('the IP address activations must declare; null: any'),
    adminPassword: z.string().min(1).max(200).nullable().optional().describe('write-only: stored sealed, never answered; null clears it'),
    regenerateKey: z.boolean().optional().describe('replace the registration key by a newly generated one'),
    resetRegistrations: z.boolean().optional().describe('delete all existing registrations (the ManagedExpiration anchor is kept)'),
    autoRenewMonths: z.number().int().min(1).max(120).nullable().optional().describe('months of automatic renewal; null: off'),
    autoRenewPrice: money
      .nullable()
      .optional()
      .describe('the cost of one automatic renewal in the client’s currency, minor units (until the billing catalogue is linked); without it the license is not renewed automatically'),
    validUntil: z.iso.datetime({ offset: true }).optional().describe('staff only; the status follows it (active / expired)'),
  })
  .strict()
  .openapi('LicensingEntitlementEdit');
const configurationInput = z
  .object({ features: z.record(z.string().min(1).max(64), z.union([z.boolean(), z.number().int().min(0).max(1_000_000_000)])).refine((f) => Object.keys(f).length <= 100, 'at most 100 features') })
  .strict()
  .openapi('LicensingConfigurationInput');

const codeParam = z.object({ code: z.string().max(64).openapi({ param: { name: 'code', in: 'path' } }) });
const grantInput = z
  .object({
    productCode: z.string().max(64),
    kind: z.enum(['paid', 'trial']).default('paid'),
    periodDays: z.number().int().min(1).max(3650).nullable().describe('null = perpetual'),
    seats: z.number().int().min(1).max(100_000).default(1),
    boundIp: z.string().max(64).optional(),
  })
  .strict()
  .openapi('LicensingGrantInput');

/**
 * Staff side of the licensing plugin (spec 04 §7.1 "vendor/staff API"): vendors with their prefix and
 * signing key, products with their activation settings, and the keys issued to clients.
 *
 * Long because it is a route table: each handler is a few lines (parse, call the operation, shape the answer),
 * and the routes of one resource read best together.
 */
export function licensingRoutes(deps: ApiDeps) {
  const { sql, now = () => new Date(), licensingKeys } = deps;
  const app = router();

  /** 404 for a license of another reseller's key, as for one that does not exist. */
  async function ownEntitlement(c: Context<AppEnv>, id: number): Promise<void> {
    if (!(await entitlementOwnedBy(sql, id, c.get('staff').resellerId))) throw notFound('entitlement', id);
  }

  app.openapi(
    createRoute({
      method: 'post',
      path: '/licensing/vendors',
      tags: ['Licensing'],
      summary: 'Register a software vendor with its key prefix; its Ed25519 signing key is generated here and never leaves',
      ...guard('catalog', true),
      request: jsonBody(vendorInput),
      responses: jsonResponses(201, looseObject, 'the vendor with its public key'),
    }),
    async (c) => {
      return c.json(await registerVendor(sql, { ...c.req.valid('json'), vault: licensingKeys }), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/licensing/vendors',
      tags: ['Licensing'],
      ...guard('catalog', false),
      request: { query: z.object(pageQuery) },
      responses: jsonResponses(200, pageOf(looseObject), 'vendors, newest first'),
    }),
    async (c) => {
      const { limit, after } = c.req.valid('query');
      const rows = await sql<Array<{ id: number }>>`
        select v.id, v.name, v.prefix, v.status, k.public_key as "publicKey", k.id as "keyId"
        from licensing_vendors v left join licensing_signing_keys k on k.vendor_id = v.id and k.status = 'active'
        where (${after ?? null}::int is null or v.id < ${after ?? null}) order by v.id desc limit ${limit + 1}`;
      return c.json(page(rows, limit), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/licensing/products',
      tags: ['Licensing'],
      summary: "A licensing product: the model, MaxActivation (-1 unlimited), the activation policy and the master license",
      ...guard('catalog', true),
      request: jsonBody(productInput),
      responses: jsonResponses(201, looseObject, 'the product'),
    }),
    async (c) => {
      const p = c.req.valid('json');
      const row = await createProduct(sql, p);
      return c.json({ id: row.id, ...p }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/licensing/keys',
      tags: ['Licensing'],
      summary: 'License keys with their entitlements (the key card), by client',
      ...guard('catalog', false),
      request: { query: z.object({ ...pageQuery, clientId: z.coerce.number().int().positive().optional() }) },
      responses: jsonResponses(200, pageOf(looseObject), 'keys, newest first'),
    }),
    async (c) => {
      const { limit, after, clientId } = c.req.valid('query');
      const rows = await sql<Array<{ id: number; code: string }>>`
        select k.id, k.code, v.prefix as "vendorPrefix", k.client_id as "clientId", k.status, k.created_via as "createdVia",
               coalesce((select json_agg(json_build_object('id', e.id, 'product', p.code, 'subscriptionId', e.subscription_id, 'seats', e.seats,
                                                          'status', e.status) order by e.id)
                         from entitlements e join licensing_products p on p.id = e.product_id where e.key_id = k.id), '[]') as entitlements
        from license_keys k join licensing_vendors v on v.id = k.vendor_id
        where ${ownRows(c, sql, 'k.client_id')} and (${after ?? null}::int is null or k.id < ${after ?? null})
          and (${clientId ?? null}::int is null or k.client_id = ${clientId ?? null})
        order by k.id desc limit ${limit + 1}`;
      return c.json(page(rows.map((r) => ({ ...r, displayCode: formatLicenseKey(r.code) })), limit), 200);
    },
  );

  // The key card (GET /licensing/keys/{code}) and its operations: licensing-key-card.ts.

  app.openapi(
    createRoute({
      method: 'post',
      path: '/licensing/keys/{code}/entitlements',
      tags: ['Licensing'],
      summary: 'Give a key a product by hand (staff): paid or trial, for a number of days or perpetual',
      ...guard('catalog', true),
      request: { params: codeParam, ...jsonBody(grantInput) },
      responses: jsonResponses(201, looseObject, 'the entitlement'),
    }),
    async (c) => {
      const keyCode = canonicalKeyCode(c.req.valid('param').code);
      const at = now();
      const row = await grantEntitlement(sql, { ...c.req.valid('json'), keyCode, now: at });
      await tellExpiryChanged(deps, [row.id as number], at);
      return c.json(row, 201);
    },
  );

  // At most the largest Postgres integer: a bigger id is refused by validation, not by the database inside the workflow.
  const entitlementParam = z.object({ id: z.coerce.number().int().positive().max(2_147_483_647).openapi({ param: { name: 'id', in: 'path' } }) });

  /** Enable / disable (spec 04 §4.2, §7.2 resume / suspend): bindings stay, and validate again once resumed. */
  for (const path of Object.keys(ENTITLEMENT_SWITCHES) as Array<keyof typeof ENTITLEMENT_SWITCHES>) {
    app.openapi(
      createRoute({
        method: 'post',
        path: `/licensing/entitlements/{id}/${path}`,
        tags: ['Licensing'],
        summary: path === 'suspend' ? 'Disable a license: its activations stop validating, nothing is deleted' : 'Enable a disabled license: its activations validate again without re-activation',
        ...guard('catalog', true),
        request: { params: entitlementParam, ...jsonBody(z.object({ reason: z.string().trim().min(1).max(2000) }).strict().openapi(`LicensingEntitlement${path === 'suspend' ? 'Suspend' : 'Resume'}Input`)) },
        responses: jsonResponses(200, looseObject, 'the entitlement'),
      }),
      async (c) => {
        const { id } = c.req.valid('param');
        await operateOnEntitlement(deps, { kind: path, input: { entitlementId: id } }, now());
        return c.json(await entitlementCard(sql, id), 200);
      },
    );
  }

  app.openapi(
    createRoute({
      method: 'get',
      path: '/licensing/entitlements',
      tags: ['Licensing'],
      summary: 'Licenses with filters (spec 04 §4.2 list): status, product, key, bound IP, client, validity range',
      ...guard('catalog', false),
      request: {
        query: z.object({
          ...pageQuery,
          status: z.enum(['ordered', 'in_progress', 'active', 'suspended', 'expired', 'superseded', 'deleted']).optional(),
          product: z.string().max(64).optional(),
          key: z.string().max(64).optional(),
          boundIp: z.string().max(64).optional(),
          clientId: z.coerce.number().int().positive().optional(),
          validFrom: isoDate.optional().describe('valid until on or after this date'),
          validTo: isoDate.optional().describe('valid until on or before this date'),
        }),
      },
      responses: jsonResponses(200, pageOf(looseObject), 'licenses, newest first'),
    }),
    async (c) => {
      const f = c.req.valid('query');
      const key = f.key ? canonicalKeyCode(f.key) : null;
      const rows = await sql<Array<{ id: number }>>`
        select e.id, e.status, e.kind, e.source, e.seats, e.bound_ip as "boundIp", e.expires_at as "expiresAt", e.subscription_id as "subscriptionId",
               p.code as product, k.code as "keyCode", k.client_id as "clientId"
        from entitlements e join licensing_products p on p.id = e.product_id join license_keys k on k.id = e.key_id
        where ${ownRows(c, sql, 'k.client_id')} and (${f.after ?? null}::int is null or e.id < ${f.after ?? null})
          and (${f.status ?? null}::text is null or e.status = ${f.status ?? null})
          and (${f.product ?? null}::text is null or p.code = ${f.product ?? null})
          and (${key}::text is null or k.code = ${key})
          and (${f.boundIp ?? null}::text is null or e.bound_ip = ${f.boundIp ?? null})
          and (${f.clientId ?? null}::int is null or k.client_id = ${f.clientId ?? null})
          and (${f.validFrom ?? null}::date is null or e.expires_at >= ${f.validFrom ?? null}::date)
          and (${f.validTo ?? null}::date is null or e.expires_at < ${f.validTo ?? null}::date + 1)
        order by e.id desc limit ${f.limit + 1}`;
      return c.json(page(rows, f.limit), 200);
    },
  );

  /**
   * The hosting panel's Edit (spec 04 §4.2, §7.2 update): fields sent change, others stay. The administrator password
   * is write-only (sealed at rest, never answered); valid-until is for staff (every route here is) and is logged on
   * the billing subscription when one bills the license; "delete all existing registrations" keeps the
   * ManagedExpiration anchor. The license must belong to the caller's reseller (404 otherwise).
   */
  app.openapi(
    createRoute({
      method: 'post',
      path: '/licensing/entitlements/{id}',
      tags: ['Licensing'],
      summary: 'Edit a license: name, IP, administrator password (write-only), registration key replaced, delete all existing registrations, auto-renewal, valid-until',
      ...guard('catalog', true),
      request: { params: entitlementParam, ...jsonBody(entitlementEditInput) },
      responses: jsonResponses(200, looseObject, 'the entitlement'),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      await ownEntitlement(c, id);
      const { validUntil, adminPassword, ...edit } = c.req.valid('json');
      // Sealed here, before anything changes: the password in clear never enters the workflow's history.
      const sealed = adminPassword === undefined ? {} : { sealedAdminPassword: adminPassword === null ? null : sealAdminPassword(licensingKeys, adminPassword) };
      const at = now();
      await operateOnEntitlement(deps, { kind: 'edit', input: { entitlementId: id, edit: { ...edit, ...sealed, ...(validUntil === undefined ? {} : { validUntil: new Date(validUntil).toISOString() }) }, actor: eventActor(c), now: at.toISOString() } }, at);
      return c.json(await entitlementCard(sql, id), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/licensing/entitlements/{id}/configuration',
      tags: ['Licensing'],
      summary: "License configuration: feature values within the product's master license (booleans it has on, numbers up to its value)",
      ...guard('catalog', true),
      request: { params: entitlementParam, ...jsonBody(configurationInput) },
      responses: jsonResponses(200, looseObject, 'the entitlement with its configuration'),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      await ownEntitlement(c, id);
      const configuration = await operateOnEntitlement<Record<string, boolean | number>>(deps, { kind: 'configure', input: { entitlementId: id, features: c.req.valid('json').features, actor: eventActor(c) } }, now());
      return c.json({ ...(await entitlementCard(sql, id)), configuration }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/licensing/entitlements/{id}/delete',
      tags: ['Licensing'],
      summary: 'Delete a license given by hand or by a coupon (spec 04 §4.2): its activations and leases are revoked, its history kept',
      ...guard('catalog', true),
      request: { params: entitlementParam, ...jsonBody(z.object({ reason: z.string().trim().min(1).max(2000) }).strict().openapi('LicensingEntitlementDelete')) },
      responses: jsonResponses(200, looseObject, 'the entitlement'),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      await operateOnEntitlement(deps, { kind: 'delete', input: { entitlementId: id } }, now());
      return c.json(await entitlementCard(sql, id), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/licensing/keys/{code}/delete',
      tags: ['Licensing'],
      summary: 'Delete a key (spec 04 §3.6): all its licenses deleted and their activations revoked; refused while a subscription bills one',
      ...guard('catalog', true),
      request: { params: codeParam, ...jsonBody(z.object({ reason: z.string().trim().min(1).max(2000) }).strict().openapi('LicensingKeyDelete')) },
      responses: jsonResponses(200, looseObject, 'the deleted key'),
    }),
    async (c) => {
      const code = canonicalKeyCode(c.req.valid('param').code);
      await deleteKey(sql, { keyCode: code });
      return c.json({ code, status: 'deleted' }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/licensing/entitlements/{id}/support-extensions',
      tags: ['Licensing'],
      summary: 'Extend the support of a perpetual license by 12 months from the later of its end and today (spec 04 §5.4)',
      ...guard('catalog', true),
      request: { params: entitlementParam, ...jsonBody(z.object({ months: z.number().int().min(1).max(60).default(12) }).strict().openapi('LicensingSupportExtension')) },
      responses: jsonResponses(200, looseObject, 'the entitlement with its new support end'),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { months } = c.req.valid('json');
      const at = now();
      await operateOnEntitlement(deps, { kind: 'extendSupport', input: { entitlementId: id, months, now: at.toISOString() } }, at);
      return c.json(await entitlementCard(sql, id), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/licensing/entitlements/{id}/reset-registrations',
      tags: ['Licensing'],
      summary: 'Delete all existing registrations (spec 04 §4.2): bindings revoked, counters and hardware references cleared; optionally a new key',
      ...guard('catalog', true),
      request: { params: entitlementParam, ...jsonBody(z.object({ regenerateKey: z.boolean().default(false) }).strict().openapi('LicensingResetInput')) },
      responses: jsonResponses(200, looseObject, 'the entitlement (with the new key when regenerated)'),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { regenerateKey } = c.req.valid('json');
      await operateOnEntitlement(deps, { kind: 'resetRegistrations', input: { entitlementId: id, regenerateKey } }, now());
      return c.json(await entitlementCard(sql, id), 200);
    },
  );

  return app;
}

