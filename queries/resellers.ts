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

const columns = (db: Db, viewerDepth: number) => db`
  r.id, r.parent_id as "parentId", p.name as "parentName", r.name, r.currency, r.manager_id as "managerId",
  array_length(r.path, 1) - ${viewerDepth} as level, r.created_at as "createdAt"`;

/** The viewer's reseller's descendants at every level (spec 05 §7.2: the reseller list), in id order, a page at a time. */
export async function listResellers(db: Db, viewer: { resellerId: number }, page: { after?: number | undefined; limit: number }): Promise<ResellerRow[]> {
  const depth = await depthOf(db, viewer.resellerId);
  return db<ResellerRow[]>`
    select ${columns(db, depth)}
    from resellers r left join resellers p on p.id = r.parent_id
    where r.path @> array[${viewer.resellerId}::int] and r.id <> ${viewer.resellerId} and r.id > ${page.after ?? 0}
    order by r.id limit ${page.limit + 1}`;
}

/** One reseller, when it is the viewer's own or one of its descendants (else null: outside the subtree is not found). */
export async function findReseller(db: Db, viewer: { resellerId: number }, id: number): Promise<ResellerRow | null> {
  const depth = await depthOf(db, viewer.resellerId);
  const [row] = await db<ResellerRow[]>`
    select ${columns(db, depth)}
    from resellers r left join resellers p on p.id = r.parent_id
    where r.id = ${id} and r.path @> array[${viewer.resellerId}::int]`;
  return row ?? null;
}

async function depthOf(db: Db, resellerId: number): Promise<number> {
  const [row] = await db<Array<{ depth: number }>>`select array_length(path, 1) as depth from resellers where id = ${resellerId}`;
  return row?.depth ?? 1;
}
