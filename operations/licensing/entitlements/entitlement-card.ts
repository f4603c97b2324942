import type { Db } from '../../../db/client';
import { notFound } from '../refusals';

/** An entitlement as the staff routes answer it (the key card's license line). */
export interface EntitlementCard {
  id: number;
  status: string;
  seats: number;
  kind: string;
  source: string;
  startsAt: string;
  expiresAt: string | null;
  boundIp: string | null;
  supportUntil: string | null;
  keyCode: string;
  product: string;
  /** §4.2 Edit: the license name, auto-renewal months, whether an administrator password is set (never the password). */
  name: string | null;
  autoRenewMonths: number | null;
  adminPasswordSet: boolean;
  /** §4.2 License configuration. */
  configuration: Record<string, unknown>;
}

/** The entitlement's card; `not_found` (404) when there is no such entitlement. */
export async function entitlementCard(db: Db, id: number): Promise<EntitlementCard> {
  const [row] = await db<EntitlementCard[]>`
    select e.id, e.status, e.seats, e.kind, e.source, e.starts_at as "startsAt", e.expires_at as "expiresAt", e.bound_ip as "boundIp",
           e.support_until as "supportUntil", k.code as "keyCode", p.code as "product", e.name,
           e.auto_renew_months as "autoRenewMonths", e.admin_password_enc is not null as "adminPasswordSet", e.configuration
    from entitlements e join license_keys k on k.id = e.key_id join licensing_products p on p.id = e.product_id where e.id = ${id}`;
  if (!row) throw notFound('entitlement', id);
  return row;
}
