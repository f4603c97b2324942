/**
 * The fuzz suite of issue 9 extended to the operator UI's list pages (issue 17): every list, as a page and as a
 * CSV export, gets generated query strings of hostile and half-valid filter values, search text, sorting and
 * paging. None may answer 5xx; a refusal is a 400 carrying the code `invalid_filter`; nothing is written.
 * (test/integration/api-contract.test.ts fuzzes the API's routes; test/security/hostile-input.test.ts pins the
 * impossible dates that once answered 500.)
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listDefinitions } from '../../web/list-definitions';
import { signInInProcess } from '../support/http';
import { createClient, createTestPlatform, seedCatalog, tableRowCounts, type TestPlatform } from '../support/platform';

let p: TestPlatform;
let cookie: string;
const email = 'fenna.fuzz@example.com';
const password = 'a long and correct passphrase';

beforeAll(async () => {
  p = await createTestPlatform('operator_lists_fuzz', { runWorker: false });
  const catalog = await seedCatalog(p);
  for (const name of ['Fuzzy Things Ltd', "O'Reilly & Sons", 'Zoë 🚀 GmbH']) await createClient(p, catalog, name);
  const staffId = (await p.api('POST', '/api/v1/staff', { name: 'Fenna Fuzz', email, role: 'admin' })).body.id;
  expect((await p.api('POST', `/api/v1/staff/${staffId}/password`, { password })).status).toBe(200);
  cookie = await signInInProcess(p.app, { email, password });
});
afterAll(async () => p?.close());

const hostile = [
  "'; drop table orders; --",
  'x'.repeat(5_000),
  'before\u0000after',
  'broken \ud800 pair',
  'Zoë 🚀 中文 \u202e\u200b',
  '{{constructor}}',
  '<script>alert(1)</script>',
  '%',
  '_',
  '\\',
  '2024-13-45',
  '2024-02-30',
  '0000-00-00',
  '99999-01-01',
  '2024-1-1',
  '-1',
  '1e308',
  '99999999999999999999',
  'NaN',
  '',
  ' ',
];

describe('fuzzing the operator UI lists (issue 17)', () => {
  it('every list page and CSV export answers generated filter, search, sort and paging values with 200 or 400 invalid_filter, and writes nothing', async () => {
    const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2_147_483_647);
    const baseline = await tableRowCounts(p);
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    for (const def of listDefinitions) {
      // Values each filter would take, so some queries pass and reach the SQL, mixed with hostile ones.
      const plausible = def.filters.flatMap((f) => [...(f.options ?? []).slice(0, 3), f.kind === 'number' ? '42' : f.kind === 'text' ? 'Fuzzy' : '2027-01-31']);
      const value = fc.oneof(fc.constantFrom(...hostile), fc.constantFrom(...plausible), fc.string({ unit: 'binary', maxLength: 20 }));
      const keys = [...def.filters.map((f) => `f.${f.key}`), 'q', 'sort', 'dir', 'page', 'size'];
      const query = fc.dictionary(fc.constantFrom(...keys), fc.oneof(value, fc.constantFrom(...def.columns.map((col) => col.key), 'asc', 'desc', '2', '150')), { maxKeys: 5 });
      for (const [n, params] of fc.sample(query, { numRuns: 80, seed: seed + listDefinitions.indexOf(def) }).entries()) {
        const csv = n % 2 === 1;
        const search = new URLSearchParams({ ...params, ...(csv ? { format: 'csv' } : {}) }).toString();
        const res = await p.app.request(`${def.path}?${search}`, { headers: { cookie } });
        const body = await res.text();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        const refusedProperly = res.status === 400 && (csv ? JSON.parse(body).code === 'invalid_filter' : body.includes('data-code="invalid_filter"'));
        if (res.status !== 200 && !refusedProperly) failures.push(`${def.path}?${search.slice(0, 200)} (seed ${seed}) → ${res.status} ${body.slice(0, 200)}`);
      }
    }
    expect(failures.slice(0, 20)).toEqual([]);
    // The generator reaches both sides: accepted queries run their SQL, refused ones are refused before it.
    expect(statuses.get(200) ?? 0).toBeGreaterThan(100);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(100);
    expect(await tableRowCounts(p)).toEqual(baseline);
  }, 600_000);
});
