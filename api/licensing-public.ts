import { Hono } from 'hono';
import { z } from 'zod';
import type { Db, Sql } from '../db/client';
import {
  decideActivation,
  transferStateToSave,
  type ActivationAccountState,
  type ActivationErrorCode,
  type ActivationPolicy,
  type IssuedLimits,
  type LicenseLimits,
} from '../domain/licensing/activation';
import { formatLicenseKey, generateLicenseKey, isValidPrefix } from '../domain/licensing/codes';
import { licenseFile, signLicense } from '../domain/licensing/documents';
import { jsonDepthExceeds, MAX_JSON_DEPTH } from './body-limits';
import { licensingCouponsPublic } from './licensing-coupons';
import { licensingLeasesPublic } from './licensing-leases';
import { admitter, countSource, entitlementFor, licensingErrorResponse, RateLimiter, readJson, text } from './licensing-common';
import { AppError } from './errors';

/**
 * The public licensing API (spec 04 §7.1) that protected applications call, under its own base path
 * `/licensing/v1`. Callers prove themselves with the licence key; every call is rate limited per source
 * address and per key against guessing. Errors are `{ error: { code, message, details } }` with the §7.4
 * codes; validation always answers 200 with `valid: false` and a code, so a client can tell "licence gone"
 * from "server unreachable". Each call is one PostgreSQL transaction, no Temporal (spec 04 §7.3).
 */

const signatures = z
  .object({ hdd: text(200).optional(), cpu: text(200).optional(), bios: text(200).optional(), ethernet: text(200).optional() })
  .strict();
const activationInput = z
  .object({
    key: text(64),
    productCode: text(64),
    machine: z.object({ signatures, hostname: text(255).optional(), ip: text(64).optional() }).strict(),
    clientState: z.object({ remainingDays: z.number().int().min(0).nullable().optional(), execCount: z.number().int().min(0).nullable().optional() }).strict().optional(),
  })
  .strict();
const offlineMachine = z.object({ signatures, hostname: text(255).optional(), ip: text(64).optional() }).strict();
/** An offline request: the key, the product and the machine's request file (base64 of its JSON). */
const offlineInput = z.object({ key: text(64), productCode: text(64), requestFile: text(20_000) }).strict();
const validateInput = z.object({ key: text(64), machineId: text(128) }).strict();
const deactivateInput = z
  .object({ key: text(64), clientState: z.object({ remainingDays: z.number().int().min(0).nullable().optional(), execCount: z.number().int().min(0).nullable().optional() }).strict().optional() })
  .strict();
const statusInput = z.object({ key: text(64), productCode: text(64) }).strict();
const registerInput = z
  .object({
    vendorPrefix: z.string().regex(/^[A-Za-z]{4}$/),
    productCode: text(64),
    customer: z.object({ companyName: text(200).optional(), contactName: text(200).optional(), email: z.email().max(320).optional(), legalForm: z.enum(['organization', 'individual']).default('individual') }).strict(),
    trial: z.boolean().default(false),
  })
  .strict();

const date = (v: string | null | undefined): Date | null => (v ? new Date(v) : null);

export interface LicensingPublicOptions {
  sql: Sql;
  /** Requests per minute per source address and per key. */
  rateLimit?: number;
  /** Anonymous trial registrations per product per hour, from all addresses together (LICENSING_TRIALS_PER_HOUR). */
  trialsPerHour?: number;
  now?: () => Date;
}

