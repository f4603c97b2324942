export { purchaseOrder } from './purchase-order';
export { activateStoppedSubscription, blockSubscription, deleteSubscription, stopSubscription, unblockSubscription } from './subscription-operations';
export { billingDay } from './billing-day';
export { billingDispatch } from './billing-dispatch';
export { subscriptionOrder } from './subscription-order';
export { administrativeBlock, administrativeUnblock, financialBlock, financialUnblock } from './client-blocks';
export { notifyEvent, sendNotification } from './notifications';
