export { purchaseOrder } from './purchase-order';
export { stopSubscription } from './stop-subscription';
