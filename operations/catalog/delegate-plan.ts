import type { Sql } from '../../db/client';
import { refuse } from '../../domain/errors';
import { delegationRefusal, normalizeMarkup, type PlanStatus } from '../../domain/plan-delegation';
import { logEvent } from '../event-log/event-log';
import { syncCopy } from './plan-copies';

export interface DelegatePlanInput {
  planId: number;
  /** The direct child the plan is delegated to. */
  resellerId: number;
  /** The child's automatic markup (2 decimals); absent: "not set", the child sells at the parent's prices. */
  markup?: string | undefined;
}

/**
 * Delegates a plan to a direct child of its owner (spec 05 §3.3): a copy owned by the child (`delegated`, its
 * `source_plan_id` the plan), with the plan's periods and resources at the parent's prices × the markup. The
 * child may delegate the copy further. The plan's row is locked so that two delegations cannot both pass the
 * duplicate check (the unique index on (source, reseller) is the last word). Returns the copy's id.
 */
export async function delegatePlan(sql: Sql, input: DelegatePlanInput, by: { staffId: number; resellerId: number }): Promise<number> {
  const given = input.markup === undefined ? null : normalizeMarkup(input.markup);
  return sql.begin(async (tx) => {
    const [plan] = await tx<Array<{ id: number; reseller_id: number; status: PlanStatus; billing_type: string; chain_length: number }>>`
      select id, reseller_id, status, billing_type, chain_length from plans where id = ${input.planId} for update`;
    if (!plan) throw refuse({ code: 'not_found', message: `plan ${input.planId} does not exist` });
    const [child] = await tx<Array<{ id: number; parent_id: number | null }>>`select id, parent_id from resellers where id = ${input.resellerId}`;
    const [held] = await tx`select 1 from plans where source_plan_id = ${plan.id} and reseller_id = ${input.resellerId}`;
    const refusal = delegationRefusal({
      plan: { id: plan.id, resellerId: plan.reseller_id, status: plan.status, billingType: plan.billing_type },
      callerResellerId: by.resellerId,
      child: child ? { id: child.id, parentId: child.parent_id } : null,
      alreadyDelegated: held !== undefined,
    });
    if (refusal) throw refuse(refusal);
    // usage_external: a level's coefficient is never "not set" (05 §4.2 rule 2); without one it is the observed default
    // 1.00 (§4.3), which passes the parent's price through.
    const markup = given ?? (plan.billing_type === 'usage_external' ? '1.00' : null);
    // The synced fields come from the source in syncCopy; the rest (description, publishing, auto-renew) is copied once.
    const [copy] = await tx<Array<{ id: number }>>`
      insert into plans (reseller_id, product_id, service_template_id, provisioning_rule_id, name, sku, description, billing_type, currency, status,
                         published, single, auto_renew, lock_auto_renew, usage_markup, source_plan_id, delegated, chain_length, markup)
      select ${input.resellerId}, product_id, service_template_id, provisioning_rule_id, name, sku, description, billing_type, currency, 'active',
             published, single, auto_renew, lock_auto_renew, coalesce(${markup}::numeric, 1), id, true, chain_length + 1, ${markup}::numeric
      from plans where id = ${plan.id}
      returning id`;
    await syncCopy(tx, copy!.id);
    await logEvent(tx, { actorId: by.staffId, viaApi: true, entityKind: 'plan', entityId: plan.id, action: 'delegated', changes: { resellerId: input.resellerId, copyId: copy!.id, markup } });
    return copy!.id;
  });
}
