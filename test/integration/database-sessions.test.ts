import { describe, expect, inject, it } from 'vitest';
import { toErrorResponse } from '../../api/errors';
import { connectDatabase } from '../../db/client';

/** The session settings db/client.ts gives every connection, and the API's statement timeout (BENCHMARKS.md). */
describe('database sessions', () => {
  it("the API's sessions: custom plans, no JIT, no parallel plans, and a statement timeout answered 503", async () => {
    const api = connectDatabase(inject('adminDatabaseUrl'), { applicationName: 'sessions-test-api', statementTimeoutMs: 200, parallelQuery: false });
    try {
      const [settings] = await api.sql<Array<Record<string, string>>>`
        select current_setting('plan_cache_mode') as plan, current_setting('jit') as jit,
               current_setting('max_parallel_workers_per_gather') as parallel, current_setting('statement_timeout') as timeout`;
      expect(settings).toEqual({ plan: 'force_custom_plan', jit: 'off', parallel: '0', timeout: '200ms' });

      const error = await api.sql`select pg_sleep(2)`.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect((error as { code?: string }).code).toBe('57014');
      expect(toErrorResponse(error)).toEqual({
        status: 503,
        body: { code: 'query_timeout', message: expect.stringContaining('took longer') },
      });
      // The connection is still usable after the cancelled statement.
      expect((await api.sql<Array<{ one: number }>>`select 1 as one`)[0]!.one).toBe(1);
    } finally {
      await api.close();
    }
  });

  it("the worker's sessions keep parallel plans and have no statement timeout", async () => {
    const worker = connectDatabase(inject('adminDatabaseUrl'), { applicationName: 'sessions-test-worker' });
    try {
      const [settings] = await worker.sql<Array<Record<string, string>>>`
        select current_setting('plan_cache_mode') as plan, current_setting('jit') as jit,
               current_setting('max_parallel_workers_per_gather') as parallel, current_setting('statement_timeout') as timeout`;
      expect(settings).toMatchObject({ plan: 'force_custom_plan', jit: 'off', timeout: '0' });
      expect(settings!.parallel).not.toBe('0');
    } finally {
      await worker.close();
    }
  });

  it('a lost connection is answered 503 database_unavailable, not 500', () => {
    for (const code of ['CONNECTION_CLOSED', '57P01', '08006']) {
      expect(toErrorResponse(Object.assign(new Error('gone'), { code })).body.code, code).toBe('database_unavailable');
      expect(toErrorResponse(Object.assign(new Error('gone'), { code })).status).toBe(503);
    }
    expect(toErrorResponse(Object.assign(new Error('duplicate'), { code: '23505' })).status).toBe(409);
    expect(toErrorResponse(new Error('something else')).status).toBe(500);
  });
});
