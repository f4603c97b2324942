import type { Sql } from '../db/client';
import type { PluginRegistry } from '../operations/plugins/registry';
import { autoPayment, automaticOrder, dutyRules, paymentOverdue, type Duty, type LifecycleAction } from '../domain/lifecycle';
import { periodMonths } from '../domain/pricing';
import { issueActs, markOverduePayments, overdueUnblockCandidates } from '../operations/documents/acts';
import { extensionCharges } from '../operations/charges/charges';
import { additionalResources } from '../operations/subscription-orders/additional-resources';
import { creditLimitActions } from '../operations/clients/credit-limits';
import { evaluateFinancialBlock } from '../operations/ledger/ledger';
import { blockPeriodsToStart, markBlockScenarioStarted } from '../operations/client-blocks/block-scenario-starts';
import { emitDailyNotificationEvents } from '../operations/notifications/emit-daily-events';
import { mergeWaitingPayments } from '../operations/payments/merge-waiting-payments';
import { expiredPromisedPayments, revokePromisedPayment } from '../operations/payments/promised-payments';
import { insertSubscriptionOrder, isDuplicateAutomaticOrder, loadLifecycleStates, lockLifecycleRow } from '../operations/subscription-orders/subscription-orders';
import { dueCharges, unpaidOrdersPastEndDate } from '../operations/billing-runs/due-work';
import { cancelOrder } from '../operations/orders/cancel-order';
import { dueUsagePulls } from '../operations/usage/pull-usage';
import { createOrderActivities } from './orders';
import { moveSubscriptionStatus } from '../operations/subscriptions/move-subscription-status';
import { billedPerPeriod } from '../domain/billing-types/payment';
import { settleStoppedSubscriptionCharges } from '../operations/charges/stopped-subscription-charges';
import { createResellerCharges } from '../operations/reseller-charges/create-reseller-charges';
import { reverseResellerCharges } from '../operations/reseller-charges/reverse-reseller-charges';

/**
 * The billing run's reads and records. Selections are set-based and depend only on the business date and
 * the current state, so a re-run of a date finds only what is still due.
 */
export interface DueItem {
  subscriptionId: number;
  action: LifecycleAction;
}

export interface RunAction {
  subscriptionId: number;
  action: string;
  orderId?: number | null;
  outcome?: Record<string, unknown>;
}

interface BillingRunDeps {
  sql: Sql;
  today: () => string;
  plugins: PluginRegistry;
}

/**
 * The duties on subscriptions: find what is due, order, pay and mark overdue, record what was done. Long because it
 * is a table of activities sharing the run's record; each calls operations and domain rules.
 */
