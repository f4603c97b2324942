import type { Sql } from '../../db/client';
import { daysBetween, type IsoDate } from '../../domain/dates';
import { formatLicenseKey } from '../../domain/licensing/codes';
import { formatMoney } from '../../domain/money';
import { notificationEvents, type EventDefinition, type NotificationEvent } from '../../domain/notifications/catalog';
import type { RuleValue } from '../../domain/notifications/rules';

/** An outbox row, as the notification scenario reads it. */
export interface EventRow {
  id: number;
  event: NotificationEvent;
  subject_kind: string;
  subject_id: string;
  client_id: number | null;
  dedupe_key: string;
  facts: Record<string, unknown>;
}

type Vars = Record<string, RuleValue>;

const humanStatus: Record<string, string> = {
  active: 'Active',
  financially_blocked: 'Financial block',
  administratively_blocked: 'Administrative block',
  deleted: 'Deleted',
};

const iso = (v: unknown): string | null => (v === null || v === undefined ? null : v instanceof Date ? v.toISOString().slice(0, 10) : String(v).slice(0, 10));
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

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

/**
 * The event's variables (spec 03 §7-8 names), read from the records when the event is handled and
 * merged with the facts the event carried (previous values, business date). One flat map of dotted
 * names: rules read it as it is, templates read it nested.
 */
export async function loadEventVariables(sql: Sql, e: EventRow, today: IsoDate): Promise<Vars> {
  const def: EventDefinition = notificationEvents[e.event];
  const facts = e.facts as Vars;
  const currentDate = typeof facts.current_date === 'string' ? facts.current_date : today;
  const vars: Vars = { current_date: currentDate };
  const ids: { client?: number | null; order?: number | null; subscription?: number | null; payment?: number | null } = { client: e.client_id };

  // Find the records the event is about, following links from its subject.
  const subjectId = Number(e.subject_id);
  if (e.subject_kind === 'order') {
    const [o] = await sql`select o.*, (select id from payments p where p.order_id = o.id order by id desc limit 1) as payment_id from orders o where o.id = ${subjectId}`;
    if (o) {
      ids.order = o.id;
      ids.subscription = o.subscription_id;
      ids.payment = o.payment_id;
      Object.assign(vars, {
        'order.id': o.id,
        'order.number': o.number,
        'order.type': o.type,
        'order.status': o.status,
        'order.total': num(o.amount),
        'order.total_with_currency': formatMoney(Number(o.amount), o.currency),
        'order.currency': o.currency,
        'order.created_at': iso(o.created_at),
        'order.plans_ids': [o.plan_id],
        'order.renewal_is_positive': !(o.automatic && o.auto_pay_date !== null && iso(o.created_at) === iso(o.auto_pay_date)),
      });
    }
  }
  if (e.subject_kind === 'license') {
    const [l] = await sql`
      select e.seats, e.expires_at, e.subscription_id, k.code, k.client_id, p.code as product, p.name as product_name, v.prefix
      from entitlements e join license_keys k on k.id = e.key_id join licensing_products p on p.id = e.product_id
           join licensing_vendors v on v.id = k.vendor_id
      where e.id = ${subjectId}`;
    if (l) {
      Object.assign(vars, {
        'license.key': formatLicenseKey(l.code),
        'license.product': l.product,
        'license.product_name': l.product_name,
        'license.vendor': l.prefix,
        'license.seats': l.seats,
        'license.expiration_date': iso(l.expires_at),
      });
      ids.subscription = l.subscription_id;
      ids.client ??= l.client_id;
    }
  }
  if (e.subject_kind === 'subscription') ids.subscription = subjectId;
  if (e.subject_kind === 'payment') ids.payment = subjectId;

  if (def.blocks.includes('payment') && ids.payment) {
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
    if (def.blocks.includes('invoice')) {
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
  }

  if (e.subject_kind === 'promised_payment') {
    const [g] = await sql`select * from promised_payments where id = ${subjectId}`;
    if (g) {
      Object.assign(vars, {
        'guaranteed_payment.id': g.id,
        'guaranteed_payment.document_number': g.number,
        'guaranteed_payment.status': g.status,
        'guaranteed_payment.total': num(g.amount),
        'guaranteed_payment.total_with_currency': formatMoney(Number(g.amount), g.currency),
        'guaranteed_payment.expiration_date': iso(g.expires_on),
        'guaranteed_payment.days_left': daysBetween(currentDate, iso(g.expires_on)!),
      });
    }
  }

  if (e.subject_kind === 'manual_operation') {
    const [m] = await sql`select * from manual_operations where id = ${subjectId}`;
    if (m) {
      Object.assign(vars, { 'operation.id': m.id, 'operation.type': m.type, 'operation.status': m.status, 'operation.comment': m.comment ?? m.description ?? '' });
      ids.subscription = m.subscription_id;
    }
  }

  if (e.subject_kind === 'task') {
    const [t] = await sql`
      select st.id, st.scenario_id, st.path, st.name, st.plugin, st.operation, st.error_class, st.error_message, o.client_id
      from scenario_steps st left join orders o on o.workflow_id = st.scenario_id where st.id = ${subjectId}`;
    if (t) {
      Object.assign(vars, {
        'task.id': Number(t.id),
        'task.scenario_id': t.scenario_id,
        'task.step': `${t.path} ${t.name}`,
        'task.plugin': t.plugin ?? '',
        'task.operation': t.operation ?? '',
        'task.error_class': t.error_class ?? '',
        'task.error_message': t.error_message ?? '',
      });
      ids.client ??= t.client_id;
    }
  }

  if (def.blocks.includes('subscription') && ids.subscription) {
    const [s] = await sql`
      select s.*, p.name as plan_name, p.status as plan_status, p.product_id, pr.name as product_name,
             pp.duration, pp.unit, pp.trial as period_trial, pp.setup_fee, pp.recurring_fee, pp.renewal_fee
      from subscriptions s join plans p on p.id = s.plan_id join products pr on pr.id = p.product_id
           join plan_periods pp on pp.id = s.plan_period_id
      where s.id = ${ids.subscription}`;
    if (s) {
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
  }
  // An order for a subscription not created yet (a purchase) still names its plan.
  if (def.blocks.includes('plan') && vars['plan.id'] === undefined && ids.order) {
    const [p] = await sql`
      select p.id, p.name, p.status, p.product_id, pr.name as product_name, pp.duration, pp.unit, pp.trial, pp.setup_fee, pp.recurring_fee, pp.renewal_fee,
             o.subscription_name
      from orders o join plans p on p.id = o.plan_id join products pr on pr.id = p.product_id join plan_periods pp on pp.id = o.plan_period_id
      where o.id = ${ids.order}`;
    if (p) {
      Object.assign(vars, planVariables(p as PlanRow));
      vars['subscription.name'] ??= p.subscription_name ?? p.name;
    }
  }

  if (ids.client) {
    const [c] = await sql`
      select c.*, r.id as rule_id, r.key as rule_key, coalesce(c.credit_threshold_override, r.credit_threshold) as threshold
      from clients c join service_rules r on r.id = c.service_rule_id where c.id = ${ids.client}`;
    if (c) {
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
  }
  // The event's own facts win: previous values, and values as they were when it happened.
  for (const [name, value] of Object.entries(facts)) vars[name] = value as RuleValue;
  return vars;
}
