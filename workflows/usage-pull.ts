import { workflowInfo } from '@temporalio/workflow';
import type { UsagePullInput } from '../contracts/scenarios';
import { usageActivities } from './activities';
import { startDetached } from './detached';
import { Scenario } from './engine/scenario';
import { blockSubscription } from './subscription-operations';

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
  let debtGrew = false;
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
      debtGrew ||= (page?.postpaySubscriptions.length ?? 0) > 0;
      if (page && !page.hasMore) break;
    }
    if (debtGrew) await blockOverCreditLimit(s, subscriptionId);
  });
  return { pages, records };
}

/** Postpay usage over the credit limit blocks the subscription (spec 01 §15.2), as the push route does. */
async function blockOverCreditLimit(s: Scenario, subscriptionId: number): Promise<void> {
  const actions = (await s.step('Compare the debt with the credit limit', () => usageActivities.usageCreditLimitActions({ subscriptionId })))!;
  const block = actions?.find((a) => a.operation === 'block');
  if (!block) return;
  await s.step('Start the credit-limit block', async () => ({
    started: await startDetached(blockSubscription, `subscription-${subscriptionId}-block-credit-usage-${workflowInfo().workflowId}`, [
      { subscriptionId, reason: 'credit limit exceeded', comment: `debt ${block.debt}, limit ${block.limit}`, by: null },
    ]),
  }));
}
