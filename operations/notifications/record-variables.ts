import { daysBetween } from '../../domain/dates';
import { formatMoney } from '../../domain/money';
import type { EventDefinition } from '../../domain/notifications/catalog';
import { iso, num, type VariableContext, type Vars } from './variables';

/**
 * The variable blocks an event's definition names (spec 03 §8): each reads the record the subject led to
 * (subject-variables.ts) and may lead on to the client.
 */

const humanStatus: Record<string, string> = {
  active: 'Active',
  financially_blocked: 'Financial block',
  administratively_blocked: 'Administrative block',
  deleted: 'Deleted',
};

interface PlanRow {
  id: number;
  name: string;
  status: string;
  duration: number;
  unit: string;
  trial: boolean;
  setup_fee: string;
  recurring_fee: string;
  renewal_fee: string;
  product_id: number;
  product_name: string;
}

/** The plan block (spec 03 §8.9, §8.15): the plan, its period and its product. */
const planVariables = (p: PlanRow): Vars => ({
  'plan.id': p.id,
  'plan.name': p.name,
  'plan.status': p.status,
  'plan_period.duration_value': p.duration,
  'plan_period.duration_type': p.unit,
  'plan_period.trial': p.trial,
  'plan_period.setup_fee': num(p.setup_fee),
  'plan_period.recurring_fee': num(p.recurring_fee),
  'plan_period.renewal_fee': num(p.renewal_fee),
  'product.id': p.product_id,
  'product.name': p.product_name,
});

/** The payment block, with the invoice (act) of a postpay payment when the event names it. */
export async function paymentVariables({ sql, vars, ids, currentDate }: VariableContext, def: EventDefinition) {
  if (!ids.payment) return;
  const [p] = await sql`select * from payments where id = ${ids.payment}`;
  if (p) {
    const orders = await sql<Array<{ number: string }>>`
      select o.number from orders o where o.id = ${p.order_id ?? 0}
         or o.id in (select s.order_id from payments s where s.merged_into_id = ${p.id} and not s.merged) order by o.id`;
    Object.assign(vars, {
      'payment.id': p.id,
      'payment.document_number': p.number,
      'payment.type': p.type,
      'payment.status': p.status,
      'payment.total': num(p.amount),
      'payment.total_with_currency': formatMoney(Number(p.amount), p.currency),
      'payment.currency': p.currency,
      'payment.comment': p.comment ?? '',
      'payment.created_at': iso(p.created_at),
      'payment.expiration_date': iso(p.pay_by),
      'payment.days_left': p.pay_by ? daysBetween(currentDate, iso(p.pay_by)!) : null,
      'payment.orders': orders.map((r) => r.number).join('; '),
    });
    ids.client ??= p.client_id;
  }
  if (!def.blocks.includes('invoice')) return;
  const [act] = await sql`select * from acts where payment_id = ${ids.payment}`;
  if (act) {
    Object.assign(vars, {
      'invoice.id': act.id,
      'invoice.document_number': act.number,
      'invoice.total': num(act.amount),
      'invoice.total_with_currency': formatMoney(Number(act.amount), act.currency),
      'invoice.financial_day': iso(act.financial_day),
    });
  }
}

/** The subscription block, with its plan block when the event names it. */
export async function subscriptionVariables({ sql, vars, ids, currentDate, facts }: VariableContext, def: EventDefinition) {
  if (!ids.subscription) return;
  const [s] = await sql`
    select s.*, p.name as plan_name, p.status as plan_status, p.product_id, pr.name as product_name,
           pp.duration, pp.unit, pp.trial as period_trial, pp.setup_fee, pp.recurring_fee, pp.renewal_fee
    from subscriptions s join plans p on p.id = s.plan_id join products pr on pr.id = p.product_id
         join plan_periods pp on pp.id = s.plan_period_id
    where s.id = ${ids.subscription}`;
  if (!s) return;
  const exp = iso(s.expiration_date);
  Object.assign(vars, {
    'subscription.id': s.id,
    'subscription.name': s.name,
    'subscription.status': s.status,
    'subscription.start_date': iso(s.start_date),
    'subscription.expiration_date': exp,
    'subscription.auto_renewal': s.auto_renew,
    'subscription.trial': s.trial,
    'subscription.payment_model': s.payment_model,
    'subscription.billing_type': s.billing_type,
    'subscription.days_left': exp && exp >= currentDate ? daysBetween(currentDate, exp) : null,
    'subscription.days_passed': exp && exp < currentDate ? daysBetween(exp, currentDate) : null,
    'subscription.renewal_amount': num(facts['subscription.renewal_amount']) ?? num(s.recurring_fee),
  });
  if (def.blocks.includes('plan')) Object.assign(vars, planVariables({ ...s, id: s.plan_id, name: s.plan_name, status: s.plan_status, trial: s.period_trial } as PlanRow));
  ids.client ??= s.client_id;
}