function dueWorkActivities({ sql, today, plugins }: BillingRunDeps) {
  const orders = createOrderActivities({ sql, today, plugins });

  async function record(businessDate: string, actions: RunAction[]) {
    for (const a of actions) {
      await sql`
        insert into billing_run_actions (business_date, subscription_id, action, order_id, outcome)
        values (${businessDate}, ${a.subscriptionId}, ${a.action}, ${a.orderId ?? null}, ${JSON.stringify(a.outcome ?? {})}::jsonb)
        on conflict (business_date, subscription_id, action) do nothing`;
    }
  }

  return {
    /**
     * One duty's due work on a date: a set-based load of the subscriptions near their dates, filtered by the
     * duty's rule from `domain/lifecycle.ts` (the rule the forecast plays forward).
     */
    async findDue({ businessDate, duty, limit }: { businessDate: string; duty: Duty; limit: number }): Promise<DueItem[]> {
      const rows = await loadLifecycleStates(sql, { due: businessDate });
      const rule = dutyRules[duty];
      const due: DueItem[] = [];
      for (const row of rows) {
        const action = rule(row.state, businessDate);
        if (action) due.push({ subscriptionId: row.subscriptionId, action });
        if (due.length >= limit) break;
      }
      return due;
    },

    /** Records what a duty did to each subscription (started a stop, a deletion, provisioning, ...). */
    async recordRunActions({ businessDate, actions }: { businessDate: string; actions: RunAction[] }) {
      await record(businessDate, actions);
    },

    /**
     * Spec 01 §11.2, §12.2, §16.3: creates the due renewal and prolongation orders, each in its own
     * transaction after re-checking the rule under a row lock. A change, switch or prolongation awaiting
     * payment on the due date is cancelled first (its scenario is told afterwards). A re-run of the date
     * creates nothing new: one automatic order per subscription, type and term.
     */
    async createAutomaticOrders({ businessDate, subscriptionIds }: { businessDate: string; subscriptionIds: number[] }) {
      const created: Array<{ subscriptionId: number; orderId: number; workflowId: string }> = [];
      const superseded: Array<{ workflowId: string; reason: string }> = [];
      let blocked = 0;
      for (const subscriptionId of subscriptionIds) {
        try {
          await sql.begin(async (tx) => {
            const row = await lockLifecycleRow(tx, subscriptionId);
            const action = row && automaticOrder(row.state, businessDate);
            if (!row || !action) return;
            if (action.kind === 'blocked_by_open_order') {
              blocked += 1;
              await tx`
                insert into billing_run_actions (business_date, subscription_id, action, order_id)
                values (${businessDate}, ${subscriptionId}, ${action.kind}, ${action.orderId}) on conflict do nothing`;
              return;
            }
            if (action.kind !== 'create_renewal_order' && action.kind !== 'create_prolongation_order') return;
            const renewal = action.kind === 'create_renewal_order';
            if (action.supersedes !== null) {
              const reason = `superseded by the automatic ${renewal ? 'renewal' : 'prolongation'} of ${businessDate}`;
              if (await cancelOrder(tx, action.supersedes, { by: null, reason, onlyFrom: ['awaiting_payment'] })) {
                superseded.push({ workflowId: `order-${action.supersedes}`, reason });
              }
            }
            const s = row.state;
            const amount = renewal ? s.renewalAmount : s.prolongationAmount;
            const months = renewal && !billedPerPeriod(s.billingType) ? periodMonths(s.period) : '1';
            const description = renewal
              ? `${row.planName}: renewal after ${action.termKey}${action.kind === 'create_renewal_order' && action.deferred ? ` (deferred to ${action.provisioningDate})` : ''}`
              : `${row.planName}: prolongation ${action.from} – ${action.to}`;
            const { orderId, workflowId } = await insertSubscriptionOrder(tx, {
              type: renewal ? 'renewal' : 'prolongation',
              subscriptionId,
              amount,
              lines: [{ kind: 'subscription', priceType: renewal ? 'renewal' : 'recurring', description, quantity: 1, periodMonths: months, unitPrice: amount, amount }],
              today: businessDate,
              createdBy: null,
              automatic: true,
              autoPayDate: action.autoPayDate,
              termKey: action.termKey,
              deferred: renewal ? action.deferred : false,
              provisioningDate: renewal ? action.provisioningDate : businessDate,
              details: renewal ? { renewsAfter: action.termKey } : { from: action.from, to: action.to },
              charges: extensionCharges({
                type: renewal ? 'renewal' : 'prolongation',
                billingType: s.billingType,
                expirationDate: s.expirationDate!,
                period: s.period,
                financialDay: s.financialDay,
                renewalFee: row.renewalFee,
                amount,
                prolonged: renewal ? undefined : { from: action.from, to: action.to },
                resources: row.resourceMonthly > 0 ? await additionalResources(tx, subscriptionId) : [],
              }),
            });
            await tx`
              insert into billing_run_actions (business_date, subscription_id, action, order_id)
              values (${businessDate}, ${subscriptionId}, ${action.kind}, ${orderId}) on conflict do nothing`;
            created.push({ subscriptionId, orderId, workflowId });
          });
        } catch (err) {
          // Another run (or a retry of this one) created it first: nothing to do.
          if (!isDuplicateAutomaticOrder(err)) throw err;
        }
      }
      return { created, superseded, blocked };
    },

    /**
     * Spec 01 §12.2 step 2, §11.2: pays due automatic orders from the balance. Returns the scenarios to
     * tell; an order the balance does not cover stays awaiting payment (the grace days follow).
     */
    async autoPayOrders({ businessDate, items }: { businessDate: string; items: DueItem[] }) {
      const paid: string[] = [];
      for (const item of items) {
        const [row] = await loadLifecycleStates(sql, { ids: [item.subscriptionId] });
        const action = row && autoPayment(row.state, businessDate);
        if (!row || !action || action.kind !== 'auto_payment') {
          // Paid by an earlier attempt of this activity (retried after its timeout on a large run): its scenario
          // still waits to be told, so it is answered again (telling a scenario twice is harmless).
          const [earlier] = await sql<Array<{ order_id: number }>>`
            select order_id from billing_run_actions where business_date = ${businessDate} and subscription_id = ${item.subscriptionId}
              and action = 'auto_payment' and (outcome ->> 'paid')::boolean and order_id is not null`;
          if (earlier) paid.push(`order-${earlier.order_id}`);
          continue;
        }
        const result = await orders.payOrderFromBalance({ orderId: action.orderId });
        await record(businessDate, [{ subscriptionId: item.subscriptionId, action: 'auto_payment', orderId: action.orderId, outcome: { paid: result.paid, via: result.via, balance: row.balance, amount: row.state.openOrder?.amount } }]);
        // A merged payment pays its other orders too; each of their scenarios is told.
        if (result.paid) for (const orderId of result.orderIds ?? [action.orderId]) paid.push(`order-${orderId}`);
      }
      return { paid: [...new Set(paid)] };
    },

    /** Decision 5: the subscription keeps working in `payment_overdue` during the grace days. */
    async markPaymentOverdue({ businessDate, subscriptionIds }: { businessDate: string; subscriptionIds: number[] }) {
      let marked = 0;
      for (const subscriptionId of subscriptionIds) {
        await sql.begin(async (tx) => {
          const row = await lockLifecycleRow(tx, subscriptionId);
          if (!row || !paymentOverdue(row.state, businessDate)) return;
          await moveSubscriptionStatus(tx, { subscriptionId, status: 'payment_overdue', from: ['active'], reason: `not paid (billing run of ${businessDate})`, dedupeKey: `overdue/${subscriptionId}/${businessDate}` });
          await tx`
            insert into billing_run_actions (business_date, subscription_id, action) values (${businessDate}, ${subscriptionId}, 'mark_payment_overdue')
            on conflict do nothing`;
          marked += 1;
        });
      }
      return { marked };
    },

    /** Spec 01 §16.8, decision 8: prepaid orders still awaiting payment after their end date. */
    async findUnpaidOrdersPastEndDate({ businessDate, limit }: { businessDate: string; limit: number }) {
      const due = await unpaidOrdersPastEndDate(sql, businessDate, limit);
      // Recorded for the subscriptions they belong to (purchase orders have none yet).
      const owned = due.filter((o) => o.subscriptionId !== null);
      await sql`
        insert into billing_run_actions (business_date, subscription_id, action, order_id)
        select ${businessDate}, subscription_id, 'cancel_unpaid_order', order_id
        from unnest(${owned.map((o) => o.subscriptionId!)}::int[], ${owned.map((o) => o.orderId)}::int[]) as t(subscription_id, order_id)
        on conflict do nothing`;
      return due.map((o) => o.workflowId);
    },
  };
}

