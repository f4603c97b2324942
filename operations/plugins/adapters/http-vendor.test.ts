import { createHmac } from 'node:crypto';
import { createServer } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeVendor, type FakeVendor } from '../../../test/fakes/fake-vendor';
import { PluginError, invokePlugin, type PluginCallContext, type PluginSubscription } from '../../../contracts/plugin-contract';
import { createHttpVendorPlugin } from './http-vendor';
import { signVendorRequest } from './http-vendor-protocol';

const SECRET = 'test-secret-0f3c9a';

let vendor: FakeVendor;
// The fake vendor listens on 127.0.0.1, which the egress policy refuses unless allow-listed.
const plugin = createHttpVendorPlugin({ egress: { allowHosts: ['127.0.0.1'] } });

beforeAll(async () => {
  vendor = await startFakeVendor({ secret: SECRET });
});
afterAll(async () => {
  await vendor.close();
});
afterEach(async () => {
  await vendor.whenIdle();
  vendor.reset();
});

function subscription(overrides: Partial<PluginSubscription> = {}): PluginSubscription {
  return {
    id: 42,
    clientId: 7,
    planId: 3,
    planSku: 'VPS-S',
    name: 'vps for acme',
    vendorReference: null,
    startDate: '2025-01-01',
    expirationDate: '2025-02-01',
    resources: [{ key: 'ram_gb', quantity: 4 }],
    ...overrides,
  };
}

function ctx(overrides: Partial<PluginCallContext> & { sub?: Partial<PluginSubscription> } = {}): PluginCallContext {
  const { sub, ...rest } = overrides;
  return {
    idempotencyKey: 'wf-1/steps/0.create',
    settings: { baseUrl: vendor.url, secret: SECRET, timeoutMs: 2000 },
    subscription: subscription(sub),
    ...rest,
  };
}

/** Awaits a rejection and hands back the PluginError so tests can inspect class and details. */
async function pluginError(promise: Promise<unknown>): Promise<PluginError> {
  const err = await promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PluginError);
  return err as PluginError;
}

describe('signVendorRequest', () => {
  it('is HMAC-SHA256 over "timestamp.METHOD.path.body" in hex with a sha256= prefix', () => {
    const expected = createHmac('sha256', 'k').update('1700000000.POST./resources?x=1.{"a":1}').digest('hex');
    expect(
      signVendorRequest({ secret: 'k', timestamp: 1700000000, method: 'post', path: '/resources?x=1', body: '{"a":1}' }),
    ).toBe(`sha256=${expected}`);
  });
});

describe('http-vendor create', () => {
  it('creates one resource, signs the request and returns the vendor reference', async () => {
    const result = await plugin.create(ctx(), { region: 'eu-1' });

    expect(result.vendorReference).toMatch(/^res-/);
    expect(result.state).toBe('active');
    expect(result.responseExcerpt).toContain(result.vendorReference);

    expect(vendor.resources).toHaveLength(1);
    const resource = vendor.resources[0]!;
    expect(resource.id).toBe(result.vendorReference);
    expect(resource.idempotencyKey).toBe('wf-1/steps/0.create');
    expect(resource.body).toEqual({
      subscriptionId: 42,
      clientId: 7,
      planSku: 'VPS-S',
      name: 'vps for acme',
      resources: [{ key: 'ram_gb', quantity: 4 }],
      region: 'eu-1',
    });

    const [call] = vendor.callsFor('create');
    expect(call).toMatchObject({
      method: 'POST',
      path: '/resources',
      idempotencyKey: 'wf-1/steps/0.create',
      signatureValid: true,
      status: 201,
    });
    expect(call!.authorization).toBeNull();
  });

  it('keeps one resource when the same idempotency key is sent twice', async () => {
    const first = await plugin.create(ctx(), {});
    const second = await plugin.create(ctx(), {});
    expect(second.vendorReference).toBe(first.vendorReference);
    expect(vendor.resources).toHaveLength(1);

    const other = await plugin.create(ctx({ idempotencyKey: 'wf-2/steps/0.create' }), {});
    expect(other.vendorReference).not.toBe(first.vendorReference);
    expect(vendor.resources).toHaveLength(2);
  });

  it('sends the api key as a bearer token when configured', async () => {
    const guarded = await startFakeVendor({ secret: SECRET, apiKey: 'api-key-123' });
    try {
      const settings = { baseUrl: guarded.url, secret: SECRET, apiKey: 'api-key-123' };
      await expect(plugin.create(ctx({ settings }), {})).resolves.toMatchObject({ state: 'active' });
      expect(guarded.calls[0]!.authorization).toBe('Bearer api-key-123');

      const err = await pluginError(plugin.create(ctx({ settings: { baseUrl: guarded.url, secret: SECRET } }), {}));
      expect(err.errorClass).toBe('permanent');
      expect(err.details.httpStatus).toBe(401);
    } finally {
      await guarded.close();
    }
  });
});

