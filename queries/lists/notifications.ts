import type { ListQuery } from './engine';

export interface NotificationFilters {
  after?: number;
  status?: string;
  channel?: string;
  event?: string;
  clientId?: number;
  recipient?: string;
  /** Part of the event's key (the UI's text filter). */
  eventContains?: string;
  createdFrom?: string;
  createdTo?: string;
}

/** The notification log (spec 03 §10): GET /api/v1/notifications and the UI's notification list. */
export const notificationList: ListQuery<NotificationFilters> = {
  name: 'notifications',
  from: 'notifications n left join clients c on c.id = n.client_id',
  id: 'n.id',
  client: 'n.client_id',
  columns: {
    id: { expr: 'n.id', sortable: true },
    event: { expr: 'n.event', sortable: true },
    channel: { expr: 'n.channel', sortable: true },
    status: { expr: 'n.status', sortable: true },
    recipient: { expr: 'n.recipient' },
    clientName: { expr: 'c.name' },
    clientId: { expr: 'n.client_id' },
    summary: { expr: 'n.summary' },
    sendHour: { expr: 'n.send_hour' },
    sendAt: { expr: 'n.send_at' },
    attempts: { expr: 'n.attempts', sortable: true },
    lastError: { expr: 'n.last_error' },
    providerMessageId: { expr: 'n.provider_message_id' },
    resentFromId: { expr: 'n.resent_from_id::int' },
    createdAt: { expr: 'n.created_at', sortable: true },
    sentAt: { expr: 'n.sent_at' },
  },
  filters: {
    after: { expr: 'n.id', match: 'below' },
    status: { expr: 'n.status', match: 'equals' },
    channel: { expr: 'n.channel', match: 'equals' },
    event: { expr: 'n.event', match: 'equals' },
    clientId: { expr: 'n.client_id', match: 'equals' },
    recipient: { expr: 'n.recipient', match: 'equals' },
    eventContains: { expr: 'n.event', match: 'contains' },
    createdFrom: { expr: 'n.created_at', match: 'from' },
    createdTo: { expr: 'n.created_at', match: 'to' },
  },
};
