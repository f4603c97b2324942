import { createRoute, z } from '@hono/zod-openapi';
import { and, desc, eq, lt } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { applicationOperations } from '../../domain/application-operations';
import { planPeriods, planResources, plans, products, provisioningRules, serviceRules, serviceTemplates } from '../../db/schema';
import { guard, type Area } from '../auth';
import { router, type ApiDeps } from '../deps';
import { AppError, notFound } from '../errors';
import { HTTP_VENDOR_PLUGIN_NAME, httpVendorSettingsRefusal } from '../../operations/plugins/adapters/http-vendor';
import { publicEgressOnly } from '../../infra/egress';
import { currency, idParam, jsonBody, jsonResponses, key, looseObject, money, name, page, pageOf, pageQuery } from '../schemas';

const serviceRuleInput = z
  .object({
    key,
    name,
    color: z.string().max(32).optional(),
    isDefault: z.boolean().default(false),
    stopMode: z.enum(['automatic', 'manual']).default('automatic'),
    deleteMode: z.enum(['automatic', 'manual']).default('automatic'),
    defaultPaymentModel: z.enum(['prepay', 'postpay']).default('prepay'),
    creditThreshold: money.default(0),
    allowNegativeBalancePayment: z.boolean().default(false),
    negativeBalanceDays: z.number().int().min(-1).max(3650).default(-1),
    unpaidOrderCancelDays: z.number().int().min(0).max(3650).default(14),
    subscriptionCreditLimit: money.default(0),
    paymentDeferralDays: z.number().int().min(0).max(3650).default(0),
    promisedPaymentLimit: money.default(0),
    promisedPaymentDays: z.number().int().min(0).max(3650).default(0),
    manualFirstPrepaidProvisioning: z.boolean().default(false),
  })
  .strict()
  .openapi('ServiceRuleInput');

const provisioningRuleInput = z
  .object({
    key,
    name,
    financialDay: z.number().int().min(1).max(28).default(1),
    promisedPaymentAllowed: z.boolean().default(false),
    manualRenewPointDays: z.number().int().min(-1).max(3650).default(-1),
    autoRenewPointDays: z.number().int().min(0).max(3650).default(0),
    unpaidStopAfterDays: z.number().int().min(0).max(3650).default(0),
    blockingPeriodDays: z.number().int().min(0).max(3650).default(30),
    clientTypes: z.array(z.enum(['individual', 'sole_proprietor', 'legal_entity'])).default([]),
  })
  .strict()
  .refine((r) => r.manualRenewPointDays === -1 || r.manualRenewPointDays >= r.autoRenewPointDays, {
    message: 'the manual renewal point must be -1 or at least the auto-renewal point',
    path: ['manualRenewPointDays'],
  })
  .openapi('ProvisioningRuleInput');

const productInput = z.object({ name, description: z.string().max(4000).optional() }).strict().openapi('ProductInput');

const serviceTemplateInput = z
  .object({
    name,
    plugin: z.string().regex(/^[a-z][a-z0-9-]{0,63}$/),
    settings: looseObject.default({}),
    capabilities: z
      .looseObject({
        approvals: z
          .array(z.enum(applicationOperations))
          .optional()
          .describe('application operations a person approves before the plugin performs them (spec 01 §18)'),
      })
      .default({}),
  })
  .strict()
  .openapi('ServiceTemplateInput');

const periodInput = z
  .object({
    duration: z.number().int().min(1).max(3650),
    unit: z.enum(['day', 'month', 'year']),
    trial: z.boolean().default(false),
    unlimited: z.boolean().default(false),
    published: z.boolean().default(true),
    setupFee: money.default(0),
    recurringFee: money.default(0),
    renewalFee: money.default(0),
    transferFee: money.default(0),
    description: z.string().max(4000).optional(),
  })
  .strict()
  .refine((p) => !(p.trial && p.unlimited), { message: 'a trial period cannot be unlimited', path: ['trial'] })
  .openapi('PlanPeriodInput');

