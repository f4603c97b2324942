import type { Db } from '../../db/client';

/** The licenses whose renewals a payment paid (spec 04 §4.2 Renew by invoice): their workflows re-arm the expiry timer. */
export async function licensesRenewedByPayment(db: Db, paymentId: number): Promise<number[]> {
  const rows = await db<Array<{ entitlement_id: number }>>`select distinct entitlement_id from license_renewals where payment_id = ${paymentId} and status = 'applied'`;
  return rows.map((r) => r.entitlement_id);
}
