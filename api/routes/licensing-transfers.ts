import { createRoute, z } from '@hono/zod-openapi';
import { randomBytes, scrypt, timingSafeEqual, type BinaryLike, type ScryptOptions } from 'node:crypto';
import type { TransactionSql } from 'postgres';
import { logEvent } from '../../operations/event-log/event-log';
import { type Db } from '../../db/client';
import { ALPHABET } from '../../domain/licensing/codes';
import {
  legalFormOf,
  MAX_RENEWAL_MONTHS,
  perpetualOrderRefusal,
  perpetualUpdateQuote,
  RENEWAL_PAYMENT_METHODS,
  renewalPaymentMethods,
  renewEntitlement,
  type ClientType,
  type CommercialRefusal,
  type EntitlementStatus,
  type TermType,
} from '../../domain/licensing/commercial';
import { eventActor, guard } from '../auth';
import { router, type ApiDeps } from '../deps';
import { AppError, notFound } from '../errors';
import { isoDate, jsonBody, jsonResponses, looseObject, money, name, page, pageOf, pageQuery } from '../schemas';

/** Largest id a Postgres `integer` holds: bigger ids are refused by validation, not by the database. */
const MAX_ID = 2_147_483_647;
const idParam = z.object({ id: z.coerce.number().int().positive().max(MAX_ID).openapi({ param: { name: 'id', in: 'path' } }) });

/** §4.2 Import step 5: a pending transfer lapses after 14 days. */
export const TRANSFER_TTL_DAYS = 14;
/** §4.2 Import step 4: the fifth wrong secret cancels the transfer. */
export const MAX_SECRET_ATTEMPTS = 5;
const DAY_MS = 86_400_000;

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
    entitledMajor: z.number().int().min(0).max(10_000).describe('the major the licence entitles to (M); not stored yet, so the caller passes it'),
    anchor: isoDate.optional().describe('purchase date or date of the last update; default: the date the licence started'),
    majorReleases: z
      .array(z.object({ major: z.number().int().min(0).max(10_000), releasedAt: isoDate }).strict())
      .min(1)
      .max(200)
      .refine((list) => new Set(list.map((r) => r.major)).size === list.length, 'one release date per major'),
    retailPrice: money.describe('current retail price of a perpetual licence of the product, integer minor units'),
  })
  .strict()
  .openapi('LicensingUpdateQuoteInput');
const renewalInput = z
  .object({
    periodMonths: z.number().int().min(1).max(MAX_RENEWAL_MONTHS),
    paymentMethod: z.enum(RENEWAL_PAYMENT_METHODS),
    price: money.describe('the cost of the period, in the client’s currency; passed by the caller until the billing catalogue is linked'),
  })
  .strict()
  .openapi('LicensingRenewalInput');
const renewalOptionsQuery = z.object({
  periodMonths: z.coerce.number().int().min(1).max(MAX_RENEWAL_MONTHS).default(12),
  price: z.coerce.number().int().min(0).max(1e13).optional().describe('required: the cost of the period until the billing catalogue is linked'),
});

// ---------------------------------------------------------------------------------------------------------
// Secrets and public ids
// ---------------------------------------------------------------------------------------------------------

const scryptAsync = (secret: BinaryLike, salt: BinaryLike, keylen: number, options: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) => scrypt(secret, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key))));
const SCRYPT = { N: 16_384, r: 8, p: 1 } as const;

/** A transfer secret stored as `scrypt$N$r$p$salt$hash` (base64url): never the secret itself (§1.2 `secretHash`). */
async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(secret, salt, 32, SCRYPT);
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

/** Compares a secret with its stored hash in constant time (§4.2 Import step 4). */
async function secretMatches(secret: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await scryptAsync(secret, Buffer.from(salt, 'base64url'), expected.length, { N: Number(n), r: Number(r), p: Number(p) });
  return timingSafeEqual(actual, expected);
}

