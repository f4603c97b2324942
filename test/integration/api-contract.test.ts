import { afterAll, beforeAll, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { createTestPlatform, type TestPlatform } from '../support/platform';
let p: TestPlatform;
beforeAll(async () => { p = await createTestPlatform('contract', { runWorker: false }); });
afterAll(async () => p?.close());
it('dump', async () => {
  const doc = await p.api('GET', '/api/openapi.json', undefined, { token: null });
  writeFileSync('/tmp/openapi.json', JSON.stringify(doc.body, null, 1));
});
