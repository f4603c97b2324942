import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, compareDates } from '../../domain/dates';
import { orderBilledTypes } from '../../domain/billing-types/types';
import { checkLedger } from '../../operations/ledger/ledger-check';
import { eventually, platformWithCatalog, runBillingDay, settleScenarios, waitForOrderStatus, type Catalog, type TestPlatform } from '../support/platform';

// Issue 19 acceptance: ≥ 200 random sequences through the real API, Temporal scenarios and the fake vendor, on
// every sellable billing type, without a violated invariant. A seeded generator draws the sequences (one client,
// a random top-up, a purchase, then 2-5 steps among stop, activate, delete, resource increase or decrease, top-up,
// adjustment debit or nothing);
// they run BATCH at a time on one platform whose business date they share: a round = every live sequence does
// its next step, the date moves 0-40 days (the billing days that matter in between are run: financial days and
// the live subscriptions' expiration and renewal points), then every invariant is checked for every client:
//   - checkLedger finds no discrepancy (balance = Σ transactions, charges add up, charges hold what was taken);
//   - Σ of an order's charges that are neither superseded nor refunds = its amount (orders not cancelled);
//   - the funds' blocked = Σ blocked charges, and the deposits less the debits = available + what the charges took
//     (money neither created nor destroyed);
//   - no charge has a negative amount;
//   - a refused operation answers a coded 4xx and changes neither the client's funds nor its charges.
// BILLING_PROPERTY_RUNS sets the number of sequences (CI: 200; scripts/soak-billing-types.sh: 2000),
// BILLING_PROPERTY_SEED the seed, BILLING_PROPERTY_BATCH how many share a round (and its billing days),
// BILLING_PROPERTY_CONCURRENCY how many of them call the API at once.

const runs = Number(process.env.BILLING_PROPERTY_RUNS ?? 200);
const seed = Number(process.env.BILLING_PROPERTY_SEED ?? 190_019);
const batchSize = Number(process.env.BILLING_PROPERTY_BATCH ?? 100);

type SellableType = (typeof orderBilledTypes)[number];
const stepKinds = ['stop', 'stop', 'activate', 'activate', 'delete', 'top_up', 'debit', 'nothing', 'increase', 'decrease'] as const;
type StepKind = (typeof stepKinds)[number];

const sequenceArb = fc.record({
  type: fc.constantFrom(...orderBilledTypes),
  /** Financial day of the plan's provisioning rule (payment in full needs 1). */
  financialDay15: fc.boolean(),
  fee: fc.integer({ min: 1, max: 10_000 }),
  setupFee: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 5_000 })),
  /** The pre-order's term: 1 or 3 months, or a year. */
  term: fc.constantFrom<[number, 'month' | 'year']>([1, 'month'], [3, 'month'], [1, 'year']),
  /** What the client has beyond what the first order costs at most. */
  extra: fc.integer({ min: 0, max: 60_000 }),
  steps: fc.array(fc.record({ kind: fc.constantFrom(...stepKinds), amount: fc.integer({ min: 1, max: 20_000 }) }), { minLength: 2, maxLength: 5 }),
});
type Sequence = typeof sequenceArb extends fc.Arbitrary<infer T> ? T : never;
const batchArb = fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 5, maxLength: 5 });

function planPeriods(s: Sequence): unknown[] {
  const vendor = { setupFee: 0, recurringFee: s.fee };
  const periods: Record<SellableType, unknown> = {
    prepaid_term: { duration: s.term[0], unit: s.term[1], setupFee: s.setupFee, recurringFee: s.fee },
    monthly_flexible: { duration: 1, unit: 'month', setupFee: s.setupFee, recurringFee: s.fee },
    no_refund: { duration: 1, unit: 'year', ...vendor },
    peak_monthly: { duration: 1, unit: 'month', ...vendor },
    csp_monthly: { duration: 1, unit: 'month', ...vendor },
    csp_annual: { duration: 1, unit: 'year', ...vendor },
    eset_monthly: { duration: 1, unit: 'month', ...vendor },
    non_recurring: { duration: 1, unit: 'month', unlimited: true, setupFee: Math.max(1, s.setupFee), recurringFee: 0 },
  };
  return [periods[s.type]];
}

