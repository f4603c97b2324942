import { Hono } from 'hono';
import { z } from 'zod';
import type { Sql } from '../db/client';
import { isValidPrefix } from '../domain/licensing/codes';
import { licenseFile } from '../operations/licensing/documents';
import { activateMachine } from '../operations/licensing/activations/activate-machine';
import { deactivateActivation } from '../operations/licensing/activations/deactivate-activation';
import { productStatus } from '../operations/licensing/activations/product-status';
import { validateActivation } from '../operations/licensing/activations/validate-activation';
import { registerKey } from '../operations/licensing/keys/register-key';
import { vendorPublicKeys } from '../operations/licensing/signing/vendor-signing-keys';
import type { SecretBox } from '../infra/secret-box';
import { jsonDepthExceeds, MAX_JSON_DEPTH } from './body-limits';
import { licensingCouponsPublic } from './licensing-coupons';
import { licensingLeasesPublic } from './licensing-leases';
import { licensingSeatPoolsPublic } from './licensing-seat-pools';
import { admitter, countSource, licensingErrorResponse, RateLimiter, readJson, text } from './licensing-common';
import { AppError } from './errors';

/**
 * The public licensing API (spec 04 §7.1) that protected applications call, under its own base path
 * `/licensing/v1`. Callers prove themselves with the license key; every call is rate limited per source
 * address and per key against guessing. Errors are `{ error: { code, message, details } }` with the §7.4
 * codes; validation always answers 200 with `valid: false` and a code, so a client can tell "license gone"
 * from "server unreachable". Each call is one PostgreSQL transaction, no Temporal (spec 04 §7.3).
 */

const signatures = z
  .object({ hdd: text(200).optional(), cpu: text(200).optional(), bios: text(200).optional(), ethernet: text(200).optional() })
  .strict();
