import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chaosSeed, expectConsistent, orderCount, placeOrders, say, seededRandom, startChaosPlatform, waitForOrdersCompleted, type ChaosPlatform } from './harness';

/** The plugin gives up on a vendor call after this long; slow answers take longer and are processed anyway. */
const VENDOR_TIMEOUT_MS = 1_000;

let p: ChaosPlatform;
beforeAll(async () => {
  const random = seededRandom(chaosSeed('vendor-failures'));
  p = await startChaosPlatform('vendor-failures', { vendorFaults: { rate: 0.3, slowMs: 2 * VENDOR_TIMEOUT_MS + 500, random } });
});
afterAll(async () => {
  await p?.close();
});

describe('chaos: the vendor fails 30% of calls with 5xx answers or timeouts', () => {
  it('every order completes through retries, with exactly one resource per order', async () => {
    const started = Date.now();
    const faults = () => {
      const calls = p.vendor.calls;
      return { calls: calls.length, errors: calls.filter((c) => c.fault === 'error').length, slow: calls.filter((c) => c.fault === 'slow').length };
    };
    const placed = await placeOrders(p, { orders: orderCount(200), vendorTimeoutMs: VENDOR_TIMEOUT_MS });
    say(p.name, `${placed.orderIds.length} orders placed in ${Math.round(placed.placedMs / 1000)} s`);
    await waitForOrdersCompleted(p, placed.orderIds, {
      progress: () => {
        const f = faults();
        return `vendor calls ${f.calls}: ${f.errors} answered 5xx, ${f.slow} slow`;
      },
    });
    const f = faults();
    say(p.name, `all completed in ${Math.round((Date.now() - started) / 1000)} s; of ${f.calls} vendor calls ${f.errors} answered 5xx and ${f.slow} were slow`);

    expect(f.errors).toBeGreaterThan(0);
    expect(f.slow).toBeGreaterThan(0);
    expect((f.errors + f.slow) / f.calls).toBeGreaterThan(0.15);
    // The plugin recorded the failed attempts it retried.
    const [attempts] = await p.sql<Array<{ failed: number }>>`select count(*)::int as failed from step_attempts where status = 'failed'`;
    expect(attempts!.failed).toBeGreaterThan(0);
    await expectConsistent(p, placed);
  });
});