const resourceInput = z
  .object({
    key: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/),
    name,
    unitType: z.enum(['units', 'boolean']).default('units'),
    included: z.number().int().min(0).max(1_000_000).default(0),
    minimum: z.number().int().min(0).max(1_000_000).default(0),
    maximum: z.number().int().min(0).max(1_000_000).optional(),
    setupPrice: money.default(0),
    recurringPrice: money.default(0).describe('per unit and month, above the included quantity'),
    renewalPrice: money.default(0),
    priority: z.number().int().min(0).max(1000).default(0),
  })
  .strict()
  .refine((r) => r.maximum === undefined || (r.maximum >= r.minimum && r.maximum >= r.included), { message: 'maximum must be at least the minimum and the included quantity', path: ['maximum'] })
  .openapi('PlanResourceInput');

const planInput = z
  .object({
    productId: z.number().int().positive(),
    serviceTemplateId: z.number().int().positive(),
    provisioningRuleId: z.number().int().positive(),
    name,
    sku: z.string().max(200).optional(),
    description: z.string().max(4000).optional(),
    billingType: z.enum(['prepaid_term', 'monthly_flexible']).default('prepaid_term'),
    currency: currency.default('EUR'),
    published: z.boolean().default(true),
    single: z.boolean().default(false),
    autoRenew: z.boolean().default(true),
    lockAutoRenew: z.boolean().default(false),
    periods: z.array(periodInput).min(1).max(50),
    resources: z.array(resourceInput).max(100).default([]),
  })
  .strict()
  .refine((p) => new Set(p.resources.map((r) => r.key)).size === p.resources.length, { message: 'resource keys must be unique', path: ['resources'] })
  .openapi('PlanInput');

/** Secrets in plugin settings never leave the server. */
export function maskSettings(settings: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(settings).map(([k, v]) => [k, /secret|password|token|api_?key/i.test(k) ? '********' : v]),
  );
}

