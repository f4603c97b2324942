import { inTransaction, type Db } from '../../../db/client';
import { PluginError } from '../../../contracts/plugin-contract';
import { revokeLicenseUseLogged } from '../revoke-license-use';
import type { SubscriptionLicense } from './subscription-license';

export interface SwitchSubscriptionProductInput {
  subscriptionId: number;
  /** The product of the plan switched to (the licensing plugin reads it from the service template's settings). */
  vendorPrefix: string;
  productCode: string;
  /** The plugin call's idempotency key, remembered as the new entitlement's `created_by`. */
  idempotencyKey: string;
  now: Date;
}

/**
 * A plan switch on a licensing subscription (spec 04 §7.2 changeProduct): when the new plan sells another product,
 * the subscription's license becomes `superseded` and a new entitlement for that product in the same key takes over
 * its status, expiry, seats, support and subscription link; machine bindings and leases of the old one are revoked
 * (its validation answers ENTITLEMENT_SUPERSEDED, §3.2). A plan of the same product changes nothing. Idempotent: the
 * call's key names the entitlement it created. Refusals are permanent plugin errors (another vendor's product, no
 * license, an unknown product).
 */
export async function switchSubscriptionProduct(db: Db, input: SwitchSubscriptionProductInput): Promise<SubscriptionLicense> {
  return inTransaction(db, async (tx) => {
    const [done] = await tx<SubscriptionLicense[]>`
      select e.id, e.status, e.seats, k.code from entitlements e join license_keys k on k.id = e.key_id where e.created_by = ${input.idempotencyKey}`;
    if (done) return done;
    const [old] = await tx<Array<SubscriptionLicense & { key_id: number; product_id: number; vendor_id: number }>>`
      select e.id, e.status, e.seats, k.code, e.key_id, e.product_id, k.vendor_id
      from entitlements e join license_keys k on k.id = e.key_id
      where e.subscription_id = ${input.subscriptionId} and e.status <> 'deleted' for update of e`;
    if (!old) throw new PluginError('permanent', `subscription ${input.subscriptionId} has no license entitlement`, { code: 'PRODUCT_NOT_IN_KEY' });
    const [target] = await tx<Array<{ id: number; vendor_id: number }>>`
      select p.id, p.vendor_id from licensing_products p join licensing_vendors v on v.id = p.vendor_id
      where v.prefix = ${input.vendorPrefix} and p.code = ${input.productCode}`;
    if (!target) throw new PluginError('permanent', `no licensing product ${input.vendorPrefix}/${input.productCode}`, { code: 'UNKNOWN_EXTERNAL_PRODUCT' });
    if (target.id === old.product_id) return old;
    if (target.vendor_id !== old.vendor_id) throw new PluginError('permanent', 'a plan switch cannot move a license to another vendor’s product (another key)', { code: 'VENDOR_MISMATCH' });
    // The old row lets go of the subscription first: one live entitlement per subscription (entitlements_subscription).
    await tx`update entitlements set status = 'superseded', superseded_by = ${target.id}, subscription_id = null, updated_at = now() where id = ${old.id}`;
    const [created] = await tx<Array<{ id: number; status: string; seats: number }>>`
      insert into entitlements (key_id, product_id, subscription_id, seats, status, source, kind, bound_ip, partner_id, support_until,
                                entitled_major, update_anchor_at, starts_at, expires_at, created_by)
      select key_id, ${target.id}, ${input.subscriptionId}, seats, ${old.status}, source, kind, bound_ip, partner_id, support_until,
             1, ${input.now.toISOString()}, ${input.now.toISOString()}, expires_at, ${input.idempotencyKey}
      from entitlements where id = ${old.id}
      returning id, status, seats`;
    await revokeLicenseUseLogged(tx, [old.id], 'plan_switched');
    return { ...created!, code: old.code };
  });
}
