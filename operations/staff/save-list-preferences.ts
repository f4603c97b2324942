import type { Db } from '../../db/client';

export interface SaveListPreferencesInput {
  staffId: number;
  list: string;
  columns: string[];
  /** Null keeps the page size saved before. */
  pageSize: number | null;
}

/** Remembers a staff member's chosen columns (and page size, if given) for one list. */
export async function saveListPreferences(sql: Db, { staffId, list, columns, pageSize }: SaveListPreferencesInput): Promise<void> {
  await sql`
      insert into staff_list_preferences (staff_id, list, columns, page_size) values (${staffId}, ${list}, ${columns}, ${pageSize})
      on conflict (staff_id, list) do update set columns = excluded.columns, page_size = coalesce(excluded.page_size, staff_list_preferences.page_size), updated_at = now()`;
}
