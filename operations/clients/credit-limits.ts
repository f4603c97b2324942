import { type Db } from '../../db/client';


/** Spec 01 §15.2: the reason a credit-limit block carries, which is also how its unblock recognises it. */
export const creditLimitReason = 'credit limit exceeded';

export interface CreditLimitAction {
  subscriptionId: number;
  operation: 'block' | 'unblock';
  debt: number;
  limit: number;
}

/**
 * Spec 01 §15.2, §15.4, decision 16: postpay subscriptions whose current debt (Σ blocked charges) exceeds
 * the effective credit limit (subscription override, else client override, else service rule) are to be
 * blocked; those blocked for that reason whose debt fits again are to be unblocked.
 */
export async function creditLimitActions(sql: Db, filter: { subscriptionIds?: number[]; clientId?: number } = {}): Promise<CreditLimitAction[]> {
  const ids = filter.subscriptionIds ?? null;
  const clientId = filter.clientId ?? null;
  const rows = await sql<Array<{ id: number; status: string; status_reason: string | null; debt: string; credit_limit: string }>>`
    select s.id, s.status, s.status_reason,
           (select coalesce(sum(amount), 0) from charges where subscription_id = s.id and status = 'blocked')::text as debt,
           coalesce(s.credit_limit_override, c.subscription_credit_limit_override, r.subscription_credit_limit)::text as credit_limit
    from subscriptions s join clients c on c.id = s.client_id join service_rules r on r.id = c.service_rule_id
    where s.payment_model = 'postpay' and s.status in ('active', 'payment_overdue', 'stopped', 'blocked')
      and (${ids}::int[] is null or s.id = any(${ids}::int[]))
      and (${clientId}::int is null or s.client_id = ${clientId})
    order by s.id`;
  const actions: CreditLimitAction[] = [];
  for (const r of rows) {
    const debt = Number(r.debt);
    const limit = Number(r.credit_limit);
    if (r.status !== 'blocked' && debt > limit) actions.push({ subscriptionId: r.id, operation: 'block', debt, limit });
    if (r.status === 'blocked' && r.status_reason?.startsWith(creditLimitReason) && debt <= limit) actions.push({ subscriptionId: r.id, operation: 'unblock', debt, limit });
  }
  return actions;
}
