import type { Db } from '../../db/client';
import { keyOwnedBy } from './key-scope';

/** Filters of the activation log (spec 04 §6.7): any combination, newest first. */
export interface ActivationLogFilters {
  /** Canonical key code. */
  key?: string | undefined;
  entitlementId?: number | undefined;
  machineId?: string | undefined;
  action?: string | undefined;
  /** Inclusive lower and exclusive upper bound of `at`. */
  from?: Date | undefined;
  to?: Date | undefined;
}

export interface ActivationLogRow {
  id: number;
  at: Date;
  action: string;
  errorCode: string | null;
  cause: string | null;
  entitlementId: number;
  product: string;
  keyCode: string;
  accountSlot: number | null;
  bindingId: number | null;
  machineId: string | null;
  hostname: string | null;
}

/**
 * Activation log rows (spec 04 §6.7) the caller's reseller may see, newest first, `limit` of them below the id
 * `after`: Activated, Replaced, Customized, Deactivated, Refused with its code, Revoked with its cause. A row's
 * machine is its own (refusals bind nothing) or its binding's.
 */
export async function activationLogRows(db: Db, input: { resellerId: number; filters: ActivationLogFilters; limit: number; after?: number | undefined }): Promise<ActivationLogRow[]> {
  const f = input.filters;
  return db<ActivationLogRow[]>`
    select l.id, l.at, l.action, l.error_code as "errorCode", l.cause, l.entitlement_id as "entitlementId", p.code as product, k.code as "keyCode",
           a.slot_no as "accountSlot", l.binding_id as "bindingId", coalesce(l.machine_id, b.machine_id) as "machineId", b.hostname
    from activation_logs l join entitlements e on e.id = l.entitlement_id join licensing_products p on p.id = e.product_id
         join license_keys k on k.id = e.key_id left join clients c on c.id = k.client_id
         left join activation_accounts a on a.id = l.account_id left join machine_bindings b on b.id = l.binding_id
    where ${keyOwnedBy(db, input.resellerId)}
      ${f.key === undefined ? db`` : db`and k.code = ${f.key}`}
      ${f.entitlementId === undefined ? db`` : db`and l.entitlement_id = ${f.entitlementId}`}
      ${f.machineId === undefined ? db`` : db`and coalesce(l.machine_id, b.machine_id) = ${f.machineId}`}
      ${f.action === undefined ? db`` : db`and l.action = ${f.action}`}
      ${f.from === undefined ? db`` : db`and l.at >= ${f.from.toISOString()}`}
      ${f.to === undefined ? db`` : db`and l.at < ${f.to.toISOString()}`}
      ${input.after === undefined ? db`` : db`and l.id < ${input.after}`}
    order by l.id desc limit ${input.limit}`;
}

export interface UpgradeLogRow {
  id: number;
  at: Date;
  entitlementId: number;
  product: string;
  keyCode: string;
  accountSlot: number;
  upgradeSeq: number;
  templateId: number;
  templateName: string;
  customLicense: unknown;
}

/** Upgrade log rows (spec 04 §6.5-6.7) the caller's reseller may see, newest first, by key, license and time. */
export async function upgradeLogRows(db: Db, input: { resellerId: number; filters: Omit<ActivationLogFilters, 'machineId' | 'action'>; limit: number; after?: number | undefined }): Promise<UpgradeLogRow[]> {
  const f = input.filters;
  return db<UpgradeLogRow[]>`
    select u.id, u.at, u.entitlement_id as "entitlementId", p.code as product, k.code as "keyCode", a.slot_no as "accountSlot", u.upgrade_seq as "upgradeSeq",
           u.template_id as "templateId", t.name as "templateName", u.custom_license as "customLicense"
    from upgrade_logs u join entitlements e on e.id = u.entitlement_id join licensing_products p on p.id = e.product_id
         join license_keys k on k.id = e.key_id left join clients c on c.id = k.client_id
         join activation_accounts a on a.id = u.account_id join upgrade_templates t on t.id = u.template_id
    where ${keyOwnedBy(db, input.resellerId)}
      ${f.key === undefined ? db`` : db`and k.code = ${f.key}`}
      ${f.entitlementId === undefined ? db`` : db`and u.entitlement_id = ${f.entitlementId}`}
      ${f.from === undefined ? db`` : db`and u.at >= ${f.from.toISOString()}`}
      ${f.to === undefined ? db`` : db`and u.at < ${f.to.toISOString()}`}
      ${input.after === undefined ? db`` : db`and u.id < ${input.after}`}
    order by u.id desc limit ${input.limit}`;
}
