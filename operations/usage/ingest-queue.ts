import { MAX_USAGE_RECORDS_PER_REQUEST } from '../../domain/usage';
import type { IngestedUsage, IngestUsageInput } from './ingest-usage-records';

/** Writes one batch in one transaction: `ingestUsageRecords` bound to the database. */
export type WriteUsageBatch = (input: IngestUsageInput) => Promise<IngestedUsage>;

/**
 * Group commit for usage records (issue 20: single-record requests at ≥ 1,000/s). A provider that pushes one record
 * per request would otherwise pay a whole transaction per record: some eight statements and a commit, each a round
 * trip to PostgreSQL, which on this machine cost more CPU than the rating itself. Requests that arrive while
 * `maxInFlight` batches are being written wait and are then written together, as one batch of the same operation, and
 * each request gets back the results of its own records. An idle queue writes a request at once, so a lone request
 * waits for nothing; the busier the API, the larger the batches.
 *
 * Only requests with the same everything-but-the-records (source, day, ...) are merged, so a merged batch means what
 * its requests mean one by one: a record id sent twice is accepted once and answered as a duplicate the second time,
 * exactly as when the two requests commit one after the other. If a merged batch fails, each of its requests is
 * written again on its own, so an error reaches only the request that caused it.
 */
export interface UsageIngestQueue {
  ingest(input: IngestUsageInput): Promise<IngestedUsage>;
}

interface Waiting {
  input: IngestUsageInput;
  key: string;
  resolve(result: IngestedUsage): void;
  reject(error: unknown): void;
}

export interface UsageIngestQueueOptions {
  /** At most this many records in one merged batch (a request larger than that is written alone). */
  maxRecords?: number;
  /** Batches written at the same time: two keep PostgreSQL busy while the API prepares the next. */
  maxInFlight?: number;
}

export function usageIngestQueue(writeBatch: WriteUsageBatch, options: UsageIngestQueueOptions = {}): UsageIngestQueue {
  const maxRecords = options.maxRecords ?? MAX_USAGE_RECORDS_PER_REQUEST;
  const maxInFlight = options.maxInFlight ?? 2;
  const waiting: Waiting[] = [];
  let inFlight = 0;

  function pump() {
    while (inFlight < maxInFlight && waiting.length > 0) {
      const group = takeGroup(waiting, maxRecords);
      inFlight += 1;
      void write(writeBatch, group).finally(() => {
        inFlight -= 1;
        pump();
      });
    }
  }

  return {
    ingest(input) {
      const { records: _records, ...rest } = input;
      return new Promise<IngestedUsage>((resolve, reject) => {
        waiting.push({ input, key: JSON.stringify(rest), resolve, reject });
        pump();
      });
    },
  };
}

/** The oldest waiting request and every later one with the same key, while the batch stays within `maxRecords`. */
function takeGroup(waiting: Waiting[], maxRecords: number): Waiting[] {
  const group = [waiting.shift()!];
  let records = group[0]!.input.records.length;
  for (let i = 0; i < waiting.length && records < maxRecords; ) {
    const next = waiting[i]!;
    if (next.key === group[0]!.key && records + next.input.records.length <= maxRecords) {
      group.push(next);
      records += next.input.records.length;
      waiting.splice(i, 1);
    } else i += 1;
  }
  return group;
}

async function write(writeBatch: WriteUsageBatch, group: Waiting[]): Promise<void> {
  if (group.length === 1) return settle(writeBatch, group[0]!);
  let merged: IngestedUsage;
  try {
    merged = await writeBatch({ ...group[0]!.input, records: group.flatMap((w) => w.input.records) });
  } catch {
    // The merged transaction rolled back whole: each request is written again alone, and fails alone if it must.
    await Promise.all(group.map((w) => settle(writeBatch, w)));
    return;
  }
  let offset = 0;
  for (const w of group) w.resolve(ownShare(merged, w.input, (offset += w.input.records.length) - w.input.records.length));
}

async function settle(writeBatch: WriteUsageBatch, w: Waiting): Promise<void> {
  try {
    w.resolve(await writeBatch(w.input));
  } catch (error) {
    w.reject(error);
  }
}

/** A request's part of a merged batch's answer: its records' results, numbered from 0, and its postpay subscriptions. */
function ownShare(merged: IngestedUsage, input: IngestUsageInput, offset: number): IngestedUsage {
  const count = input.records.length;
  const results = merged.results.slice(offset, offset + count).map((r) => ({ ...r, index: r.index - offset }));
  const own = new Set(input.records.flatMap((r) => ('subscriptionId' in r ? [r.subscriptionId] : [])));
  return { results, postpaySubscriptions: merged.postpaySubscriptions.filter((id) => own.has(id)) };
}
