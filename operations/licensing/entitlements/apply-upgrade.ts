import { inTransaction, type Db } from '../../../db/client';
import { AppError } from '../../../domain/errors';
import { applyUpgrade, type LicenseLimits } from '../../../domain/licensing/activation';
import { lockEntitlement, type LockedEntitlement } from './lock-entitlement';

export interface ApplyUpgradeInput {
  entitlementId: number;
  templateId: number;
  /** The activation account (seat) to upgrade. */
  slot: number;
  now: Date;
}

export interface AppliedUpgrade {
  entitlementId: number;
  accountId: number;
  slot: number;
  templateId: number;
  upgradeSeq: number;
  customLicense: { maxDayPeriod: number | null; maxExec: number | null; expiresAt: null };
  lastUpgradeAt: string;
  reactivationAllowed: boolean;
  upgradeLogId: number;
}

interface TemplateRow {
  id: number;
  product_id: number;
  max_day_period: number | null;
  max_exec: number | null;
  add_to_existing: boolean;
}

interface AccountRow {
  id: number;
  upgrade_seq: number;
  custom_license: LicenseLimits | null;
  last_upgrade_at: string | null;
  reactivation_allowed: boolean;
  first_activated_at: string | null;
}

const numberOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const dateOrNull = (v: string | null): Date | null => (v ? new Date(v) : null);

/**
 * Applies an upgrade to one activation account of a fixed license (spec 04 §6.5, §6.6, §7.2 applyUpgrade): the
 * account's custom license is recomputed by the domain's `applyUpgrade`, `upgradeSeq` goes up, the next activation
 * of the account is allowed even with an exhausted MaxActivation (§6.2), and an UpgradeLog row is written. The
 * account row of the slot is created when the seat was never activated (an upgrade before any activation counts
 * d = 0).
 */
export async function applyEntitlementUpgrade(db: Db, input: ApplyUpgradeInput): Promise<AppliedUpgrade> {
  const { entitlementId: id, slot } = input;
  return inTransaction(db, async (tx) => {
    const ent = await lockEntitlement(tx, id);
    if (ent.license_model !== 'fixed') {
      throw new AppError('LICENSE_NOT_FIXED', 'upgrades change activation accounts; a floating license has none (spec 04 §5.1)');
    }
    const [template] = await tx<TemplateRow[]>`
      select id, product_id, max_day_period, max_exec, add_to_existing from upgrade_templates where id = ${input.templateId}`;
    if (!template || template.product_id !== ent.product_id) {
      throw new AppError('invalid_reference', `upgrade template ${input.templateId} is not a template of this license's product`);
    }
    if (slot > ent.seats) throw new AppError('invalid_value', `the license has ${ent.seats} seats; there is no slot ${slot}`);
    await tx`insert into activation_accounts (entitlement_id, slot_no) values (${id}, ${slot}) on conflict (entitlement_id, slot_no) do nothing`;
    const [account] = await tx<AccountRow[]>`
      select id, upgrade_seq, custom_license, last_upgrade_at, reactivation_allowed, first_activated_at
      from activation_accounts where entitlement_id = ${id} and slot_no = ${slot} for update`;
    const decision = decideUpgrade(ent, account!, template, input.now);
    // Stored as plain limits with no absolute end: activation reads this JSON as the account's template.
    const customLicense = { maxDayPeriod: decision.customLicense.maxDayPeriod ?? null, maxExec: decision.customLicense.maxExec ?? null, expiresAt: null };
    await tx`
      update activation_accounts set upgrade_seq = ${decision.upgradeSeq}, custom_license = ${JSON.stringify(customLicense)}::jsonb,
             last_upgrade_at = ${decision.lastUpgradeAt.toISOString()}, reactivation_allowed = ${decision.reactivationAllowed}, updated_at = now()
      where id = ${account!.id}`;
    const [log] = await tx<Array<{ id: string }>>`
      insert into upgrade_logs (entitlement_id, account_id, upgrade_seq, template_id, custom_license, at)
      values (${id}, ${account!.id}, ${decision.upgradeSeq}, ${template.id}, ${JSON.stringify(customLicense)}::jsonb, ${decision.lastUpgradeAt.toISOString()})
      returning id`;
    return {
      entitlementId: id,
      accountId: account!.id,
      slot,
      templateId: template.id,
      upgradeSeq: decision.upgradeSeq,
      customLicense,
      lastUpgradeAt: decision.lastUpgradeAt.toISOString(),
      reactivationAllowed: decision.reactivationAllowed,
      upgradeLogId: Number(log!.id),
    };
  });
}

/** The domain decision for the stored rows; its refusal (`UPGRADE_TEMPLATE_INVALID`) is thrown. */
function decideUpgrade(ent: LockedEntitlement, account: AccountRow, template: TemplateRow, now: Date) {
  const master = ent.master_license ?? {};
  const custom = account.custom_license;
  const decision = applyUpgrade({
    product: {
      managedExpiration: ent.managed_expiration,
      managedExecution: ent.managed_execution,
      // The absolute end is the entitlement's, applied when a license is issued (§6.1), not part of the template.
      masterLicense: { maxDayPeriod: numberOrNull(master.maxDayPeriod), maxExec: numberOrNull(master.maxExec), expiresAt: null },
    },
    account: {
      upgradeSeq: account.upgrade_seq,
      customLicense: custom ? { maxDayPeriod: numberOrNull(custom.maxDayPeriod), maxExec: numberOrNull(custom.maxExec), expiresAt: null } : null,
      lastUpgradeAt: dateOrNull(account.last_upgrade_at),
      reactivationAllowed: account.reactivation_allowed,
      firstActivatedAt: dateOrNull(account.first_activated_at),
    },
    template: { maxDayPeriod: template.max_day_period, maxExec: template.max_exec, addToExisting: template.add_to_existing },
    now,
  });
  if (!decision.ok) throw new AppError(decision.errorCode, decision.reason);
  return decision;
}
