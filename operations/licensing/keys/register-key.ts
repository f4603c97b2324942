import { inTransaction, type Db } from '../../../db/client';
import { AppError } from '../../../domain/errors';
import { formatLicenseKey } from '../../../domain/licensing/codes';
import { generateLicenseKey } from './new-codes';

export interface RegisterKeyInput {
  vendorPrefix: string;
  productCode: string;
  /** The registration data the protected application sends (kept on the key card). */
  customer: Record<string, unknown>;
  /** Whether the user asks for a trial of the product (given when the product has trial days). */
  trial: boolean;
  /** Anonymous trial registrations allowed per product in the hour before `now`, from all addresses together. */
  trialsPerHour: number;
  now: Date;
}

export interface RegisteredKey {
  /** Display form. */
  key: string;
  entitlements: Array<{ product: string; kind: string; expiresAt: string }>;
}

/** What the caller learns besides the answer: the trial's license id, whose workflow must hear of its valid-until. */
export interface KeyRegistration {
  answer: RegisteredKey;
  trialEntitlementIds: number[];
}

/**
 * First run (spec 04 §7.1 POST /v1/keys): a protected application registers its user and gets a key, with a
 * trial of the product when the product offers one. Anyone may register, so trials are limited per product:
 * the product row is locked while the trials of the last hour are counted, so registrations that arrive
 * together are counted one after another (429 `TRIAL_REGISTRATION_LIMITED` over the limit).
 */
export async function registerKey(db: Db, input: RegisterKeyInput): Promise<KeyRegistration> {
  const prefix = input.vendorPrefix.toUpperCase();
  const at = input.now;
  return inTransaction(db, async (tx) => {
    const [product] = await tx<Array<{ id: number; vendor_id: number; trial_days: number; code: string }>>`
      select p.id, p.vendor_id, p.trial_days, p.code from licensing_products p join licensing_vendors v on v.id = p.vendor_id
      where v.prefix = ${prefix} and p.code = ${input.productCode} and v.status = 'active'
      ${input.trial ? tx`for no key update of p` : tx``}`;
    if (!product) throw new AppError('PRODUCT_NOT_FOUND', `no product ${input.productCode} of vendor ${input.vendorPrefix}`);
    const withTrial = input.trial && product.trial_days > 0;
    if (withTrial) await refuseTrialOverLimit(tx, { productId: product.id, at, perHour: input.trialsPerHour });
    const code = generateLicenseKey(prefix);
    const [key] = await tx<Array<{ id: number }>>`
      insert into license_keys (vendor_id, code, customer, created_via) values (${product.vendor_id}, ${code}, ${JSON.stringify(input.customer)}::jsonb, 'first_run')
      returning id`;
    const entitlements: RegisteredKey['entitlements'] = [];
    const trialEntitlementIds: number[] = [];
    if (withTrial) {
      const expiresAt = new Date(at.getTime() + product.trial_days * 86_400_000).toISOString();
      const [trial] = await tx<Array<{ id: number }>>`
        insert into entitlements (key_id, product_id, seats, status, source, kind, starts_at, expires_at, created_by)
        values (${key!.id}, ${product.id}, 1, 'active', 'trial', 'trial', ${at.toISOString()}, ${expiresAt}, ${`first-run/${key!.id}`})
        returning id`;
      entitlements.push({ product: product.code, kind: 'trial', expiresAt });
      trialEntitlementIds.push(trial!.id);
    }
    return { answer: { key: formatLicenseKey(code), entitlements }, trialEntitlementIds };
  });
}

/** Anonymous trials of a product in the hour before `at` (the caller holds the product's row lock). */
async function refuseTrialOverLimit(tx: Db, p: { productId: number; at: Date; perHour: number }): Promise<void> {
  const [trials] = await tx<Array<{ n: number }>>`
    select count(*)::int as n from entitlements
    where product_id = ${p.productId} and source = 'trial' and created_by like 'first-run/%' and starts_at > ${new Date(p.at.getTime() - 3_600_000).toISOString()}`;
  if (trials!.n >= p.perHour) {
    throw new AppError('TRIAL_REGISTRATION_LIMITED', 'too many trials of this product were registered in the last hour; try again later', { perHour: p.perHour });
  }
}
