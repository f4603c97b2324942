import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { insertSubscriptionOrder, isSecondOpenOrder, loadLifecycleStates, type NewSubscriptionOrder } from '../../operations/subscription-orders/subscription-orders';
import { currentDebt, extensionCharges } from '../../operations/charges/charges';
import { logEvent } from '../../operations/event-log/event-log';
import { applyCreditLimits } from '../credit-limits';
import { requirePayableCurrency } from '../../domain/currencies';
import { addDays, addMonthsClamped, daysBetween, periodLengthInMonths, todayIn, type IsoDate, type PeriodUnit } from '../../domain/dates';
import { orderCharges } from '../../domain/charges';
import { forecast, manualRenewalRefusal, prolongedUntilAfter } from '../../domain/lifecycle';
import { expirationDateRefusal } from '../../domain/subscription-operations';
import { clientRefusal, orderRefusal, type OrderSubject, type Refusal, type SubscriptionOrderType } from '../../domain/order-effects';
import { multiplyByQuantity as multiplyPeriodPrice } from '../../domain/money';
import { extensionAmounts, periodMonths, proratedAmount, purchaseOrderAmount } from '../../domain/pricing';
import { clientAccess } from '../client-access';
import { guard, staffIdOf, type AppEnv } from '../auth';
import { router, type ApiDeps } from '../deps';
import * as entities from '../entities';
import { AppError, notFound } from '../errors';
import { idParam, isoDate, jsonBody, jsonResponses } from '../schemas';
import { loadOrder, startOrderScenario } from './orders';
import { storeIdempotentAnswer } from '../idempotency';
import { currentOrigin } from '../../infra/request-context';

const renewInput = z
  .object({ planPeriodId: z.number().int().positive().optional().describe('a period of the same plan; default: the current one') })
  .strict()
  .openapi('RenewSubscriptionInput');
const changeResourcesInput = z
  .object({ resources: z.record(z.string().regex(/^[a-z][a-z0-9_]{0,63}$/), z.number().int().min(0).max(1_000_000)).refine((r) => Object.keys(r).length > 0, 'name at least one resource') })
  .strict()
  .openapi('ChangeResourcesInput');
const switchPlanInput = z.object({ planPeriodId: z.number().int().positive() }).strict().openapi('SwitchPlanInput');
const creditLimitInput = z
  .object({ creditLimit: z.number().int().min(0).max(1e13).nullable().describe('minor units; null = inherit') })
  .strict()
  .openapi('CreditLimitInput');
const expirationInput = z
  .object({ expirationDate: isoDate, comment: z.string().trim().min(1).max(2000) })
  .strict()
  .openapi('ChangeExpirationDateInput');

interface SubscriptionRow {
  id: number;
  status: string;
  client_id: number;
  plan_id: number;
  plan_name: string;
  plan_period_id: number;
  service_template_id: number;
  billing_type: 'prepaid_term' | 'monthly_flexible';
  trial: boolean;
  trial_renewable: boolean | null;
  start_date: string | null;
  expiration_date: string | null;
  prolonged_until: string | null;
  manual_renew_point_days: number;
  financial_day: number;
  duration: number;
  unit: PeriodUnit;
  unlimited: boolean;
  recurring_fee: string;
  client_status: string;
  payment_model: 'prepay' | 'postpay';
  client_currency: string;
}

const money = (v: string | number) => Number(v);

