import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PluginError, type PluginCallContext } from '../contracts/plugin-contract';
import { createHttpVendorPlugin } from '../operations/plugins/adapters/http-vendor';
import { startDemoVendor, type DemoVendor } from './vendor';

/** The demo vendor answers the platform's own http-vendor plugin as the protocol says a vendor must. */
const secret = 'demo-secret';
let vendor: DemoVendor;
// The demo vendor listens on 127.0.0.1, which the egress policy refuses unless allow-listed.
const plugin = createHttpVendorPlugin({ egress: { allowHosts: ['127.0.0.1'] } });

beforeAll(async () => {
  vendor = await startDemoVendor({ secret });
});
afterAll(async () => vendor?.close());

function ctx(idempotencyKey: string, vendorReference: string | null = null, settings: Record<string, unknown> = {}): PluginCallContext {
  return {
    idempotencyKey,
    settings: { baseUrl: vendor.url, secret, timeoutMs: 2000, ...settings },
    subscription: { id: 1, clientId: 2, planId: 3, planSku: 'BACKUP-100', name: 'backup', vendorReference, startDate: '2027-01-01', expirationDate: '2027-02-01', resources: [] },
  };
}

describe('the demo vendor (npm run vendor:demo)', () => {
  it('creates a resource once per idempotency key and finds it by that key', async () => {
    const first = await plugin.create(ctx('order-1/5'), {});
    const retried = await plugin.create(ctx('order-1/5'), {});
    expect(retried.vendorReference).toBe(first.vendorReference);
    expect(vendor.resources.filter((r) => r.idempotencyKey === 'order-1/5')).toHaveLength(1);
    expect(await plugin.status(ctx('order-1/5'))).toMatchObject({ exists: true, vendorReference: first.vendorReference, state: 'active' });
    expect(await plugin.status(ctx('order-2/5'))).toMatchObject({ exists: false });
  });

  it('stops, activates and deletes, each once per key', async () => {
    const { vendorReference } = await plugin.create(ctx('order-3/5'), {});
    expect(await plugin.stop(ctx('sub-3-stop/1', vendorReference), {})).toMatchObject({ state: 'suspended' });
    expect(await plugin.activate(ctx('sub-3-activate/1', vendorReference), {})).toMatchObject({ state: 'active' });
    expect(await plugin.stop(ctx('sub-3-stop/1', vendorReference), {})).toMatchObject({ state: 'active' }); // a replay changes nothing
    expect(await plugin.delete(ctx('sub-3-delete/1', vendorReference), {})).toMatchObject({ state: 'deleted' });
  });

  it('tells whether the operation sent under a key took effect', async () => {
    const { vendorReference } = await plugin.create(ctx('order-5/5'), {});
    await plugin.stop(ctx('sub-5-stop/1', vendorReference), {});
    expect(await plugin.status(ctx('sub-5-stop/1', vendorReference), { operation: 'stop' })).toMatchObject({ exists: true, applied: true, state: 'suspended' });
    expect(await plugin.status(ctx('sub-5-activate/1', vendorReference), { operation: 'activate' })).toMatchObject({ exists: false, applied: false });
  });

  it('refuses a request signed with another secret', async () => {
    const err = await plugin.create(ctx('order-4/5', null, { secret: 'not-the-secret' }), {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PluginError);
    expect((err as PluginError).message).toMatch(/HTTP 401.*invalid signature/);
  });
});
