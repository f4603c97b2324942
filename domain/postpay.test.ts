import { describe, expect, it } from 'vitest';
import { checkPurchaseCreditLimit, postpayAdmission } from './postpay';

describe('postpay admission', () => {
  it('never restricts trials, automatic mode or approved clients', () => {
    expect(postpayAdmission('manual', 'not_checked', true)).toEqual({ needsApproval: false });
    expect(postpayAdmission('automatic', 'rejected', false)).toEqual({ needsApproval: false });
    expect(postpayAdmission('manual', 'approved', false)).toEqual({ needsApproval: false });
  });
  it('asks an operator for the first commercial postpay order in manual mode', () => {
    expect(postpayAdmission('manual', 'not_checked', false)).toEqual({ needsApproval: true });
  });
  it('refuses while the question is open, and after a rejection', () => {
    expect(() => postpayAdmission('manual', 'awaiting_approval', false)).toThrow(expect.objectContaining({ code: 'postpay_permission_pending' }));
    expect(() => postpayAdmission('manual', 'rejected', false)).toThrow(expect.objectContaining({ code: 'postpay_rejected' }));
  });
});

describe('credit limit pre-check of a postpay purchase (spec 01 §7.3)', () => {
  it('passes when the limit covers the order and one month', () => {
    expect(() => checkPurchaseCreditLimit(5000, 5000, 1000)).not.toThrow();
  });
  it.each([
    ['below the order amount', 4999, 5000, 1000],
    ['below one month', 900, 500, 1000],
    ['zero: no postpay until a limit is set', 0, 0, 0],
  ])('refuses a limit %s', (_name, limit, amount, monthly) => {
    expect(() => checkPurchaseCreditLimit(limit, amount, monthly)).toThrow(expect.objectContaining({ code: 'credit_limit_insufficient' }));
  });
});
