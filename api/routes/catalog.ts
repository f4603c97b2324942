import { createRoute, z } from '@hono/zod-openapi';
import { applicationOperations } from '../../domain/application-operations';
import { publicEgressOnly } from '../../infra/egress';
import { createPlan } from '../../operations/catalog/create-plan';
import { createProduct } from '../../operations/catalog/create-product';
import { createProvisioningRule } from '../../operations/catalog/create-provisioning-rule';
import { replaceProvisioningRule } from '../../operations/catalog/replace-provisioning-rule';
import { addRuleClientTypes } from '../../operations/catalog/add-rule-client-types';
import { createServiceRule } from '../../operations/catalog/create-service-rule';
import { createServiceTemplate } from '../../operations/catalog/create-service-template';
import { addPlanPeriod } from '../../operations/catalog/plan-periods';
import { catalogPage, catalogRecord, planCard, planPage, type CatalogTable } from '../../queries/catalog';
import { findPropagated, listPropagated } from '../../queries/propagated';
import type { Sql } from '../../db/client';
import { guard, type Area } from '../auth';
import { router, type ApiDeps } from '../deps';
import { notFound } from '../errors';
import { currency, idParam, jsonBody, jsonResponses, key, looseObject, money, name, page, pageOf, pageQuery } from '../schemas';
import { sellableBillingTypes } from '../../domain/billing-types/types';

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
    clientTypes: z.array(key).max(100).default([]).describe('keys of client types the reseller sees (GET /client-types)'),
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
    billingType: z.enum(sellableBillingTypes).default('prepaid_term').describe('Spec 02 §4.10; the pay-as-you-go types (usage_internal, usage_external) take one unlimited period without fees'),
    currency: currency.optional().describe("absent: the currency of the caller's reseller (spec 05 §4.8)"),
    fixedPrice: z.boolean().default(false).describe('reseller charges use the upstream prices at subscription creation until renewal (spec 05 §4.6); synced to every delegated copy'),
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

/** A plan's card (periods, resources) as the plan routes answer it; 404 `not_found` when there is no such plan. */
export async function planCardOr404(sql: Sql, id: number) {
  const plan = await planCard(sql, id);
  if (!plan) throw notFound('plan', id);
  return plan;
}

/**
 * The catalogue: service and provisioning rules, products, service templates, plans and their periods. Long because it registers every route of the resource;
 * each handler validates, guards, calls its operation or query and shapes the answer.
 */
