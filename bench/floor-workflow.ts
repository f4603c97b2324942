/**
 * The raw Temporal floor of the order benchmark: an empty workflow that runs, one after another, the same
 * sequence of activities (`A`) and local activities (`L`) as a real purchase scenario, counted from that
 * scenario's history (bench/orders.ts). Same retry and timeout options as the platform's database steps
 * and scenario recorders (workflows/activities.ts, workflows/engine/scenario.ts).
 */
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { FloorActivities } from './floor-activities';

const activities = proxyActivities<FloorActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 10 },
});
const local = proxyLocalActivities<FloorActivities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '200ms', maximumInterval: '10s', backoffCoefficient: 2 },
});

export async function floorWorkflow({ pattern }: { pattern: string }): Promise<{ activities: number; localActivities: number }> {
  let a = 0;
  let l = 0;
  for (const step of pattern) {
    if (step === 'A') {
      await activities.floorActivity();
      a += 1;
    } else if (step === 'L') {
      await local.floorLocalActivity();
      l += 1;
    }
  }
  return { activities: a, localActivities: l };
}