/**
 * The client-wide duties of a day: blocks, charges, merges, notifications, acts, overdue payments, credit limits,
 * promised payments. Long because it is a table of short activities, one per duty.
 */
function dailyDutyActivities({ sql }: BillingRunDeps) {
  return {
    /** Spec 02 §16 item 11: the pay-as-you-go (external) subscriptions whose usage the run pulls today. */
    async findUsagePulls({ businessDate, limit }: { businessDate: string; limit: number }) {
      return dueUsagePulls(sql, { businessDate, limit });
    },

    /**
     * Decision 1: a balance that stays negative blocks the client once the allowed negative period has
     * passed, which no transaction notices; the run re-evaluates every client with a negative balance.
     */
    async evaluateFinancialBlocks({ businessDate }: { businessDate: string }) {
      const candidates = await sql<Array<{ id: number }>>`select id from clients where status = 'active' and negative_since is not null order by id`;
      let blocked = 0;
      for (const { id } of candidates) {
        await sql.begin(async (tx) => {
          await tx`select 1 from clients where id = ${id} for no key update`;
          const result = await evaluateFinancialBlock(tx, id, businessDate);
          if (result.changed && result.status === 'financially_blocked') blocked += 1;
        });
      }
      return { found: candidates.length, blocked };
    },

    /**
     * Spec 02 §4.7: on the financial day after its period a blocked recurring charge is closed: its money,
     * taken from the available balance when the order was paid, is now consumed.
     */
    async closeCharges({ businessDate }: { businessDate: string }) {
      // A stopped subscription's due charges first go its billing type's way (deleted and given back, or held).
      const stopped = await settleStoppedSubscriptionCharges(sql, businessDate);
      const due = dueCharges(sql, businessDate);
      const closed = await sql`update charges set status = 'closed', closed_at = now(), updated_at = now() where ${due.closing} returning id`;
      // Postpay (spec 02 §4.11): an open charge blocks (becomes debt) when its period starts.
      const opened = await sql`update charges set status = 'blocked', updated_at = now() where ${due.opening} returning id`;
      // Spec 05 §5.1, §11.6: right after client charges close, the levels above a delegated plan's seller charge theirs
      // (every closed client charge still without them, so one-off fees closed at payment are caught here too).
      // A client charge no longer earned (deleted or split after it closed) takes its reseller charges back (05 Q3).
      const resellerCharges = { ...(await createResellerCharges(sql)), ...(await reverseResellerCharges(sql)) };
      return { closed: closed.count, blocked: opened.count, stoppedSettled: stopped, resellerCharges };
    },

    /** Spec 02 §7: acts and payments for rendered services the day after a financial day. */
    /** Spec 02 §2.11: the nightly merge of waiting renewal and prolongation payments (when the setting is on). */
    async mergeWaitingPayments(_: { businessDate: string }) {
      return mergeWaitingPayments(sql);
    },

    /** Spec 03 §6.3: the daily notification events of the date (expiry before/after, payment due, promised payment expiring). */
    async emitDailyNotificationEvents({ businessDate }: { businessDate: string }) {
      return emitDailyNotificationEvents(sql, businessDate);
    },

    async issueActs({ businessDate }: { businessDate: string }) {
      return issueActs(sql, businessDate);
    },

    /** Spec 01 §15.2 (1), §15.4: overdue payments for rendered services, what they block and what paid ones release. */
    async overduePayments({ businessDate }: { businessDate: string }) {
      const { overdue, toBlock } = await markOverduePayments(sql, businessDate);
      return { overdue, toBlock, toUnblock: await overdueUnblockCandidates(sql) };
    },

    /** Spec 01 §15.4: the daily credit-limit comparison of postpay subscriptions. */
    async creditLimitActions() {
      return creditLimitActions(sql);
    },

    /** Block periods whose scenario has not been started (the run's own revocations and evaluations open some). */
    async pendingBlockScenarios() {
      const periods = await blockPeriodsToStart(sql);
      return periods.map((p) => ({ id: p.id, clientId: p.client_id, kind: p.kind, n: p.n, scenario: p.block_started ? ('unblock' as const) : ('block' as const) }));
    },

    async markBlockScenarioStarted({ id, scenario }: { id: number; scenario: 'block' | 'unblock' }) {
      await markBlockScenarioStarted(sql, id, scenario);
    },

    /** Spec 02 §3.5 (a): promised payments past their last day are revoked; their amount leaves the balance. */
    async revokeExpiredPromisedPayments({ businessDate }: { businessDate: string }) {
      const ids = await expiredPromisedPayments(sql, businessDate);
      let revoked = 0;
      for (const id of ids) {
        await sql.begin(async (tx) => {
          await tx`select 1 from clients where id = (select client_id from promised_payments where id = ${id}) for no key update`;
          if (await revokePromisedPayment(tx, id, { reason: `expired (billing run of ${businessDate})`, by: null })) revoked += 1;
        });
      }
      return { found: ids.length, revoked };
    },
  };
}

