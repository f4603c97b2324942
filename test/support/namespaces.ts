/**
 * Temporal namespaces for the test run. Test files run in parallel in vitest workers and scenario ids are
 * business keys (`billing-day-<date>`, `order-<id>`); each worker gets its own namespace so two files that
 * run the same business date at once never address one workflow. Files that follow each other in a worker
 * share its namespace, which is safe: their scenarios have finished by then.
 */
export const testNamespaces = Array.from({ length: 8 }, (_, i) => `test-${i + 1}`);

export function testNamespace(): string {
  const pool = Number(process.env.VITEST_POOL_ID ?? '1');
  const namespace = testNamespaces[pool - 1];
  if (!namespace) throw new Error(`no Temporal namespace for vitest worker ${pool}: raise the count in test/support/namespaces.ts`);
  return namespace;
}
