import { describe, expect, it } from 'vitest';
import type { UsageRecord } from '../../domain/usage';
import { usageIngestQueue, type WriteUsageBatch } from './ingest-queue';
import type { IngestUsageInput } from './ingest-usage-records';

// The queue's own rules, with a writer that records the batches it is given and answers like the operation does
// (the integration test in test/integration/usage.test.ts drives the real operation through the API).

const rec = (recordId: string, subscriptionId = 1): UsageRecord => ({ recordId, subscriptionId, resource: 'cpu', quantity: '1', usedOn: '2026-11-21', periodDays: 1, unitPrice: null });
const input = (source: string, ...ids: string[]): IngestUsageInput => ({ source, today: '2026-11-25', records: ids.map((id) => rec(id)) });

function recordingWriter(failWhen: (batch: IngestUsageInput) => boolean = () => false) {
  const batches: string[][] = [];
  const write: WriteUsageBatch = async (batch) => {
    batches.push(batch.records.map((r) => r.recordId ?? '?'));
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (failWhen(batch)) throw new Error('the batch failed');
    return {
      results: batch.records.map((r, index) => ({ index, recordId: r.recordId!, status: 'accepted' as const })),
      postpaySubscriptions: [...new Set(batch.records.map((r) => ('subscriptionId' in r ? r.subscriptionId : 0)))],
    };
  };
  return { write, batches };
}

describe('the usage ingestion queue (group commit)', () => {
  it('writes a lone request at once and merges the requests that wait behind a busy writer, answering each with its own records', async () => {
    const { write, batches } = recordingWriter();
    const queue = usageIngestQueue(write, { maxInFlight: 1 });
    const answers = await Promise.all([queue.ingest(input('a', 'r1')), queue.ingest(input('a', 'r2')), queue.ingest(input('a', 'r3', 'r4'))]);
    expect(batches).toEqual([['r1'], ['r2', 'r3', 'r4']]);
    expect(answers.map((a) => a.results)).toEqual([
      [{ index: 0, recordId: 'r1', status: 'accepted' }],
      [{ index: 0, recordId: 'r2', status: 'accepted' }],
      [{ index: 0, recordId: 'r3', status: 'accepted' }, { index: 1, recordId: 'r4', status: 'accepted' }],
    ]);
  });

  it('never merges requests of different sources, and keeps a batch within its record bound', async () => {
    const { write, batches } = recordingWriter();
    const queue = usageIngestQueue(write, { maxInFlight: 1, maxRecords: 3 });
    await Promise.all([queue.ingest(input('a', 'r0')), queue.ingest(input('a', 'r1', 'r2')), queue.ingest(input('b', 'r3')), queue.ingest(input('a', 'r4')), queue.ingest(input('a', 'r5', 'r6'))]);
    expect(batches).toEqual([['r0'], ['r1', 'r2', 'r4'], ['r3'], ['r5', 'r6']]);
  });

  it('gives each request only the postpay subscriptions of its own records', async () => {
    const { write } = recordingWriter();
    const queue = usageIngestQueue(write, { maxInFlight: 1 });
    const one = { source: 'a', today: '2026-11-25', records: [rec('x1', 7)] };
    const two = { source: 'a', today: '2026-11-25', records: [rec('x2', 8)] };
    const three = { source: 'a', today: '2026-11-25', records: [rec('x3', 9)] };
    const answers = await Promise.all([queue.ingest(one), queue.ingest(two), queue.ingest(three)]);
    expect(answers.map((a) => a.postpaySubscriptions)).toEqual([[7], [8], [9]]);
  });

  it('when a merged batch fails, writes each of its requests alone, so only the failing one gets the error', async () => {
    const { write, batches } = recordingWriter((batch) => batch.records.some((r) => r.recordId === 'bad'));
    const queue = usageIngestQueue(write, { maxInFlight: 1 });
    const settled = await Promise.allSettled([queue.ingest(input('a', 'r1')), queue.ingest(input('a', 'r2')), queue.ingest(input('a', 'bad')), queue.ingest(input('a', 'r3'))]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(batches).toEqual([['r1'], ['r2', 'bad', 'r3'], ['r2'], ['bad'], ['r3']]);
  });
});
