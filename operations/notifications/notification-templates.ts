import { oneRow, type Db } from '../../db/client';
import { AppError } from '../../domain/errors';
import { validateTemplate, type TemplateDefinition } from '../../domain/notifications/templates';
import { checked } from './refusals';

/** A template as the operator writes it: it must compile and use only its event's placeholders. */
export interface NotificationTemplateInput extends TemplateDefinition {
  name: string;
}

const definition = (t: NotificationTemplateInput): TemplateDefinition => ({
  channel: t.channel,
  event: t.event,
  recipients: t.recipients,
  versions: t.versions,
  fallbackLanguage: t.fallbackLanguage,
});

/** Creates a template after validating it. Returns its id. */
export async function createNotificationTemplate(db: Db, input: NotificationTemplateInput): Promise<number> {
  checked(() => validateTemplate(definition(input)));
  const row = await oneRow(db<Array<{ id: number }>>`
    insert into notification_templates (name, channel, event, recipients, versions, fallback_language)
    values (${input.name}, ${input.channel}, ${input.event}, ${JSON.stringify(input.recipients)}::jsonb, ${JSON.stringify(input.versions)}::jsonb, ${input.fallbackLanguage})
    returning id`);
  return row.id;
}

/**
 * Replaces a template. A shipped template becomes "modified", so upgrades leave it alone; a template handlers use
 * keeps its event and channel (their rules were checked against that event).
 */
export async function replaceNotificationTemplate(db: Db, id: number, input: NotificationTemplateInput): Promise<void> {
  const [current] = await db<Array<Pick<TemplateDefinition, 'event' | 'channel'>>>`select event, channel from notification_templates where id = ${id}`;
  if (!current) throw new AppError('not_found', `notification template ${id} does not exist`);
  if (input.event !== current.event || input.channel !== current.channel) {
    const [used] = await db`select 1 from notification_handlers where template_id = ${id} limit 1`;
    if (used) throw new AppError('template_in_use', 'handlers use this template: its event and channel cannot change');
  }
  checked(() => validateTemplate(definition(input)));
  await db`
    update notification_templates set name = ${input.name}, channel = ${input.channel}, event = ${input.event},
           recipients = ${JSON.stringify(input.recipients)}::jsonb, versions = ${JSON.stringify(input.versions)}::jsonb,
           fallback_language = ${input.fallbackLanguage}, modified = true, updated_at = now()
    where id = ${id}`;
}