export function catalogRoutes({ sql, egress = publicEgressOnly }: ApiDeps) {
  const app = router();

  /** Create, list and get for a plain reference table: the write is the table's operation, the reads queries/catalog.ts. */
  function resource<T extends z.ZodType>(opts: {
    path: string;
    tag: string;
    area: Area;
    table: CatalogTable;
    input: T;
    /** Writes the record for the caller's reseller. */
    create: (input: z.infer<T>, resellerId: number) => Promise<number>;
    present?: (row: Record<string, unknown>) => Record<string, unknown>;
    /** How the caller's reseller reads the table: every row (default) or its own rows only. */
    read?: {
      page: (viewerId: number, q: { limit: number; after?: number | undefined }) => Promise<Array<Record<string, unknown> & { id: number }>>;
      record: (viewerId: number, id: number) => Promise<Record<string, unknown> | null>;
    };
  }) {
    const present = opts.present ?? ((r) => r);
    const read = opts.read ?? { page: (_v: number, q: { limit: number; after?: number | undefined }) => catalogPage(sql, opts.table, q), record: (_v: number, id: number) => catalogRecord(sql, opts.table, id) };
    const load = async (viewerId: number, id: number) => {
      const row = await read.record(viewerId, id);
      if (!row) throw notFound(opts.tag, id);
      return present(row);
    };
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
        const by = c.get('staff').resellerId;
        return c.json(await load(by, await opts.create(input, by)), 201);
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
        const result = page(await read.page(c.get('staff').resellerId, c.req.valid('query')), c.req.valid('query').limit);
        return c.json({ ...result, items: result.items.map(present) }, 200);
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
      async (c) => c.json(await load(c.get('staff').resellerId, c.req.valid('param').id), 200),
    );
  }

  // Service rules are each reseller's own (copied once at its creation, spec 05 §2.2).
  resource({
    path: '/service-rules',
    tag: 'Service rules',
    area: 'billing_config',
    table: 'service_rules',
    input: serviceRuleInput,
    create: (r, by) => createServiceRule(sql, r, by),
    read: { page: (viewer, q) => catalogPage(sql, 'service_rules', q, viewer), record: (viewer, id) => catalogRecord(sql, 'service_rules', id, viewer) },
  });
  // Provisioning rules reach every descendant of their creator, read-only there (`delegated`, spec 05 §3.4).
  resource({
    path: '/provisioning-rules',
    tag: 'Provisioning rules',
    area: 'catalog',
    table: 'provisioning_rules',
    input: provisioningRuleInput,
    create: (r, by) => createProvisioningRule(sql, r, by),
    read: { page: (viewer, q) => listPropagated(sql, 'provisioning_rules', viewer, q), record: (viewer, id) => findPropagated(sql, 'provisioning_rules', viewer, id) },
  });
  app.openapi(
    createRoute({
      method: 'post',
      path: '/provisioning-rules/{id}',
      tags: ['Provisioning rules'],
      summary: "Replace a rule the caller's reseller created; every descendant sees the change. A delegated rule is read-only (copy_read_only)",
      ...guard('catalog', true),
      request: { params: idParam, ...jsonBody(provisioningRuleInput) },
      responses: jsonResponses(200, looseObject, 'the rule'),
    }),
    async (c) => {
      const by = c.get('staff').resellerId;
      const id = await replaceProvisioningRule(sql, by, c.req.valid('param').id, c.req.valid('json'));
      const rule = await findPropagated(sql, 'provisioning_rules', by, id);
      if (!rule) throw notFound('Provisioning rules', id);
      return c.json(rule, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/provisioning-rules/{id}/client-types',
      tags: ['Provisioning rules'],
      summary: "Set the client types the caller's reseller adds to a rule delegated to it (the rule's own types stay); its descendants see them too",
      ...guard('catalog', true),
      request: { params: idParam, ...jsonBody(z.object({ clientTypes: z.array(key).max(100) }).strict().openapi('RuleClientTypesInput')) },
      responses: jsonResponses(200, looseObject, 'the rule as the caller sees it'),
    }),
    async (c) => {
      const by = c.get('staff').resellerId;
      const id = await addRuleClientTypes(sql, by, c.req.valid('param').id, c.req.valid('json').clientTypes);
      const rule = await findPropagated(sql, 'provisioning_rules', by, id);
      if (!rule) throw notFound('Provisioning rules', id);
      return c.json(rule, 200);
    },
  );
  resource({ path: '/products', tag: 'Products', area: 'catalog', table: 'products', input: productInput, create: (p) => createProduct(sql, p) });
  resource({
    path: '/service-templates',
    tag: 'Service templates',
    area: 'catalog',
    table: 'service_templates',
    input: serviceTemplateInput,
    create: (t) => createServiceTemplate(sql, t, { egress }),
    present: (r) => ({ ...r, settings: maskSettings(r.settings as Record<string, unknown>) }),
  });

  const loadPlan = (id: number) => planCardOr404(sql, id);

  app.openapi(
    createRoute({
      method: 'post',
      path: '/plans',
      tags: ['Plans'],
      summary: "Creates a plan of the caller's reseller: the operator's, or a reseller's own plan (spec 05 §4.8), which it may delegate to its children",
      ...guard('catalog', true),
      request: jsonBody(planInput),
      responses: jsonResponses(201, looseObject, 'the plan with its periods'),
    }),
    async (c) => c.json(await loadPlan(await createPlan(sql, c.req.valid('json'), c.get('staff').resellerId)), 201),
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
      const periodId = await addPlanPeriod(sql, c.req.valid('param').id, c.req.valid('json'), c.get('staff').resellerId);
      return c.json((await catalogRecord(sql, 'plan_periods', periodId))!, 201);
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
      const query = c.req.valid('query');
      return c.json(page(await planPage(sql, c.get('staff'), query), query.limit), 200);
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
    async (c) => c.json(await loadPlan(c.req.valid('param').id), 200),
  );
  return app;
}
