import type { TransactionSql } from 'postgres';
import { paymentRounding } from './payment-rounding';
import { insertWaitingTopUp, type TopUpActor } from './request-top-up';

export interface DebtTopUpInput {
  clientId: number;
  currency: string;
  actor: TopUpActor;
}

/** The comment that marks a debt top-up, and how a second one is recognised. */
const debtComment = 'the debt to pay to leave the financial block';

/**
 * Spec 02 §2.13, 01 §4.5.3: a waiting top-up for what a financially blocked client owes, unless one is already
 * waiting for it, rounded up like every payment the platform generates (spec 02 §13.3; what it adds stays on the
 * balance). Runs in the caller's transaction (the client's order).
 */
export async function requestDebtTopUp(tx: TransactionSql, { clientId, currency, actor }: DebtTopUpInput): Promise<void> {
  const [client] = await tx<Array<{ balance: string }>>`select balance::text from clients where id = ${clientId} for no key update`;
  const debt = -Number(client!.balance);
  if (debt <= 0) return;
  const [waiting] = await tx`select 1 from payments where client_id = ${clientId} and type = 'manual_topup' and status = 'waiting_for_payment' and comment = ${debtComment}`;
  if (waiting) return;
  await insertWaitingTopUp(tx, { clientId, amount: await paymentRounding(tx, debt), currency, comment: debtComment, actor });
}