export function subscriptionOrderRoutes(deps: ApiDeps) {
  const { sql } = deps;
  const app = router();
  const today = (): IsoDate => todayIn(deps.timeZone, (deps.now ?? (() => new Date()))());

  async function loadSubscription(id: number): Promise<SubscriptionRow> {
    const [sub] = await sql<SubscriptionRow[]>`
      select s.id, s.status, s.client_id, s.plan_id, p.name as plan_name, s.plan_period_id, s.service_template_id, s.billing_type, s.trial,
             (t.capabilities ->> 'trialRenewable')::boolean as trial_renewable, s.start_date::text, s.expiration_date::text,
             s.prolonged_until::text, s.manual_renew_point_days, pr.financial_day, pp.duration, pp.unit, pp.unlimited, pp.recurring_fee,
             c.status as client_status, s.payment_model, c.currency as client_currency
      from subscriptions s join plans p on p.id = s.plan_id join plan_periods pp on pp.id = s.plan_period_id
           join provisioning_rules pr on pr.id = s.provisioning_rule_id join service_templates t on t.id = s.service_template_id
           join clients c on c.id = s.client_id
      where s.id = ${id}`;
    if (!sub) throw notFound('subscription', id);
    return sub;
  }

  const subjectOf = (sub: SubscriptionRow): OrderSubject => ({ id: sub.id, status: sub.status, clientStatus: sub.client_status, paymentModel: sub.payment_model });
  const refuse = (refusal: Refusal | null) => {
    if (refusal) throw new AppError(refusal.code, refusal.message);
  };

  function requireStatus(sub: SubscriptionRow, type: SubscriptionOrderType, verb: string) {
    refuse(orderRefusal(type, subjectOf(sub), verb));
  }

  /** Spec 01 §4.2: a blocked client's subscriptions are not changed; in a financial block, postpay ones still are. */
  function requireClientOpen(sub: SubscriptionRow) {
    refuse(clientRefusal(subjectOf(sub)));
  }

  /** Writes the order and starts its scenario; a second open order on the subscription is a 409 (spec 01 §16.3). */
  async function place(c: Context<AppEnv>, order: Omit<NewSubscriptionOrder, 'today' | 'createdBy' | 'customerIp' | 'clientUserId'>) {
    let orderId: number;
    let card: Awaited<ReturnType<typeof loadOrder>>;
    try {
      ({ orderId, card } = await sql.begin(async (tx) => {
        const placed = await insertSubscriptionOrder(tx, { ...order, today: today(), createdBy: staffIdOf(c), clientUserId: c.get('clientUser')?.id, customerIp: currentOrigin().address });
        const answer = await loadOrder(tx, placed.orderId);
        // The answer to the Idempotency-Key commits with the order (as POST /orders): a retry gets it, not a 409.
        await storeIdempotentAnswer(tx, c, 201, answer);
        return { orderId: placed.orderId, card: answer };
      }));
    } catch (err) {
      if (!isSecondOpenOrder(err)) throw err;
      const [open] = await sql<Array<{ number: string; type: string; status: string }>>`
        select number, type, status from orders where subscription_id = ${order.subscriptionId} and status not in ('completed', 'cancelled') limit 1`;
      throw new AppError('open_order_exists', `subscription ${order.subscriptionId} already has an open ${open?.type ?? ''} order ${open?.number ?? ''} (${open?.status ?? 'open'}); the orders of a subscription are processed one at a time, so complete or cancel it first`,
      );
    }
    // A scenario whose start fails here (Temporal unreachable) is started by the sweep (startMissingOrderScenarios).
    await startOrderScenario(deps, orderId, order.type).catch(() => {});
    return c.json(card, 201);
  }

  const orderRoute = (path: string, summary: string, body: Parameters<typeof jsonBody>[0]) =>
    createRoute({
      method: 'post',
      path: `/subscriptions/{id}/${path}`,
      tags: ['Subscriptions'],
      summary,
      ...guard('operations', true, clientAccess.subscriptionPath(sql, 'manage')),
      request: { params: idParam, ...jsonBody(body) },
      responses: jsonResponses(201, entities.order, 'the new order; its scenario has started'),
    });

  app.openapi(orderRoute('renew', 'Renew a subscription by hand, inside its manual-renewal window (spec 01 §12.3)', renewInput), async (c) => {
    const { id } = c.req.valid('param');
    const input = c.req.valid('json') as z.infer<typeof renewInput>;
    const sub = await loadSubscription(id);
    const now = today();
    refuse(manualRenewalRefusal({ ...subjectOf(sub), expirationDate: sub.expiration_date, unlimited: sub.unlimited, trial: sub.trial, trialRenewable: sub.trial_renewable === true, manualRenewPointDays: sub.manual_renew_point_days }, now));
    const expirationDate = sub.expiration_date!; // the rule refused an unlimited subscription (no expiration date)
    const periodId = input.planPeriodId ?? sub.plan_period_id;
    const [period] = await sql<Array<{ plan_id: number; duration: number; unit: PeriodUnit; trial: boolean; unlimited: boolean; setup_fee: string; recurring_fee: string; renewal_fee: string }>>`
      select plan_id, duration, unit, trial, unlimited, setup_fee, recurring_fee, renewal_fee from plan_periods where id = ${periodId}`;
    if (!period || period.plan_id !== sub.plan_id) throw new AppError('invalid_reference', `plan period ${periodId} is not a period of the subscription's plan`);
    if (period.unlimited) throw new AppError('not_renewable', 'a subscription cannot be renewed onto an unlimited period');
    const [row] = await loadLifecycleStates(sql, { ids: [id] });
    const resourceMonthly = row?.resourceMonthly ?? 0;
    const amount = extensionAmounts(sub.billing_type, { ...period, setupFee: money(period.setup_fee), recurringFee: money(period.recurring_fee), renewalFee: money(period.renewal_fee) }, resourceMonthly).renewal;
    // Spec 01 §12.4: per-period billing renews early as a deferred order, provisioned on the expiration date.
    const deferred = sub.billing_type === 'monthly_flexible' && now < expirationDate;
    return place(c, {
      type: 'renewal',
      subscriptionId: id,
      planPeriodId: periodId,
      amount,
      lines: [{ kind: 'subscription', priceType: 'renewal', description: `${sub.plan_name}: renewal after ${expirationDate}${deferred ? ` (deferred to ${expirationDate})` : ''}`, quantity: 1, periodMonths: sub.billing_type === 'prepaid_term' ? periodMonths(period) : '1', unitPrice: amount, amount }],
      termKey: expirationDate,
      deferred,
      provisioningDate: deferred ? expirationDate : now,
      details: { renewsAfter: expirationDate },
      charges: extensionCharges({ type: 'renewal', billingType: sub.billing_type, expirationDate: expirationDate, period, financialDay: sub.financial_day, renewalFee: money(period.renewal_fee), amount }),
    });
  });

  app.openapi(orderRoute('prolong', 'Prolong a stopped per-period subscription by hand to the end of the current financial period (spec 01 §11.3)', z.object({}).strict().openapi('ProlongSubscriptionInput')), async (c) => {
    const { id } = c.req.valid('param');
    const sub = await loadSubscription(id);
    if (sub.billing_type !== 'monthly_flexible') throw new AppError('not_prolongable', 'only subscriptions billed per financial period are prolonged; renew this one');
    if (sub.status !== 'stopped') throw new AppError('subscription_status', `subscription ${id} is ${sub.status}; only a stopped subscription is prolonged by hand (active ones are prolonged by the billing run)`);
    requireClientOpen(sub);
    const now = today();
    if (sub.expiration_date === null || now > sub.expiration_date) throw new AppError('term_ended', `the term ended on ${sub.expiration_date}; renew the subscription instead`);
    const [row] = await loadLifecycleStates(sql, { ids: [id] });
    const until = prolongedUntilAfter(now, sub.expiration_date, sub.financial_day);
    const amount = row?.state.prolongationAmount ?? money(sub.recurring_fee);
    return place(c, {
      type: 'prolongation',
      subscriptionId: id,
      amount,
      lines: [{ kind: 'subscription', priceType: 'recurring', description: `${sub.plan_name}: prolongation ${now} – ${addDays(until, -1)}`, quantity: 1, periodMonths: '1', unitPrice: amount, amount }],
      termKey: now,
      details: { from: now, to: addDays(until, -1), prolongedUntil: until },
      charges: extensionCharges({ type: 'prolongation', billingType: sub.billing_type, expirationDate: sub.expiration_date, period: sub, financialDay: sub.financial_day, renewalFee: 0, amount, prolonged: { from: now, to: addDays(until, -1) } }),
    });
  });

  app.openapi(orderRoute('change-resources', 'Order new resource quantities (spec 01 §9); increases are charged for the rest of the paid period', changeResourcesInput), async (c) => {
    const { id } = c.req.valid('param');
    const { resources } = c.req.valid('json') as z.infer<typeof changeResourcesInput>;
    const sub = await loadSubscription(id);
    requireStatus(sub, 'resource_change', 'changed');
    const planResources = await sql<Array<{ key: string; name: string; included: number; minimum: number; maximum: number | null; recurring_price: string }>>`
      select key, name, included, minimum, maximum, recurring_price from plan_resources where plan_id = ${sub.plan_id}`;
    const current = new Map((await sql<Array<{ key: string; quantity: number }>>`select key, quantity from subscription_resources where subscription_id = ${id}`).map((r) => [r.key, r.quantity]));
    const lines: NewSubscriptionOrder['lines'] = [];
    let addedMonthly = 0;
    const now = today();
    const paidTo = sub.billing_type === 'monthly_flexible' && sub.prolonged_until ? addDays(sub.prolonged_until, -1) : sub.expiration_date;
    const months = sub.billing_type === 'monthly_flexible' ? 1 : (periodLengthInMonths(sub) ?? 1);
    for (const [key, quantity] of Object.entries(resources)) {
      const res = planResources.find((r) => r.key === key);
      if (!res) throw new AppError('unknown_resource', `the plan has no resource "${key}"`);
      if (quantity < res.minimum || (res.maximum !== null && quantity > res.maximum)) {
        throw new AppError('quantity_out_of_range', `"${key}" must be between ${res.minimum} and ${res.maximum ?? 'unlimited'}, got ${quantity}`);
      }
      const before = current.get(key) ?? res.included;
      const added = Math.max(0, quantity - Math.max(before, res.included));
      let amount = 0;
      if (added > 0 && paidTo && now <= paidTo) {
        const termStart = addDays(sub.billing_type === 'monthly_flexible' ? addMonthsClamped(paidTo, -1) : addMonthsClamped(paidTo, -months), 1);
        amount = proratedAmount(multiplyPeriodPrice(money(res.recurring_price) * added, months), daysBetween(now, paidTo) + 1, daysBetween(termStart, paidTo) + 1);
        addedMonthly += money(res.recurring_price) * added;
      }
      lines.push({ kind: 'resource', priceType: 'recurring', description: `${res.name}: ${before} → ${quantity}${amount > 0 ? ` (until ${paidTo})` : ''}`, quantity: Math.abs(quantity - before), periodMonths: String(months), unitPrice: money(res.recurring_price), amount });
    }
    if (lines.every((l) => l.quantity === 0)) throw new AppError('nothing_to_change', 'the quantities are the current ones');
    const amount = lines.reduce((sum, l) => sum + l.amount, 0);
    // Spec 02 §4.8: an increase is charged per financial period for the rest of the paid period ("Resource increase (recurring)").
    // A term's charges end the day before its expiration date, like the purchase's (firstTermChargeSpan).
    const chargedTo = paidTo && sub.billing_type === 'prepaid_term' ? addDays(paidTo, -1) : paidTo;
    const charges = amount > 0 && chargedTo ? orderCharges({ span: { from: now, to: chargedTo < now ? now : chargedTo }, financialDay: sub.financial_day, monthlyFee: addedMonthly, total: amount }) : [];
    return place(c, { type: 'resource_change', subscriptionId: id, amount, lines, details: { resources }, charges });
  });

  app.openapi(orderRoute('switch-plan', 'Switch to another plan of the same service (spec 01 §10); the unused part of the paid term counts towards the new plan', switchPlanInput), async (c) => {
    const { id } = c.req.valid('param');
    const { planPeriodId } = c.req.valid('json') as z.infer<typeof switchPlanInput>;
    const sub = await loadSubscription(id);
    requireStatus(sub, 'plan_switch', 'switched');
    const [target] = await sql<Array<{ plan_id: number; plan_name: string; plan_status: string; currency: string; service_template_id: number; billing_type: 'prepaid_term' | 'monthly_flexible'; duration: number; unit: PeriodUnit; trial: boolean; unlimited: boolean; setup_fee: string; recurring_fee: string; renewal_fee: string }>>`
      select pp.plan_id, p.name as plan_name, p.status as plan_status, p.currency, p.service_template_id, p.billing_type, pp.duration, pp.unit, pp.trial,
             pp.unlimited, pp.setup_fee, pp.recurring_fee, pp.renewal_fee
      from plan_periods pp join plans p on p.id = pp.plan_id where pp.id = ${planPeriodId}`;
    if (!target) throw new AppError('invalid_reference', `plan period ${planPeriodId} does not exist`);
    if (target.plan_id === sub.plan_id) throw new AppError('same_plan', 'the subscription is already on this plan; renew it to change the period');
    if (target.plan_status !== 'active') throw new AppError('plan_inactive', `plan "${target.plan_name}" is not active`);
    if (target.service_template_id !== sub.service_template_id) throw new AppError('plan_not_switchable', `plan "${target.plan_name}" is provided by another service; order it instead`);
    requirePayableCurrency(sub.client_currency, target.currency);
    const pricing = { ...target, setupFee: money(target.setup_fee), recurringFee: money(target.recurring_fee), renewalFee: money(target.renewal_fee) };
    const price = purchaseOrderAmount(target.billing_type === 'monthly_flexible' ? { ...pricing, duration: 1, unit: 'month' } : pricing);
    const now = today();
    const paidTo = sub.billing_type === 'monthly_flexible' && sub.prolonged_until ? addDays(sub.prolonged_until, -1) : sub.expiration_date;
    let credit = 0;
    if (paidTo && now <= paidTo && !sub.trial) {
      const months = sub.billing_type === 'monthly_flexible' ? 1 : (periodLengthInMonths(sub) ?? 1);
      const termStart = addDays(addMonthsClamped(paidTo, -months), 1);
      credit = proratedAmount(multiplyPeriodPrice(money(sub.recurring_fee), months), daysBetween(now, paidTo) + 1, daysBetween(termStart, paidTo) + 1);
    }
    const amount = Math.max(0, price - credit);
    return place(c, {
      type: 'plan_switch',
      subscriptionId: id,
      planPeriodId,
      amount,
      lines: [
        { kind: 'subscription', priceType: 'recurring', description: `${sub.plan_name}: unused part until ${paidTo}`, quantity: 1, periodMonths: '0', unitPrice: -credit, amount: -credit },
        { kind: 'subscription', priceType: 'recurring', description: `${target.plan_name}: purchase`, quantity: 1, periodMonths: periodMonths(target), unitPrice: price, amount: price },
      ],
      details: { fromPlanPeriodId: sub.plan_period_id, toPlanPeriodId: planPeriodId, credit: Math.max(0, credit - price) },
    });
  });

  app.openapi(
    createRoute({
      method: 'post',
      path: '/subscriptions/{id}/expiration-date',
      tags: ['Subscriptions'],
      summary: 'Service operation: set the expiration date by hand (spec 01 §13.3). Creates no charges and may break the billing of the subscription.',
      ...guard('operations', true),
      request: { params: idParam, ...jsonBody(expirationInput) },
      responses: jsonResponses(200, z.object({ subscriptionId: z.number(), expirationDate: z.string(), previous: z.string().nullable(), warning: z.string() }), 'the new expiration date'),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { expirationDate, comment } = c.req.valid('json') as z.infer<typeof expirationInput>;
      const staff = c.get('staff') as { id: number };
      const previous = await sql.begin(async (tx) => {
        const [sub] = await tx<Array<{ status: string; expiration_date: string | null; start_date: string | null; billing_type: string; prolonged_until: string | null; financial_day: number }>>`
          select s.status, s.expiration_date::text, s.start_date::text, s.billing_type, s.prolonged_until::text, pr.financial_day
          from subscriptions s join provisioning_rules pr on pr.id = s.provisioning_rule_id where s.id = ${id} for update of s`;
        if (!sub) throw notFound('subscription', id);
        refuse(expirationDateRefusal({ status: sub.status, expirationDate: sub.expiration_date }));
        if (sub.start_date && expirationDate < sub.start_date) throw new AppError('before_start', `the expiration date cannot be before the start date ${sub.start_date}`);
        // Per-period billing: "prolonged until" never passes the day after the term.
        const cap = addDays(expirationDate, 1);
        const prolongedUntil = sub.billing_type === 'monthly_flexible' && sub.prolonged_until && sub.prolonged_until > cap ? cap : sub.prolonged_until;
        await tx`update subscriptions set expiration_date = ${expirationDate}, prolonged_until = ${prolongedUntil}, updated_at = now() where id = ${id}`;
        await logEvent(tx, { actorId: staff.id, viaApi: true, entityKind: 'subscription', entityId: id, action: 'expiration_date_changed', reason: comment, changes: { expirationDate: [sub.expiration_date, expirationDate] } });
        return sub.expiration_date;
      });
      return c.json({ subscriptionId: id, expirationDate, previous, warning: 'no charges were created or changed; check the subscription billing' }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/subscriptions/{id}/credit-limit',
      tags: ['Subscriptions'],
      summary: "Set a postpay subscription's credit limit (null: inherit the client's, else the service rule's); the subscription is blocked or unblocked at once when its debt says so",
      ...guard('finance', true),
      request: { params: idParam, ...jsonBody(creditLimitInput) },
      responses: jsonResponses(200, z.object({ subscriptionId: z.number(), creditLimit: z.number().nullable(), currentDebt: z.number(), action: z.enum(['block', 'unblock']).nullable() }), 'the limit and what follows from it'),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { creditLimit } = c.req.valid('json') as z.infer<typeof creditLimitInput>;
      const staff = c.get('staff') as { id: number };
      await sql.begin(async (tx) => {
        const [sub] = await tx<Array<{ payment_model: string; credit_limit_override: string | null }>>`select payment_model, credit_limit_override::text from subscriptions where id = ${id} for update`;
        if (!sub) throw notFound('subscription', id);
        if (sub.payment_model !== 'postpay') throw new AppError('not_postpay', 'credit limits apply to postpay subscriptions only');
        await tx`update subscriptions set credit_limit_override = ${creditLimit}, updated_at = now() where id = ${id}`;
        await logEvent(tx, { actorId: staff.id, viaApi: true, entityKind: 'subscription', entityId: id, action: 'credit_limit_changed', changes: { creditLimit: [sub.credit_limit_override === null ? null : Number(sub.credit_limit_override), creditLimit] } });
      });
      const [action] = await applyCreditLimits(deps, { subscriptionIds: [id] });
      return c.json({ subscriptionId: id, creditLimit, currentDebt: await currentDebt(sql, id), action: action?.operation ?? null }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/subscriptions/{id}/forecast',
      tags: ['Subscriptions'],
      summary: 'What the billing runs of the next N days will do to this subscription, by the rules the runs use',
      ...guard('operations', false),
      request: { params: idParam, query: z.object({ days: z.coerce.number().int().min(1).max(366).default(30) }) },
      responses: jsonResponses(
        200,
        z.object({
          subscriptionId: z.number(),
          from: z.string(),
          days: z.number(),
          balance: z.number(),
          assumptions: z.string(),
          entries: z.array(z.object({ date: z.string(), action: z.string(), detail: z.string(), expectedPaid: z.boolean().optional() })),
        }),
        'the forecast, in date order',
      ),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { days } = c.req.valid('query');
      const [exists] = await sql`select 1 from subscriptions where id = ${id}`;
      if (!exists) throw notFound('subscription', id);
      const from = today();
      const [row] = await loadLifecycleStates(sql, { ids: [id] });
      const entries = row ? forecast(row.state, row.balance, from, days) : [];
      return c.json(
        {
          subscriptionId: id,
          from,
          days,
          balance: row?.balance ?? 0,
          assumptions: 'each scenario a run starts finishes before the next run; no payments, top-ups or other orders of the client in between',
          entries,
        },
        200,
      );
    },
  );

  return app;
}


