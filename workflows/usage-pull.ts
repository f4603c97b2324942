import type { UsagePullInput } from '../contracts/scenarios';
import { usageActivities } from './activities';
import { Scenario } from './engine/scenario';

/**
 * A usage pull (issue 20, spec 02 §16 item 11): the `usage` plugin operation of a pay-as-you-go (external)
 * subscription, page after page until the vendor has no more, each page a task of the scenario (its progress in the
 * step tree: records fetched, accepted, duplicates). The cursor lives in PostgreSQL and moves with each page's
 * records, so a worker killed mid-pull resumes where the last committed page ended, without a gap or a duplicate.
 */
export async function usagePull({ subscriptionId, maxPages = 100 }: UsagePullInput): Promise<{ pages: number; records: number }> {
  const s = new Scenario({ type: 'usage_pull', subject: { kind: 'subscription', id: String(subscriptionId) } });
  let pages = 0;
  let records = 0;
  await s.run(async () => {
    for (let i = 1; i <= maxPages; i++) {
      const page = await s.task(`Pull usage page ${i}`, ({ idempotencyKey }) => usageActivities.pullUsagePage({ subscriptionId, idempotencyKey }), {
        summarize: (r) => {
          const p = r as { fetched: number; accepted: number; duplicates: number; rejected: number; pages: number };
          return { fetched: p.fetched, accepted: p.accepted, duplicates: p.duplicates, rejected: p.rejected, pagesSoFar: p.pages };
        },
      });
      pages += 1;
      records += page?.fetched ?? 0;
      if (page && !page.hasMore) break;
    }
  });
  return { pages, records };
}
