import type { Db } from '../../../db/client';
import type { ActivationAccountState, ActivationInput, IssuedLimits, LicenseLimits } from '../../../domain/licensing/activation';
import type { EntitlementForProduct } from '../entitlement-for-product';

/** An activation account row as activation reads it. */
export interface AccountRow {
  id: number;
  slot_no: number;
  activation_count: number;
  first_activated_at: string | null;
  policy_reference: ActivationAccountState['policyReference'];
  transfer_state: { remainingDays?: number | null; execCount?: number | null; savedAt: string } | null;
  upgrade_seq: number;
  custom_license: LicenseLimits | null;
  last_upgrade_at: string | null;
  reactivation_allowed: boolean;
}

interface BindingRow {
  id: number;
  account_id: number;
  machine_id: string;
  status: 'active';
  activated_at: string;
  last_seen_at: string | null;
  issued: (IssuedLimits & { expiresAt: string | null }) | null;
}

const date = (v: string | null | undefined): Date | null => (v ? new Date(v) : null);

/** The entitlement's activation accounts (by slot) and their active bindings, read in the caller's transaction. */
export async function readActivationAccounts(tx: Db, entitlementId: number): Promise<{ accounts: AccountRow[]; bindings: BindingRow[] }> {
  const accounts = await tx<AccountRow[]>`select * from activation_accounts where entitlement_id = ${entitlementId} order by slot_no`;
  const bindings = await tx<BindingRow[]>`
    select b.id, b.account_id, b.machine_id, b.status, b.activated_at, b.last_seen_at, b.issued from machine_bindings b
    where b.status = 'active' and b.account_id in (select id from activation_accounts where entitlement_id = ${entitlementId})`;
  return { accounts, bindings };
}

/** The stored product, entitlement and accounts as the domain's `decideActivation` takes them. */
export function activationInputOf(
  ent: EntitlementForProduct,
  rows: { accounts: AccountRow[]; bindings: BindingRow[] },
  request: ActivationInput['request'],
  now: Date,
): ActivationInput {
  return {
    product: {
      maxActivations: ent.max_activations,
      activationPolicy: ent.activation_policy,
      signatureComponents: ent.signature_components,
      nonTransferable: ent.non_transferable,
      transferTimeMode: ent.transfer_time_mode,
      managedExpiration: ent.managed_expiration,
      managedExecution: ent.managed_execution,
      masterLicense: { maxDayPeriod: ent.master_license.maxDayPeriod ?? null, maxExec: ent.master_license.maxExec ?? null, expiresAt: date(ent.expires_at) },
    },
    entitlement: { status: ent.status, seats: ent.seats, expiresAt: date(ent.expires_at), boundIp: ent.bound_ip },
    accounts: rows.accounts.map((a) => ({
      slotNo: a.slot_no,
      activationCount: a.activation_count,
      firstActivatedAt: date(a.first_activated_at),
      policyReference: a.policy_reference,
      transferState: a.transfer_state ? { ...a.transfer_state, savedAt: new Date(a.transfer_state.savedAt) } : null,
      upgradeSeq: a.upgrade_seq,
      customLicense: a.custom_license,
      lastUpgradeAt: date(a.last_upgrade_at),
      reactivationAllowed: a.reactivation_allowed,
      bindings: rows.bindings
        .filter((b) => b.account_id === a.id)
        .map((b) => ({
          id: String(b.id),
          machineId: b.machine_id,
          status: b.status,
          activatedAt: new Date(b.activated_at),
          lastSeenAt: date(b.last_seen_at),
          issued: b.issued ? { ...b.issued, expiresAt: date(b.issued.expiresAt) } : null,
        })),
    })),
    request,
    now,
  };
}
