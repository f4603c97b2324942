import type { Sql } from '../../db/client';
import { AppError } from '../../domain/errors';
import { revokePromisedPayment } from './promised-payments';

/** A staff member revokes a promised payment still in use: its amount leaves the balance (the client is locked meanwhile). */
export async function revokePromisedPaymentByHand(sql: Sql, id: number, { reason, by }: { reason: string; by: number }): Promise<void> {
  const [current] = await sql<Array<{ number: string; status: string; client_id: number }>>`select number, status, client_id from promised_payments where id = ${id}`;
  if (!current) throw new AppError('not_found', `promised payment ${id} does not exist`);
  if (current.status !== 'provided' && current.status !== 'provided_by_topup') throw new AppError('promised_payment_revoked', `promised payment ${current.number} is ${current.status}`);
  await sql.begin(async (tx) => {
    await tx`select 1 from clients where id = ${current.client_id} for no key update`;
    await revokePromisedPayment(tx, id, { reason, by });
  });
}