describe('http-vendor error classification', () => {
  it('treats 503 as transient, and a retry with the same key then creates exactly one resource', async () => {
    vendor.failNext(1, 503);
    const err = await pluginError(plugin.create(ctx(), {}));
    expect(err.errorClass).toBe('transient');
    expect(err.details.httpStatus).toBe(503);
    expect(err.details.responseExcerpt).toContain('injected failure');
    expect(vendor.resources).toHaveLength(0);

    const retry = await plugin.create(ctx(), {});
    expect(retry.vendorReference).toBeDefined();
    expect(vendor.resources).toHaveLength(1);
  });

  it.each([500, 429, 408])('treats HTTP %i as transient', async (status) => {
    vendor.failNext(1, status);
    const err = await pluginError(plugin.create(ctx(), {}));
    expect(err.errorClass).toBe('transient');
    expect(err.details.httpStatus).toBe(status);
  });

  it('treats 422 as permanent and carries the vendor message', async () => {
    vendor.rejectNext(1, 422, 'plan VPS-S is sold out');
    const err = await pluginError(plugin.create(ctx(), {}));
    expect(err.errorClass).toBe('permanent');
    expect(err.message).toContain('plan VPS-S is sold out');
    expect(err.details.httpStatus).toBe(422);
    expect(err.details.responseExcerpt).toContain('sold out');
    expect(vendor.resources).toHaveLength(0);
  });

  it('times out as transient, while the vendor still acts once its delay ends', async () => {
    vendor.delayNext(1, 400);
    const err = await pluginError(plugin.create(ctx({ settings: { baseUrl: vendor.url, secret: SECRET, timeoutMs: 100 } }), {}));
    expect(err.errorClass).toBe('transient');
    expect(err.details.code).toBe('timeout');

    await vendor.whenIdle();
    expect(vendor.resources).toHaveLength(1);
    // The idempotency key is what makes retrying a timed-out create safe.
    const retry = await plugin.create(ctx(), {});
    expect(retry.vendorReference).toBe(vendor.resources[0]!.id);
    expect(vendor.resources).toHaveLength(1);
  });

  it('treats cancellation through ctx.signal as transient', async () => {
    vendor.delayNext(1, 300);
    const controller = new AbortController();
    const pending = plugin.create(ctx({ signal: controller.signal }), {});
    setTimeout(() => controller.abort(), 50);
    const err = await pluginError(pending);
    expect(err.errorClass).toBe('transient');
    expect(err.details.code).toBe('cancelled');
  });

  it('reports unknown_outcome when the connection drops after the vendor processed the create; status finds it by key', async () => {
    vendor.dropAfterProcessingNext(1);
    const err = await pluginError(plugin.create(ctx(), {}));
    expect(err.errorClass).toBe('unknown_outcome');
    expect(vendor.resources).toHaveLength(1);
    expect(vendor.calls[0]!.dropped).toBe(true);

    const status = await plugin.status(ctx());
    expect(status).toMatchObject({ exists: true, vendorReference: vendor.resources[0]!.id, state: 'active' });
    expect(vendor.callsFor('status')[0]!.path).toBe(`/resources/by-key/${encodeURIComponent('wf-1/steps/0.create')}`);
  });

  it('treats a dropped status read as transient: a GET cannot have changed anything', async () => {
    vendor.dropAfterProcessingNext(1);
    const err = await pluginError(plugin.status(ctx()));
    expect(err.errorClass).toBe('transient');
  });

  it('treats connection refused as transient', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const err = await pluginError(plugin.create(ctx({ settings: { baseUrl: `http://127.0.0.1:${port}`, secret: SECRET } }), {}));
    expect(err.errorClass).toBe('transient');
    expect(err.details.code).toBe('ECONNREFUSED');
  });

  it('fails permanently on a wrong secret because the vendor refuses the signature', async () => {
    const err = await pluginError(plugin.create(ctx({ settings: { baseUrl: vendor.url, secret: 'wrong-secret' } }), {}));
    expect(err.errorClass).toBe('permanent');
    expect(err.details.httpStatus).toBe(401);
    expect(vendor.calls).toHaveLength(1);
    expect(vendor.calls[0]!.signatureValid).toBe(false);
    expect(vendor.resources).toHaveLength(0);
  });

  it('keeps the secret out of messages and excerpts even when the vendor echoes it', async () => {
    vendor.rejectNext(1, 400, `bad request signed with ${SECRET}`);
    const err = await pluginError(plugin.create(ctx(), {}));
    expect(err.message).not.toContain(SECRET);
    expect(err.details.responseExcerpt).not.toContain(SECRET);
    expect(err.message).toContain('[redacted]');
  });
});

