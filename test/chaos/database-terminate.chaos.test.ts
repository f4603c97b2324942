import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chaosSeed, expectConsistent, orderCount, placeOrders, repeatFault, say, seededRandom, startChaosPlatform, waitForOrdersCompleted, type ChaosPlatform, type RepeatedFault } from './harness';

let p: ChaosPlatform;
beforeAll(async () => {
  p = await startChaosPlatform('database-terminate');
});
afterAll(async () => {
  await p?.close();
});

describe("chaos: PostgreSQL terminates the platform's connections mid-run", () => {
  it('activities retry and every order completes once, with no duplicate rows', async () => {
    const random = seededRandom(chaosSeed(p.name));
    const started = Date.now();
    let rounds = 0;
    let terminated = 0;
    let terminations: RepeatedFault | undefined;
    try {
      const placed = await placeOrders(p, {
        orders: orderCount(200),
        // Every connection of the worker and the API, whatever it is doing, every 1-4 s from the first order on.
        beforeOrders: () => {
          terminations = repeatFault(
            async () => {
              const rows = await p.sql<Array<{ ok: boolean }>>`
                select pg_terminate_backend(pid) as ok from pg_stat_activity
                where datname = current_database() and application_name in ('billing-worker', 'billing-api') and pid <> pg_backend_pid()`;
              rounds += 1;
              terminated += rows.filter((r) => r.ok).length;
            },
            { minMs: 1_000, maxMs: 4_000, random },
          );
        },
      });
      say(p.name, `${placed.orderIds.length} orders placed in ${Math.round(placed.placedMs / 1000)} s`);
      await waitForOrdersCompleted(p, placed.orderIds, { progress: () => `${terminated} connections terminated in ${rounds} rounds` });
      await terminations?.stop();
      say(p.name, `all completed in ${Math.round((Date.now() - started) / 1000)} s; ${terminated} connections terminated in ${rounds} rounds`);

      expect(terminated).toBeGreaterThan(0);
      await expectConsistent(p, placed);
    } finally {
      await terminations?.stop().catch(() => {});
    }
  });
});