export function licensingPublicApi({ sql, rateLimit = 60, trialsPerHour = 30, now = () => new Date() }: LicensingPublicOptions) {
  const app = new Hono();
  const limiter = new RateLimiter(rateLimit);

  app.onError(licensingErrorResponse);
  // Coupons and floating leases share the limiter, so guessing through them is counted too.
  app.route('/', licensingCouponsPublic({ sql, now, limiter }));
  app.route('/', licensingLeasesPublic({ sql, now, limiter }));
  app.notFound((c) => c.json({ error: { code: 'NOT_FOUND', message: `no route ${c.req.method} ${c.req.path}` } }, 404));

  const admit = admitter(limiter);

  /**
   * First run (spec 04 §7.1 POST /v1/keys): a protected application registers its user and gets a key, with
   * a trial of the product when the product offers one. Limited per source address like every call, and trials
   * per product: anyone may register, so without a limit of its own a crowd of addresses could take trials
   * without end. The product row is locked while the trials of the last hour are counted, so registrations
   * that arrive together are counted one after another.
   */
  app.post('/keys', async (c) => {
    countSource(limiter);
    const input = registerInput.parse(await readJson(c));
    const at = now();
    const made = await sql.begin(async (tx) => {
      const [product] = await tx<Array<{ id: number; vendor_id: number; trial_days: number; code: string }>>`
        select p.id, p.vendor_id, p.trial_days, p.code from licensing_products p join licensing_vendors v on v.id = p.vendor_id
        where v.prefix = ${input.vendorPrefix.toUpperCase()} and p.code = ${input.productCode} and v.status = 'active'
        ${input.trial ? tx`for no key update of p` : tx``}`;
      if (!product) throw new AppError('PRODUCT_NOT_FOUND', `no product ${input.productCode} of vendor ${input.vendorPrefix}`);
      if (input.trial && product.trial_days > 0) await refuseTrialOverLimit(tx, product.id, at);
      const code = generateLicenseKey(input.vendorPrefix.toUpperCase());
      const [key] = await tx<Array<{ id: number }>>`
        insert into license_keys (vendor_id, code, customer, created_via) values (${product.vendor_id}, ${code}, ${JSON.stringify(input.customer)}::jsonb, 'first_run')
        returning id`;
      const entitlements: Array<{ product: string; kind: string; expiresAt: string }> = [];
      if (input.trial && product.trial_days > 0) {
        const expiresAt = new Date(at.getTime() + product.trial_days * 86_400_000).toISOString();
        await tx`
          insert into entitlements (key_id, product_id, seats, status, source, kind, starts_at, expires_at, created_by)
          values (${key!.id}, ${product.id}, 1, 'active', 'trial', 'trial', ${at.toISOString()}, ${expiresAt}, ${`first-run/${key!.id}`})`;
        entitlements.push({ product: product.code, kind: 'trial', expiresAt });
      }
      return { key: formatLicenseKey(code), entitlements };
    });
    return c.json(made, 201);
  });

  /** Anonymous trials of a product in the hour before `at` (the caller holds the product's row lock). */
  async function refuseTrialOverLimit(tx: Db, productId: number, at: Date) {
    const [trials] = await tx<Array<{ n: number }>>`
      select count(*)::int as n from entitlements
      where product_id = ${productId} and source = 'trial' and created_by like 'first-run/%' and starts_at > ${new Date(at.getTime() - 3_600_000).toISOString()}`;
    if (trials!.n >= trialsPerHour) {
      throw new AppError('TRIAL_REGISTRATION_LIMITED', 'too many trials of this product were registered in the last hour; try again later', { perHour: trialsPerHour });
    }
  }

  app.get('/vendors/:prefix/public-key', async (c) => {
    const prefix = c.req.param('prefix').toUpperCase();
    // A prefix is four letters: anything else names no vendor and goes no further than here.
    const [vendor] = isValidPrefix(prefix) ? await sql<Array<{ public_key: string }>>`select public_key from licensing_vendors where prefix = ${prefix}` : [];
    if (!vendor) throw new AppError('VENDOR_NOT_FOUND', 'no such vendor');
    return c.json({ prefix, algorithm: 'Ed25519', publicKey: vendor.public_key });
  });

  /** Activates a fixed entitlement on a machine (spec 04 §6.2-6.3): one transaction, the entitlement locked. */
  /**
   * Activates a machine (spec 04 §6.2-6.3) in one transaction with the entitlement locked, so MaxActivation and
   * seats hold under concurrency: the decision, the account, bindings replaced, the log, the signed document.
   */
  async function activateMachine(input: z.infer<typeof activationInput> & { code: string }, channel: 'online' | 'offline') {
    const at = now();
    const outcome = await sql.begin(async (tx) => {
      const ent = await entitlementFor(tx, input.code, input.productCode, true);
      // Floating licences are used through leases (spec 04 §5.1), never bound to machines.
      if (ent.license_model === 'floating') throw new AppError('LICENSE_NOT_FIXED', 'a floating licence is used through leases: POST /licensing/v1/leases');
      const accounts = await tx<Array<{ id: number; slot_no: number; activation_count: number; first_activated_at: string | null; policy_reference: ActivationAccountState['policyReference']; transfer_state: { remainingDays?: number | null; execCount?: number | null; savedAt: string } | null; upgrade_seq: number; custom_license: LicenseLimits | null; last_upgrade_at: string | null; reactivation_allowed: boolean }>>`
        select * from activation_accounts where entitlement_id = ${ent.id} order by slot_no`;
      const bindings = await tx<Array<{ id: number; account_id: number; machine_id: string; status: 'active'; activated_at: string; last_seen_at: string | null; issued: (IssuedLimits & { expiresAt: string | null }) | null }>>`
        select b.id, b.account_id, b.machine_id, b.status, b.activated_at, b.last_seen_at, b.issued from machine_bindings b
        where b.status = 'active' and b.account_id in (select id from activation_accounts where entitlement_id = ${ent.id})`;
      const decision = decideActivation({
        product: {
          maxActivations: ent.max_activations,
          activationPolicy: ent.activation_policy,
          signatureComponents: ent.signature_components,
          nonTransferable: ent.non_transferable,
          transferTimeMode: ent.transfer_time_mode,
          managedExpiration: ent.managed_expiration,
          managedExecution: ent.managed_execution,
          masterLicense: { maxDayPeriod: ent.master_license.maxDayPeriod ?? null, maxExec: ent.master_license.maxExec ?? null, expiresAt: date(ent.expires_at) },
        },
        entitlement: { status: ent.status, seats: ent.seats, expiresAt: date(ent.expires_at), boundIp: ent.bound_ip },
        accounts: accounts.map((a) => ({
          slotNo: a.slot_no,
          activationCount: a.activation_count,
          firstActivatedAt: date(a.first_activated_at),
          policyReference: a.policy_reference,
          transferState: a.transfer_state ? { ...a.transfer_state, savedAt: new Date(a.transfer_state.savedAt) } : null,
          upgradeSeq: a.upgrade_seq,
          customLicense: a.custom_license,
          lastUpgradeAt: date(a.last_upgrade_at),
          reactivationAllowed: a.reactivation_allowed,
          bindings: bindings
            .filter((b) => b.account_id === a.id)
            .map((b) => ({ id: String(b.id), machineId: b.machine_id, status: b.status, activatedAt: new Date(b.activated_at), lastSeenAt: date(b.last_seen_at), issued: b.issued ? { ...b.issued, expiresAt: date(b.issued.expiresAt) } : null })),
        })),
        request: { signatures: input.machine.signatures, ip: input.machine.ip ?? null, clientState: input.clientState ?? null },
        now: at,
      });
      const accountOf = (slot: number | undefined) => accounts.find((a) => a.slot_no === slot);
      if (decision.outcome === 'refused') {
        await tx`
          insert into activation_logs (entitlement_id, account_id, action, error_code, signatures)
          values (${ent.id}, ${accountOf(decision.accountSlot)?.id ?? null}, 'Refused', ${decision.errorCode ?? null}, ${JSON.stringify(input.machine.signatures)}::jsonb)`;
        return { refused: decision, granted: null };
      }
      let account = accountOf(decision.accountSlot);
      if (!account) {
        [account] = await tx<typeof accounts>`insert into activation_accounts (entitlement_id, slot_no) values (${ent.id}, ${decision.accountSlot!}) returning *`;
      }
      if (decision.account) {
        await tx`
          update activation_accounts set activation_count = ${decision.account.activationCount}, first_activated_at = ${decision.account.firstActivatedAt.toISOString()},
                 policy_reference = ${JSON.stringify(decision.account.policyReference)}::jsonb, transfer_state = null, reactivation_allowed = false, updated_at = now()
          where id = ${account!.id}`;
      }
      if (decision.replacesBindingIds?.length) {
        await tx`update machine_bindings set status = 'replaced', deactivated_at = now() where id = any(${decision.replacesBindingIds.map(Number)}::int[])`;
      }
      let bindingId: number;
      if (decision.outcome === 'reissued') {
        bindingId = Number(decision.reissuesBindingId);
        await tx`update machine_bindings set issued = ${JSON.stringify(decision.issued ?? null)}::jsonb, last_seen_at = now() where id = ${bindingId}`;
      } else {
        const [binding] = await tx<Array<{ id: number }>>`
          insert into machine_bindings (account_id, machine_id, signatures, hostname, issued)
          values (${account!.id}, ${decision.machineId}, ${JSON.stringify(input.machine.signatures)}::jsonb, ${input.machine.hostname ?? null}, ${JSON.stringify(decision.issued ?? null)}::jsonb)
          returning id`;
        bindingId = binding!.id;
      }
      await tx`
        insert into activation_logs (entitlement_id, account_id, binding_id, action, signatures)
        values (${ent.id}, ${account!.id}, ${bindingId}, ${decision.logAction}, ${JSON.stringify(input.machine.signatures)}::jsonb)`;
      const document = signLicense(
        {
          vendor: ent.vendor_prefix,
          key: ent.key_code,
          product: ent.product_code,
          licensee: { user: null, organization: ent.client_name },
          model: ent.license_model,
          seats: ent.seats,
          machineId: decision.machineId,
          issuedAt: at.toISOString(),
          expiresAt: decision.issued?.expiresAt?.toISOString() ?? ent.expires_at ?? null,
          maxDayPeriod: decision.issued?.maxDayPeriod ?? null,
          maxExec: decision.issued?.maxExec ?? null,
          initExec: decision.issued?.initExec ?? null,
          maxMajor: null,
          features: ent.master_license.features ?? {},
          supportUntil: null,
        },
        ent.private_key,
      );
      return { refused: null, granted: { activationId: bindingId, action: decision.logAction, outcome: decision.outcome, document } };
    });
    if (!outcome.granted) {
      const code = outcome.refused!.errorCode as ActivationErrorCode;
      throw new AppError(code, outcome.refused!.reason ?? code, { channel });
    }
    return outcome.granted;
  }

  app.post('/activations', async (c) => {
    const granted = await activateMachine(await admit(c, activationInput), 'online');
    return c.json(granted, granted.outcome === 'reissued' ? 200 : 201);
  });

  /**
   * Offline activation (spec 04 §5.5): the machine's request file (its signatures, as the protected
   * application writes them) is uploaded from another computer; the answer is the signed licence file to
   * carry back. Same rules and limits as online activation.
   */
  app.post('/offline/requests', async (c) => {
    const input = await admit(c, offlineInput);
    let machine: unknown;
    try {
      const file = Buffer.from(input.requestFile, 'base64');
      // The file is JSON inside the body: the same nesting cap as for bodies (api/body-limits.ts).
      if (jsonDepthExceeds(file, MAX_JSON_DEPTH)) throw new Error('nested too deep');
      machine = JSON.parse(file.toString('utf8'));
    } catch {
      throw new AppError('INVALID_REQUEST_FILE', 'the request file is not base64-encoded JSON');
    }
    const parsed = offlineMachine.safeParse(machine);
    if (!parsed.success) throw new AppError('INVALID_REQUEST_FILE', 'the request file does not hold the machine signatures', parsed.error.issues.map((i) => i.message));
    const granted = await activateMachine({ key: input.key, code: input.code, productCode: input.productCode, machine: parsed.data }, 'offline');
    return c.body(licenseFile(granted.document), granted.outcome === 'reissued' ? 200 : 201, { 'content-type': 'text/plain; charset=utf-8', 'x-activation-id': String(granted.activationId) });
  });

  /** The periodic online check: always 200; `valid: false` carries why (suspended, expired, replaced, revoked). */
  app.post('/activations/:id/validate', async (c) => {
    const input = await admit(c, validateInput);
    const id = Number(c.req.param('id'));
    if (!Number.isSafeInteger(id) || id <= 0) throw new AppError('ACTIVATION_NOT_FOUND', 'no such activation');
    const [row] = await sql<Array<{ status: string; machine_id: string; ent_status: string; expires_at: string | null; replacement: string | null }>>`
      select b.status, b.machine_id, e.status as ent_status, e.expires_at,
             (select p.code from entitlements r join licensing_products p on p.id = r.product_id where r.id = e.superseded_by) as replacement
      from machine_bindings b
        join activation_accounts a on a.id = b.account_id join entitlements e on e.id = a.entitlement_id join license_keys k on k.id = e.key_id
      where b.id = ${id} and k.code = ${input.code}`;
    if (!row) throw new AppError('ACTIVATION_NOT_FOUND', 'no such activation for this key');
    await sql`update machine_bindings set last_seen_at = now() where id = ${id}`;
    const expired = row.expires_at !== null && new Date(row.expires_at) <= now();
    // The §7.4 codes, as the spec's validation answers them (ACTIVATION_REVOKED / _DEACTIVATED are ours: a binding
    // ended by "delete all registrations" or by the client itself).
    const code =
      row.ent_status === 'deleted' || row.ent_status === 'ordered' ? 'ENTITLEMENT_INACTIVE'
      : row.ent_status === 'superseded' ? 'ENTITLEMENT_SUPERSEDED'
      : row.status === 'revoked' ? 'ACTIVATION_REVOKED'
      : row.status === 'replaced' ? 'ACTIVATION_REPLACED'
      : row.status === 'deactivated' ? 'ACTIVATION_DEACTIVATED'
      : row.ent_status === 'suspended' ? 'ENTITLEMENT_SUSPENDED'
      : row.ent_status === 'expired' || expired ? 'ENTITLEMENT_EXPIRED'
      : row.machine_id !== input.machineId ? 'HARDWARE_MISMATCH'
      : null;
    return c.json({
      valid: code === null,
      status: code === null ? 'active' : row.ent_status,
      expiresAt: row.expires_at,
      ...(code ? { code } : {}),
      ...(code === 'ENTITLEMENT_SUPERSEDED' ? { replacement: row.replacement } : {}),
    });
  });

  /** Releases a binding (spec 04 §6.4): the account keeps the state the client hands back, unless the product is non-transferable. */
  app.post('/activations/:id/deactivate', async (c) => {
    const input = await admit(c, deactivateInput);
    const id = Number(c.req.param('id'));
    if (!Number.isSafeInteger(id) || id <= 0) throw new AppError('ACTIVATION_NOT_FOUND', 'no such activation');
    await sql.begin(async (tx) => {
      const [row] = await tx<Array<{ account_id: number; entitlement_id: number; status: string; activation_policy: ActivationPolicy; non_transferable: boolean }>>`
        select b.account_id, a.entitlement_id, b.status, p.activation_policy, p.non_transferable from machine_bindings b
          join activation_accounts a on a.id = b.account_id join entitlements e on e.id = a.entitlement_id
          join license_keys k on k.id = e.key_id join licensing_products p on p.id = e.product_id
        where b.id = ${id} and k.code = ${input.code} for update of b`;
      if (!row) throw new AppError('ACTIVATION_NOT_FOUND', 'no such activation for this key');
      if (row.status !== 'active') return;
      const state = transferStateToSave({ activationPolicy: row.activation_policy, nonTransferable: row.non_transferable }, input.clientState ?? null, now());
      await tx`update machine_bindings set status = 'deactivated', deactivated_at = now() where id = ${id}`;
      await tx`update activation_accounts set transfer_state = ${state ? JSON.stringify(state) : null}::jsonb, updated_at = now() where id = ${row.account_id}`;
      await tx`insert into activation_logs (entitlement_id, account_id, binding_id, action) values (${row.entitlement_id}, ${row.account_id}, ${id}, 'Deactivated')`;
    });
    return c.json({ status: 'deactivated' });
  });

  /** What the key holds for a product, with the activations used (the key stays out of URLs and logs). */
  app.post('/product-status', async (c) => {
    const input = await admit(c, statusInput);
    const ent = await entitlementFor(sql, input.code, input.productCode, false);
    const [used] = await sql<Array<{ n: number }>>`
      select count(*)::int as n from machine_bindings b join activation_accounts a on a.id = b.account_id where a.entitlement_id = ${ent.id} and b.status = 'active'`;
    return c.json({ entitlement: { status: ent.status, seats: ent.seats, expiresAt: ent.expires_at }, activations: { active: used!.n, maxActivations: ent.max_activations } });
  });

  return app;
}
