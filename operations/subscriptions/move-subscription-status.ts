import type { TransactionSql } from 'postgres';
import { logEvent } from '../event-log/event-log';

export interface SubscriptionMove {
  subscriptionId: number;
  status: string;
  /** The statuses the move is allowed from; anything else is left alone (idempotent re-runs). */
  from: readonly string[];
  /** The stable status to remember (decision 14); `saveCurrent` remembers the one the subscription has now. */
  saveStatus?: string;
  saveCurrent?: boolean;
  reason?: string | null;
  by?: number | null;
  dedupeKey: string;
}

/** Moves a subscription to a status inside the caller's transaction, with an event; see `SubscriptionMove`. */
export async function moveSubscriptionStatus(tx: TransactionSql, args: SubscriptionMove): Promise<void> {
  const [sub] = await tx<Array<{ status: string }>>`select status from subscriptions where id = ${args.subscriptionId} for update`;
  if (!sub || sub.status === args.status || !args.from.includes(sub.status)) return;
  const saved = args.saveCurrent ? sub.status : (args.saveStatus ?? null);
  await tx`
    update subscriptions set status = ${args.status}, status_reason = ${args.reason ?? null},
           saved_status = coalesce(${saved}, saved_status), updated_at = now()
    where id = ${args.subscriptionId}`;
  await logEvent(tx, {
    actorId: args.by ?? null,
    entityKind: 'subscription',
    entityId: args.subscriptionId,
    action: `status_${args.status}`,
    reason: args.reason ?? null,
    changes: { status: [sub.status, args.status] },
    dedupeKey: args.dedupeKey,
  });
}