let p: TestPlatform;
let catalog: Catalog;
let fd15RuleId: number;
let today = '2026-09-01';
const clock = () => new Date(`${today}T12:00:00Z`);
let api: TestPlatform['api'];
const billingDaysRun = new Set<string>();
const debug = process.env.BILLING_PROPERTY_DEBUG ? (what: string, since: number) => console.log(`${what}: ${Date.now() - since} ms`) : () => {};

beforeAll(async () => {
  ({ p, catalog } = await platformWithCatalog('billing-types-property', { serviceRule: { creditThreshold: 1_000_000 } }, { now: clock }));
  api = p.withClock(clock);
  const rule = await api('POST', '/api/v1/provisioning-rules', { key: 'prop_fd15', name: 'Financial day 15', financialDay: 15 });
  expect(rule.status, JSON.stringify(rule.body)).toBe(201);
  fd15RuleId = rule.body.id;
}, 120_000);
afterAll(async () => {
  if (p) expect((await checkLedger(p.sql)).discrepancies).toEqual([]);
  await p?.close();
});

interface Live {
  index: number;
  s: Sequence;
  log: string[];
  clientId: number;
  subscriptionId: number;
  /** Money the test put in less what it took out: = available + what the charges hold. */
  deposits: number;
  done: boolean;
}

