export { purchaseOrder } from './purchase-order';
