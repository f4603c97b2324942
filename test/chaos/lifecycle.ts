/**
 * Renewals, plan switches and financial blocks on the subscriptions `placeOrders` bought, for a chaos test that
 * faults the platform after the purchases: who gets what, placing it as a careful integrator would (the same
 * Idempotency-Key until answered), and what it must leave: every effect once at the vendor, the ledger clean.
 */
import { expect } from 'vitest';
import { checkLedger } from '../../operations/ledger/ledger-check';
import { createSwitchTargetPlan } from '../support/platform';
import { callUntilAnswered, sleep, say, type ChaosPlatform, type PlacedOrders } from './harness';

/**
 * A renewal costs the monthly fee; a switch is the 2500 plan's purchase (spec 02 §4.9: the unused part of the old
 * plan comes back through the ledger when the switch applies).
 */
export const RENEWAL_AMOUNT = 1000;
export const SWITCH_AMOUNT = 2500;

/**
 * - `renew`: both subscriptions renewed;
 * - `switch`: the first switches plan, the second is renewed;
 * - `block`: the first is being renewed (its renew held at the vendor) when a debit blocks the client; both must
 *   end stopped (issue 16 point 1).
 */
export type Role = 'renew' | 'switch' | 'block';

export interface LifecycleClient {
  clientId: number;
  role: Role;
  subscriptions: Array<{ id: number; ref: string }>;
}

/** The clients of `placed` (two subscriptions each), taking the roles in turn. */
export async function assignRoles(p: ChaosPlatform, placed: PlacedOrders): Promise<LifecycleClient[]> {
  const roles: Role[] = ['renew', 'switch', 'block'];
  const clients: LifecycleClient[] = [];
  for (const [i, clientId] of placed.clientIds.entries()) {
    const subscriptions = await p.sql<Array<{ id: number; ref: string }>>`
      select id, vendor_reference as ref from subscriptions where client_id = ${clientId} order by id`;
    expect(subscriptions, `subscriptions of client ${clientId}`).toHaveLength(2);
    clients.push({ clientId, role: roles[i % roles.length]!, subscriptions: [...subscriptions] });
  }
  return clients;
}

/** A plan of the same service template to switch to: 2500 a month, no setup fee. */
export async function createTargetPlan(p: ChaosPlatform, placed: PlacedOrders): Promise<number> {
  return createSwitchTargetPlan(p, placed.catalog);
}

export async function topUp(p: ChaosPlatform, clientId: number, amount: number, key: string): Promise<void> {
  const answer = await callUntilAnswered(p, 'POST', `/api/v1/clients/${clientId}/top-ups`, { amount }, key);
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
}

/** An order on a subscription (`renew`, `switch-plan`), paid from the balance by its scenario; its id. */
export async function orderOn(p: ChaosPlatform, subscriptionId: number, action: 'renew' | 'switch-plan', body: unknown): Promise<number> {
  const answer = await callUntilAnswered(p, 'POST', `/api/v1/subscriptions/${subscriptionId}/${action}`, body, `chaos-${action}-${subscriptionId}`);
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body.id;
}

/** An approved debit adjustment: with threshold 0 and no negative period, one unit of debt blocks the client. */
export async function debit(p: ChaosPlatform, clientId: number, amount: number): Promise<void> {
  const created = await callUntilAnswered(p, 'POST', `/api/v1/clients/${clientId}/adjustments`, { direction: 'debit', amount, comment: 'chaos debt' }, `chaos-debit-${clientId}`);
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const approved = await callUntilAnswered(p, 'POST', `/api/v1/adjustments/${created.body.id}/approve`, {}, `chaos-approve-${clientId}`);
  expect(approved.status, JSON.stringify(approved.body)).toBe(200);
}

