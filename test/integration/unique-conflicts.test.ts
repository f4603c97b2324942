import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPlatform, type TestPlatform } from '../support/platform';

/**
 * Issue 16, point 9: a value that must be unique and is already taken answers 409 `conflict` naming the field that
 * clashed (`details: [{ path, code: 'unique' }]`), so a client (or a newcomer running the walkthrough twice) can
 * tell which one to change.
 */
let p: TestPlatform;

beforeAll(async () => {
  p = await createTestPlatform('unique-conflicts', { runWorker: false });
});
afterAll(async () => p?.close());

describe('a taken unique value', () => {
  it('names the clashing field of a service rule (its key) and changes nothing', async () => {
    expect((await p.api('POST', '/api/v1/service-rules', { key: 'standard', name: 'Standard' })).status).toBe(201);
    const again = await p.api('POST', '/api/v1/service-rules', { key: 'standard', name: 'Another' });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'conflict', details: [{ path: 'key', code: 'unique' }] });
    expect(again.body.message).toMatch(/\bkey\b/);
    const [row] = await p.sql<Array<{ count: number }>>`select count(*)::int as count from service_rules where key = 'standard'`;
    expect(row?.count).toBe(1);
  });

  it('tells a taken provisioning rule name from a taken key', async () => {
    expect((await p.api('POST', '/api/v1/provisioning-rules', { key: 'monthly', name: 'Monthly' })).status).toBe(201);
    const sameName = await p.api('POST', '/api/v1/provisioning-rules', { key: 'monthly_2', name: 'Monthly' });
    expect(sameName.status).toBe(409);
    expect(sameName.body).toMatchObject({ code: 'conflict', details: [{ path: 'name', code: 'unique' }] });
    const sameKey = await p.api('POST', '/api/v1/provisioning-rules', { key: 'monthly', name: 'Monthly 2' });
    expect(sameKey.body).toMatchObject({ code: 'conflict', details: [{ path: 'key', code: 'unique' }] });
  });

  it('spells the field as the API does (is_default is isDefault)', async () => {
    expect((await p.api('POST', '/api/v1/service-rules', { key: 'first_default', name: 'First', isDefault: true })).status).toBe(201);
    const second = await p.api('POST', '/api/v1/service-rules', { key: 'second_default', name: 'Second', isDefault: true });
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({ code: 'conflict', details: [{ path: 'isDefault', code: 'unique' }] });
  });

  it('names the field on routes that write with plain SQL too (a staff e-mail)', async () => {
    const staff = { name: 'Ann', email: 'ann@example.com', role: 'support' };
    expect((await p.api('POST', '/api/v1/staff', staff)).status).toBe(201);
    const again = await p.api('POST', '/api/v1/staff', { ...staff, name: 'Ann Again' });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'conflict', details: [{ path: 'email', code: 'unique' }] });
  });
});
