import type { Sql } from '../../db/client';
import { logEvent } from '../event-log/event-log';

export interface SettingChange {
  key: string;
  value: unknown;
  /** The staff member who changed it. */
  by: number;
  /** What the event log shows of the change; never a secret. */
  changes: Record<string, unknown>;
}

/** Stores one platform setting and logs who changed it, in one transaction. */
export async function saveSetting(sql: Sql, { key, value, by, changes }: SettingChange): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`insert into settings (key, value) values (${key}, ${JSON.stringify(value)}::jsonb)
             on conflict (key) do update set value = excluded.value, updated_at = now()`;
    await logEvent(tx, { actorId: by, viaApi: true, entityKind: 'settings', entityId: key, action: 'changed', changes });
  });
}
