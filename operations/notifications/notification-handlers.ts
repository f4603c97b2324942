import { inTransaction, type Db } from '../../db/client';
import { AppError } from '../../domain/errors';
import { eventVariables, notificationEvents, type NotificationEvent } from '../../domain/notifications/catalog';
import { validateRule } from '../../domain/notifications/rules';
import { handlerKind, templateKind } from '../propagation/kinds';
import { deleteObject, editObject, effectiveRows, findEffective, lockKind, pathOf, restoreObject, strictSubtree } from '../propagation/propagation';
import { checked } from './refusals';

export interface NotificationHandlerInput {
  event: NotificationEvent;
  templateId: number;
  rule: string;
  /** Hold until this hour (platform time zone); null: at once. */
  sendHour: number | null;
  active: boolean;
}

export interface NotificationHandlerChange {
  rule?: string | undefined;
  sendHour?: number | null | undefined;
  active?: boolean | undefined;
}

/** An event that fires every day for every record needs a rule, or every record would be notified daily. */
const ruleRequired = (event: NotificationEvent) => (notificationEvents[event] as { ruleRequired?: boolean }).ruleRequired === true;

/**
 * The tuple (event, template, rule) is unique across a reseller and its whole subtree (spec 03 §5.2): refused when
 * the reseller already has it (its own or inherited) or any descendant has it as its own; `exceptKey` is the
 * handler being edited.
 */
async function refuseTakenTuple(tx: Db, resellerId: number, t: { event: string; templateKey: number; rule: string }, exceptKey: number | null) {
  const path = await pathOf(tx, resellerId);
  const [here] = await tx`
    select 1 from ${effectiveRows(tx, 'notification_handlers', path)} h
    where h.event = ${t.event} and h.template_id = ${t.templateKey} and h.rule = ${t.rule} and h.object_key is distinct from ${exceptKey}`;
  if (here) throw new AppError('handler_exists', 'a handler with this event, template and rule exists');
  const [below] = await tx`
    select 1 from notification_handlers
    where reseller_id in (${strictSubtree(tx, resellerId)}) and event = ${t.event} and template_id = ${t.templateKey} and rule = ${t.rule}
      and coalesce(origin_id, id) is distinct from ${exceptKey}`;
  if (below) throw new AppError('handler_exists_downstream', 'a downstream reseller has a handler with this event, template and rule');
}

/**
 * Sends a template when an event happens and the rule holds, for `resellerId` and its descendants (spec 03 §5): the
 * template (one the reseller sees) must be written for the event, and the rule is checked against the event's
 * variables. Returns the handler's id.
 */
export async function createNotificationHandler(db: Db, input: NotificationHandlerInput, resellerId: number): Promise<number> {
  if (ruleRequired(input.event) && input.rule.trim() === '') throw new AppError('rule_required', `${input.event} fires every day for every record: give a rule (e.g. on days left)`);
  checked(() => validateRule(input.rule, eventVariables(input.event)));
  return inTransaction(db, async (tx) => {
    await lockKind(tx, 'notification_handlers');
    const template = await findEffective(tx, templateKind, resellerId, input.templateId).catch(() => {
      throw new AppError('invalid_reference', `notification template ${input.templateId} does not exist`);
    });
    const [t] = await tx<Array<{ event: string }>>`select event from notification_templates where id = ${template.id}`;
    if (t!.event !== input.event) throw new AppError('template_event', `template ${input.templateId} is written for ${t!.event}, not ${input.event}`);
    const rule = input.rule.trim();
    await refuseTakenTuple(tx, resellerId, { event: input.event, templateKey: template.key, rule }, null);
    const [row] = await tx<Array<{ id: number }>>`
      insert into notification_handlers (reseller_id, event, template_id, rule, send_hour, active)
      values (${resellerId}, ${input.event}, ${template.key}, ${rule}, ${input.sendHour}, ${input.active}) returning id`;
    return row!.id;
  });
}

/**
 * Changes a handler's rule, sending hour or active flag as `resellerId` sees it; what is not given stays. A new rule
 * or hour makes an inherited handler the reseller's modified copy (spec 03 §2.3). On and off is the reseller's own
 * status (spec 03 §5.5, `setHandlerStatus`): no modification, and it reaches no other reseller. Returns the row
 * effective for the reseller.
 */
export async function changeNotificationHandler(db: Db, resellerId: number, id: number, change: NotificationHandlerChange): Promise<number> {
  return inTransaction(db, async (tx) => {
    let rowId = (await findEffective(tx, handlerKind, resellerId, id)).id;
    if (change.rule !== undefined || change.sendHour !== undefined) {
      rowId = await editObject(tx, handlerKind, resellerId, id, async (target) => {
        const [current] = await tx<Array<{ key: number; event: NotificationEvent; templateId: number; rule: string; sendHour: number | null }>>`
          select coalesce(origin_id, id) as key, event, template_id as "templateId", rule, send_hour as "sendHour" from notification_handlers where id = ${target}`;
        const c = current!;
        const rule = change.rule?.trim() ?? c.rule;
        if (ruleRequired(c.event) && rule === '') throw new AppError('rule_required', `${c.event} needs a rule`);
        checked(() => validateRule(rule, eventVariables(c.event)));
        if (rule !== c.rule) await refuseTakenTuple(tx, resellerId, { event: c.event, templateKey: c.templateId, rule }, c.key);
        await tx`update notification_handlers set rule = ${rule}, send_hour = ${change.sendHour === undefined ? c.sendHour : change.sendHour} where id = ${target}`;
      });
    }
    if (change.active !== undefined) await setHandlerStatus(tx, resellerId, rowId, change.active);
    return rowId;
  });
}

/**
 * Switches a handler on or off for one reseller (spec 03 §5.5): its own status, stored beside the handler, so it
 * changes neither the handler (no modified copy, nothing to restore) nor the status at any other reseller, upstream
 * or downstream; a restore keeps it (§5.6). `rowId` is a row of the handler the reseller sees.
 */
async function setHandlerStatus(tx: Db, resellerId: number, rowId: number, active: boolean): Promise<void> {
  await tx`
    insert into notification_handler_statuses (reseller_id, handler_key, active)
    select ${resellerId}, coalesce(origin_id, id), ${active} from notification_handlers where id = ${rowId}
    on conflict (reseller_id, handler_key) do update set active = excluded.active, updated_at = now()`;
}

/** Back to the upstream's handler (spec 03 §5.6). Returns the row now effective. */
export async function restoreNotificationHandler(db: Db, resellerId: number, id: number): Promise<number> {
  return inTransaction(db, (tx) => restoreObject(tx, handlerKind, resellerId, id));
}

/** Deletes a handler its reseller created; descendants that modified it keep it (spec 03 §5.7). */
export async function deleteNotificationHandler(db: Db, resellerId: number, id: number): Promise<void> {
  await inTransaction(db, (tx) => deleteObject(tx, handlerKind, resellerId, id));
}