export function catalogRoutes({ db, egress = publicEgressOnly }: ApiDeps) {
  const app = router();

  /** Create, list and get for a plain reference table. */
  function resource<T extends z.ZodType>(opts: {
    path: string;
    tag: string;
    area: Area;
    table: PgTable & { id: never };
    input: T;
    present?: (row: Record<string, unknown>) => Record<string, unknown>;
    /** Refuses an input the schema alone cannot judge (throws an AppError). */
    check?: (input: z.infer<T>) => void;
  }) {
    const present = opts.present ?? ((r) => r);
    const table = opts.table as unknown as typeof products;
    app.openapi(
      createRoute({
        method: 'post',
        path: opts.path,
        tags: [opts.tag],
        ...guard(opts.area, true),
        request: jsonBody(opts.input),
        responses: jsonResponses(201, looseObject, 'created'),
      }),
      async (c) => {
        const input = (c.req.valid as (target: 'json') => z.infer<T>)('json');
        opts.check?.(input);
        const [row] = await db.insert(table).values(input as never).returning();
        return c.json(present(row as Record<string, unknown>), 201);
      },
    );
    app.openapi(
      createRoute({
        method: 'get',
        path: opts.path,
        tags: [opts.tag],
        ...guard(opts.area, false),
        request: { query: z.object(pageQuery) },
        responses: jsonResponses(200, pageOf(looseObject), 'a page, newest first'),
      }),
      async (c) => {
        const { limit, after } = c.req.valid('query');
        const rows = await db
          .select()
          .from(table)
          .where(after ? lt(table.id, after) : undefined)
          .orderBy(desc(table.id))
          .limit(limit + 1);
        const result = page(rows, limit);
        return c.json({ ...result, items: result.items.map((r) => present(r as Record<string, unknown>)) }, 200);
      },
    );
    app.openapi(
      createRoute({
        method: 'get',
        path: `${opts.path}/{id}`,
        tags: [opts.tag],
        ...guard(opts.area, false),
        request: { params: idParam },
        responses: jsonResponses(200, looseObject, 'the record'),
      }),
      async (c) => {
        const { id } = c.req.valid('param');
        const [row] = await db.select().from(table).where(eq(table.id, id));
        if (!row) throw notFound(opts.tag, id);
        return c.json(present(row as Record<string, unknown>), 200);
      },
    );
  }

  resource({ path: '/service-rules', tag: 'Service rules', area: 'billing_config', table: serviceRules as never, input: serviceRuleInput });
  resource({ path: '/provisioning-rules', tag: 'Provisioning rules', area: 'catalog', table: provisioningRules as never, input: provisioningRuleInput });
  resource({ path: '/products', tag: 'Products', area: 'catalog', table: products as never, input: productInput });
  resource({
    path: '/service-templates',
    tag: 'Service templates',
    area: 'catalog',
    table: serviceTemplates as never,
    input: serviceTemplateInput,
    present: (r) => ({ ...r, settings: maskSettings(r.settings as Record<string, unknown>) }),
    // A plugin's settings are checked when they are saved, not first when a scenario calls the plugin.
    check: ({ plugin, settings }) => {
      const refusal = plugin === HTTP_VENDOR_PLUGIN_NAME ? httpVendorSettingsRefusal(settings, egress) : null;
      if (refusal) throw new AppError(refusal.code, refusal.message, refusal.details);
    },
  });

  app.openapi(
    createRoute({
      method: 'post',
      path: '/plans',
      tags: ['Plans'],
      ...guard('catalog', true),
      request: jsonBody(planInput),
      responses: jsonResponses(201, looseObject, 'the plan with its periods'),
    }),
    async (c) => {
      const { periods, resources, ...plan } = c.req.valid('json');
      const created = await db.transaction(async (tx) => {
        const [row] = await tx.insert(plans).values(plan).returning();
        const periodRows = await tx
          .insert(planPeriods)
          .values(periods.map((p) => ({ ...p, planId: row!.id })))
          .returning();
        const resourceRows = resources.length ? await tx.insert(planResources).values(resources.map((r) => ({ ...r, planId: row!.id }))).returning() : [];
        return { ...row!, periods: periodRows, resources: resourceRows };
      });
      return c.json(created, 201);
    },
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/plans/{id}/periods',
      tags: ['Plans'],
      ...guard('catalog', true),
      request: { params: idParam, ...jsonBody(periodInput) },
      responses: jsonResponses(201, looseObject, 'the new period'),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const [plan] = await db.select({ id: plans.id }).from(plans).where(eq(plans.id, id));
      if (!plan) throw notFound('plan', id);
      const [row] = await db.insert(planPeriods).values({ ...c.req.valid('json'), planId: id }).returning();
      return c.json(row!, 201);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/plans',
      tags: ['Plans'],
      ...guard('catalog', false),
      request: { query: z.object({ ...pageQuery, productId: z.coerce.number().int().positive().optional() }) },
      responses: jsonResponses(200, pageOf(looseObject), 'a page of plans, newest first'),
    }),
    async (c) => {
      const { limit, after, productId } = c.req.valid('query');
      const rows = await db
        .select()
        .from(plans)
        .where(and(after ? lt(plans.id, after) : undefined, productId ? eq(plans.productId, productId) : undefined))
        .orderBy(desc(plans.id))
        .limit(limit + 1);
      return c.json(page(rows, limit), 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/plans/{id}',
      tags: ['Plans'],
      ...guard('catalog', false),
      request: { params: idParam },
      responses: jsonResponses(200, looseObject, 'the plan with its periods'),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const [plan] = await db.select().from(plans).where(eq(plans.id, id));
      if (!plan) throw notFound('plan', id);
      const periods = await db.select().from(planPeriods).where(eq(planPeriods.planId, id)).orderBy(planPeriods.id);
      const resources = await db.select().from(planResources).where(eq(planResources.planId, id)).orderBy(planResources.id);
      return c.json({ ...plan, periods, resources }, 200);
    },
  );
  return app;
}

