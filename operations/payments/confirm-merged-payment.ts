import type { Sql } from '../../db/client';
import { AppError } from '../../domain/errors';
import { payMergedPayment } from './pay-merged-payment';

export interface ConfirmMergedPaymentInput {
  paymentId: number;
  method: string;
  by: number;
}

/**
 * Spec 02 §2.11: the merged payment's money arrives; every order in it is paid in the same transaction. Returns the
 * orders paid, whose scenarios the caller tells (a lost signal is sent again by the platform's sweep).
 */
export async function confirmMergedPayment(sql: Sql, { paymentId, method, by }: ConfirmMergedPaymentInput): Promise<{ paidOrderIds: number[] }> {
  const result = await sql.begin(async (tx) => {
    const [p] = await tx<Array<{ status: string; number: string }>>`select status, number from payments where id = ${paymentId} for update`;
    if (p!.status !== 'waiting_for_payment') throw new AppError('payment_not_confirmable', `payment ${p!.number} is ${p!.status}`);
    return payMergedPayment(tx, { paymentId, via: { kind: 'confirmed', method, by } });
  });
  return { paidOrderIds: result.orderIds };
}
