import type { Db, Sql } from '../../db/client';
import { columnList } from '../../db/propagation';
import { AppError, refuse } from '../../domain/errors';
import { resellerCreationRefusal } from '../../domain/resellers';
import { logEvent } from '../event-log/event-log';

export interface CreateResellerInput {
  parentId: number;
  name: string;
  currency: string;
  managerId?: number | undefined;
  /**
   * What the new reseller starts with beside what it always receives (spec 05 §2.2): `copy_provider` (default)
   * copies the parent's service rules once; `copy_standard` gives it the one standard rule instead.
   */
  defaultSettings?: DefaultSettings | undefined;
}

export const defaultSettingsOptions = ['copy_provider', 'copy_standard'] as const;
export type DefaultSettings = (typeof defaultSettingsOptions)[number];

const serviceRuleColumns = [
  'key', 'name', 'color', 'stop_mode', 'delete_mode', 'default_payment_model', 'credit_threshold', 'allow_negative_balance_payment',
  'negative_balance_days', 'unpaid_order_cancel_days', 'subscription_credit_limit', 'payment_deferral_days', 'promised_payment_limit',
  'promised_payment_days', 'manual_first_prepaid_provisioning',
];

/**
 * The new reseller's own service rules (spec 05 §2.2): a one-time copy of the parent's, without the "default rule"
 * flag (its staff choose one, 14.2.3); or, with `copy_standard`, one standard rule of the platform's defaults,
 * marked default so that clients can be created at once (spec 05 §12 Q18 leaves "defaults" open).
 * Notification templates and handlers and provisioning rules need no copy: the reseller uses its parent's live
 * (operations/propagation) from the moment it exists.
 */
async function giveServiceRules(tx: Db, id: number, parentId: number, option: DefaultSettings): Promise<void> {
  if (option === 'copy_standard') {
    await tx`insert into service_rules (reseller_id, key, name, is_default) values (${id}, 'standard', 'Standard', true)`;
    return;
  }
  const columns = columnList(tx, serviceRuleColumns);
  await tx`insert into service_rules (reseller_id, is_default, ${columns}) select ${id}, false, ${columns} from service_rules where reseller_id = ${parentId} order by id`;
}

/**
 * A reseller under `parentId` (spec 05 §1-2), created by a staff member of `by.resellerId`: the parent must be in
 * that staff member's subtree, the tree within its depth bound, and the manager (when given) a staff member of the
 * parent. The parent's row is locked so that its path cannot change under the child being written.
 */
export async function createReseller(sql: Sql, input: CreateResellerInput, by: { staffId: number; resellerId: number }): Promise<number> {
  return sql.begin(async (tx) => {
    const [parent] = await tx<Array<{ id: number; path: number[] }>>`select id, path from resellers where id = ${input.parentId} for key share`;
    if (!parent) throw new AppError('invalid_reference', `reseller ${input.parentId} does not exist`);
    const refusal = resellerCreationRefusal(by.resellerId, parent);
    if (refusal) throw refuse(refusal);
    if (input.managerId !== undefined) {
      const [manager] = await tx<Array<{ reseller_id: number }>>`select reseller_id from staff where id = ${input.managerId}`;
      if (!manager || manager.reseller_id !== parent.id) throw new AppError('reseller_manager_not_upstream', `staff member ${input.managerId} is not a staff member of reseller ${parent.id}`);
    }
    // The path ends with the reseller's own id, so the id is drawn first.
    const [drawn] = await tx<Array<{ id: number }>>`select nextval(pg_get_serial_sequence('resellers', 'id'))::int as id`;
    const id = drawn!.id;
    await tx`
      insert into resellers (id, parent_id, path, name, currency, manager_id)
      values (${id}, ${parent.id}, ${[...parent.path, id]}, ${input.name}, ${input.currency}, ${input.managerId ?? null})`;
    const defaultSettings = input.defaultSettings ?? 'copy_provider';
    await giveServiceRules(tx, id, parent.id, defaultSettings);
    // Handlers reach it as its parent has them (spec 03 §2.1), switched on or off as there (§5.5).
    await tx`insert into notification_handler_statuses (reseller_id, handler_key, active)
             select ${id}, handler_key, active from notification_handler_statuses where reseller_id = ${parent.id}`;
    await logEvent(tx, { actorId: by.staffId, viaApi: true, entityKind: 'reseller', entityId: id, action: 'created', changes: { parentId: parent.id, name: input.name, currency: input.currency, defaultSettings } });
    return id;
  });
}
