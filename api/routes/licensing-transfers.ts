import { createRoute, z } from '@hono/zod-openapi';
import { MAX_RENEWAL_MONTHS } from '../../domain/licensing/commercial';
import { PANEL_PAYMENT_METHODS } from '../../domain/licensing/panel';
import { createPartner } from '../../operations/licensing/catalog/create-partner';
import { quoteMajorUpdate } from '../../operations/licensing/entitlements/quote-major-update';
import { renewalOptions } from '../../operations/licensing/entitlements/renewal-options';
import type { RenewedEntitlement } from '../../operations/licensing/entitlements/renew-entitlement';
import { approveTransfer } from '../../operations/licensing/transfers/approve-transfer';
import { closeTransfer } from '../../operations/licensing/transfers/close-transfer';
import { TRANSFER_TTL_DAYS, transferExpiry, type TransferRow } from '../../operations/licensing/transfers/pending-transfer';
import type { StartedTransfer } from '../../operations/licensing/transfers/start-transfer';
import { hashTransferSecret, newTransferSecret } from '../../operations/licensing/transfers/transfer-secrets';
import type { Context } from 'hono';
import { entitlementOwnedBy } from '../../queries/licensing/key-scope';
import { eventActor, guard, type AppEnv } from '../auth';
import { router, type ApiDeps } from '../deps';
import { operateOnEntitlement } from '../entitlement-workflow';
import { notFound } from '../errors';
import { isoDate, jsonBody, jsonResponses, looseObject, money, name, page, pageOf, pageQuery } from '../schemas';

/** Largest id a Postgres `integer` holds: bigger ids are refused by validation, not by the database. */
const MAX_ID = 2_147_483_647;
const idParam = z.object({ id: z.coerce.number().int().positive().max(MAX_ID).openapi({ param: { name: 'id', in: 'path' } }) });

const partnerInput = z
  .object({ name, kind: z.enum(['distributor', 'reseller', 'direct']) })
  .strict()
  .openapi('LicensingPartnerInput');
const transferInput = z
  .object({
    toPartnerPublicId: z.string().trim().min(1).max(64).describe("the recipient partner's publicId"),
    secret: z.string().min(8).max(200).optional().describe('at least 8 characters; generated when absent; answered once, stored only as a hash'),
  })
  .strict()
  .openapi('LicensingTransferInput');
const approveInput = z.object({ secret: z.string().min(1).max(200) }).strict().openapi('LicensingTransferApproveInput');
const decisionInput = z.object({ reason: z.string().trim().min(1).max(2000).optional() }).strict();
const updateQuoteInput = z
  .object({
    targetMajor: z.number().int().min(1).max(10_000),
    entitledMajor: z.number().int().min(0).max(10_000).describe('the major the license entitles to (M); not stored yet, so the caller passes it'),
    anchor: isoDate.optional().describe('purchase date or date of the last update; default: the date the license started'),
    majorReleases: z
      .array(z.object({ major: z.number().int().min(0).max(10_000), releasedAt: isoDate }).strict())
      .min(1)
      .max(200)
      .refine((list) => new Set(list.map((r) => r.major)).size === list.length, 'one release date per major'),
    retailPrice: money.describe('current retail price of a perpetual license of the product, integer minor units'),
  })
  .strict()
  .openapi('LicensingUpdateQuoteInput');
const renewalInput = z
  .object({
    periodMonths: z.number().int().min(1).max(MAX_RENEWAL_MONTHS),
    paymentMethod: z.enum(PANEL_PAYMENT_METHODS).describe('balance (when it covers the price), unpaid_invoice (with paymentId) or invoice (a new one)'),
    paymentId: z.number().int().positive().max(MAX_ID).optional().describe('unpaid_invoice: the waiting top-up payment the price is added to'),
    price: money.describe('the cost of the period, in the client’s currency; passed by the caller until the billing catalogue is linked'),
  })
  .strict()
  .openapi('LicensingRenewalInput');
const renewalOptionsQuery = z.object({
  periodMonths: z.coerce.number().int().min(1).max(MAX_RENEWAL_MONTHS).default(12),
  price: z.coerce.number().int().min(0).max(1e13).optional().describe('required: the cost of the period until the billing catalogue is linked'),
});

