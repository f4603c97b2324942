import type { Db } from '../../db/client';
import { escapeLike } from '../../db/like';
import type { ListQuery } from './engine';

export interface ClientFilters {
  after?: number;
  status?: string;
  /** Part of the name (the UI's name filter). */
  name?: string;
  createdFrom?: string;
  createdTo?: string;
  /** The API's search: part of the name, or the id. */
  q?: string;
}

const search = (q: string, db: Db) => ({ sql: db`(c.name ilike ${`%${escapeLike(q)}%`} or c.id::text = ${q})` });

/** Clients: GET /api/v1/clients and the UI's client list. */
export const clientList: ListQuery<ClientFilters> = {
  name: 'clients',
  from: 'clients c',
  id: 'c.id',
  client: 'c.id',
  columns: {
    id: { expr: 'c.id', sortable: true },
    name: { expr: 'c.name', sortable: true },
    status: { expr: 'c.status', sortable: true },
    clientType: { expr: '(select key from client_types where id = c.client_type_id)', sortable: true },
    balance: { expr: 'c.balance', sortable: true },
    currency: { expr: 'c.currency' },
    language: { expr: 'c.language' },
    createdAt: { expr: 'c.created_at', sortable: true },
  },
  filters: {
    after: { expr: 'c.id', match: 'below' },
    status: { expr: 'c.status', match: 'equals' },
    name: { expr: 'c.name', match: 'contains' },
    createdFrom: { expr: 'c.created_at', match: 'from' },
    createdTo: { expr: 'c.created_at', match: 'to' },
    q: search,
  },
};