/** `n` characters of Crockford base32 from a CSPRNG (5 random bits each). */
const randomBase32 = (n: number) => Array.from(randomBytes(n), (b) => ALPHABET[b & 31]).join('');
/** A partner's public id: `LP` + 20 random characters (100 bits), so it cannot be guessed. */
const newPublicId = () => `LP${randomBase32(20)}`;
/** Public ids are compared in canonical form: upper case, without spaces and hyphens. */
const canonicalPublicId = (value: string) => value.toUpperCase().replace(/[\s-]/g, '');

// ---------------------------------------------------------------------------------------------------------
// §5.2 perpetual licences for organisations (used by every route that orders or grants a product)
// ---------------------------------------------------------------------------------------------------------

/**
 * Refuses to give a perpetual product to a key whose customer is not an organisation (spec 04 §5.2, §8 #36):
 * 422 `PERPETUAL_REQUIRES_ORGANIZATION`. The legal form comes from the key card's registration data, else
 * from the key's billing client (see `legalFormOf`). Term products pass. Unknown key or product: no refusal
 * here (the caller answers its own 404 / 422 for those).
 */
export async function refusePerpetualForIndividuals(sql: Db, keyId: number, productId: number): Promise<void> {
  const [row] = await sql<Array<{ term_type: TermType; customer: unknown; client_type: ClientType | null }>>`
    select p.term_type, k.customer, c.client_type
    from license_keys k join licensing_products p on p.id = ${productId} left join clients c on c.id = k.client_id
    where k.id = ${keyId}`;
  if (!row) return;
  const refusal = perpetualOrderRefusal({ termType: row.term_type, legalForm: legalFormOf({ customer: row.customer, clientType: row.client_type }) });
  if (refusal) throw refusalError(refusal);
}

const refusalError = (refusal: CommercialRefusal) => new AppError(refusal.code, refusal.message);

// ---------------------------------------------------------------------------------------------------------

interface TransferRow {
  id: number;
  entitlement_id: number;
  from_partner_id: number | null;
  to_partner_id: number;
  secret_hash: string;
  failed_attempts: number;
  status: 'pending' | 'approved' | 'rejected' | 'cancelled' | 'expired';
  /** Timestamps arrive as text: the database client keeps them unparsed (drizzle's postgres-js setup). */
  created_at: string;
  decided_at: string | null;
}

/** A transfer as the API shows it: never its secret or hash. */
const transferView = (t: TransferRow) => ({
  id: t.id,
  entitlementId: t.entitlement_id,
  fromPartnerId: t.from_partner_id,
  toPartnerId: t.to_partner_id,
  status: t.status,
  failedAttempts: t.failed_attempts,
  createdAt: new Date(t.created_at),
  expiresAt: new Date(Date.parse(t.created_at) + TRANSFER_TTL_DAYS * DAY_MS),
  decidedAt: t.decided_at === null ? null : new Date(t.decided_at),
});

/** Timestamps go to the database as ISO text (the client has no Date serializer). */
const iso = (at: Date) => at.toISOString();
const dateOrNull = (v: string | null) => (v === null ? null : new Date(v));

const lapsed = (t: TransferRow, at: Date) => t.status === 'pending' && at.getTime() - Date.parse(t.created_at) >= TRANSFER_TTL_DAYS * DAY_MS;

/**
 * Partners, transfers between them and the commercial rules of licences (spec 04 §1.2 Partner and Transfer,
 * §4.2 Import and Renew, §5.2-§5.4). Staff routes: staff act for the owner and for the recipient. Time comes
 * from the injected clock (`deps.now`); a transfer's `created_at` is written from it too, so the 14-day
 * expiry is measured on one clock.
 */
