import type { ListQuery } from './engine';

export interface PaymentFilters {
  after?: number;
  status?: string;
  type?: string;
  clientId?: number;
  orderId?: number;
  clientName?: string;
  createdFrom?: string;
  createdTo?: string;
}

/** Payments with their client's name: GET /api/v1/payments and the UI's payment list. */
export const paymentList: ListQuery<PaymentFilters> = {
  name: 'payments',
  from: 'payments y join clients c on c.id = y.client_id',
  id: 'y.id',
  client: 'y.client_id',
  columns: {
    id: { expr: 'y.id', sortable: true },
    number: { expr: 'y.number', sortable: true },
    type: { expr: 'y.type', sortable: true },
    status: { expr: 'y.status', sortable: true },
    clientName: { expr: 'c.name', sortable: true },
    clientId: { expr: 'y.client_id' },
    orderId: { expr: 'y.order_id' },
    amount: { expr: 'y.amount', sortable: true },
    currency: { expr: 'y.currency' },
    method: { expr: 'y.method' },
    createdAt: { expr: 'y.created_at', sortable: true },
    closedAt: { expr: 'y.closed_at' },
  },
  filters: {
    after: { expr: 'y.id', match: 'below' },
    status: { expr: 'y.status', match: 'equals' },
    type: { expr: 'y.type', match: 'equals' },
    clientId: { expr: 'y.client_id', match: 'equals' },
    orderId: { expr: 'y.order_id', match: 'equals' },
    clientName: { expr: 'c.name', match: 'contains' },
    createdFrom: { expr: 'y.created_at', match: 'from' },
    createdTo: { expr: 'y.created_at', match: 'to' },
  },
};