/** The run's own record: its row, its duties' counts, and the scenarios it started. */
function runRecordActivities({ sql }: BillingRunDeps) {
  return {
    /** Idempotent per execution: a retried call changes nothing; a new run of the date counts once and resets the duties. */
    async beginBillingRun({ businessDate, scenarioId, runId }: { businessDate: string; scenarioId: string; runId: string }) {
      await sql`
        insert into billing_runs (business_date, status, scenario_id, run_id) values (${businessDate}, 'running', ${scenarioId}, ${runId})
        on conflict (business_date) do update set status = 'running', scenario_id = excluded.scenario_id, run_id = excluded.run_id,
          runs = billing_runs.runs + 1, duties = '{}'::jsonb, started_at = now(), finished_at = null
        where billing_runs.run_id <> excluded.run_id`;
    },

    async recordDuty({ businessDate, duty, found, done }: { businessDate: string; duty: string; found: number; done: number }) {
      await sql`
        update billing_runs set duties = duties || jsonb_build_object(${duty}::text, jsonb_build_object('found', ${found}::int, 'done', ${done}::int))
        where business_date = ${businessDate}`;
    },

    async finishBillingRun({ businessDate, status }: { businessDate: string; status: 'completed' | 'failed' }) {
      await sql`update billing_runs set status = ${status}, finished_at = now() where business_date = ${businessDate}`;
    },

    /** Orders that exist but whose scenario has not been started (a run that died between the two). */
    async findUnstartedOrders({ limit }: { limit: number }) {
      return sql<Array<{ orderId: number; workflowId: string; type: string }>>`
        select id as "orderId", workflow_id as "workflowId", type from orders
        where scenario_started_at is null and automatic order by id limit ${limit}`;
    },

    async markScenariosStarted({ orderIds }: { orderIds: number[] }) {
      if (orderIds.length === 0) return;
      await sql`update orders set scenario_started_at = coalesce(scenario_started_at, now()) where id = any(${orderIds}::int[])`;
    },
  };
}

/** Every activity of the billing run (their names are history: recorded runs replay them). */
export function createBillingRunActivities(deps: BillingRunDeps) {
  return { ...dueWorkActivities(deps), ...dailyDutyActivities(deps), ...runRecordActivities(deps) };
}

export type BillingRunActivities = ReturnType<typeof createBillingRunActivities>;