export function licensingTransferRoutes({ sql, now = () => new Date() }: ApiDeps) {
  const app = router();

  /** §1.2 Partner: a distributor, reseller or the vendor itself (`direct`); its publicId is generated here. */
  app.openapi(
    createRoute({
      method: 'post',
      path: '/licensing/partners',
      tags: ['Licensing'],
      summary: 'A partner (distributor, reseller or the vendor itself) with an unguessable publicId that others use to transfer licences to it',
      ...guard('catalog', true),
      request: jsonBody(partnerInput),
      responses: jsonResponses(201, looseObject, 'the partner'),
    }),
    async (c) => {
      const input = c.req.valid('json');
      const [row] = await sql`
        insert into licensing_partners (public_id, name, kind) values (${newPublicId()}, ${input.name}, ${input.kind})
        returning id, public_id as "publicId", name, kind, created_at as "createdAt"`;
      return c.json(row!, 201);
    },
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

  /**
   * §4.2 Import steps 1-3: a pending transfer of a licence to the partner with `toPartnerPublicId`. The secret
   * (given, ≥ 8 characters, or generated) is answered once and stored as a scrypt hash. At most one pending
   * transfer per licence: the partial unique index decides, so two concurrent requests give one 201 and one
   * 409 `TRANSFER_ALREADY_PENDING`. A pending transfer older than 14 days is expired first. The licence
   * stays usable meanwhile.
   */
  app.openapi(
    createRoute({
      method: 'post',
      path: '/licensing/entitlements/{id}/transfers',
      tags: ['Licensing'],
      summary: 'Start the transfer of a licence to another partner (import); the recipient approves it with the secret',
      ...guard('catalog', true),
      request: { params: idParam, ...jsonBody(transferInput) },
      responses: jsonResponses(201, looseObject, 'the pending transfer with its secret (shown only here)'),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const input = c.req.valid('json');
      const at = now();
      const [ent] = await sql<Array<{ id: number; status: EntitlementStatus; bound_ip: string | null; expires_at: string | null; product: string }>>`
        select e.id, e.status, e.bound_ip, e.expires_at, p.code as product
        from entitlements e join licensing_products p on p.id = e.product_id where e.id = ${id}`;
      if (!ent) throw notFound('entitlement', id);
      if (ent.status === 'deleted' || ent.status === 'superseded') throw new AppError('entitlement_status', `the licence is ${ent.status}`);
      const [to] = await sql<Array<{ id: number; name: string; public_id: string }>>`
        select id, name, public_id from licensing_partners where public_id = ${canonicalPublicId(input.toPartnerPublicId)}`;
      if (!to) throw new AppError('invalid_reference', 'no partner has this publicId');
      const secret = input.secret ?? randomBytes(12).toString('base64url');
      const secretHash = await hashSecret(secret);
      const { transfer, fromPartnerId } = await sql.begin(async (tx) => {
        // The owner is read under the licence's lock, so an approval committing meanwhile cannot leave a stale `from`.
        const [locked] = await tx<Array<{ partner_id: number | null }>>`select partner_id from entitlements where id = ${id} for update`;
        const owner = locked!.partner_id;
        if (to.id === owner) throw new AppError('transfer_to_owner', 'the licence already belongs to this partner');
        // A pending transfer past its 14 days no longer blocks a new one.
        await tx`
          update license_transfers set status = 'expired', decided_at = created_at + make_interval(days => ${TRANSFER_TTL_DAYS}), updated_at = ${iso(at)}
          where entitlement_id = ${id} and status = 'pending' and created_at <= ${iso(at)}::timestamptz - make_interval(days => ${TRANSFER_TTL_DAYS})`;
        const [row] = await tx<TransferRow[]>`
          insert into license_transfers (entitlement_id, from_partner_id, to_partner_id, secret_hash, created_at, updated_at)
          values (${id}, ${owner}, ${to.id}, ${secretHash}, ${iso(at)}, ${iso(at)})
          on conflict (entitlement_id) where status = 'pending' do nothing
          returning *`;
        if (!row) throw new AppError('TRANSFER_ALREADY_PENDING', 'the licence already has a pending transfer');
        await logEvent(tx, { ...eventActor(c), viaApi: true, entityKind: 'license_transfer', entityId: row.id, action: 'created', changes: { entitlementId: id, fromPartnerId: owner, toPartnerId: to.id } });
        return { transfer: row, fromPartnerId: owner };
      });
      const [from] = fromPartnerId === null ? [] : await sql<Array<{ public_id: string; name: string }>>`select public_id, name from licensing_partners where id = ${fromPartnerId}`;
      return c.json(
        {
          ...transferView(transfer),
          secret,
          licence: { entitlementId: ent.id, product: ent.product, boundIp: ent.bound_ip, expiresAt: dateOrNull(ent.expires_at) },
          fromPartner: from ? { id: fromPartnerId, publicId: from.public_id, name: from.name } : null,
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
      summary: 'Licences waiting for this partner to approve their import',
      ...guard('catalog', false),
      request: { params: idParam, query: z.object(pageQuery) },
      responses: jsonResponses(200, pageOf(looseObject), 'pending transfers to the partner, newest first'),
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
        licence: { entitlementId: r.entitlement_id, product: r.product, boundIp: r.bound_ip, expiresAt: dateOrNull(r.expires_at) },
        fromPartner: r.from_partner_id === null ? null : { id: r.from_partner_id, publicId: r.from_public_id, name: r.from_name },
      }));
      return c.json(page(items, limit), 200);
    },
  );

  /**
   * The transfer locked for a decision. A pending transfer past its 14 days is marked `expired` here and the
   * decision refused with 409 `transfer_status`, like any transfer that is no longer pending; the caller's
   * transaction must commit in that case, so the refusal is returned rather than thrown.
   */
  async function lockPending(tx: TransactionSql, id: number, at: Date): Promise<TransferRow | AppError> {
    const [t] = await tx<TransferRow[]>`select * from license_transfers where id = ${id} for update`;
    if (!t) throw notFound('transfer', id);
    if (lapsed(t, at)) {
      await tx`
        update license_transfers set status = 'expired', decided_at = created_at + make_interval(days => ${TRANSFER_TTL_DAYS}), updated_at = ${iso(at)}
        where id = ${id}`;
      return new AppError('transfer_status', `the transfer expired after ${TRANSFER_TTL_DAYS} days`);
    }
    if (t.status !== 'pending') return new AppError('transfer_status', `the transfer is ${t.status}`);
    return t;
  }

  /**
   * §4.2 Import step 4: the recipient approves with the secret (scrypt hash, constant-time comparison). Right:
   * the licence's owner becomes the recipient; its bindings and leases are untouched. Wrong: 403
   * `TRANSFER_SECRET_MISMATCH` with the attempts left; the fifth wrong secret cancels the transfer.
   * A licence with a running operation answers 409 `OPERATION_IN_PROGRESS` and the transfer stays pending.
   */
  app.openapi(
    createRoute({
      method: 'post',
      path: '/licensing/transfers/{id}/approve',
      tags: ['Licensing'],
      summary: 'Approve a pending transfer with its secret: the licence moves to the recipient partner, its activations keep working',
      ...guard('catalog', true),
      request: { params: idParam, ...jsonBody(approveInput) },
      responses: jsonResponses(200, looseObject, 'the approved transfer'),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { secret } = c.req.valid('json');
      const at = now();
      const outcome = await sql.begin(async (tx) => {
        const t = await lockPending(tx, id, at);
        if (t instanceof AppError) return t;
        if (!(await secretMatches(secret, t.secret_hash))) {
          const attempts = t.failed_attempts + 1;
          const cancelled = attempts >= MAX_SECRET_ATTEMPTS;
          await tx`
            update license_transfers set failed_attempts = ${attempts}, status = ${cancelled ? 'cancelled' : 'pending'},
              decided_at = ${cancelled ? iso(at) : null}, updated_at = ${iso(at)}
            where id = ${id}`;
          if (cancelled) await logEvent(tx, { ...eventActor(c), viaApi: true, entityKind: 'license_transfer', entityId: id, action: 'cancelled', reason: `${MAX_SECRET_ATTEMPTS} wrong secrets` });
          return new AppError('TRANSFER_SECRET_MISMATCH', cancelled ? `the secret is wrong; after ${MAX_SECRET_ATTEMPTS} wrong secrets the transfer is cancelled` : 'the secret is wrong', {
            attemptsLeft: MAX_SECRET_ATTEMPTS - attempts,
            status: cancelled ? 'cancelled' : 'pending',
          });
        }
        const [ent] = await tx<Array<{ status: EntitlementStatus; partner_id: number | null }>>`select status, partner_id from entitlements where id = ${t.entitlement_id} for update`;
        if (ent!.status === 'in_progress') throw new AppError('OPERATION_IN_PROGRESS', 'an operation on this licence is running');
        if (ent!.status === 'deleted' || ent!.status === 'superseded') throw new AppError('entitlement_status', `the licence is ${ent!.status}`);
        // Only the partner ownership changes: bindings, leases and accounts stay as they are (§4.2 step 4).
        await tx`update entitlements set partner_id = ${t.to_partner_id}, updated_at = ${iso(at)} where id = ${t.entitlement_id}`;
        const [approved] = await tx<TransferRow[]>`
          update license_transfers set status = 'approved', decided_at = ${iso(at)}, updated_at = ${iso(at)} where id = ${id} returning *`;
        await logEvent(tx, {
          ...eventActor(c),
          viaApi: true,
          entityKind: 'license_transfer',
          entityId: id,
          action: 'approved',
          changes: { entitlementId: t.entitlement_id, partnerId: { from: ent!.partner_id, to: t.to_partner_id } },
        });
        return approved!;
      });
      if (outcome instanceof AppError) throw outcome;
      return c.json({ ...transferView(outcome), entitlement: { id: outcome.entitlement_id, partnerId: outcome.to_partner_id } }, 200);
    },
  );

  /** §4.2 Import step 5: the recipient rejects, or the owner cancels, a pending transfer; nothing else changes. */
  for (const [path, status, who] of [['reject', 'rejected', 'the recipient'], ['cancel', 'cancelled', 'the owner']] as const) {
    app.openapi(
      createRoute({
        method: 'post',
        path: `/licensing/transfers/{id}/${path}`,
        tags: ['Licensing'],
        summary: `${path === 'reject' ? 'Reject' : 'Cancel'} a pending transfer (${who}); the licence stays with its owner`,
        ...guard('catalog', true),
        request: { params: idParam, ...jsonBody(decisionInput.openapi(`LicensingTransfer${path === 'reject' ? 'Reject' : 'Cancel'}Input`)) },
        responses: jsonResponses(200, looseObject, 'the transfer'),
      }),
      async (c) => {
        const { id } = c.req.valid('param');
        const { reason } = c.req.valid('json');
        const at = now();
        const outcome = await sql.begin(async (tx) => {
          const t = await lockPending(tx, id, at);
          if (t instanceof AppError) return t;
          const [row] = await tx<TransferRow[]>`
            update license_transfers set status = ${status}, decided_at = ${iso(at)}, updated_at = ${iso(at)} where id = ${id} returning *`;
          await logEvent(tx, { ...eventActor(c), viaApi: true, entityKind: 'license_transfer', entityId: id, action: status, reason: reason ?? null });
          return row!;
        });
        if (outcome instanceof AppError) throw outcome;
        return c.json(transferView(outcome), 200);
      },
    );
  }

  /**
   * §5.3 `requestMajorUpdate`: the quote for moving a licence to major `targetMajor`. The schema keeps neither
   * the product's major releases nor the licence's `entitledMajor` / `updateAnchorAt` yet, so the caller
   * passes them (a quote calculator); what exists is read: the licence (404 when missing), its product's term
   * type (term licences update free, §5.2) and its start as the default anchor. Nothing is stored: applying
   * a paid or free update (`entitledMajor = T`, `updateAnchorAt = now`) needs those columns first.
   */
  app.openapi(
    createRoute({
      method: 'post',
      path: '/licensing/entitlements/{id}/update-quote',
      tags: ['Licensing'],
      summary: 'Quote a major update of a licence: free, 50 % or 100 % of the perpetual retail price (spec 04 §5.3)',
      ...guard('catalog', false),
      request: { params: idParam, ...jsonBody(updateQuoteInput) },
      responses: jsonResponses(200, looseObject, 'the quote'),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const input = c.req.valid('json');
      const [ent] = await sql<Array<{ starts_at: string; term_type: TermType }>>`
        select e.starts_at, p.term_type from entitlements e join licensing_products p on p.id = e.product_id where e.id = ${id}`;
      if (!ent) throw notFound('entitlement', id);
      const anchor = input.anchor ? new Date(`${input.anchor}T00:00:00.000Z`) : new Date(ent.starts_at);
      const quote = perpetualUpdateQuote({
        termType: ent.term_type,
        entitledMajor: input.entitledMajor,
        targetMajor: input.targetMajor,
        anchor,
        majorReleases: input.majorReleases.map((r) => ({ major: r.major, releasedAt: new Date(`${r.releasedAt}T00:00:00.000Z`) })),
        retailPrice: input.retailPrice,
        now: now(),
      });
      return c.json({ entitlementId: id, termType: ent.term_type, entitledMajor: input.entitledMajor, targetMajor: input.targetMajor, anchor, ...quote }, 200);
    },
  );

  interface RenewalRow {
    id: number;
    status: EntitlementStatus;
    expires_at: string | null;
    subscription_id: number | null;
    product: string;
    bound_ip: string | null;
    client_id: number | null;
    balance: string | null;
    currency: string | null;
  }

  const renewalRow = (tx: Db, id: number, lock: boolean) => tx<RenewalRow[]>`
    select e.id, e.status, e.expires_at, e.subscription_id, p.code as product, e.bound_ip, k.client_id, c.balance::text as balance, c.currency
    from entitlements e join license_keys k on k.id = e.key_id join licensing_products p on p.id = e.product_id left join clients c on c.id = k.client_id
    where e.id = ${id} ${lock ? tx`for update of e` : tx``}`;

  /** A licence billed by a subscription is renewed by renewing the subscription (spec 04 §7.2: billing calls `renew`). */
  const subscriptionRefusal = (row: RenewalRow) =>
    row.subscription_id === null
      ? null
      : new AppError('renew_through_subscription', `the licence is billed by subscription ${row.subscription_id}; renew the subscription instead`);

  /**
   * §4.2 Renew (what the renewal form shows): product, IP and valid-until, the new valid-until if renewed now
   * for `periodMonths`, and the payment methods offered for `price`: the account balance only when the key's
   * billing client has a balance covering it. `price` is required (the billing catalogue is not linked yet);
   * it is optional in the query only so that an unknown licence answers 404 first.
   */
  app.openapi(
    createRoute({
      method: 'get',
      path: '/licensing/entitlements/{id}/renewal-options',
      tags: ['Licensing'],
      summary: 'What renewing a licence for a period would give and which payment methods are offered (balance only when it covers the price)',
      ...guard('catalog', false),
      request: { params: idParam, query: renewalOptionsQuery },
      responses: jsonResponses(200, looseObject, 'the renewal options'),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { periodMonths, price } = c.req.valid('query');
      const [row] = await renewalRow(sql, id, false);
      if (!row) throw notFound('entitlement', id);
      if (price === undefined) {
        throw new AppError('validation_failed', 'the request is invalid', [{ path: 'price', message: 'the price of the period is required', code: 'invalid_type' }]);
      }
      const decision = renewEntitlement({ status: row.status, expiresAt: dateOrNull(row.expires_at), now: now(), periodMonths });
      const refusal = subscriptionRefusal(row);
      const balance = row.balance === null ? null : Number(row.balance);
      return c.json(
        {
          entitlementId: id,
          product: row.product,
          boundIp: row.bound_ip,
          status: row.status,
          expiresAt: dateOrNull(row.expires_at),
          periodMonths,
          cost: price,
          currency: row.currency,
          balance,
          paymentMethods: refusal || !decision.ok ? [] : renewalPaymentMethods({ balance, cost: price }),
          newExpiresAt: refusal || !decision.ok ? null : decision.expiresAt,
          refusal: refusal ? { code: refusal.code, message: refusal.message } : decision.ok ? null : { code: decision.code, message: decision.message },
        },
        200,
      );
    },
  );

  /**
   * §4.2 Renew, §7.2 renew (§8 #30): `expiresAt = max(expiresAt, now) + periodMonths` calendar months and the
   * licence is `active` (an expired one comes back). `paymentMethod: 'balance'` is refused with 422
   * `INSUFFICIENT_BALANCE` unless the key's billing client has a balance covering `price`. The price is passed
   * by the caller until the billing catalogue is linked, and no money moves here yet: the answer says
   * `payment.collected: false` (collecting from the balance or issuing the invoice is billing's part).
   */
  app.openapi(
    createRoute({
      method: 'post',
      path: '/licensing/entitlements/{id}/renewals',
      tags: ['Licensing'],
      summary: 'Renew a licence for a number of months: valid-until = max(valid-until, now) + period; an expired licence becomes active',
      ...guard('catalog', true),
      request: { params: idParam, ...jsonBody(renewalInput) },
      responses: jsonResponses(200, looseObject, 'the renewed licence'),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const input = c.req.valid('json');
      const at = now();
      const result = await sql.begin(async (tx) => {
        const [row] = await renewalRow(tx, id, true);
        if (!row) throw notFound('entitlement', id);
        const refusal = subscriptionRefusal(row);
        if (refusal) throw refusal;
        const decision = renewEntitlement({ status: row.status, expiresAt: dateOrNull(row.expires_at), now: at, periodMonths: input.periodMonths });
        if (!decision.ok) throw refusalError(decision);
        const balance = row.balance === null ? null : Number(row.balance);
        if (!renewalPaymentMethods({ balance, cost: input.price }).includes(input.paymentMethod)) {
          throw new AppError('INSUFFICIENT_BALANCE', balance === null ? 'the key belongs to no billing client, so there is no balance to pay from' : 'the account balance does not cover the price',
            { balance, price: input.price },
          );
        }
        await tx`update entitlements set expires_at = ${decision.expiresAt.toISOString()}, status = ${decision.status}, updated_at = ${iso(at)} where id = ${id}`;
        await logEvent(tx, {
          ...eventActor(c),
          viaApi: true,
          entityKind: 'entitlement',
          entityId: id,
          action: 'renewed',
          changes: {
            periodMonths: input.periodMonths,
            price: input.price,
            paymentMethod: input.paymentMethod,
            expiresAt: { from: row.expires_at, to: decision.expiresAt.toISOString() },
            status: { from: row.status, to: decision.status },
          },
        });
        return { row, decision, balance };
      });
      return c.json(
        {
          id,
          product: result.row.product,
          status: result.decision.status,
          previousExpiresAt: dateOrNull(result.row.expires_at),
          expiresAt: result.decision.expiresAt,
          periodMonths: input.periodMonths,
          payment: { method: input.paymentMethod, amount: input.price, currency: result.row.currency, collected: false },
        },
        200,
      );
    },
  );

  return app;
}
