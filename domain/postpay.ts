import { AppError } from './errors';

export type PostpayMode = 'automatic' | 'manual';
export type PostpayPermission = 'not_checked' | 'awaiting_approval' | 'rejected' | 'approved';

export class PostpayError extends AppError {}

/**
 * Whether a postpay order may be placed (spec 01 §5, spec 02 §11.3, §13.4). Trials are never restricted.
 * In manual mode the first commercial postpay order asks an operator (`needsApproval`); while that
 * question is open a second one is refused, and a rejected client orders prepaid only.
 */
export function postpayAdmission(mode: PostpayMode, permission: PostpayPermission, trial: boolean): { needsApproval: boolean } {
  if (trial || mode === 'automatic' || permission === 'approved') return { needsApproval: false };
  if (permission === 'rejected') throw new PostpayError('postpay_rejected', 'postpay was refused for this client; order prepaid instead');
  if (permission === 'awaiting_approval') {
    throw new PostpayError('postpay_permission_pending', 'postpay for this client awaits an operator’s decision; try again once it is decided');
  }
  return { needsApproval: true };
}

/**
 * Spec 01 §7.3: a postpay purchase needs an effective credit limit (subscription, else client, else rule)
 * of at least the order amount and at least one full month's payment. Decision 25: a limit of 0 means no
 * postpay until one is set.
 */
export function checkPurchaseCreditLimit(limit: number, orderAmount: number, monthlyPayment: number): void {
  if (limit < orderAmount || limit < monthlyPayment || limit === 0) {
    throw new PostpayError(
      'credit_limit_insufficient',
      `the credit limit (${limit}) must cover the order (${orderAmount}) and one month (${monthlyPayment}), in minor units`,
    );
  }
}
