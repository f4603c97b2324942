import { defaultPayloadConverter } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../domain/dates';
import { REQUEST_ID_HEADER } from '../../contracts/scenarios';
import { createClient, createTestPlatform, seedCatalog, waitForOrderStatus, type TestPlatform } from '../support/platform';

/**
 * The billing run starts its scenarios from an activity with the worker's Temporal client
 * (activities/scenario-dispatch.ts); that client carries the request id as the API's does, so a renewal started
 * by a run that an API request began is traced to that request (observability, issue 9). Its own file: the run
 * is for a date a month ahead, which would be the latest billing run of any file that counts them.
 */
let p: TestPlatform;
beforeAll(async () => {
  p = await createTestPlatform('dispatch_request_id');
});
afterAll(async () => p?.close());

describe('request ids through the billing run', () => {
  it("the scenarios a billing run starts carry the run's request id", async () => {
    const renewing = await seedCatalog(p, { provisioningRule: { autoRenewPointDays: 5 } });
    const clientId = await createClient(p, renewing, 'Renewing Traced Ltd');
    expect((await p.api('POST', `/api/v1/clients/${clientId}/top-ups`, { amount: 5000 })).status).toBe(201);
    const purchase = await p.api('POST', '/api/v1/orders', { clientId, planPeriodId: renewing.monthlyPeriodId });
    const subscriptionId = (await waitForOrderStatus(p, purchase.body.id, 'completed')).subscriptionId as number;
    const subscription = (await p.api('GET', `/api/v1/subscriptions/${subscriptionId}`)).body;
    const date = addDays(subscription.expirationDate as string, -5);

    const requestId = 'renewal-run-7f3a';
    const run = await p.api('POST', '/api/v1/billing/runs', { date, confirmDate: date }, { headers: { 'x-request-id': requestId } });
    expect(run.status, JSON.stringify(run.body)).toBe(202);
    await p.temporal.workflow.getHandle(run.body.scenarioId).result();
    // The renewal order the run made, its scenario started by the run's dispatch activity.
    const [renewal] = await p.sql<Array<{ workflow_id: string }>>`
      select workflow_id from orders where subscription_id = ${subscriptionId} and type = 'renewal'`;
    expect(renewal).toBeDefined();
    const history = await p.temporal.workflow.getHandle(renewal!.workflow_id).fetchHistory();
    const header = history.events?.[0]?.workflowExecutionStartedEventAttributes?.header?.fields?.[REQUEST_ID_HEADER];
    expect(header ? defaultPayloadConverter.fromPayload(header) : undefined).toBe(requestId);
  });
});
