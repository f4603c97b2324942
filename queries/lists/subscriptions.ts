import type { ListQuery } from './engine';

export interface SubscriptionFilters {
  after?: number;
  status?: string;
  clientId?: number;
  planId?: number;
  clientName?: string;
  planName?: string;
  expiresFrom?: string;
  expiresTo?: string;
}

/** Subscriptions with their client and plan: GET /api/v1/subscriptions and the UI's subscription list. */
export const subscriptionList: ListQuery<SubscriptionFilters> = {
  name: 'subscriptions',
  from: 'subscriptions s join clients c on c.id = s.client_id join plans p on p.id = s.plan_id',
  id: 's.id',
  client: 's.client_id',
  columns: {
    id: { expr: 's.id', sortable: true },
    name: { expr: 's.name', sortable: true },
    status: { expr: 's.status', sortable: true },
    clientName: { expr: 'c.name', sortable: true },
    clientId: { expr: 's.client_id' },
    planId: { expr: 's.plan_id' },
    planName: { expr: 'p.name', sortable: true },
    paymentModel: { expr: 's.payment_model' },
    autoRenewMark: { expr: "case when s.auto_renew then '✓' else '' end" },
    startDate: { expr: 's.start_date::text', sortable: true },
    expirationDate: { expr: 's.expiration_date::text', sortable: true },
    createdAt: { expr: 's.created_at', sortable: true },
  },
  filters: {
    after: { expr: 's.id', match: 'below' },
    status: { expr: 's.status', match: 'equals' },
    clientId: { expr: 's.client_id', match: 'equals' },
    planId: { expr: 's.plan_id', match: 'equals' },
    clientName: { expr: 'c.name', match: 'contains' },
    planName: { expr: 'p.name', match: 'contains' },
    expiresFrom: { expr: 's.expiration_date', match: 'from' },
    expiresTo: { expr: 's.expiration_date', match: 'to' },
  },
};