describe('http-vendor settings and preconditions', () => {
  it.each([
    ['missing secret', { baseUrl: 'http://127.0.0.1:1' }, 'secret'],
    ['not a URL', { baseUrl: 'vendor.example', secret: SECRET }, 'baseUrl'],
    ['not http', { baseUrl: 'ftp://vendor.example', secret: SECRET }, 'baseUrl'],
    ['bad timeout', { baseUrl: 'http://127.0.0.1:1', secret: SECRET, timeoutMs: -5 }, 'timeoutMs'],
    ['numeric secret', { baseUrl: 'http://127.0.0.1:1', secret: 12345 }, 'secret'],
  ])('rejects invalid settings (%s) as permanent without calling the vendor', async (_label, settings, field) => {
    const err = await pluginError(plugin.create(ctx({ settings }), {}));
    expect(err.errorClass).toBe('permanent');
    expect(err.message).toContain('invalid settings');
    expect(err.message).toContain(field);
    expect(err.message).not.toContain(SECRET);
    expect(vendor.calls).toHaveLength(0);
  });

  it.each(['renew', 'prolong', 'change_resources', 'switch_plan', 'stop', 'activate', 'delete'] as const)(
    'refuses %s without a vendor reference as permanent',
    async (operation) => {
      const err = await pluginError(invokePlugin(plugin, operation, ctx(), {}));
      expect(err.errorClass).toBe('permanent');
      expect(err.details.code).toBe('missing_vendor_reference');
      expect(vendor.calls).toHaveLength(0);
    },
  );
});