const activationInput = z
  .object({
    key: text(64),
    productCode: text(64),
    machine: z
      .object({ signatures, hostname: text(255).optional(), ip: text(64).optional(), databaseId: text(255).optional(), databaseName: text(255).optional(), userName: text(255).optional() })
      .strict(),
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

export interface LicensingPublicOptions {
  sql: Sql;
  /** Requests per minute per source address and per key. */
  rateLimit?: number;
  /** Anonymous trial registrations per product per hour, from all addresses together (LICENSING_TRIALS_PER_HOUR). */
  trialsPerHour?: number;
  /** Opens the vendors' signing keys (LICENSING_KEY_ENCRYPTION_KEY). */
  licensingKeys?: SecretBox | undefined;
  now?: () => Date;
  /**
   * Tells the licenses' workflows that their valid-until changed (a coupon, a first-run trial), after the change committed and
   * without waiting: the public API stays one PostgreSQL transaction and answers whether Temporal is up or not.
   */
  expiryChanged?: (entitlementIds: number[], at: Date) => void;
}

export function licensingPublicApi({ sql, rateLimit = 60, trialsPerHour = 30, licensingKeys: vault, now = () => new Date(), expiryChanged = () => {} }: LicensingPublicOptions) {
  const app = new Hono();
  const limiter = new RateLimiter(rateLimit);

  app.onError(licensingErrorResponse);
  // Coupons, floating leases and seat pools share the limiter, so guessing through them is counted too.
  app.route('/', licensingCouponsPublic({ sql, now, limiter, expiryChanged }));
  app.route('/', licensingLeasesPublic({ sql, now, limiter, vault }));
  app.route('/', licensingSeatPoolsPublic({ sql, now, limiter, vault }));
  app.notFound((c) => c.json({ error: { code: 'NOT_FOUND', message: `no route ${c.req.method} ${c.req.path}` } }, 404));

  const admit = admitter(limiter);

  /**
   * First run (spec 04 §7.1 POST /v1/keys): a protected application registers its user and gets a key, with a
   * trial of the product when it offers one. Limited per source address like every call, and trials per product
   * (operations/licensing/keys/register-key.ts): anyone may register. The trial's workflow is told, not awaited.
   */
  app.post('/keys', async (c) => {
    countSource(limiter);
    const input = registerInput.parse(await readJson(c));
    const at = now();
    const { answer, trialEntitlementIds } = await registerKey(sql, { ...input, trialsPerHour, now: at });
    if (trialEntitlementIds.length > 0) expiryChanged(trialEntitlementIds, at);
    return c.json(answer, 201);
  });

  app.get('/vendors/:prefix/public-key', async (c) => {
    const prefix = c.req.param('prefix').toUpperCase();
    // A prefix is four letters: anything else names no vendor and goes no further than here.
    const [vendor] = isValidPrefix(prefix) ? await sql<Array<{ id: number }>>`select id from licensing_vendors where prefix = ${prefix}` : [];
    if (!vendor) throw new AppError('VENDOR_NOT_FOUND', 'no such vendor');
    // `publicKey` is the active key (what new documents are signed with); `keys` adds the retired ones, under which
    // documents issued before a rotation still verify. A document's `keyId` names its key.
    const keys = await vendorPublicKeys(sql, vendor.id);
    return c.json({ prefix, algorithm: 'Ed25519', publicKey: keys.find((k) => k.status === 'active')?.publicKey ?? null, keys });
  });

  /** Activates a fixed license on a machine (spec 04 §6.2-6.3): 201 for a counted activation, 200 for a re-issue. */
  app.post('/activations', async (c) => {
    const input = await admit(c, activationInput);
    const granted = await activateMachine(sql, { ...input, channel: 'online', vault, now: now() });
    return c.json(granted, granted.outcome === 'reissued' ? 200 : 201);
  });

  /**
   * Offline activation (spec 04 §5.5): the machine's request file (its signatures, as the protected
   * application writes them) is uploaded from another computer; the answer is the signed license file to
   * carry back. Same rules and limits as online activation.
   */
  app.post('/offline/requests', async (c) => {
    const input = await admit(c, offlineInput);
    const machine = offlineMachineOf(input.requestFile);
    const granted = await activateMachine(sql, { code: input.code, productCode: input.productCode, machine, channel: 'offline', vault, now: now() });
    return c.body(licenseFile(granted.document), granted.outcome === 'reissued' ? 200 : 201, { 'content-type': 'text/plain; charset=utf-8', 'x-activation-id': String(granted.activationId) });
  });

  /** The periodic online check: always 200; `valid: false` carries why (suspended, expired, replaced, revoked). */
  app.post('/activations/:id/validate', async (c) => {
    const input = await admit(c, validateInput);
    const bindingId = activationIdOf(c.req.param('id'));
    return c.json(await validateActivation(sql, { bindingId, code: input.code, machineId: input.machineId, now: now() }));
  });

  /** Releases a binding (spec 04 §6.4): the account keeps the state the client hands back, unless the product is non-transferable. */
  app.post('/activations/:id/deactivate', async (c) => {
    const input = await admit(c, deactivateInput);
    const bindingId = activationIdOf(c.req.param('id'));
    await deactivateActivation(sql, { bindingId, code: input.code, clientState: input.clientState ?? null, now: now() });
    return c.json({ status: 'deactivated' });
  });

  /** What the key holds for a product, with the activations used (the key stays out of URLs and logs). */
  app.post('/product-status', async (c) => {
    const input = await admit(c, statusInput);
    return c.json(await productStatus(sql, { code: input.code, productCode: input.productCode }));
  });

  return app;
}

function activationIdOf(param: string): number {
  const id = Number(param);
  if (!Number.isSafeInteger(id) || id <= 0) throw new AppError('ACTIVATION_NOT_FOUND', 'no such activation');
  return id;
}

/** The machine of an offline request file: base64 of JSON with the signatures (400 `INVALID_REQUEST_FILE` otherwise). */
function offlineMachineOf(requestFile: string): z.infer<typeof offlineMachine> {
  let machine: unknown;
  try {
    const file = Buffer.from(requestFile, 'base64');
    // The file is JSON inside the body: the same nesting cap as for bodies (api/body-limits.ts).
    if (jsonDepthExceeds(file, MAX_JSON_DEPTH)) throw new Error('nested too deep');
    machine = JSON.parse(file.toString('utf8'));
  } catch {
    throw new AppError('INVALID_REQUEST_FILE', 'the request file is not base64-encoded JSON');
  }
  const parsed = offlineMachine.safeParse(machine);
  if (!parsed.success) throw new AppError('INVALID_REQUEST_FILE', 'the request file does not hold the machine signatures', parsed.error.issues.map((i) => i.message));
  return parsed.data;
}
