import { inTransaction, oneRow, type Db } from '../../db/client';
import { AppError } from '../../domain/errors';
import { defaultTemplates } from '../../domain/notifications/default-templates';
import { validateTemplate, type TemplateDefinition } from '../../domain/notifications/templates';
import { templateKind } from '../propagation/kinds';
import { deleteObject, editObject, restoreObject } from '../propagation/propagation';
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

/** Creates a template of `resellerId` after validating it; its descendants receive it (spec 03 §2.2). Returns its id. */
export async function createNotificationTemplate(db: Db, input: NotificationTemplateInput, resellerId: number): Promise<number> {
  checked(() => validateTemplate(definition(input)));
  const row = await oneRow(db<Array<{ id: number }>>`
    insert into notification_templates (reseller_id, name, channel, event, recipients, versions, fallback_language)
    values (${resellerId}, ${input.name}, ${input.channel}, ${input.event}, ${JSON.stringify(input.recipients)}::jsonb, ${JSON.stringify(input.versions)}::jsonb, ${input.fallbackLanguage})
    returning id`);
  return row.id;
}

/**
 * Replaces a template as `resellerId` sees it (spec 03 §2.3): an inherited one becomes the reseller's own modified
 * copy, so upstream edits stop there; a shipped one becomes "modified", so upgrades leave it alone. A template
 * handlers use keeps its event and channel (their rules were checked against that event). Returns the row written.
 */
export async function replaceNotificationTemplate(db: Db, resellerId: number, id: number, input: NotificationTemplateInput): Promise<number> {
  checked(() => validateTemplate(definition(input)));
  return inTransaction(db, (tx) =>
    editObject(tx, templateKind, resellerId, id, async (rowId) => {
      const [current] = await tx<Array<Pick<TemplateDefinition, 'event' | 'channel'> & { key: number }>>`
        select event, channel, coalesce(origin_id, id) as key from notification_templates where id = ${rowId}`;
      if (input.event !== current!.event || input.channel !== current!.channel) {
        const [used] = await tx`select 1 from notification_handlers where template_id = ${current!.key} limit 1`;
        if (used) throw new AppError('template_in_use', 'handlers use this template: its event and channel cannot change');
      }
      await tx`
        update notification_templates set name = ${input.name}, channel = ${input.channel}, event = ${input.event},
               recipients = ${JSON.stringify(input.recipients)}::jsonb, versions = ${JSON.stringify(input.versions)}::jsonb,
               fallback_language = ${input.fallbackLanguage}
        where id = ${rowId}`;
    }),
  );
}

/** Back to the upstream's current template (spec 03 §2.5), or to the shipped text for a factory default. Returns the row now effective. */
export async function restoreNotificationTemplate(db: Db, resellerId: number, id: number): Promise<number> {
  return inTransaction(db, (tx) =>
    restoreObject(tx, templateKind, resellerId, id, async (rowId) => {
      const [row] = await tx<Array<{ default_key: string }>>`select default_key from notification_templates where id = ${rowId}`;
      const shipped = defaultTemplates.find((t) => t.key === row?.default_key);
      if (!shipped) throw new AppError('nothing_to_restore', `template ${rowId} is no longer shipped`);
      await tx`
        update notification_templates set name = ${shipped.name}, recipients = ${JSON.stringify(shipped.recipients)}::jsonb,
               versions = ${JSON.stringify(shipped.versions)}::jsonb, fallback_language = ${shipped.fallbackLanguage}
        where id = ${rowId}`;
    }),
  );
}

/** Deletes a template its reseller created, with its handlers; descendants that modified it keep it (spec 03 §4.8). */
export async function deleteNotificationTemplate(db: Db, resellerId: number, id: number): Promise<void> {
  await inTransaction(db, (tx) => deleteObject(tx, templateKind, resellerId, id));
}
