import type { Sql } from '../../db/client';
import { logEvent } from '../event-log/event-log';
import { setOrderStatus } from './order-settlement';

/**
 * A purchase's provisioning failed and waits for a decision, or is tried again: the order and its new subscription
 * move together (activation error / install error, then back to provisioning / installing). Both are safe to repeat.
 */
export interface PurchaseProvisioningInput {
  orderId: number;
  subscriptionId: number;
}

export async function markPurchaseProvisioningFailed(sql: Sql, { orderId, subscriptionId, error }: PurchaseProvisioningInput & { error: string }): Promise<void> {
  await sql.begin(async (tx) => {
    await setOrderStatus(tx, orderId, 'activation_error', error);
    await tx`update subscriptions set status = 'install_error', status_reason = ${error}, updated_at = now()
             where id = ${subscriptionId} and status in ('installing', 'install_error')`;
    await logEvent(tx, { actorId: null, entityKind: 'order', entityId: orderId, action: 'activation_error', reason: error });
  });
}

export async function markPurchaseProvisioningRetried(sql: Sql, { orderId, subscriptionId }: PurchaseProvisioningInput): Promise<void> {
  await sql.begin(async (tx) => {
    await setOrderStatus(tx, orderId, 'provisioning');
    await tx`update subscriptions set status = 'installing', status_reason = null, updated_at = now()
             where id = ${subscriptionId} and status = 'install_error'`;
  });
}