const ok = <T extends { status: number; body: any }>(answer: T, status: number, what: string): T => {
  if (answer.status !== status) throw new Error(`${what}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer;
};
const funds = async (clientId: number) => (await api('GET', `/api/v1/clients/${clientId}/funds`)).body as { balance: number; available: number; blocked: number };
const subscription = async (id: number) => (await api('GET', `/api/v1/subscriptions/${id}`)).body;

interface ChargeRow {
  id: number;
  order_id: number;
  status: string;
  amount: number;
  superseded: boolean;
  refund: boolean;
  commitment: boolean;
  period_from: string;
  period_to: string;
}
const chargesOf = (clientId: number) =>
  p.sql<ChargeRow[]>`
    select id, order_id, status, amount::float8 as amount, superseded, refund, commitment, period_from::text, period_to::text
    from charges where client_id = ${clientId} order by id`;

async function snapshot(clientId: number) {
  return JSON.stringify({ funds: await funds(clientId), charges: await chargesOf(clientId) });
}

/** Every invariant of one client; throws with the sequence's log. */
async function checkInvariants(l: Live, where: string) {
  const fail = async (what: string): Promise<never> => {
    const ledger = await p.sql`select kind, amount::int8 as amount, order_id, idempotency_key from ledger_transactions where client_id = ${l.clientId} order by id`;
    const charges = await p.sql`select id, order_id, kind, status, period_from::text, period_to::text, amount::int8 as amount, split_of, superseded, refund, commitment from charges where client_id = ${l.clientId} order by id`;
    const message = `sequence ${l.index} (seed ${seed}) ${where}: ${what}\n${JSON.stringify(l.s)}\n${l.log.join('\n')}\nledger:\n${ledger.map((r) => JSON.stringify(r)).join('\n')}\ncharges:\n${charges.map((r) => JSON.stringify(r)).join('\n')}`;
    console.error(message);
    throw new Error(message);
  };
  const ledger = await checkLedger(p.sql, { clientId: l.clientId });
  if (ledger.discrepancies.length > 0) await fail(`ledger: ${JSON.stringify(ledger.discrepancies)}`);
  const charges = await chargesOf(l.clientId);
  const negative = charges.filter((c) => c.amount < 0);
  if (negative.length > 0) await fail(`negative charges ${JSON.stringify(negative)}`);
  const orders = await p.sql<Array<{ id: number; status: string; amount: number }>>`select id, status, amount::float8 as amount from orders where client_id = ${l.clientId}`;
  for (const o of orders) {
    if (o.status === 'cancelled') continue;
    const sum = charges.filter((c) => c.order_id === o.id && !c.superseded && !c.refund && !c.commitment).reduce((a, c) => a + c.amount, 0);
    if (sum !== o.amount) await fail(`order ${o.id} (${o.status}) amount ${o.amount} but its charges add up to ${sum}: ${JSON.stringify(charges.filter((c) => c.order_id === o.id))}`);
  }
  const f = await funds(l.clientId);
  const blocked = charges.filter((c) => c.status === 'blocked' && !c.refund).reduce((a, c) => a + c.amount, 0);
  if (f.blocked !== blocked) await fail(`funds blocked ${f.blocked} but blocked charges ${blocked}`);
  const taken = charges.filter((c) => !c.refund && !c.superseded && (c.status === 'blocked' || c.status === 'closed')).reduce((a, c) => a + c.amount, 0);
  if (l.deposits !== f.available + taken) await fail(`deposits ${l.deposits} but available ${f.available} + taken by charges ${taken} = ${f.available + taken}`);
}

/** What the sequences did, by type, operation and outcome: printed at the end, to see what was covered. */
const outcomes = new Map<string, number>();
const count = (l: Live, what: string) => outcomes.set(`${l.s.type} ${what}`, (outcomes.get(`${l.s.type} ${what}`) ?? 0) + 1);
const targetStatus: Record<'stop' | 'activate' | 'delete', string> = { stop: 'stopped', activate: 'active', delete: 'deleted' };

async function step(l: Live, kind: StepKind, amount: number) {
  const { clientId, subscriptionId } = l;
  if (kind === 'nothing') return;
  if (kind === 'top_up') {
    ok(await api('POST', `/api/v1/clients/${clientId}/top-ups`, { amount }), 201, 'top-up');
    l.deposits += amount;
    l.log.push(`${today} top-up ${amount}`);
    return;
  }
  if (kind === 'debit') {
    // Within the available balance: a negative balance blocks the client, which is another test's subject.
    const { available } = await funds(clientId);
    const debit = Math.min(amount, available);
    if (debit <= 0) return;
    const created = ok(await api('POST', `/api/v1/clients/${clientId}/adjustments`, { direction: 'debit', amount: debit, comment: 'property debit' }), 201, 'adjustment');
    ok(await api('POST', `/api/v1/adjustments/${created.body.id}/approve`, {}), 200, 'approval');
    l.deposits -= debit;
    l.log.push(`${today} debit ${debit}`);
    return;
  }
  if (kind === 'increase' || kind === 'decrease') return resourceStep(l, kind, amount);
  const before = await snapshot(clientId);
  const statusBefore = (await subscription(subscriptionId)).status;
  const answer = await api('POST', `/api/v1/subscriptions/${subscriptionId}/${kind}`, { reason: 'property test' });
  if (answer.status === 202) {
    l.log.push(`${today} ${kind} (was ${statusBefore}) accepted`);
    count(l, `${kind} from ${statusBefore}: accepted`);
    const target = targetStatus[kind];
    const seen = await eventually(
      async () => {
        // The scenario first: read after it, the subscription's status is the one its scenario left (read before it,
        // a scenario that finished in between looked finished with the status of a moment earlier).
        const scenario = (await api('GET', `/api/v1/scenarios/${answer.body.scenarioId}`)).body;
        const sub = await subscription(subscriptionId);
        if (sub.status === target) return sub.status as string;
        return ['completed', 'failed', 'cancelled'].includes(scenario?.status) ? `${sub.status} (scenario ${scenario.status})` : null;
      },
      { what: `subscription ${subscriptionId} ${target} after ${kind}`, intervalMs: 250 },
    );
    if (seen !== target) throw new Error(`sequence ${l.index}: ${kind} of subscription ${subscriptionId} (was ${statusBefore}) ended ${seen}, not ${target}\n${JSON.stringify(l.s)}\n${l.log.join('\n')}`);
    if (kind === 'delete') l.done = true;
    return;
  }
  await refused(l, kind, statusBefore, answer, before);
}

/** A refusal answers a coded 4xx and changes neither the client's funds nor its charges. */
async function refused(l: Live, kind: string, statusBefore: string, answer: { status: number; body: any }, before: string) {
  l.log.push(`${today} ${kind} (was ${statusBefore}) refused ${answer.status} ${answer.body?.code}`);
  count(l, `${kind} from ${statusBefore}: ${answer.status} ${answer.body?.code}`);
  if (!(answer.status >= 400 && answer.status < 500) || typeof answer.body?.code !== 'string') {
    throw new Error(`sequence ${l.index}: ${kind} answered ${answer.status} ${JSON.stringify(answer.body)}\n${l.log.join('\n')}`);
  }
  const after = await snapshot(l.clientId);
  if (after !== before) throw new Error(`sequence ${l.index}: a refused ${kind} changed the client\nbefore ${before}\nafter  ${after}\n${l.log.join('\n')}`);
}

/**
 * A resource change of 1-4 GB of storage: an increase is paid from the balance when it covers it (else it waits,
 * and the billing run cancels it), a decrease splits and refunds the additional units' charges. The order is
 * followed until it stops moving (completed, awaiting payment, cancelled or in error).
 */
async function resourceStep(l: Live, kind: 'increase' | 'decrease', amount: number) {
  const [held] = await p.sql<Array<{ quantity: number }>>`select quantity from subscription_resources where subscription_id = ${l.subscriptionId} and key = 'storage'`;
  const current = held?.quantity ?? 10;
  const wanted = kind === 'increase' ? Math.min(100, current + 1 + (amount % 4)) : Math.max(5, current - 1 - (amount % 4));
  if (wanted === current) return;
  const before = await snapshot(l.clientId);
  const statusBefore = (await subscription(l.subscriptionId)).status;
  const answer = await api('POST', `/api/v1/subscriptions/${l.subscriptionId}/change-resources`, { resources: { storage: wanted } });
  if (answer.status !== 201) return refused(l, kind, statusBefore, answer, before);
  l.log.push(`${today} ${kind} storage ${current} → ${wanted} (was ${statusBefore}) order ${answer.body.id} ${answer.body.amount}`);
  count(l, `${kind} from ${statusBefore}: accepted`);
  // Awaiting payment counts as settled only once its scenario waits (it tries the balance first).
  const status = await eventually(
    async () => {
      const order = (await api('GET', `/api/v1/orders/${answer.body.id}`)).body;
      if (['completed', 'cancelled', 'activation_error'].includes(order.status)) return order.status as string;
      const scenario = order.status === 'awaiting_payment' ? (await api('GET', `/api/v1/scenarios/${order.scenarioId}`)).body : null;
      return scenario?.status === 'waiting' ? 'awaiting_payment' : null;
    },
    { what: `order ${answer.body.id} settled`, intervalMs: 250 },
  );
  count(l, `${kind} order ${status}`);
}

async function start(index: number, s: Sequence): Promise<Live> {
  const financialDay = s.type !== 'peak_monthly' && s.financialDay15 ? 15 : 1;
  const plan = ok(
    await api('POST', '/api/v1/plans', {
      productId: catalog.productId,
      serviceTemplateId: catalog.serviceTemplateId,
      provisioningRuleId: financialDay === 15 ? fd15RuleId : catalog.provisioningRuleId,
      name: `property ${index} ${s.type}`,
      billingType: s.type,
      periods: planPeriods(s),
      // Storage the increase and decrease steps order: 10 GB included, 5-100, a tenth of the fee a GB.
      resources: [{ key: 'storage', name: 'Storage, GB', included: 10, minimum: 5, maximum: 100, recurringPrice: Math.max(1, Math.floor(s.fee / 10)) }],
    }),
    201,
    `plan of sequence ${index}`,
  ).body;
  const client = ok(await api('POST', '/api/v1/clients', { name: `property client ${index}`, serviceRuleId: catalog.serviceRuleId }), 201, 'client').body;
  // Enough for the first order whatever the term (at most a year and a setup fee), plus a random extra.
  const topUp = s.setupFee + 13 * s.fee + s.extra;
  ok(await api('POST', `/api/v1/clients/${client.id}/top-ups`, { amount: topUp }), 201, 'top-up');
  const order = ok(await api('POST', '/api/v1/orders', { clientId: client.id, planPeriodId: plan.periods[0].id }), 201, 'order').body;
  const done = await waitForOrderStatus(p, order.id, 'completed', 120_000);
  const l: Live = { index, s, log: [`${today} ${s.type} fd ${financialDay} top-up ${topUp}, bought order ${order.id} ${order.amount}`], clientId: client.id, subscriptionId: done.subscriptionId, deposits: topUp, done: false };
  return l;
}

/** The billing days between two dates that can change something: financial days, and the live subscriptions' expiration and renewal points. */
async function billingDaysBetween(from: string, to: string, live: Live[]): Promise<string[]> {
  const days = new Set<string>();
  for (let d = addDays(from, 1); compareDates(d, to) <= 0; d = addDays(d, 1)) {
    const dom = Number(d.slice(8, 10));
    if (dom === 1 || dom === 15) days.add(d);
  }
  for (const l of live) {
    const sub = await subscription(l.subscriptionId);
    if (!sub.expirationDate) continue;
    for (const offset of [-(sub.autoRenewPointDays ?? 0), 0]) {
      const d = addDays(sub.expirationDate, offset);
      if (compareDates(d, from) > 0 && compareDates(d, to) <= 0) days.add(d);
    }
  }
  return [...days].filter((d) => !billingDaysRun.has(d)).sort();
}

// BILLING_PROPERTY_ONLY=i,j replays those sequences of the seed alone (to minimise a failure).
const only = process.env.BILLING_PROPERTY_ONLY?.split(',').map(Number);
/** At most `limit` of the calls at once: the batch shares billing days, but its scenarios start a few at a time. */
async function pool<T, R>(items: readonly T[], limit: number, each: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await each(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
const concurrency = Number(process.env.BILLING_PROPERTY_CONCURRENCY ?? 10);

const sequences = fc.sample(sequenceArb, { seed, numRuns: Math.max(runs, ...(only ?? [])) + 1 })
  .map((s, index) => ({ s, index }))
  .filter(({ index }) => (only ? only.includes(index) : index < runs));
const advances = fc.sample(batchArb, { seed: seed + 1, numRuns: Math.ceil(sequences.length / batchSize) });

describe('every billing type through the API (property, issue 19)', () => {
  it(`keeps the invariants over ${runs} random sequences, ${batchSize} at a time`, async () => {
    for (let b = 0; b * batchSize < sequences.length; b++) {
      const batch = sequences.slice(b * batchSize, (b + 1) * batchSize);
      let t = Date.now();
      const live = await pool(batch, concurrency, ({ s, index }) => start(index, s));
      debug('purchases', t);
      t = Date.now();
      await settleScenarios(p);
      for (const l of live) await checkInvariants(l, 'after the purchase');
      debug('settle+check', t);
      const rounds = Math.max(...batch.map(({ s }) => s.steps.length));
      for (let r = 0; r < rounds; r++) {
        t = Date.now();
        await pool(live.filter((l) => !l.done && r < l.s.steps.length), concurrency, (l) => step(l, l.s.steps[r]!.kind, l.s.steps[r]!.amount));
        await settleScenarios(p);
        debug(`round ${r} steps`, t);
        t = Date.now();
        const target = addDays(today, advances[b]![r]!);
        for (const day of await billingDaysBetween(today, target, live.filter((l) => !l.done))) {
          today = day;
          const tb = Date.now();
          await runBillingDay(p, day);
          debug(`billing day ${day}`, tb);
          billingDaysRun.add(day);
          for (const l of live) l.log.push(`${day} billing day`);
        }
        today = target;
        await settleScenarios(p);
        debug(`round ${r} days`, t);
        t = Date.now();
        for (const l of live) await checkInvariants(l, `round ${r} (${today})`);
        debug(`round ${r} checks`, t);
      }
      // Clean up so that the next batches' billing days do not renew this batch: delete what may be deleted.
      await pool(live.filter((l) => !l.done), concurrency, async (l) => {
        const sub = await subscription(l.subscriptionId);
        if (sub.status === 'active' || sub.status === 'stopped') await step(l, 'delete', 0);
      });
      await settleScenarios(p);
      for (const l of live) await checkInvariants(l, 'after the clean-up');
    }
    console.log(`${sequences.length} sequences (seed ${seed}); operations:\n${[...outcomes].sort().map(([k, n]) => `${k}: ${n}`).join('\n')}`);
  }, Math.max(30 * 60_000, runs * 3_000));
});
