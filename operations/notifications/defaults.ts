import type { Sql } from '../../db/client';
import { defaultTemplates } from '../../domain/notifications/default-templates';

/**
 * Installs the templates shipped with the platform (at API start): a missing one is created; one the
 * operator never edited follows the shipped text; one the operator edited (`modified`) is left alone, so an
 * upgrade never overwrites an operator's work. Returns how many were created and updated.
 */
export async function installDefaultTemplates(sql: Sql): Promise<{ created: number; updated: number }> {
  let created = 0;
  let updated = 0;
  for (const t of defaultTemplates) {
    const recipients = JSON.stringify(t.recipients);
    const versions = JSON.stringify(t.versions);
    const [row] = await sql<Array<{ inserted: boolean; changed: boolean }>>`
      insert into notification_templates (name, channel, event, recipients, versions, fallback_language, default_key)
      values (${t.name}, ${t.channel}, ${t.event}, ${recipients}::jsonb, ${versions}::jsonb, ${t.fallbackLanguage}, ${t.key})
      on conflict (default_key) do update set name = excluded.name, recipients = excluded.recipients, versions = excluded.versions,
        fallback_language = excluded.fallback_language, updated_at = now()
      where not notification_templates.modified
        and (notification_templates.versions <> excluded.versions or notification_templates.recipients <> excluded.recipients
             or notification_templates.name <> excluded.name or notification_templates.fallback_language <> excluded.fallback_language)
      returning (xmax = 0) as inserted, true as changed`;
    if (row?.inserted) created += 1;
    else if (row?.changed) updated += 1;
  }
  return { created, updated };
}
