import { inTransaction, type Db } from '../../db/client';
import { visibleClientTypes } from '../../db/client-types';
import { AppError } from '../../domain/errors';
import { effectiveRows, lockKind, pathOf, strictSubtree } from '../propagation/propagation';

/** A plan-level policy (spec 02 §9), as validated by the API (defaults filled in). */
export interface ProvisioningRuleInput {
  key: string;
  name: string;
  financialDay: number;
  promisedPaymentAllowed: boolean;
  manualRenewPointDays: number;
  autoRenewPointDays: number;
  unpaidStopAfterDays: number;
  blockingPeriodDays: number;
  clientTypes: string[];
}

/**
 * A rule key is unique within a reseller's view and its subtree (spec 05 §3.4 rule 2): refused when the reseller
 * uses a rule of that key from upstream, or a descendant has its own; `exceptId` is the rule being edited. A taken
 * own key or name is the database's unique violation.
 */
export async function refuseTakenKey(tx: Db, resellerId: number, key: string, exceptId: number | null): Promise<void> {
  const path = await pathOf(tx, resellerId);
  const [above] = await tx`
    select 1 from ${effectiveRows(tx, 'provisioning_rules', path)} r where r.key = ${key} and r.reseller_id <> ${resellerId}`;
  if (above) throw new AppError('key_taken_upstream', `the key ${key} is a rule delegated from upstream`);
  const [below] = await tx`
    select 1 from provisioning_rules where key = ${key} and reseller_id in (${strictSubtree(tx, resellerId)}) and id is distinct from ${exceptId}`;
  if (below) throw new AppError('key_taken_downstream', `a downstream reseller has its own rule with the key ${key}; it must re-key it first`);
}

/**
 * A rule names client types by key (spec 02 §9 `client_type_ids`): each must be a type the reseller sees, else
 * `invalid_reference`.
 */
export async function refuseUnknownClientTypes(tx: Db, resellerId: number, keys: readonly string[]): Promise<void> {
  const { types } = await visibleClientTypes(tx, resellerId);
  const unknown = keys.filter((k) => !types.some((t) => t.key === k));
  if (unknown.length > 0) throw new AppError('invalid_reference', `client type ${unknown.join(', ')} does not exist`);
}

/**
 * Creates a provisioning rule of `resellerId`; every descendant uses it at once, read-only (spec 05 §3.4 rule 1).
 * Returns its id.
 */
export async function createProvisioningRule(db: Db, r: ProvisioningRuleInput, resellerId: number): Promise<number> {
  return inTransaction(db, async (tx) => {
    await lockKind(tx, 'provisioning_rules');
    await refuseTakenKey(tx, resellerId, r.key, null);
    await refuseUnknownClientTypes(tx, resellerId, r.clientTypes);
    const [row] = await tx<Array<{ id: number }>>`
      insert into provisioning_rules (reseller_id, key, name, financial_day, promised_payment_allowed, manual_renew_point_days, auto_renew_point_days,
                                      unpaid_stop_after_days, blocking_period_days, client_types)
      values (${resellerId}, ${r.key}, ${r.name}, ${r.financialDay}, ${r.promisedPaymentAllowed}, ${r.manualRenewPointDays}, ${r.autoRenewPointDays},
              ${r.unpaidStopAfterDays}, ${r.blockingPeriodDays}, ${r.clientTypes}::text[])
      returning id`;
    return row!.id;
  });
}
