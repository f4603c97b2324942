import type { Sql } from '../../db/client';
import type { IsoDate } from '../../domain/dates';
import { parsePercent } from '../../domain/discounts';
import { AppError } from '../../domain/errors';
import { logEvent } from '../event-log/event-log';

export interface ResellerDiscountInput {
  name: string;
  /** "50.00": more than 0 and at most 100, 2 decimals. */
  percent: string;
  /** A direct child of the caller's reseller; absent: every direct child ("All resellers"). */
  childResellerId?: number | undefined;
  subscriptionId?: number | undefined;
  clientId?: number | undefined;
  /** The caller's plan (its copy of a delegated plan, or its own plan it delegated). */
  planId?: number | undefined;
  validFrom?: IsoDate | undefined;
  validTo?: IsoDate | undefined;
}

/**
 * A reseller discount (spec 05 §4.5, seed 13.3): what the caller's reseller takes off the reseller charges its
 * direct children owe it. Kept apart from promo-code discounts (`discounts`): it never touches a client's order,
 * only reseller charges, and it targets resellers rather than clients' orders. Returns its id.
 */
export async function createResellerDiscount(sql: Sql, input: ResellerDiscountInput, by: { staffId: number; resellerId: number }): Promise<number> {
  const percentBp = parsePercent(input.percent);
  if (input.validFrom && input.validTo && input.validFrom > input.validTo) throw new AppError('invalid_value', 'validFrom is after validTo');
  return sql.begin(async (tx) => {
    if (input.childResellerId !== undefined) {
      const [child] = await tx`select 1 from resellers where id = ${input.childResellerId} and parent_id = ${by.resellerId}`;
      if (!child) throw new AppError('invalid_reference', `reseller ${input.childResellerId} is not a direct child of reseller ${by.resellerId}`);
    }
    if (input.planId !== undefined) {
      const [plan] = await tx`select 1 from plans where id = ${input.planId} and reseller_id = ${by.resellerId}`;
      if (!plan) throw new AppError('invalid_reference', `plan ${input.planId} does not exist`);
    }
    const [row] = await tx<Array<{ id: number }>>`
      insert into reseller_discounts (reseller_id, child_reseller_id, subscription_id, client_id, plan_id, name, percent_bp, valid_from, valid_to, created_by)
      values (${by.resellerId}, ${input.childResellerId ?? null}, ${input.subscriptionId ?? null}, ${input.clientId ?? null}, ${input.planId ?? null},
              ${input.name}, ${percentBp}, ${input.validFrom ?? null}, ${input.validTo ?? null}, ${by.staffId})
      returning id`;
    await logEvent(tx, { actorId: by.staffId, viaApi: true, entityKind: 'reseller_discount', entityId: row!.id, action: 'created', changes: { ...input, percentBp } });
    return row!.id;
  });
}
