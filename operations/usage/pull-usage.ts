import type { TransactionSql } from 'postgres';
import { PluginError, type PluginCallContext } from '../../contracts/plugin-contract';
import type { Db, Sql } from '../../db/client';
import { usagePullDayScenarioId } from '../../contracts/scenarios';
import type { IsoDate } from '../../domain/dates';
import { AppError } from '../../domain/errors';
import { normaliseUsageRecord } from '../../domain/usage';
import type { PluginRegistry } from '../plugins/registry';
import { ingestUsageRecordsIn } from './ingest-usage-records';

/**
 * The pay-as-you-go (external) subscriptions the billing run of `businessDate` pulls (spec 02 §16 item 11): every one
 * that has started and is not deleted (a stopped or blocked one may still owe what it used before), oldest pull first,
 * so that a day with more than `limit` of them reaches the rest the next day. Each with the id of that day's pull.
 */
export async function dueUsagePulls(db: Db, { businessDate, limit }: { businessDate: IsoDate; limit: number }): Promise<Array<{ subscriptionId: number; workflowId: string }>> {
  const rows = await db<Array<{ id: number }>>`
    select s.id from subscriptions s
    left join lateral (select max(sc.started_at) as last from scenarios sc where sc.subject_kind = 'subscription' and sc.subject_id = s.id::text and sc.type = 'usage_pull') p on true
    where s.billing_type = 'usage_external' and s.status not in ('deleted', 'new_order', 'installing', 'install_error') and s.start_date is not null
    order by p.last nulls first, s.id
    limit ${limit}`;
  return rows.map((r) => ({ subscriptionId: r.id, workflowId: usagePullDayScenarioId(r.id, businessDate) }));
}

/** Records asked of the vendor per page. */
export const USAGE_PAGE_SIZE = 1000;

export interface UsagePullPage {
  fetched: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  hasMore: boolean;
  /** Pages pulled for the subscription so far, this one included (the pull's progress). */
  pages: number;
  postpaySubscriptions: number[];
}

/**
 * One page of a usage_external subscription's usage pulled from its vendor through the `usage` plugin operation
 * (issue 20): the page after the stored cursor is ingested like a pushed batch (source `vendor:<service template>`),
 * and the cursor moves in the same transaction, only if nobody moved it meanwhile. A pull that dies anywhere resumes
 * from the stored cursor: before the commit nothing was taken, after it the next page is asked; a page pulled twice
 * brings the same record ids, which are answered as duplicates. So there is no gap and nothing is billed twice.
 */
export async function pullUsagePage(sql: Sql, plugins: PluginRegistry, o: { subscriptionId: number; idempotencyKey: string; today: IsoDate; now: Date; dayOf: (d: Date) => IsoDate; signal?: AbortSignal }): Promise<UsagePullPage> {
  const [row] = await sql<Array<{ id: number; client_id: number; plan_id: number; sku: string | null; name: string; vendor_reference: string | null; start_date: string | null; billing_type: string; template_id: number; plugin: string; settings: Record<string, unknown>; cursor: string | null; pages: number | null }>>`
    select s.id, s.client_id, s.plan_id, p.sku, s.name, s.vendor_reference, s.start_date::text, s.billing_type, t.id as template_id, t.plugin, t.settings,
           u.cursor, u.pages
    from subscriptions s join plans p on p.id = s.plan_id join service_templates t on t.id = s.service_template_id
      left join usage_pulls u on u.subscription_id = s.id
    where s.id = ${o.subscriptionId}`;
  if (!row) throw new AppError('not_found', `subscription ${o.subscriptionId} does not exist`);
  if (row.billing_type !== 'usage_external') throw new AppError('not_usage_billing', `subscription ${row.id} is billed ${row.billing_type}: only pay-as-you-go (external) usage is pulled`);
  const plugin = plugins.get(row.plugin);
  if (!plugin.usage) throw new PluginError('permanent', `plugin "${row.plugin}" reports no usage`, { code: 'usage_unsupported' });
  const ctx: PluginCallContext = {
    idempotencyKey: o.idempotencyKey,
    settings: row.settings,
    signal: o.signal,
    subscription: { id: row.id, clientId: row.client_id, planId: row.plan_id, planSku: row.sku, name: row.name, vendorReference: row.vendor_reference, startDate: row.start_date, expirationDate: null, resources: [] },
  };
  const page = await plugin.usage(ctx, { cursor: row.cursor, limit: USAGE_PAGE_SIZE });
  const at = { now: o.now, dayOf: o.dayOf };
  const records = page.records.map((r) => {
    const checked = normaliseUsageRecord({ ...r, subscriptionId: row.id }, at);
    return 'code' in checked ? { ...checked, recordId: r.recordId } : checked;
  });
  return sql.begin(async (tx: TransactionSql) => {
    const moved = await moveCursor(tx, row.id, row.cursor, page.nextCursor, records.length);
    if (moved === null) return { fetched: 0, accepted: 0, duplicates: 0, rejected: 0, hasMore: true, pages: row.pages ?? 0, postpaySubscriptions: [] };
    const { results, postpaySubscriptions } = await ingestUsageRecordsIn(tx, { source: `vendor:${row.template_id}`, records, today: o.today });
    const count = (s: string) => results.filter((r) => r.status === s).length;
    return { fetched: records.length, accepted: count('accepted'), duplicates: count('duplicate'), rejected: count('rejected'), hasMore: page.hasMore, pages: moved, postpaySubscriptions };
  });
}

/** Moves the cursor from where this pull read it; null when another pull moved it first (this page is then dropped). */
async function moveCursor(tx: TransactionSql, subscriptionId: number, from: string | null, to: string, records: number): Promise<number | null> {
  await tx`insert into usage_pulls (subscription_id) values (${subscriptionId}) on conflict do nothing`;
  const [moved] = await tx<Array<{ pages: number }>>`
    update usage_pulls set cursor = ${to}, pages = pages + 1, records = records + ${records}, updated_at = now()
    where subscription_id = ${subscriptionId} and cursor is not distinct from ${from}
    returning pages`;
  return moved ? moved.pages : null;
}