/** An order for a subscription not created yet (a purchase) still names its plan. */
export async function orderPlanVariables({ sql, vars, ids }: VariableContext) {
  if (vars['plan.id'] !== undefined || !ids.order) return;
  const [p] = await sql`
    select p.id, p.name, p.status, p.product_id, pr.name as product_name, pp.duration, pp.unit, pp.trial, pp.setup_fee, pp.recurring_fee, pp.renewal_fee,
           o.subscription_name
    from orders o join plans p on p.id = o.plan_id join products pr on pr.id = p.product_id join plan_periods pp on pp.id = o.plan_period_id
    where o.id = ${ids.order}`;
  if (!p) return;
  Object.assign(vars, planVariables(p as PlanRow));
  vars['subscription.name'] ??= p.subscription_name ?? p.name;
}

/** The account block and its owner (spec 03 §8.1-8.2): the client, its contacts, its owner user and its manager. */
export async function clientVariables({ sql, vars, ids }: VariableContext) {
  if (!ids.client) return;
  const [c] = await sql`
    select c.*, r.id as rule_id, r.key as rule_key, coalesce(c.credit_threshold_override, r.credit_threshold) as threshold,
           (select key from client_types where id = c.client_type_id) as type_key
    from clients c join service_rules r on r.id = c.service_rule_id where c.id = ${ids.client}`;
  if (!c) return;
  const contacts = await sql<Array<{ id: number; name: string; email: string | null; phone: string | null; language: string | null; role: string }>>`
    select id, name, email, phone, language, role from client_contacts where client_id = ${c.id} order by id`;
  const contact = (role: string) => contacts.find((x) => x.role === role);
  const [ownerUser] = await sql<Array<{ id: number; name: string; email: string; language: string }>>`
    select u.id, u.name, u.email, u.language from client_user_links l join client_users u on u.id = l.client_user_id
    where l.client_id = ${c.id} and l.access_level = 'owner'`;
  const owner = contact('owner');
  const [manager] = await sql<Array<{ name: string; email: string }>>`select name, email from staff where id = ${c.manager_id ?? 0}`;
  Object.assign(vars, {
    'owner.id': ownerUser?.id ?? null,
    'owner.email': owner?.email ?? ownerUser?.email ?? null,
    'owner.name': owner?.name ?? ownerUser?.name ?? null,
    'owner.phone': owner?.phone ?? contacts.find((x) => x.phone)?.phone ?? null,
    'owner.language': owner?.language ?? ownerUser?.language ?? c.language,
    'account.id': c.id,
    'account.name': c.name,
    'account.status': c.status,
    'account.human_status_name': humanStatus[c.status] ?? c.status,
    'account.balance': num(c.balance),
    'account.balance_with_currency': formatMoney(Number(c.balance), c.currency),
    'account.currency': c.currency,
    'account.financial_blocking_threshold': num(c.threshold),
    'account.type_id': c.client_type_id,
    'account.type_key': c.type_key,
    'account.class_id': c.rule_id,
    'account.class_key': c.rule_key,
    'account.language': c.language,
    'account.bill_user_email': contact('financial')?.email ?? null,
    'account.bill_user_name': contact('financial')?.name ?? null,
    'account.tech_user_email': contact('technical')?.email ?? null,
    'account.tech_user_name': contact('technical')?.name ?? null,
    'account.manager.name': manager?.name ?? null,
    'account.manager.email': manager?.email ?? null,
  });
}
