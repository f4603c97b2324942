import { type Db } from '../../db/client';

export interface EventEntry {
  /** Staff id (or the client user's, with `actorKind`), or null for "System". */
  actorId: number | null;
  /** Set when a client user acted through the client-panel API. */
  actorKind?: 'client_user';
  viaApi?: boolean;
  entityKind: string;
  entityId: string | number;
  action: string;
  reason?: string | null;
  changes?: Record<string, unknown> | null;
  /** Set by activities so a retried write is recorded once. */
  dedupeKey?: string | null;
}

export async function logEvent(sql: Db, e: EventEntry): Promise<void> {
  await sql`
    insert into event_log (actor_kind, actor_id, via_api, entity_kind, entity_id, action, reason, changes, dedupe_key)
    values (${e.actorId === null ? 'system' : (e.actorKind ?? 'staff')}, ${e.actorId}, ${e.viaApi ?? false}, ${e.entityKind},
            ${String(e.entityId)}, ${e.action}, ${e.reason ?? null},
            ${e.changes ? JSON.stringify(e.changes) : null}::jsonb, ${e.dedupeKey ?? null})
    on conflict (dedupe_key) do nothing`;
}