describe('http-vendor lifecycle', () => {
  it('stops, activates and deletes, and the fake follows the states', async () => {
    const { vendorReference } = await plugin.create(ctx(), {});
    const on = (step: string) => ctx({ idempotencyKey: `wf-1/steps/${step}`, sub: { vendorReference: vendorReference! } });

    await expect(plugin.stop(on('1.stop'), {})).resolves.toMatchObject({ vendorReference, state: 'suspended' });
    expect(vendor.resource(vendorReference!)!.state).toBe('suspended');

    await expect(plugin.activate(on('2.activate'), {})).resolves.toMatchObject({ state: 'active' });
    expect(vendor.resource(vendorReference!)!.state).toBe('active');

    await expect(plugin.delete(on('3.delete'), {})).resolves.toMatchObject({ state: 'deleted' });
    expect(vendor.resource(vendorReference!)!.state).toBe('deleted');

    expect(vendor.calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      'POST /resources',
      `POST /resources/${vendorReference}/stop`,
      `POST /resources/${vendorReference}/activate`,
      `DELETE /resources/${vendorReference}`,
    ]);
    expect(vendor.calls.every((c) => c.signatureValid)).toBe(true);
    expect(vendor.callsFor('delete')[0]!.body).toBe('');
  });

  it('sends renew, prolong, change-resources and switch-plan to their routes and keeps the resource active', async () => {
    const { vendorReference } = await plugin.create(ctx(), {});
    const on = (step: string) => ctx({ idempotencyKey: `wf-1/steps/${step}`, sub: { vendorReference: vendorReference! } });

    await plugin.renew(on('1'), { period: 'P1M' });
    await plugin.prolong(on('2'), { days: 3 });
    await plugin.changeResources(on('3'), { resources: [{ key: 'ram_gb', quantity: 8 }] });
    await plugin.switchPlan(on('4'), { planSku: 'VPS-M' });
    // Same key again: the vendor must not apply the renew twice.
    await plugin.renew(on('1'), { period: 'P1M' });

    const resource = vendor.resource(vendorReference!)!;
    expect(resource.state).toBe('active');
    expect(resource.operations.map((op) => op.operation)).toEqual(['renew', 'prolong', 'change_resources', 'switch_plan']);
    expect(resource.operations[0]!.body).toMatchObject({ subscriptionId: 42, period: 'P1M' });
    expect(resource.operations[2]!.body).toMatchObject({ resources: [{ key: 'ram_gb', quantity: 8 }] });
    expect(resource.operations[3]!.body).toMatchObject({ planSku: 'VPS-M' });
    expect(vendor.callsFor((c) => c.method === 'POST').map((c) => c.path.split('/').pop())).toEqual([
      'resources',
      'renew',
      'prolong',
      'change-resources',
      'switch-plan',
      'renew',
    ]);
  });

  it('reports status by reference and by key, with 404 meaning "does not exist"', async () => {
    await expect(plugin.status(ctx())).resolves.toMatchObject({ exists: false });

    const { vendorReference } = await plugin.create(ctx(), {});
    await expect(plugin.status(ctx())).resolves.toMatchObject({ exists: true, vendorReference, state: 'active' });
    await expect(
      plugin.status(ctx({ idempotencyKey: 'unrelated', sub: { vendorReference: vendorReference! } })),
    ).resolves.toMatchObject({ exists: true, vendorReference, state: 'active' });
    await expect(plugin.status(ctx({ sub: { vendorReference: 'res-999999' } }))).resolves.toMatchObject({
      exists: false,
    });
  });

  it('reports whether an operation sent under a key took effect (the reconciliation of a lost answer)', async () => {
    const { vendorReference } = await plugin.create(ctx(), {});
    const renewal = ctx({ idempotencyKey: 'order-9/3', sub: { vendorReference: vendorReference! } });
    await expect(plugin.status(renewal, { operation: 'renew' })).resolves.toMatchObject({ applied: false });

    await plugin.renew(renewal, {});
    await expect(plugin.status(renewal, { operation: 'renew' })).resolves.toMatchObject({ applied: true, exists: true, vendorReference, state: 'active' });
    // The key is the renewal's: another operation under it, or another key, took no effect.
    await expect(plugin.status(renewal, { operation: 'stop' })).resolves.toMatchObject({ applied: false });
    await expect(plugin.status({ ...renewal, idempotencyKey: 'order-9/4' }, { operation: 'renew' })).resolves.toMatchObject({ applied: false });
    // Without a vendor reference nothing can have been sent; the vendor is not asked.
    const before = vendor.calls.length;
    await expect(plugin.status(ctx({ idempotencyKey: 'order-9/3' }), { operation: 'renew' })).resolves.toMatchObject({ applied: false });
    expect(vendor.calls).toHaveLength(before);
    expect(vendor.callsFor('status').map((c) => c.path)).toContain(
      `/resources/${vendorReference}/operations/${encodeURIComponent('order-9/3')}?operation=renew`,
    );
    expect(vendor.callsFor('status').every((c) => c.method === 'GET' && c.signatureValid)).toBe(true);
  });
});
