import type { Sql } from '../../db/client';
import { AppError } from '../../domain/errors';
import { logEvent } from '../event-log/event-log';

export interface SetCreditLimitInput {
  subscriptionId: number;
  /** Minor units; null: inherit the client's, else the service rule's. */
  creditLimit: number | null;
  by: number;
}

/**
 * Sets a postpay subscription's own credit limit (spec 01 §15.2). Whether the subscription is now to be blocked or
 * unblocked is the caller's next step (the credit-limit comparison, then the scenarios it asks for).
 */
export async function setCreditLimit(sql: Sql, { subscriptionId: id, creditLimit, by }: SetCreditLimitInput): Promise<void> {
  await sql.begin(async (tx) => {
    const [sub] = await tx<Array<{ payment_model: string; credit_limit_override: string | null }>>`select payment_model, credit_limit_override::text from subscriptions where id = ${id} for update`;
    if (!sub) throw new AppError('not_found', `subscription ${id} does not exist`);
    if (sub.payment_model !== 'postpay') throw new AppError('not_postpay', 'credit limits apply to postpay subscriptions only');
    await tx`update subscriptions set credit_limit_override = ${creditLimit}, updated_at = now() where id = ${id}`;
    await logEvent(tx, { actorId: by, viaApi: true, entityKind: 'subscription', entityId: id, action: 'credit_limit_changed', changes: { creditLimit: [sub.credit_limit_override === null ? null : Number(sub.credit_limit_override), creditLimit] } });
  });
}
