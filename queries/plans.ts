import type { Db } from '../db/client';

/** A plan's name, or null if there is no such plan. */
export async function planName(sql: Db, planId: number): Promise<string | null> {
  const [plan] = await sql<Array<{ name: string }>>`select name from plans where id = ${planId}`;
  return plan?.name ?? null;
}
