export { purchaseOrder } from './purchase-order';
export { stopSubscription } from './stop-subscription';
export { billingDay } from './billing-day';
