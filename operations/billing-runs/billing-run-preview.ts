import type { TransactionSql } from 'postgres';
import type { Sql } from '../../db/client';
import type { IsoDate } from '../../domain/dates';
import { runDay, type Duty } from '../../domain/lifecycle';
import { dueCharges, unpaidOrdersPastEndDate } from './due-work';
import { financialBlockState } from '../ledger/ledger';
import { loadLifecycleStates } from '../subscription-orders/subscription-orders';
import { expiredPromisedPayments } from '../payments/promised-payments';

/** What one duty of a billing run would touch: how many, and the subscriptions, orders and clients concerned. */
export interface DutyPreview {
  count: number;
  subscriptionIds: number[];
  orderIds: number[];
  clientIds: number[];
}

/** One thing the run would do to one subscription, as the forecast words it. */
export interface PreviewAction {
  subscriptionId: number;
  clientId: number;
  duty: string;
  action: string;
  orderId: number | null;
  detail: string;
  /** Auto-payments: whether the client's balance is expected to cover it. */
  expectedPaid?: boolean;
}

export interface BillingRunPreview {
  /** Counts per duty, under the names the run records them by (`GET /billing/runs/{date}` → `duties`). */
  duties: Record<string, DutyPreview>;
  actions: PreviewAction[];
}

/** The lifecycle duties under the names the billing run records (workflows/billing-day.ts). */
const dutyKeys: Record<Exclude<Duty, 'cancel_unpaid_order'>, string> = {
  create_order: 'createOrders',
  auto_payment: 'autoPayments',
  provision_deferred: 'provisionDeferred',
  mark_payment_overdue: 'paymentOverdue',
  stop: 'stops',
  delete: 'deletions',
};

const distinct = (ids: Array<number | null>) => [...new Set(ids.filter((id): id is number => id !== null && id > 0))];
const dutyOf = (count: number, rows: Array<{ subscriptionId?: number | null; orderId?: number | null; clientId?: number | null }>): DutyPreview => ({
  count,
  subscriptionIds: distinct(rows.map((r) => r.subscriptionId ?? null)),
  orderIds: distinct(rows.map((r) => r.orderId ?? null)),
  clientIds: distinct(rows.map((r) => r.clientId ?? null)),
});

/**
 * What the billing run of `businessDate` would do, without doing it: the dry run of POST /billing/runs. Reads
 * only, in a read-only transaction (PostgreSQL refuses any write in it), and starts nothing. It finds the due
 * work with the run's own selections and plays the lifecycle duties with the rules the run and the forecast
 * apply (`runDay` in domain/lifecycle.ts), each duty seeing the expected effect of the ones before, and each
 * client's auto-payments spending one balance. Like the forecast, it assumes the scenarios the run starts
 * finish as expected; it covers the duties that stop, delete, cancel, charge and block, not the acts,
 * credit-limit checks, payment merges and notification events the run also does.
 */
export async function previewBillingRun(sql: Sql, businessDate: IsoDate): Promise<BillingRunPreview> {
  return sql.begin('read only', async (tx) => {
    const db = tx as unknown as Sql;
    const lifecycle = await previewLifecycle(db, businessDate);
    const unpaid = await unpaidOrdersPastEndDate(db, businessDate);
    const charges = await db<Array<{ subscriptionId: number | null; orderId: number | null; clientId: number }>>`
      select subscription_id as "subscriptionId", order_id as "orderId", client_id as "clientId" from charges where ${dueCharges(db, businessDate).closing}`;
    const promisedIds = await expiredPromisedPayments(db, businessDate);
    const promised = await db<Array<{ clientId: number }>>`select client_id as "clientId" from promised_payments where id = any(${promisedIds}::int[])`;
    return {
      duties: {
        cancelUnpaidOrders: dutyOf(unpaid.length, unpaid),
        ...lifecycle.duties,
        chargesClosed: dutyOf(charges.length, charges),
        promisedPaymentsRevoked: dutyOf(promised.length, promised),
        financialBlocks: await previewFinancialBlocks(tx, businessDate),
      },
      actions: lifecycle.actions,
    };
  });
}

/** The lifecycle duties, subscription by subscription, each client's balance shared by its auto-payments. */
async function previewLifecycle(sql: Sql, businessDate: IsoDate) {
  const rows = await loadLifecycleStates(sql, { due: businessDate });
  const wallets = new Map<number, { balance: number }>();
  const actions: PreviewAction[] = [];
  for (const row of rows) {
    if (!wallets.has(row.clientId)) wallets.set(row.clientId, { balance: row.balance });
    for (const step of runDay(row.state, businessDate, wallets.get(row.clientId)!).steps) {
      // Unpaid orders are the run's own selection (it includes purchase orders, which have no subscription yet).
      if (step.duty === 'cancel_unpaid_order') continue;
      const orderId = 'orderId' in step.action && step.action.orderId > 0 ? step.action.orderId : null;
      const { detail, expectedPaid } = step.entry;
      actions.push({ subscriptionId: row.subscriptionId, clientId: row.clientId, duty: dutyKeys[step.duty], action: step.action.kind, orderId, detail, ...(expectedPaid === undefined ? {} : { expectedPaid }) });
    }
  }
  const duties: Record<string, DutyPreview> = {};
  for (const key of Object.values(dutyKeys)) {
    // Counted as the run counts what it did: orders created, orders paid (not merely tried), scenarios started.
    const concerned = actions.filter((a) => a.duty === key && a.action !== 'blocked_by_open_order' && a.expectedPaid !== false);
    duties[key] = dutyOf(concerned.length, concerned);
  }
  return { duties, actions };
}

/** Decision 1: the clients with a negative balance whose block the run would start. */
async function previewFinancialBlocks(tx: TransactionSql, businessDate: IsoDate): Promise<DutyPreview> {
  const candidates = await tx<Array<{ id: number }>>`select id from clients where status = 'active' and negative_since is not null order by id`;
  const blocked: Array<{ clientId: number }> = [];
  for (const { id } of candidates) {
    if ((await financialBlockState(tx, id, businessDate))?.reason) blocked.push({ clientId: id });
  }
  return dutyOf(blocked.length, blocked);
}
