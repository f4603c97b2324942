import type { Db } from '../../db/client';
import type { ActivationPolicy, EntitlementStatus, LicenseLimits, SignatureComponent } from '../../domain/licensing/activation';
import { AppError } from '../../domain/errors';
import type { TermType } from '../../domain/licensing/commercial';

/** A key's license for a product with what activations and leases need to decide and to sign. */
export interface EntitlementForProduct {
  id: number;
  key_id: number;
  status: EntitlementStatus;
  seats: number;
  expires_at: string | null;
  bound_ip: string | null;
  key_code: string;
  vendor_prefix: string;
  /** Signs the documents (signing/vendor-signing-keys.ts). */
  vendor_id: number;
  product_code: string;
  /** §5.3: perpetual documents carry `maxMajor = entitled_major`. */
  term_type: TermType;
  entitled_major: number;
  support_until: string | null;
  license_model: 'fixed' | 'floating';
  max_activations: number;
  activation_policy: ActivationPolicy;
  signature_components: SignatureComponent[];
  managed_expiration: boolean;
  managed_execution: boolean;
  non_transferable: boolean;
  transfer_time_mode: 'managed' | 'preserve';
  master_license: LicenseLimits & { features?: Record<string, unknown> };
  /** The license configuration (§4.2): feature values set within the master license's, signed over them. */
  configuration: Record<string, unknown>;
  /** The billing client's name. */
  client_name: string | null;
  /** The licensee organisation: the billing client, else the company of the key's registration. */
  organization: string | null;
}

/** The id of the active key with this canonical code; KEY_NOT_FOUND otherwise (the public API's first check). */
export async function activeKeyId(db: Db, code: string): Promise<number> {
  const [key] = await db<Array<{ id: number }>>`select id from license_keys where code = ${code} and status = 'active'`;
  if (!key) throw new AppError('KEY_NOT_FOUND', 'no such license key');
  return key.id;
}

/**
 * The key's license for a product (the newest one that is not deleted, else the newest), locked for the caller's
 * transaction when `lock` is set. KEY_NOT_FOUND / PRODUCT_NOT_IN_KEY otherwise.
 */
export async function findEntitlementForProduct(db: Db, input: { code: string; productCode: string; lock: boolean }): Promise<EntitlementForProduct> {
  const keyId = await activeKeyId(db, input.code);
  const [row] = await db<EntitlementForProduct[]>`
    select e.id, e.key_id, e.status, e.seats, e.expires_at, e.bound_ip, k.code as key_code, v.prefix as vendor_prefix, v.id as vendor_id, p.code as product_code, p.term_type, e.entitled_major, e.support_until,
           p.license_model, p.max_activations, p.activation_policy, p.signature_components, p.managed_expiration, p.managed_execution,
           p.non_transferable, p.transfer_time_mode, p.master_license, e.configuration, c.name as client_name,
           coalesce(c.name, k.customer->>'companyName') as organization
    from entitlements e join license_keys k on k.id = e.key_id join licensing_vendors v on v.id = k.vendor_id
         join licensing_products p on p.id = e.product_id left join clients c on c.id = k.client_id
    where e.key_id = ${keyId} and p.code = ${input.productCode}
    order by (e.status <> 'deleted') desc, e.id desc limit 1
    ${input.lock ? db`for update of e` : db``}`;
  if (!row) throw new AppError('PRODUCT_NOT_IN_KEY', `the key holds no ${input.productCode} license`);
  return row;
}
