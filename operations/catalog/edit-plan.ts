import type { Db, Sql } from '../../db/client';
import { AppError } from '../../domain/errors';
import { normalizeMarkup, type PlanStatus } from '../../domain/plan-delegation';
import { logEvent } from '../event-log/event-log';
import { syncChildren, syncCopy } from './plan-copies';

export interface PlanEdit {
  name?: string | undefined;
  sku?: string | null | undefined;
  description?: string | null | undefined;
  /** Deactivating stops new sales here and in the whole subtree of copies (spec 05 §3.3 rule 11). */
  status?: 'active' | 'inactive' | undefined;
  /** A delegated copy's automatic markup; null switches it off ("not set": prices stay as they are). */
  markup?: string | null | undefined;
  /** Where the plan was created only: synced to every copy (spec 05 §3.3 rule 7, §4.6). */
  fixedPrice?: boolean | undefined;
}

interface OwnedPlan { id: number; reseller_id: number; delegated: boolean; status: PlanStatus; billing_type: string }

async function ownedPlan(tx: Db, planId: number, resellerId: number): Promise<OwnedPlan> {
  const [plan] = await tx<OwnedPlan[]>`select id, reseller_id, delegated, status, billing_type from plans where id = ${planId} for update`;
  // Another reseller's plan does not exist for the caller (spec 05 §7.2).
  if (!plan || plan.reseller_id !== resellerId) throw new AppError('not_found', `plan ${planId} does not exist`);
  return plan;
}

/**
 * Edits a plan of the caller's reseller (spec 05 §3.3): name, SKU and fixed price only where the plan was created (a
 * copy's are synced from above); status at any level, but a copy deactivated by its provider is activated only after the
 * provider activates it; the markup only on a copy (an own plan has no cost, §4.2). Every change reaches the
 * copies below at once.
 */
export async function editPlan(sql: Sql, planId: number, edit: PlanEdit, by: { staffId: number; resellerId: number }): Promise<void> {
  const markup = edit.markup === undefined || edit.markup === null ? edit.markup : normalizeMarkup(edit.markup);
  await sql.begin(async (tx) => {
    const plan = await ownedPlan(tx, planId, by.resellerId);
    if (plan.delegated && (edit.name !== undefined || edit.sku !== undefined || edit.fixedPrice !== undefined)) {
      throw new AppError('plan_field_synced', `plan ${planId} is delegated from above: its name, SKU and fixed price follow the provider's plan`);
    }
    if (!plan.delegated && markup !== undefined) throw new AppError('invalid_markup', `plan ${planId} is the reseller's own: it has no cost to mark up`);
    // usage_external: the markup can never be off (spec 05 §4.2 rule 2).
    if (markup === null && plan.billing_type === 'usage_external') throw new AppError('invalid_markup', `plan ${planId} is usage_external: its markup cannot be switched off`);
    if (edit.status === 'active' && plan.status === 'deactivated_by_provider') {
      throw new AppError('plan_deactivated_by_provider', `plan ${planId} was deactivated by its provider: it is activated after the provider activates it`);
    }
    await tx`
      update plans set
        name = coalesce(${edit.name ?? null}, name),
        sku = case when ${edit.sku !== undefined} then ${edit.sku ?? null} else sku end,
        description = case when ${edit.description !== undefined} then ${edit.description ?? null} else description end,
        status = coalesce(${edit.status ?? null}, status),
        fixed_price = coalesce(${edit.fixedPrice ?? null}::boolean, fixed_price),
        markup = case when ${markup !== undefined} then ${markup ?? null}::numeric else markup end,
        usage_markup = case when ${markup !== undefined && markup !== null} then ${markup ?? '1'}::numeric else usage_markup end,
        -- usage_external: a new coefficient is a new price version from now on, here and for every subscription below
        -- (their versions add up the levels'): running charges stay blocked, new usage grows new ones (05 §4.7.3).
        usage_rate_version = case when ${markup !== undefined && markup !== null} and billing_type = 'usage_external' and usage_markup <> ${markup ?? '1'}::numeric
                                  then usage_rate_version + 1 else usage_rate_version end,
        updated_at = now()
      where id = ${planId}`;
    // A copy whose markup changed is re-priced from its cost first; then the levels below follow.
    if (plan.delegated && markup !== undefined) await syncCopy(tx, planId);
    else await syncChildren(tx, planId);
    await logEvent(tx, { actorId: by.staffId, viaApi: true, entityKind: 'plan', entityId: planId, action: 'updated', changes: { ...edit } });
  });
}

export interface PeriodEdit {
  setupFee?: number | undefined;
  recurringFee?: number | undefined;
  renewalFee?: number | undefined;
  transferFee?: number | undefined;
  published?: boolean | undefined;
}

/**
 * Edits a period's prices (and, where the plan was created, its publishing). A price entered by hand on a copy
 * switches that level's automatic markup off (spec 05 §4.2 "not set"): its prices no longer follow its cost. The
 * copies below follow the new prices through their own markups.
 */
export async function editPlanPeriod(sql: Sql, planId: number, periodId: number, edit: PeriodEdit, by: { staffId: number; resellerId: number }): Promise<void> {
  await sql.begin(async (tx) => {
    const plan = await ownedPlan(tx, planId, by.resellerId);
    const [period] = await tx`select id from plan_periods where id = ${periodId} and plan_id = ${planId}`;
    if (!period) throw new AppError('not_found', `period ${periodId} of plan ${planId} does not exist`);
    if (plan.delegated && edit.published !== undefined) throw new AppError('plan_field_synced', `plan ${planId} is delegated from above: its periods' publishing follows the provider's plan`);
    const priced = [edit.setupFee, edit.recurringFee, edit.renewalFee, edit.transferFee].some((v) => v !== undefined);
    await tx`
      update plan_periods set
        setup_fee = coalesce(${edit.setupFee ?? null}::bigint, setup_fee), recurring_fee = coalesce(${edit.recurringFee ?? null}::bigint, recurring_fee),
        renewal_fee = coalesce(${edit.renewalFee ?? null}::bigint, renewal_fee), transfer_fee = coalesce(${edit.transferFee ?? null}::bigint, transfer_fee),
        published = coalesce(${edit.published ?? null}::boolean, published), updated_at = now()
      where id = ${periodId}`;
    // usage_external copies keep their coefficient: their prices come from the provider (spec 05 §4.2 rule 2).
    if (plan.delegated && priced && plan.billing_type !== 'usage_external') await tx`update plans set markup = null, updated_at = now() where id = ${planId}`;
    await syncChildren(tx, planId);
    await logEvent(tx, { actorId: by.staffId, viaApi: true, entityKind: 'plan', entityId: planId, action: 'period_updated', changes: { periodId, ...edit, markupOff: plan.delegated && priced } });
  });
}
