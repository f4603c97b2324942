import type { Db } from '../../db/client';
import { formatCoupon, formatLicenseKey } from '../../domain/licensing/codes';
import { currentUseSince } from '../../domain/licensing/panel';
import { keyOwnedBy } from './key-scope';
import { heldSeatPools } from './license-servers';

/** Registration data of a key (spec 04 §1.2 Customer), as the key card shows and edits it. */
export interface KeyRegistration {
  companyName?: string | null;
  contactName?: string | null;
  phone?: string | null;
  email?: string | null;
  distributorId?: number | null;
  managerId?: number | null;
  comment?: string | null;
  legalForm?: 'organization' | 'individual';
}

export interface KeyCardHead {
  id: number;
  code: string;
  vendorPrefix: string;
  status: string;
  createdVia: string;
  clientId: number | null;
  clientName: string | null;
  registration: KeyRegistration;
}

/** The key as the caller's reseller may see it (null: no such key, or not its own). */
export async function keyCardHead(db: Db, input: { code: string; resellerId: number }): Promise<KeyCardHead | null> {
  const [row] = await db<KeyCardHead[]>`
    select k.id, k.code, v.prefix as "vendorPrefix", k.status, k.created_via as "createdVia", k.client_id as "clientId", c.name as "clientName",
           coalesce(k.customer, '{}'::jsonb) as registration
    from license_keys k join licensing_vendors v on v.id = k.vendor_id left join clients c on c.id = k.client_id
    where k.code = ${input.code} and ${keyOwnedBy(db, input.resellerId)}`;
  return row ?? null;
}

/**
 * The key card (spec 04 §3.6): registration data, the products on the key, the activated coupons with channel,
 * actor and reversal, and current usage at `now`: active bindings and leases seen in the last 15 minutes (§3.6), and
 * the seats local license servers' pools hold (§5.5: which server, how many seats, until when, last renewal).
 */
export async function keyCard(db: Db, input: { code: string; resellerId: number; now: Date }) {
  const head = await keyCardHead(db, input);
  if (!head) return null;
  const since = currentUseSince(input.now).toISOString();
  const [products, coupons, bindings, leases, pools] = await Promise.all([
    db`
      select e.id, p.code as product, p.name as "productName", e.kind, e.source, e.seats, e.status, e.name, e.bound_ip as "boundIp",
             e.starts_at as "startsAt", e.expires_at as "expiresAt", e.subscription_id as "subscriptionId"
      from entitlements e join licensing_products p on p.id = e.product_id where e.key_id = ${head.id} order by e.id`,
    db`
      select a.id, c.code as coupon, c.type, a.channel, a.actor, a.status, a.activated_at as "activatedAt",
             a.reversed_at as "reversedAt", a.reversed_by as "reversedBy", a.reversal_reason as "reversalReason"
      from coupon_activations a join coupons c on c.id = a.coupon_id where a.key_id = ${head.id} order by a.id desc limit 500`,
    db`
      select b.id, p.code as product, b.machine_id as "machineId", b.hostname, b.ip, b.database_id as "databaseId", b.database_name as "databaseName",
             b.user_name as "userName", b.activated_at as "activatedAt", coalesce(b.last_seen_at, b.activated_at) as "lastSeenAt"
      from machine_bindings b join activation_accounts a on a.id = b.account_id join entitlements e on e.id = a.entitlement_id
           join licensing_products p on p.id = e.product_id
      where e.key_id = ${head.id} and b.status = 'active' and coalesce(b.last_seen_at, b.activated_at) >= ${since}
      order by coalesce(b.last_seen_at, b.activated_at) desc limit 500`,
    db`
      select l.id, p.code as product, l.machine_id as "machineId", l.hostname, l.user_name as "userName", l.last_heartbeat_at as "lastSeenAt"
      from leases l join entitlements e on e.id = l.entitlement_id join licensing_products p on p.id = e.product_id
      where e.key_id = ${head.id} and l.status = 'active' and l.last_heartbeat_at >= ${since}
      order by l.last_heartbeat_at desc limit 500`,
    heldSeatPools(db, { keyId: head.id, now: input.now }),
  ]);
  return {
    ...head,
    displayCode: formatLicenseKey(head.code),
    products,
    coupons: coupons.map((c) => ({ ...c, coupon: formatCoupon(c.coupon as string) })),
    currentUsage: { since, bindings, leases, pools },
  };
}