/** A transfer as the API shows it: never its secret or hash. */
const transferView = (t: TransferRow) => ({
  id: t.id,
  entitlementId: t.entitlement_id,
  fromPartnerId: t.from_partner_id,
  toPartnerId: t.to_partner_id,
  status: t.status,
  failedAttempts: t.failed_attempts,
  createdAt: new Date(t.created_at),
  expiresAt: transferExpiry(t.created_at),
  decidedAt: t.decided_at === null ? null : new Date(t.decided_at),
});

/** Timestamps go to the database as ISO text (the client has no Date serializer). */
const iso = (at: Date) => at.toISOString();
const dateOrNull = (v: string | null) => (v === null ? null : new Date(v));
const isoDay = (day: string) => new Date(`${day}T00:00:00.000Z`);

/**
 * Partners, transfers between them and the commercial rules of licenses (spec 04 §1.2 Partner and Transfer, §4.2
 * Import and Renew, §5.2-§5.4); the operations are in operations/licensing/transfers/ and .../entitlements/.
 * Staff routes: staff act for the owner and for the recipient. Time comes from the injected clock (`deps.now`); a
 * transfer's `created_at` is written from it too, so the 14-day expiry is measured on one clock.
 *
 * Long because it is a route table: each handler is a few lines (parse, call the operation, shape the answer),
 * and the routes of one resource read best together.
 */
