import { describe, expect, it } from 'vitest';
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
