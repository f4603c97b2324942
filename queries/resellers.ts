import type { Db } from '../db/client';

export interface ResellerRow {
  id: number;
  parentId: number | null;
  parentName: string | null;
  name: string;
  currency: string;
  managerId: number | null;
  /** Levels below the viewer's reseller (1: a direct child). */
  level: number;
  createdAt: string;
}

/** The row's columns; its level is counted from the viewer's reseller, whose depth the same statement reads. */
const columns = (db: Db, viewerId: number) => db`
  r.id, r.parent_id as "parentId", p.name as "parentName", r.name, r.currency, r.manager_id as "managerId",
  array_length(r.path, 1) - (select array_length(v.path, 1) from resellers v where v.id = ${viewerId}) as level, r.created_at as "createdAt"`;

/** The viewer's reseller's descendants at every level (spec 05 §7.2: the reseller list), in id order, a page at a time. */
export async function listResellers(db: Db, viewer: { resellerId: number }, page: { after?: number | undefined; limit: number }): Promise<ResellerRow[]> {
  return db<ResellerRow[]>`
    select ${columns(db, viewer.resellerId)}
    from resellers r left join resellers p on p.id = r.parent_id
    where r.path @> array[${viewer.resellerId}::int] and r.id <> ${viewer.resellerId} and r.id > ${page.after ?? 0}
    order by r.id limit ${page.limit + 1}`;
}

/** One reseller, when it is the viewer's own or one of its descendants (else null: outside the subtree is not found). */
export async function findReseller(db: Db, viewer: { resellerId: number }, id: number): Promise<ResellerRow | null> {
  const [row] = await db<ResellerRow[]>`
    select ${columns(db, viewer.resellerId)}
    from resellers r left join resellers p on p.id = r.parent_id
    where r.id = ${id} and r.path @> array[${viewer.resellerId}::int]`;
  return row ?? null;
}
