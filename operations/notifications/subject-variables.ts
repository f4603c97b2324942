import { daysBetween } from '../../domain/dates';
import { formatLicenseKey } from '../../domain/licensing/codes';
import { formatMoney } from '../../domain/money';
import { iso, num, type VariableContext } from './variables';

/**
 * One loader per kind of subject an event is about: each reads its record, sets its variables and notes the
 * records it leads to (an order's subscription and payment, a license's client, ...), which the block loaders
 * (record-variables.ts) read next.
 */
type SubjectLoader = (ctx: VariableContext, subjectId: number) => Promise<void>;

async function orderSubject({ sql, vars, ids }: VariableContext, subjectId: number) {
  const [o] = await sql`select o.*, (select id from payments p where p.order_id = o.id order by id desc limit 1) as payment_id from orders o where o.id = ${subjectId}`;
  if (!o) return;
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

async function licenseSubject({ sql, vars, ids }: VariableContext, subjectId: number) {
  const [l] = await sql`
    select e.seats, e.expires_at, e.subscription_id, k.code, k.client_id, p.code as product, p.name as product_name, v.prefix
    from entitlements e join license_keys k on k.id = e.key_id join licensing_products p on p.id = e.product_id
         join licensing_vendors v on v.id = k.vendor_id
    where e.id = ${subjectId}`;
  if (!l) return;
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

async function promisedPaymentSubject({ sql, vars, currentDate }: VariableContext, subjectId: number) {
  const [g] = await sql`select * from promised_payments where id = ${subjectId}`;
  if (!g) return;
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

async function manualOperationSubject({ sql, vars, ids }: VariableContext, subjectId: number) {
  const [m] = await sql`select * from manual_operations where id = ${subjectId}`;
  if (!m) return;
  Object.assign(vars, { 'operation.id': m.id, 'operation.type': m.type, 'operation.status': m.status, 'operation.comment': m.comment ?? m.description ?? '' });
  ids.subscription = m.subscription_id;
}

async function taskSubject({ sql, vars, ids }: VariableContext, subjectId: number) {
  const [t] = await sql`
    select st.id, st.scenario_id, st.path, st.name, st.plugin, st.operation, st.error_class, st.error_message, o.client_id
    from scenario_steps st left join orders o on o.workflow_id = st.scenario_id where st.id = ${subjectId}`;
  if (!t) return;
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

export const subjectLoaders: Partial<Record<string, SubjectLoader>> = {
  order: orderSubject,
  license: licenseSubject,
  // A subscription or a payment is read by its block loader, as when another subject leads to it.
  subscription: async ({ ids }, id) => {
    ids.subscription = id;
  },
  payment: async ({ ids }, id) => {
    ids.payment = id;
  },
  promised_payment: promisedPaymentSubject,
  manual_operation: manualOperationSubject,
  task: taskSubject,
};
