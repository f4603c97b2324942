export { purchaseOrder } from './purchase-order';
export { stopSubscription } from './stop-subscription';
export { billingDay } from './billing-day';
export { billingDispatch } from './billing-dispatch';
