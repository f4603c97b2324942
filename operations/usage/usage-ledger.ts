import type { TransactionSql } from 'postgres';
import { postLedgerEntries, type LedgerEntry } from '../ledger/ledger';

export interface UsageMovement {
  chargeId: number;
  clientId: number;
  orderId: number;
  subscriptionId: number;
  currency: string;
  /** Minor units the charge grew by: blocked (taken from the available balance). */
  delta: number;
  firstRecord: number;
}

/**
 * Blocks the growth of prepaid usage charges (spec 02 §4.10: "Δ is blocked") through the ledger, one movement per
 * charge and batch, all posted at once (operations/ledger postLedgerEntries). The business key
 * `usage/<charge>/<first record>` is new in every batch (the records were inserted by this transaction), so the ledger
 * never takes the same usage twice; a key found taken all the same fails the batch, which then writes nothing.
 */
export async function postUsageMovements(tx: TransactionSql, movements: UsageMovement[]): Promise<void> {
  const entries = [...movements]
    .sort((a, b) => a.clientId - b.clientId || a.chargeId - b.chargeId)
    .map((m): LedgerEntry => ({
      clientId: m.clientId, kind: 'usage_charge', amount: -m.delta, currency: m.currency, orderId: m.orderId,
      description: `Usage of subscription ${m.subscriptionId} blocked by charge ${m.chargeId}`, idempotencyKey: `usage/${m.chargeId}/${m.firstRecord}`,
    }));
  const { applied } = await postLedgerEntries(tx, entries);
  if (applied !== entries.length) throw new Error('a usage ledger key was taken twice');
}
