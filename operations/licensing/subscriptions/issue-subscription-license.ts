import { inTransaction, type Db } from '../../../db/client';
import { generateLicenseKey } from '../keys/new-codes';
import { legalFormOf, perpetualOrderRefusal, supportUntilAtPurchase, type ClientType } from '../../../domain/licensing/commercial';
import { PluginError } from '../../../contracts/plugin-contract';
import type { SubscriptionLicense } from './subscription-license';

export interface IssueSubscriptionLicenseInput {
  subscriptionId: number;
  clientId: number;
  /** The plan's service template settings. */
  vendorPrefix: string;
  productCode: string;
  seats: number;
  /** The plugin call's idempotency key, remembered as the entitlement's `created_by`. */
  idempotencyKey: string;
  now: Date;
}

type Product = { id: number; vendor_id: number; term_type: 'term' | 'perpetual'; client_type: ClientType | null };

/**
 * A purchase on a licensing plan (spec 04 §7.2 create): the client's key for the vendor (one active key per client
 * and vendor, §1.2, issued here when missing) gets an entitlement for the subscription. Idempotent: a call with an
 * idempotency key already used returns what that call issued. Refusals are permanent plugin errors: an unknown
 * product (`UNKNOWN_EXTERNAL_PRODUCT`), a perpetual product for a client that is not an organisation (§5.2).
 */
export async function issueSubscriptionLicense(db: Db, input: IssueSubscriptionLicenseInput): Promise<SubscriptionLicense> {
  return inTransaction(db, async (tx) => {
    const [done] = await tx<SubscriptionLicense[]>`
      select e.id, e.status, e.seats, k.code from entitlements e join license_keys k on k.id = e.key_id where e.created_by = ${input.idempotencyKey}`;
    if (done) return done;
    const [product] = await tx<Product[]>`
      select p.id, p.vendor_id, p.term_type, (select t.key from clients c join client_types t on t.id = c.client_type_id where c.id = ${input.clientId}) as client_type
      from licensing_products p join licensing_vendors v on v.id = p.vendor_id
      where v.prefix = ${input.vendorPrefix} and p.code = ${input.productCode} and v.status = 'active'`;
    if (!product) throw new PluginError('permanent', `no licensing product ${input.vendorPrefix}/${input.productCode}`, { code: 'UNKNOWN_EXTERNAL_PRODUCT' });
    // Spec 04 §5.2: perpetual licenses are sold to organisations only.
    const refusal = perpetualOrderRefusal({ termType: product.term_type, legalForm: legalFormOf({ clientType: product.client_type }) });
    if (refusal) throw new PluginError('permanent', refusal.message, { code: refusal.code });
    const key = await clientKey(tx, { clientId: input.clientId, vendorId: product.vendor_id, vendorPrefix: input.vendorPrefix });
    const at = input.now;
    const supportUntil = supportUntilAtPurchase({ termType: product.term_type, purchasedAt: at, expiresAt: null });
    const [created] = await tx<Array<{ id: number; status: string; seats: number }>>`
      insert into entitlements (key_id, product_id, subscription_id, seats, starts_at, support_until, update_anchor_at, created_by)
      values (${key.id}, ${product.id}, ${input.subscriptionId}, ${input.seats}, ${at.toISOString()},
              ${supportUntil?.toISOString() ?? null}, ${at.toISOString()}, ${input.idempotencyKey})
      returning id, status, seats`;
    return { ...created!, code: key.code };
  });
}

/** The client's active key for the vendor, issued when missing; the client row is locked so two purchases do not race. */
async function clientKey(tx: Db, p: { clientId: number; vendorId: number; vendorPrefix: string }): Promise<{ id: number; code: string }> {
  await tx`select id from clients where id = ${p.clientId} for no key update`;
  const [key] = await tx<Array<{ id: number; code: string }>>`
    select id, code from license_keys where client_id = ${p.clientId} and vendor_id = ${p.vendorId} and status = 'active'`;
  if (key) return key;
  const [issued] = await tx<Array<{ id: number; code: string }>>`
    insert into license_keys (vendor_id, code, client_id, created_via) values (${p.vendorId}, ${generateLicenseKey(p.vendorPrefix)}, ${p.clientId}, 'billing')
    returning id, code`;
  return issued!;
}
