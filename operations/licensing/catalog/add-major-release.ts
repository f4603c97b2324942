import type { Db } from '../../../db/client';
import { notFound } from '../refusals';

/**
 * Records that a product's major `major` is (or will be) released on `releasedAt` (spec 04 §1.2 `majorReleases`),
 * replacing an earlier date for the same major. A date in the future is "not out yet" for §5.3 quotes until it comes.
 */
export async function addMajorRelease(db: Db, input: { productId: number; major: number; releasedAt: string }): Promise<{ majorReleases: Array<{ major: number; releasedAt: string }> }> {
  const [row] = await db<Array<{ major_releases: Array<{ major: number; releasedAt: string }> }>>`
    update licensing_products set major_releases = (
        select coalesce(jsonb_agg(r order by (r->>'major')::int), '[]'::jsonb)
        from (select r from jsonb_array_elements(major_releases) r where (r->>'major')::int <> ${input.major}
              union all select ${JSON.stringify({ major: input.major, releasedAt: input.releasedAt })}::jsonb) x(r)),
      updated_at = now()
    where id = ${input.productId} returning major_releases`;
  if (!row) throw notFound('product', input.productId);
  return { majorReleases: row.major_releases };
}
