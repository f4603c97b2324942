import type { Db } from '../../db/client';
import { escapeLike } from '../../db/like';
import type { ListQuery } from './engine';

export interface OrderFilters {
  /** Keyset cursor: orders with a smaller id (the API's `after`). */
  after?: number;
  status?: string;
  type?: string;
  clientId?: number;
  subscriptionId?: number;
  createdFrom?: string;
  createdTo?: string;
  /** Part of the client's name (the UI's client filter). */
  clientName?: string;
  /** The API's search: the full order number, the id, or part of the client's name. */
  q?: string;
}

/** An order search by client name resolves at most this many clients to ids; more, and the name is scanned. */
const searchClientLimit = 200;

/**
 * The search (`q`): the full number, the id, or part of the client's name. An OR across the two tables can only be
 * answered by reading every order, so the name is resolved to clients first: when few clients match, their orders
 * are found by index; when many do, the name is common and a page fills from the newest orders.
 */
async function search(q: string, db: Db) {
  const pattern = `%${escapeLike(q)}%`;
  const matches = await db<Array<{ id: number }>>`select id from clients where name ilike ${pattern} limit ${searchClientLimit + 1}`;
  const clientIds = matches.length <= searchClientLimit ? matches.map((m) => m.id) : null;
  const qId = /^[1-9]\d{0,8}$/.test(q) ? Number(q) : null;
  const nameFilter = clientIds ? db`o.client_id = any(${clientIds}::int[])` : db`c.name ilike ${pattern}`;
  return { sql: db`(o.number = ${q} or o.id = ${qId} or ${nameFilter})` };
}

/** Orders with their client's name: GET /api/v1/orders and the UI's order list. */
export const orderList: ListQuery<OrderFilters> = {
  name: 'orders',
  from: 'orders o join clients c on c.id = o.client_id',
  id: 'o.id',
  client: 'o.client_id',
  columns: {
    id: { expr: 'o.id', sortable: true },
    number: { expr: 'o.number', sortable: true },
    type: { expr: 'o.type', sortable: true },
    status: { expr: 'o.status', sortable: true },
    clientName: { expr: 'c.name', sortable: true },
    clientId: { expr: 'o.client_id' },
    subscriptionId: { expr: 'o.subscription_id' },
    amount: { expr: 'o.amount', sortable: true },
    currency: { expr: 'o.currency' },
    statusReason: { expr: 'o.status_reason' },
    createdAt: { expr: 'o.created_at', sortable: true },
    closedAt: { expr: 'o.closed_at', sortable: true },
  },
  filters: {
    after: { expr: 'o.id', match: 'below' },
    status: { expr: 'o.status', match: 'equals' },
    type: { expr: 'o.type', match: 'equals' },
    clientId: { expr: 'o.client_id', match: 'equals' },
    subscriptionId: { expr: 'o.subscription_id', match: 'equals' },
    createdFrom: { expr: 'o.created_at', match: 'from' },
    createdTo: { expr: 'o.created_at', match: 'to' },
    clientName: { expr: 'c.name', match: 'contains' },
    q: search,
  },
};
