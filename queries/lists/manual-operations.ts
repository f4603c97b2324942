import type { ListQuery } from './engine';

export interface ManualOperationFilters {
  after?: number;
  status?: string;
  type?: string;
  clientId?: number;
  managerId?: number;
  serviceRuleId?: number;
  clientName?: string;
  createdFrom?: string;
  createdTo?: string;
}

/** Manual operations with their client: GET /api/v1/manual-operations and the UI's manual-operation list. */
export const manualOperationList: ListQuery<ManualOperationFilters> = {
  name: 'manual-operations',
  from: 'manual_operations m join clients c on c.id = m.client_id',
  id: 'm.id',
  client: 'm.client_id',
  columns: {
    id: { expr: 'm.id', sortable: true },
    type: { expr: 'm.type', sortable: true },
    status: { expr: 'm.status', sortable: true },
    description: { expr: 'm.description' },
    clientName: { expr: 'c.name', sortable: true },
    clientId: { expr: 'm.client_id' },
    managerId: { expr: 'c.manager_id' },
    serviceRuleId: { expr: 'c.service_rule_id' },
    subscriptionId: { expr: 'm.subscription_id' },
    orderId: { expr: 'm.order_id' },
    scenarioId: { expr: 'm.scenario_id' },
    comment: { expr: 'm.comment' },
    decidedBy: { expr: 'm.decided_by' },
    createdAt: { expr: 'm.created_at', sortable: true },
  },
  filters: {
    after: { expr: 'm.id', match: 'below' },
    status: { expr: 'm.status', match: 'equals' },
    type: { expr: 'm.type', match: 'equals' },
    clientId: { expr: 'm.client_id', match: 'equals' },
    managerId: { expr: 'c.manager_id', match: 'equals' },
    serviceRuleId: { expr: 'c.service_rule_id', match: 'equals' },
    clientName: { expr: 'c.name', match: 'contains' },
    createdFrom: { expr: 'm.created_at', match: 'from' },
    createdTo: { expr: 'm.created_at', match: 'to' },
  },
};
