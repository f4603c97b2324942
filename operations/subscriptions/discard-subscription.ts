import type { Db } from '../../db/client';

/** Compensation: a subscription that was never provisioned is removed with its order (a provisioned one is left alone). */
export async function discardSubscription(db: Db, { subscriptionId }: { subscriptionId: number }): Promise<void> {
  await db`
    update subscriptions set status = 'deleted', status_reason = 'order cancelled before provisioning completed',
           updated_at = now()
    where id = ${subscriptionId} and status in ('new_order', 'installing', 'install_error')`;
}
