import { defineConfig } from 'vitest/config';

/**
 * Chaos tests (`npm run test:chaos`): orders under killed workers, a restarted Temporal server, terminated
 * database connections and a failing vendor; renewals, plan switches and financial blocks under killed workers.
 * Each file starts its own database, Temporal server, worker and API, and keeps both cores busy, so files run
 * one after another and outside the normal `vitest run`.
 */
export default defineConfig({
  test: {
    include: ['test/chaos/**/*.chaos.test.ts'],
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 900_000,
    hookTimeout: 180_000,
    reporters: ['default'],
  },
});
