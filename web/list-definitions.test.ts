import { describe, expect, it } from 'vitest';
import { openToResellers } from '../api/tenancy';
import { sections } from './layout';
import { listDefinitions } from './list-definitions';

/**
 * Each list page reads its list's one query (queries/lists/): every column it shows, every filter it offers and
 * its default sort must name a column or filter of that query, or the page would fail on its first request.
 */
describe('the list pages and their queries', () => {
  for (const def of listDefinitions) {
    it(`the ${def.name} page names only columns and filters of its query`, () => {
      const columns = def.columns.map((col) => col.column ?? col.key);
      expect(columns.filter((key) => !Object.hasOwn(def.query.columns, key))).toEqual([]);
      const filters = def.filters.map((f) => f.filter ?? f.key);
      expect(filters.filter((key) => !Object.hasOwn(def.query.filters, key))).toEqual([]);
      const sorted = def.columns.find((col) => col.key === def.sort.key);
      expect(sorted && def.query.columns[sorted.column ?? sorted.key]?.sortable).toBe(true);
    });
  }
});

/**
 * The menu and the list pages follow the API's tenant gate (api/tenancy.ts) through the route each names: a list and
 * its menu section name the same route, and a list whose query has no tenant column is closed to a reseller's staff.
 */
describe('the UI sections under the tenant gate (spec 05 §7.3)', () => {
  it('a list page and its menu section stand on the same API route', () => {
    for (const def of listDefinitions) expect(sections.find((s) => s.href === def.path)?.route, def.name).toBe(def.route);
  });

  it('a list of no tenant’s rows stands on a route that is the operator’s alone', () => {
    for (const def of listDefinitions.filter((d) => d.query.client === null)) expect(openToResellers(def.route), def.name).toBe(false);
  });

  it("a reseller's staff lose exactly the task list, the system event log and the billing runs", () => {
    expect(sections.filter((s) => !openToResellers(s.route)).map((s) => s.href)).toEqual(['/tasks', '/event-log', '/billing-runs']);
  });
});
