/**
 * The external vendor in a process of its own: the test suite's fake vendor (test/fakes/fake-vendor.ts,
 * the http-vendor protocol over real HTTP), so its work does not share an event loop with the worker or
 * the load generator. Prints `BENCH_READY {"url": ...}` once it listens.
 */
import { startFakeVendor } from '../test/fakes/fake-vendor';

const secret = process.env.BENCH_VENDOR_SECRET;
if (!secret) {
  console.error('BENCH_VENDOR_SECRET is required');
  process.exit(78);
}
const vendor = await startFakeVendor({ secret });
console.log(`BENCH_READY ${JSON.stringify({ url: vendor.url, pid: process.pid })}`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void vendor.close().finally(() => process.exit(0));
  });
}
