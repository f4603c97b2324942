import type { Db } from '../../../db/client';
import { AppError } from '../../../domain/errors';
import { supportUntilAtPurchase } from '../../../domain/licensing/commercial';
import { refusePerpetualForIndividuals } from '../entitlements/refuse-perpetual-for-individuals';
import { notFound } from '../refusals';

export interface GrantEntitlementInput {
  /** Canonical key code. */
  keyCode: string;
  productCode: string;
  kind: 'paid' | 'trial';
  /** Null = perpetual. */
  periodDays: number | null;
  seats: number;
  boundIp?: string | undefined;
  now: Date;
}

/** Staff give a key a product by hand (spec 04 §4.2): paid or trial, for a number of days or perpetual (§5.2 rule applies). */
export async function grantEntitlement(db: Db, g: GrantEntitlementInput): Promise<Record<string, unknown>> {
  const [key] = await db<Array<{ id: number; vendor_id: number }>>`select id, vendor_id from license_keys where code = ${g.keyCode} and status = 'active'`;
  if (!key) throw notFound('license key', g.keyCode);
  const [product] = await db<Array<{ id: number; term_type: 'term' | 'perpetual' }>>`
    select id, term_type from licensing_products where vendor_id = ${key.vendor_id} and code = ${g.productCode}`;
  if (!product) throw new AppError('invalid_reference', `the key's vendor has no product ${g.productCode}`);
  await refusePerpetualForIndividuals(db, { keyId: key.id, productId: product.id });
  const at = g.now;
  const expiresAt = g.periodDays === null ? null : new Date(at.getTime() + g.periodDays * 86_400_000);
  const supportUntil = supportUntilAtPurchase({ termType: product.term_type, purchasedAt: at, expiresAt });
  const [row] = await db<Array<Record<string, unknown>>>`
    insert into entitlements (key_id, product_id, seats, status, source, kind, starts_at, expires_at, bound_ip, support_until, update_anchor_at, created_by)
    values (${key.id}, ${product.id}, ${g.seats}, 'active', 'admin', ${g.kind}, ${at.toISOString()}, ${expiresAt?.toISOString() ?? null}, ${g.boundIp ?? null},
            ${supportUntil?.toISOString() ?? null}, ${at.toISOString()}, ${`admin/${crypto.randomUUID()}`})
    returning id, status, kind, seats, expires_at as "expiresAt", bound_ip as "boundIp", support_until as "supportUntil"`;
  return row!;
}
