import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkLedger } from '../../operations/ledger/ledger-check';
import { chaosSeed, repeatFault, say, seededRandom, sleep, startChaosPlatform, type ChaosPlatform, type RepeatedFault } from './harness';

// Issue 20: a usage_external pull that crashes mid-cursor (the worker killed with SIGKILL while pages are pulled and
// ingested) resumes without a gap or a duplicate: every record the vendor metered is stored once, the cursor ends at
// the last record, and the usage charge holds exactly the records' Δ, blocked once through the ledger.

let p: ChaosPlatform;
beforeAll(async () => {
  p = await startChaosPlatform('usage-pull-worker-kill');
});
afterAll(async () => {
  await p?.close();
});

const RECORDS = 30_000;

async function until<T>(what: string, check: () => Promise<T | null>, timeoutMs = 600_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await check();
    if (found !== null) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

describe('chaos: the worker is killed with SIGKILL during a usage pull', () => {
  it('the pull resumes from its cursor: every metered record stored once, no gap, billed once', async () => {
    const random = seededRandom(chaosSeed(p.name));
    const rule = (await p.api('POST', '/api/v1/service-rules', { key: 'usage_chaos', name: 'Usage chaos' })).body;
    const provisioning = (await p.api('POST', '/api/v1/provisioning-rules', { key: 'usage_chaos', name: 'Usage chaos' })).body;
    const product = (await p.api('POST', '/api/v1/products', { name: 'Cloud' })).body;
    const template = (await p.api('POST', '/api/v1/service-templates', { name: 'Cloud', plugin: 'http-vendor', settings: { baseUrl: p.vendor.url, secret: p.vendorSecret, timeoutMs: 5000 } })).body;
    const plan = (await p.api('POST', '/api/v1/plans', {
      productId: product.id, serviceTemplateId: template.id, provisioningRuleId: provisioning.id, name: 'Cloud by the hour', billingType: 'usage_external',
      periods: [{ duration: 1, unit: 'month', unlimited: true, setupFee: 0, recurringFee: 0 }], resources: [{ key: 'cpu', name: 'vCPU' }],
    })).body;
    const client = (await p.api('POST', '/api/v1/clients', { name: 'Metered Ltd', serviceRuleId: rule.id })).body;
    await p.api('POST', `/api/v1/clients/${client.id}/top-ups`, { amount: 100_000_000 });
    const order = (await p.api('POST', '/api/v1/orders', { clientId: client.id, planPeriodId: plan.periods[0].id })).body;
    const sub = await until('the subscription', async () => {
      const o = (await p.api('GET', `/api/v1/orders/${order.id}`)).body;
      if (o.status !== 'completed') return null;
      return (await p.api('GET', `/api/v1/subscriptions/${o.subscriptionId}`)).body as { id: number; vendorReference: string; startDate: string };
    });
    p.vendor.addUsage(sub.vendorReference, Array.from({ length: RECORDS }, (_, i) => ({ recordId: `m-${i}`, resource: 'cpu', quantity: 1 + (i % 3), usedAt: sub.startDate, periodDays: 1, unitPrice: 30 })));

    const started = await p.api('POST', `/api/v1/subscriptions/${sub.id}/usage-pull`, { maxPages: 1000 });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    let kills: RepeatedFault | undefined = repeatFault(
      async () => {
        await p.worker.kill('SIGKILL');
        await p.worker.start();
      },
      { minMs: 1_000, maxMs: 3_000, firstMs: 500, random },
    );
    try {
      await until('the pull to complete', async () => {
        const [s] = await p.sql<Array<{ status: string }>>`select status from scenarios where id = ${started.body.scenarioId}`;
        return s?.status === 'completed' ? true : null;
      });
      await kills.stop();
      kills = undefined;
    } finally {
      await kills?.stop().catch(() => {});
    }
    say(p.name, `pull completed with ${p.worker.kills} worker kills`);
    expect(p.worker.kills).toBeGreaterThan(0);

    const [stored] = await p.sql<Array<{ n: number; distinct: number; amount: string }>>`
      select count(*)::int as n, count(distinct record_id)::int as distinct, sum(amount)::text as amount from usage_records where subscription_id = ${sub.id}`;
    expect(stored).toMatchObject({ n: RECORDS, distinct: RECORDS });
    const [cursor] = await p.sql<Array<{ cursor: string; records: number }>>`select cursor, records::int from usage_pulls where subscription_id = ${sub.id}`;
    expect(cursor).toEqual({ cursor: String(RECORDS), records: RECORDS });
    // Σ Δ = Σ quantity × 30 × 1 / 30 = Σ quantity = 10,000 × (1 + 2 + 3).
    const [charge] = await p.sql<Array<{ amount: number }>>`select sum(amount)::int as amount from charges where subscription_id = ${sub.id} and kind = 'usage'`;
    expect(charge!.amount).toBe(60_000);
    expect((await checkLedger(p.sql)).discrepancies).toEqual([]);
  });
});
