import type { ListQuery } from './engine';

export interface EventLogFilters {
  entityKind?: string;
  entityId?: string;
  action?: string;
  createdFrom?: string;
  createdTo?: string;
}

/** The event log with the acting staff member's name: the UI's event-log list (the API shows events on each card). */
export const eventLogList: ListQuery<EventLogFilters> = {
  name: 'event-log',
  from: "event_log e left join staff s on e.actor_kind = 'staff' and s.id = e.actor_id",
  id: 'e.id',
  client: null,
  columns: {
    id: { expr: 'e.id', sortable: true },
    createdAt: { expr: 'e.created_at', sortable: true },
    entity: { expr: "e.entity_kind || ' ' || e.entity_id", sortable: true },
    action: { expr: 'e.action', sortable: true },
    actor: { expr: "case when e.actor_kind = 'system' then '—' else coalesce(s.name, e.actor_kind || ' #' || e.actor_id) || case when e.via_api then ' (API)' else '' end end" },
    reason: { expr: 'e.reason' },
    changes: { expr: 'e.changes' },
  },
  filters: {
    entityKind: { expr: 'e.entity_kind', match: 'contains' },
    entityId: { expr: 'e.entity_id', match: 'contains' },
    action: { expr: 'e.action', match: 'contains' },
    createdFrom: { expr: 'e.created_at', match: 'from' },
    createdTo: { expr: 'e.created_at', match: 'to' },
  },
};
