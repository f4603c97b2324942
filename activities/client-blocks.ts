import type { Sql } from '../db/client';
import { blockActionFor, type BlockAction } from '../domain/blocking';
import type { SubscriptionStatus } from '../domain/statuses';
import { workingPrepaidSubscriptionIds } from '../queries/subscriptions';
import { loadLifecycleStates } from '../operations/subscription-orders/subscription-orders';
import type { BlockKind } from '../contracts/scenarios';
import { billedPerPeriod } from '../domain/billing-types/payment';
import { chargeEventMovement } from '../operations/charges/apply-charge-event';

/** A prepaid subscription a block acts on, and how (see `blockActionFor`). */
export interface BlockTarget {
  subscriptionId: number;
  status: SubscriptionStatus;
  /** The service template's plugin: a block stops a `manual` one through a person. */
  plugin: string;
  action: Exclude<BlockAction, 'leave'>;
}

/** What the block and unblock scenarios need from the database. Read-only except the reasons written on subscriptions left stopped. */
export function createClientBlockActivities({ sql, today }: { sql: Sql; today: () => string }) {
  return {
    /** The working prepaid subscriptions, oldest first (blocks started before `blockTargets` existed call this). */
    async subscriptionsToStop({ clientId }: { clientId: number }) {
      return workingPrepaidSubscriptionIds(sql, clientId);
    },

    /**
     * Spec 01 §4.4, §4.5.2, decision 19: the client's prepaid subscriptions (or those of `ids`) the block has to act
     * on, oldest first, each with what to do now (`blockActionFor`). An operation is in flight on a subscription while
     * an order on it is paid and being provisioned (it is about to enter, or is in, its transitional status) or a
     * scenario other than this block's own stop is running on it (an activation, a stop or a deletion, also before it
     * moved the status).
     */
    async blockTargets({ clientId, kind, n, ids }: { clientId: number; kind: BlockKind; n: number; ids?: number[] }): Promise<BlockTarget[]> {
      const rows = await sql<Array<{ id: number; status: SubscriptionStatus; plugin: string; in_flight: boolean }>>`
        select s.id, s.status, t.plugin,
               exists (select 1 from orders o where o.subscription_id = s.id and o.status = 'provisioning')
               or exists (select 1 from scenarios sc where sc.subject_kind = 'subscription' and sc.subject_id = s.id::text
                            and sc.status = 'running' and sc.id <> 'subscription-' || s.id || ${`-stop-${kind}-block-${n}`}) as in_flight
        from subscriptions s join service_templates t on t.id = s.service_template_id
        where s.client_id = ${clientId} and s.payment_model = 'prepay' ${ids ? sql`and s.id = any(${ids}::int[])` : sql``}
        order by s.id`;
      return rows
        .map((r) => ({ subscriptionId: r.id, status: r.status, plugin: r.plugin, action: blockActionFor({ status: r.status, operationInFlight: r.in_flight }) }))
        .filter((t): t is BlockTarget => t.action !== 'leave');
    },

    /**
     * Spec 01 §4.5.5, decision 4: stopped subscriptions whose latest stop was a block's and that were working
     * before it, oldest first; none while the client is still blocked. Per-period billing (`monthly_flexible`)
     * comes back only while the available funds cover its current-period price, counted cumulatively; those
     * left stopped say why.
     */
    async subscriptionsToRestore({ clientId }: { clientId: number }) {
      // What coming back costs a per-period subscription: what its activation blocks again (the stop gave the rest
      // of the period back, spec 02 §4.9), or, when no charge covers today, the prolongation of the period.
      const restorePrice = async (subscriptionId: number, prolongation: number) => {
        const takes = -(await chargeEventMovement(sql, { subscriptionId, event: { kind: 'activate', date: today() }, stopped: true }));
        if (takes > 0) return takes;
        const [current] = await sql`select 1 from charges where subscription_id = ${subscriptionId} and kind = 'recurring' and not superseded
                                      and status in ('open', 'blocked') and period_to >= ${today()}::date limit 1`;
        return current ? 0 : prolongation;
      };
      const rows = await sql<Array<{ id: number; billing_type: string; balance: string }>>`
        select s.id, s.billing_type, c.balance::text from subscriptions s join clients c on c.id = s.client_id
        where s.client_id = ${clientId} and c.status = 'active' and s.status = 'stopped' and s.saved_status in ('active', 'payment_overdue')
          and (select sc.id from scenarios sc where sc.subject_kind = 'subscription' and sc.subject_id = s.id::text and sc.type = 'subscription_stop'
               order by sc.started_at desc limit 1) ~ '^subscription-[0-9]+-stop-(financial|administrative)-block-[0-9]+$'
        order by s.id`;
      if (rows.length === 0) return [];
      const prices = new Map((await loadLifecycleStates(sql, { ids: rows.map((r) => r.id) })).map((r) => [r.subscriptionId, r.state.prolongationAmount]));
      let available = Number(rows[0]!.balance);
      const restore: number[] = [];
      for (const row of rows) {
        const price = billedPerPeriod(row.billing_type) ? await restorePrice(row.id, prices.get(row.id) ?? 0) : 0;
        if (price > available) {
          await sql`update subscriptions set status_reason = ${`not restored: the available balance ${available} does not cover ${price} for the current period`}, updated_at = now() where id = ${row.id}`;
          continue;
        }
        available -= price;
        restore.push(row.id);
      }
      return restore;
    },

    /** Stop operations of this block still waiting for a person (manual stop mode). */
    async pendingBlockStopOperations({ clientId, kind, n }: { clientId: number; kind: BlockKind; n: number }) {
      return sql<Array<{ operationId: number; scenarioId: string; step: string; round: number }>>`
        select id as "operationId", scenario_id as "scenarioId", step_path as step, round from manual_operations
        where client_id = ${clientId} and type = 'stop_subscription' and status = 'pending'
          and scenario_id like ${`subscription-%-stop-${kind}-block-${n}`}
        order by id`;
    },
  };
}

export type ClientBlockActivities = ReturnType<typeof createClientBlockActivities>;
