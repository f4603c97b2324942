import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    // Chaos tests have their own configuration and script (vitest.chaos.config.ts, `npm run test:chaos`).
    exclude: ['node_modules/**', '.tools/**', '.data/**', 'test/chaos/**'],
    globalSetup: ['./test/global-setup.ts'],
    // Integration files share one Temporal server; two at a time fit a 2-core machine.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
