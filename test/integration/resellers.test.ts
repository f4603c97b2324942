import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maxResellerDepth } from '../../domain/resellers';
import { createTestPlatform, type TestPlatform } from '../support/platform';

// Issue 21, first part: the tenant tree through the API (spec 05 §1, §7.2). Operator → A → A1, and B beside A. A
// staff member belongs to a reseller; until resellers have staff of their own (the rest of issue 21), the test
// moves one of the operator's staff to A in the database to see the tree from A.

let p: TestPlatform;
beforeAll(async () => {
  p = await createTestPlatform('resellers');
});
afterAll(async () => p?.close());

const create = (body: Record<string, unknown>, token?: string) => p.api('POST', '/api/v1/resellers', body, token === undefined ? {} : { token });

describe('the tenant tree (spec 05 §1)', () => {
  it('operator → A → A1 and B: the list shows every descendant level with its parent; A sees only its subtree', async () => {
    const a = await create({ name: 'Reseller A', currency: 'EUR' });
    expect(a.status, JSON.stringify(a.body)).toBe(201);
    expect(a.body).toMatchObject({ name: 'Reseller A', parentId: 1, parentName: 'Operator', level: 1, currency: 'EUR' });
    const a1 = await create({ name: 'Sub-reseller A1', currency: 'RUB', parentId: a.body.id });
    expect(a1.body).toMatchObject({ parentId: a.body.id, parentName: 'Reseller A', level: 2 });
    const b = await create({ name: 'Reseller B', currency: 'USD' });

    const all = (await p.api('GET', '/api/v1/resellers?limit=200')).body.items as any[];
    expect(all.map((r) => [r.name, r.level])).toEqual(expect.arrayContaining([['Reseller A', 1], ['Sub-reseller A1', 2], ['Reseller B', 1]]));
    expect(all.some((r) => r.id === 1)).toBe(false);

    // A system administrator of A.
    const staff = await p.api('POST', '/api/v1/staff', { name: 'Admin of A', email: 'admin@a.example', role: 'admin' });
    await p.sql`update staff set reseller_id = ${a.body.id} where id = ${staff.body.id}`;
    const token = (await p.api('POST', `/api/v1/staff/${staff.body.id}/tokens`, { name: 'a' })).body.token as string;
    const seen = (await p.api('GET', '/api/v1/resellers', undefined, { token })).body.items as any[];
    expect(seen.map((r) => [r.name, r.level])).toEqual([['Sub-reseller A1', 1]]);
    expect((await p.api('GET', `/api/v1/resellers/${a.body.id}`, undefined, { token })).body).toMatchObject({ level: 0 });
    expect((await p.api('GET', `/api/v1/resellers/${b.body.id}`, undefined, { token })).status).toBe(404);
    expect((await p.api('GET', '/api/v1/resellers/1', undefined, { token })).status).toBe(404);
    // A creates under itself or A1, never under B or the operator.
    expect((await create({ name: 'A2', currency: 'EUR' }, token)).body).toMatchObject({ parentId: a.body.id, level: 1 });
    expect((await create({ name: 'A11', currency: 'EUR', parentId: a1.body.id }, token)).body).toMatchObject({ parentId: a1.body.id, level: 2 });
    // Outside A's subtree a reseller does not exist for A: the same answer as an unknown id, so ids cannot be probed.
    const beside = await create({ name: 'under B', currency: 'EUR', parentId: b.body.id }, token);
    expect([beside.status, beside.body.code]).toEqual([422, 'invalid_reference']);
    const above = await create({ name: 'under the operator', currency: 'EUR', parentId: 1 }, token);
    expect([above.status, above.body.code]).toEqual([422, 'invalid_reference']);
  });

  it('the manager is a staff member of the parent; bad input is refused and writes nothing', async () => {
    const [admin] = await p.sql<Array<{ id: number }>>`select id from staff where reseller_id = 1 order by id limit 1`;
    const child = await create({ name: 'Managed', currency: 'EUR', managerId: admin!.id });
    expect(child.status, JSON.stringify(child.body)).toBe(201);
    const before = (await p.sql<Array<{ n: number }>>`select count(*)::int as n from resellers`)[0]!.n;
    const refused = [
      await create({ name: 'Grandchild', currency: 'EUR', parentId: child.body.id, managerId: admin!.id }),
      await create({ name: 'No such parent', currency: 'EUR', parentId: 999_999 }),
      await create({ name: 'Bad currency', currency: 'XYZ' }),
      await create({ name: '', currency: 'EUR' }),
      await create({ name: 'Extra', currency: 'EUR', path: [1] }),
    ];
    expect(refused.map((r) => [r.status, r.body.code])).toEqual([
      [422, 'reseller_manager_not_upstream'],
      [422, 'invalid_reference'],
      [400, 'validation_failed'],
      [400, 'validation_failed'],
      [400, 'validation_failed'],
    ]);
    expect((await p.sql<Array<{ n: number }>>`select count(*)::int as n from resellers`)[0]!.n).toBe(before);
  });

  it(`the tree stops at ${maxResellerDepth} levels`, async () => {
    let parentId = 1;
    for (let level = 2; level <= maxResellerDepth; level++) {
      const next = await create({ name: `Level ${level}`, currency: 'EUR', parentId });
      expect(next.status, JSON.stringify(next.body)).toBe(201);
      parentId = next.body.id;
    }
    const tooDeep = await create({ name: 'Too deep', currency: 'EUR', parentId });
    expect([tooDeep.status, tooDeep.body.code]).toEqual([409, 'reseller_tree_too_deep']);
  });
});
