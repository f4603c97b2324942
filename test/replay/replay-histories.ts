/**
 * Replays every recorded history in ./histories against the current workflow code and exits non-zero on
 * any non-determinism. A plain Node process: the SDK's protobuf types must not be duplicated by a test
 * runner's module transform. Used by replay.test.ts; runnable by hand: `npx tsx test/replay/replay-histories.ts`.
 */
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { bundleWorkflows } from '../../platform/temporal';

const dir = fileURLToPath(new URL('./histories/', import.meta.url));
const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
const bundlePath = process.env.WORKFLOW_BUNDLE_PATH;
const workflowBundle = bundlePath ? { code: await readFile(bundlePath, 'utf8') } : await bundleWorkflows();
const histories = await Promise.all(
  files.map(async (file) => ({
    workflowId: file.replace(/\.json$/, ''),
    history: historyFromJSON(JSON.parse(await readFile(`${dir}${file}`, 'utf8'))),
  })),
);
let failed = 0;
for await (const result of Worker.runReplayHistories({ workflowBundle }, histories)) {
  if (result.error) {
    failed += 1;
    console.log(`FAIL ${result.workflowId}: ${result.error.message}`);
  } else {
    console.log(`ok ${result.workflowId}`);
  }
}
process.exit(failed > 0 || histories.length === 0 ? 1 : 0);
