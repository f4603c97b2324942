import type { TransactionSql } from 'postgres';
import type { ChargeEvent } from '../../domain/billing-types';
import { applyChargeEvent } from '../charges/apply-charge-event';
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
  /**
   * The business date of the move. Given, a move that stops (or blocks), activates or deletes the subscription
   * changes its charges the way its billing type says (spec 02 §4.9), in the same transaction.
   */
  chargeDate?: string;
}

/** The charge event of a move between statuses, if it is one (a block behaves as a stop: spec 02 §4.11). */
function chargeEventOf(from: string, to: string, saved: string | null, date: string): { event: ChargeEvent; stopped: boolean } | null {
  const wasStopped = saved === 'stopped' || saved === 'blocked';
  if ((to === 'stopped' || to === 'blocked') && from === 'stopping') return { event: { kind: 'stop', date }, stopped: false };
  if (to === 'active' && from === 'activating' && wasStopped) return { event: { kind: 'activate', date }, stopped: true };
  if (to === 'deleted' && from === 'deleting') return { event: { kind: 'delete', date }, stopped: wasStopped };
  return null;
}

/** Moves a subscription to a status inside the caller's transaction, with an event; see `SubscriptionMove`. */
export async function moveSubscriptionStatus(tx: TransactionSql, args: SubscriptionMove): Promise<void> {
  const [sub] = await tx<Array<{ status: string; saved_status: string | null }>>`select status, saved_status from subscriptions where id = ${args.subscriptionId} for update`;
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
  const charge = args.chargeDate ? chargeEventOf(sub.status, args.status, sub.saved_status, args.chargeDate) : null;
  if (charge) await applyChargeEvent(tx, { subscriptionId: args.subscriptionId, ...charge, key: `move/${args.dedupeKey}` });
}
