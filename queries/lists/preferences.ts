import type { Db } from '../../db/client';

export interface ListPreferences {
  columns: string[];
  pageSize: number | null;
}

/** The columns and page size a staff member chose for a list, or null if none were saved. */
export async function listPreferencesOf(sql: Db, staffId: number, list: string): Promise<ListPreferences | null> {
  const [row] = await sql<Array<{ columns: string[]; page_size: number | null }>>`
    select columns, page_size from staff_list_preferences where staff_id = ${staffId} and list = ${list}`;
  return row ? { columns: row.columns, pageSize: row.page_size } : null;
}