export function licensingTransferRoutes(deps: ApiDeps) {
  const { sql, now = () => new Date() } = deps;
  const app = router();

  /** Renewals move a client's money: a license of another reseller's key answers 404, as a missing one does. */
  async function refuseOtherResellers(c: Context<AppEnv>, id: number): Promise<void> {
    if (!(await entitlementOwnedBy(sql, id, c.get('staff').resellerId))) throw notFound('entitlement', id);
  }

  app.openapi(
    createRoute({
      method: 'post',
      path: '/licensing/partners',
      tags: ['Licensing'],
      summary: 'A partner (distributor, reseller or the vendor itself) with an unguessable publicId that others use to transfer licenses to it',
      ...guard('catalog', true),
      request: jsonBody(partnerInput),
      responses: jsonResponses(201, looseObject, 'the partner'),
    }),
    async (c) => c.json(await createPartner(sql, c.req.valid('json')), 201),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/licensing/partners',
      tags: ['Licensing'],
      ...guard('catalog', false),
      request: { query: z.object(pageQuery) },
      responses: jsonResponses(200, pageOf(looseObject), 'partners, newest first'),
    }),
    async (c) => {
      const { limit, after } = c.req.valid('query');
      const rows = await sql<Array<{ id: number }>>`
        select id, public_id as "publicId", name, kind, created_at as "createdAt" from licensing_partners
        where (${after ?? null}::int is null or id < ${after ?? null}) order by id desc limit ${limit + 1}`;
      return c.json(page(rows, limit), 200);
    },
  );

  /** §4.2 Import steps 1-3: the secret is answered once here and stored only as a scrypt hash. */
  app.openapi(
    createRoute({
      method: 'post',
      path: '/licensing/entitlements/{id}/transfers',
      tags: ['Licensing'],
      summary: 'Start the transfer of a license to another partner (import); the recipient approves it with the secret',
      ...guard('catalog', true),
      request: { params: idParam, ...jsonBody(transferInput) },
      responses: jsonResponses(201, looseObject, 'the pending transfer with its secret (shown only here) and its `license` (`licence`: deprecated alias)'),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { toPartnerPublicId, secret: asked } = c.req.valid('json');
      // Made and hashed here: only the hash enters the workflow's history; the secret is answered once, below.
      const secret = asked ?? newTransferSecret();
      const at = now();
      const input = { entitlementId: id, toPartnerPublicId, secretHash: await hashTransferSecret(secret), actor: eventActor(c), now: at.toISOString() };
      const started = await operateOnEntitlement<StartedTransfer>(deps, { kind: 'startTransfer', input }, at);
      const { license, fromPartner: from, toPartner: to } = started;
      return c.json(
        {
          ...transferView(started.transfer),
          secret,
          // `license`: the field's name since the first release; integrators may read it.
          // `licence` is the deprecated spelling of `license` (docs/glossary.md), kept for integrators that read it.
          license: { ...license, expiresAt: dateOrNull(license.expiresAt) },
          licence: { ...license, expiresAt: dateOrNull(license.expiresAt) },
          fromPartner: from ? { id: from.id, publicId: from.public_id, name: from.name } : null,
          toPartner: { id: to.id, publicId: to.public_id, name: to.name },
        },
        201,
      );
    },
  );

  /** §4.2 Import step 3: the recipient's "pending import approval" list; transfers past 14 days are not shown. */
  app.openapi(
    createRoute({
      method: 'get',
      path: '/licensing/partners/{id}/pending-transfers',
      tags: ['Licensing'],
      summary: 'Licenses waiting for this partner to approve their import',
      ...guard('catalog', false),
      request: { params: idParam, query: z.object(pageQuery) },
      responses: jsonResponses(200, pageOf(looseObject), 'pending transfers to the partner, newest first, each with its `license` (`licence`: deprecated alias)'),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { limit, after } = c.req.valid('query');
      const at = now();
      const [partner] = await sql`select id from licensing_partners where id = ${id}`;
      if (!partner) throw notFound('partner', id);
      const rows = await sql<Array<TransferRow & { product: string; bound_ip: string | null; expires_at: string | null; from_public_id: string | null; from_name: string | null }>>`
        select t.*, p.code as product, e.bound_ip, e.expires_at, f.public_id as from_public_id, f.name as from_name
        from license_transfers t join entitlements e on e.id = t.entitlement_id join licensing_products p on p.id = e.product_id
             left join licensing_partners f on f.id = t.from_partner_id
        where t.to_partner_id = ${id} and t.status = 'pending' and t.created_at > ${iso(at)}::timestamptz - make_interval(days => ${TRANSFER_TTL_DAYS})
          and (${after ?? null}::int is null or t.id < ${after ?? null})
        order by t.id desc limit ${limit + 1}`;
      const items = rows.map((r) => ({
        ...transferView(r),
        license: { entitlementId: r.entitlement_id, product: r.product, boundIp: r.bound_ip, expiresAt: dateOrNull(r.expires_at) },
        // Deprecated spelling of `license`, kept for integrators that read it.
        licence: { entitlementId: r.entitlement_id, product: r.product, boundIp: r.bound_ip, expiresAt: dateOrNull(r.expires_at) },
        fromPartner: r.from_partner_id === null ? null : { id: r.from_partner_id, publicId: r.from_public_id, name: r.from_name },
      }));
      return c.json(page(items, limit), 200);
    },
  );

  /** §4.2 Import step 4: the recipient approves with the secret; the fifth wrong secret cancels the transfer. */
  app.openapi(
    createRoute({
      method: 'post',
      path: '/licensing/transfers/{id}/approve',
      tags: ['Licensing'],
      summary: 'Approve a pending transfer with its secret: the license moves to the recipient partner, its activations keep working',
      ...guard('catalog', true),
      request: { params: idParam, ...jsonBody(approveInput) },
      responses: jsonResponses(200, looseObject, 'the approved transfer'),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { secret } = c.req.valid('json');
      const approved = await approveTransfer(sql, { transferId: id, secret, actor: eventActor(c), now: now() });
      return c.json({ ...transferView(approved), entitlement: { id: approved.entitlement_id, partnerId: approved.to_partner_id } }, 200);
    },
  );

  /** §4.2 Import step 5: the recipient rejects, or the owner cancels, a pending transfer; nothing else changes. */
  for (const [path, status, who] of [['reject', 'rejected', 'the recipient'], ['cancel', 'cancelled', 'the owner']] as const) {
    app.openapi(
      createRoute({
        method: 'post',
        path: `/licensing/transfers/{id}/${path}`,
        tags: ['Licensing'],
        summary: `${path === 'reject' ? 'Reject' : 'Cancel'} a pending transfer (${who}); the license stays with its owner`,
        ...guard('catalog', true),
        request: { params: idParam, ...jsonBody(decisionInput.openapi(`LicensingTransfer${path === 'reject' ? 'Reject' : 'Cancel'}Input`)) },
        responses: jsonResponses(200, looseObject, 'the transfer'),
      }),
      async (c) => {
        const { id } = c.req.valid('param');
        const { reason } = c.req.valid('json');
        const closed = await closeTransfer(sql, { transferId: id, status, reason: reason ?? null, actor: eventActor(c), now: now() });
        return c.json(transferView(closed), 200);
      },
    );
  }

  /** §5.3 `requestMajorUpdate`: a quote calculator until the schema keeps major releases (nothing is stored). */
  app.openapi(
    createRoute({
      method: 'post',
      path: '/licensing/entitlements/{id}/update-quote',
      tags: ['Licensing'],
      summary: 'Quote a major update of a license: free, 50 % or 100 % of the perpetual retail price (spec 04 §5.3)',
      ...guard('catalog', false),
      request: { params: idParam, ...jsonBody(updateQuoteInput) },
      responses: jsonResponses(200, looseObject, 'the quote'),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const input = c.req.valid('json');
      const { termType, anchor, ...quote } = await quoteMajorUpdate(sql, {
        entitlementId: id,
        entitledMajor: input.entitledMajor,
        targetMajor: input.targetMajor,
        anchor: input.anchor ? isoDay(input.anchor) : null,
        majorReleases: input.majorReleases.map((r) => ({ major: r.major, releasedAt: isoDay(r.releasedAt) })),
        retailPrice: input.retailPrice,
        now: now(),
      });
      return c.json({ entitlementId: id, termType, entitledMajor: input.entitledMajor, targetMajor: input.targetMajor, anchor, ...quote }, 200);
    },
  );

  /**
   * §4.2 Renew (what the renewal form shows). `price` is required (the billing catalogue is not linked yet); it is
   * optional in the query only so that an unknown license answers 404 first.
   */
  app.openapi(
    createRoute({
      method: 'get',
      path: '/licensing/entitlements/{id}/renewal-options',
      tags: ['Licensing'],
      summary: 'What renewing a license for a period would give and which payment methods are offered (balance only when it covers the price)',
      ...guard('catalog', false),
      request: { params: idParam, query: renewalOptionsQuery },
      responses: jsonResponses(200, looseObject, 'the renewal options'),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { periodMonths, price } = c.req.valid('query');
      await refuseOtherResellers(c, id);
      const options = await renewalOptions(sql, { entitlementId: id, periodMonths, price, now: now() });
      const { state } = options;
      return c.json(
        {
          entitlementId: id,
          product: state.product,
          boundIp: state.bound_ip,
          status: state.status,
          expiresAt: dateOrNull(state.expires_at),
          periodMonths,
          cost: options.price,
          currency: state.currency,
          balance: state.balance,
          paymentMethods: options.paymentMethods,
          unpaidInvoices: options.unpaidInvoices,
          newExpiresAt: options.newExpiresAt,
          refusal: options.refusal,
        },
        200,
      );
    },
  );

  /**
   * §4.2 Renew, §7.2 renew (§8 #30): paid from the balance the license is renewed at once (the price debited); added
   * to an unpaid invoice or on a new invoice it is renewed when that payment is confirmed (`renewal.status`
   * `awaiting_payment`, `payment.id` names the invoice).
   */
  app.openapi(
    createRoute({
      method: 'post',
      path: '/licensing/entitlements/{id}/renewals',
      tags: ['Licensing'],
      summary: 'Renew a license for a number of months, paid from the balance, added to an unpaid invoice or on a new invoice: valid-until = max(valid-until, paid) + period',
      ...guard('catalog', true),
      request: { params: idParam, ...jsonBody(renewalInput) },
      responses: jsonResponses(200, looseObject, 'the license and its renewal'),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const input = c.req.valid('json');
      await refuseOtherResellers(c, id);
      const at = now();
      const renewed = await operateOnEntitlement<RenewedEntitlement>(deps, { kind: 'renew', input: { ...input, entitlementId: id, actor: eventActor(c), now: at.toISOString() } }, at);
      return c.json(
        {
          id,
          product: renewed.state.product,
          status: renewed.status,
          previousExpiresAt: dateOrNull(renewed.state.expires_at),
          expiresAt: renewed.expiresAt,
          periodMonths: input.periodMonths,
          renewal: { id: renewed.renewalId, status: renewed.renewalStatus },
          payment: { method: input.paymentMethod, id: renewed.paymentId, amount: input.price, currency: renewed.state.currency, collected: renewed.renewalStatus === 'applied' },
        },
        200,
      );
    },
  );

  return app;
}
