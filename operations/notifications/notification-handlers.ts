import type { Db } from '../../db/client';
import { AppError } from '../../domain/errors';
import { eventVariables, notificationEvents, type NotificationEvent } from '../../domain/notifications/catalog';
import { validateRule } from '../../domain/notifications/rules';
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
 * Sends a template when an event happens and the rule holds: the template must be written for the event, and the
 * rule is checked against the event's variables. Returns the handler's id.
 */
export async function createNotificationHandler(db: Db, input: NotificationHandlerInput): Promise<number> {
  const [template] = await db<Array<{ event: string }>>`select event from notification_templates where id = ${input.templateId}`;
  if (!template) throw new AppError('invalid_reference', `notification template ${input.templateId} does not exist`);
  if (template.event !== input.event) throw new AppError('template_event', `template ${input.templateId} is written for ${template.event}, not ${input.event}`);
  if (ruleRequired(input.event) && input.rule.trim() === '') throw new AppError('rule_required', `${input.event} fires every day for every record: give a rule (e.g. on days left)`);
  checked(() => validateRule(input.rule, eventVariables(input.event)));
  const [row] = await db<Array<{ id: number }>>`
    insert into notification_handlers (event, template_id, rule, send_hour, active)
    values (${input.event}, ${input.templateId}, ${input.rule.trim()}, ${input.sendHour}, ${input.active})
    on conflict (event, template_id, rule) do nothing returning id`;
  if (!row) throw new AppError('handler_exists', 'a handler with this event, template and rule exists');
  return row.id;
}

/** Changes a handler's rule, sending hour or active flag; what is not given stays. */
export async function changeNotificationHandler(db: Db, id: number, change: NotificationHandlerChange): Promise<void> {
  const [current] = await db<Array<{ event: NotificationEvent; rule: string; sendHour: number | null; active: boolean }>>`
    select event, rule, send_hour as "sendHour", active from notification_handlers where id = ${id}`;
  if (!current) throw new AppError('not_found', `notification handler ${id} does not exist`);
  const rule = change.rule?.trim() ?? current.rule;
  if (ruleRequired(current.event) && rule === '') throw new AppError('rule_required', `${current.event} needs a rule`);
  checked(() => validateRule(rule, eventVariables(current.event)));
  await db`
    update notification_handlers set rule = ${rule}, send_hour = ${change.sendHour === undefined ? current.sendHour : change.sendHour},
           active = ${change.active ?? current.active}, updated_at = now()
    where id = ${id}`;
}