/** Polls `check` (every second unless told) until it returns true, with a progress line every few seconds. */
export async function waitUntil(p: ChaosPlatform, what: string, check: () => Promise<boolean>, { timeoutMs = 300_000, intervalMs = 1_000, progress = (): string => '' } = {}): Promise<void> {
  const started = Date.now();
  let lastLine = 0;
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not reached in ${Math.round(timeoutMs / 1000)} s (${progress()})`);
    if (Date.now() - lastLine > 5_000) {
      lastLine = Date.now();
      say(p.name, `${Math.round((Date.now() - started) / 1000)}s: waiting for ${what}${progress() ? ` | ${progress()}` : ''}`);
    }
    await sleep(intervalMs);
  }
}

export interface LifecycleOrders {
  /** Subscription id → its renewal order. */
  renewals: Map<number, number>;
  /** Subscription id → its plan-switch order. */
  switches: Map<number, number>;
  targetPeriodId: number;
}

/**
 * What the mix must leave: no crash; every order completed and paid once; renewed and switched subscriptions active
 * (on the new plan), blocked clients' subscriptions stopped with `active` saved; at the vendor one resource per
 * subscription and each effect once, under the key of the order or of the block's stop; the ledger clean.
 */
export async function expectLifecycleConsistent(p: ChaosPlatform, placed: PlacedOrders, clients: LifecycleClient[], orders: LifecycleOrders): Promise<void> {
  const crashes = (child: ChaosPlatform['worker']) => child.unexpectedExits.map((e) => `exit ${e.code ?? e.signal}: ${e.tail.filter((l) => !l.startsWith('{') && l.trim()).join(' | ')}`);
  expect.soft(crashes(p.worker), `worker crashes (see ${p.logDir}/worker.log)`).toEqual([]);
  expect.soft(crashes(p.server), `API crashes (see ${p.logDir}/api.log)`).toEqual([]);
  await p.vendor.whenIdle();

  const allOrders = placed.orderIds.length + orders.renewals.size + orders.switches.size;
  expect(await p.sql`select id, type, status from orders where status <> 'completed' order by id`).toEqual([]);
  const [counts] = await p.sql<Array<{ orders: number; paid: number; paidOrders: number }>>`
    select (select count(*)::int from orders) as orders,
           (select count(*)::int from ledger_transactions where kind = 'order_paid') as paid,
           (select count(distinct order_id)::int from ledger_transactions where kind = 'order_paid') as "paidOrders"`;
  expect(counts).toEqual({ orders: allOrders, paid: allOrders, paidOrders: allOrders });

  const subscriptions = new Map(
    (await p.sql<Array<{ id: number; status: string; saved_status: string | null; plan_period_id: number }>>`select id, status, saved_status, plan_period_id from subscriptions`).map((s) => [s.id, s]),
  );
  const effects = (ref: string) => p.vendor.resource(ref)!.operations.map((op) => `${op.operation} ${op.idempotencyKey!.split('/')[0]}`);
  for (const { clientId, role, subscriptions: [a, b] } of clients) {
    const [first, second] = [a!, b!];
    const renewed = (s: { id: number }) => `renew order-${orders.renewals.get(s.id)}`;
    const blockStop = (s: { id: number }) => `stop subscription-${s.id}-stop-financial-block-1`;
    const expected = {
      renew: { status: ['active', 'active'], effects: [[renewed(first)], [renewed(second)]] },
      switch: { status: ['active', 'active'], effects: [[`switch_plan order-${orders.switches.get(first.id)}`], [renewed(second)]] },
      block: { status: ['stopped', 'stopped'], effects: [[renewed(first), blockStop(first)], [blockStop(second)]] },
    }[role];
    const actual = {
      status: [first, second].map((s) => subscriptions.get(s.id)!.status),
      effects: [first, second].map((s) => effects(s.ref)),
    };
    expect(actual, `client ${clientId} (${role})`).toEqual(expected);
    if (role === 'switch') expect(subscriptions.get(first.id)!.plan_period_id).toBe(orders.targetPeriodId);
    if (role === 'block') expect([first, second].map((s) => subscriptions.get(s.id)!.saved_status)).toEqual(['active', 'active']);
  }
  expect(p.vendor.doubleEffects(), 'effects applied twice at the vendor').toEqual([]);
  const keys = p.vendor.resources.map((r) => r.idempotencyKey);
  expect(new Set(keys).size).toBe(placed.orderIds.length);
  expect(keys).toHaveLength(placed.orderIds.length);

  // Renewed clients spent exactly what they topped up; switched ones kept what the old plan's split gave back
  // (once: charge_split entries are keyed); a blocked client owes its debit.
  const balances = await p.sql<Array<{ id: number; balance: number }>>`select id, balance::int from clients order by id`;
  const back = new Map((await p.sql<Array<{ id: number; back: number }>>`
    select client_id as id, sum(amount)::int as back from ledger_transactions where kind = 'charge_split' group by client_id`).map((r) => [r.id, r.back]));
  const owed = new Map(clients.map((c) => [c.clientId, c.role === 'block' ? -1 : c.role === 'switch' ? (back.get(c.clientId) ?? 0) : 0]));
  for (const c of clients) if (c.role === 'switch') expect(back.get(c.clientId), `client ${c.clientId} got the unused part back`).toBeGreaterThan(0);
  expect(balances.map((c) => [c.id, c.balance])).toEqual(balances.map((c) => [c.id, owed.get(c.id)]));
  const { discrepancies } = await checkLedger(p.sql);
  expect(discrepancies).toEqual([]);
}
