import type { Db } from './client';
import { effectiveRows, resellerPath } from './propagation';
import { defaultClientTypeId, keyConflicts, type DefaultChoice } from '../domain/client-types';

// The client types a reseller sees (domain/client-types.ts), read by the operations (a client's type by key, the
// default for a new client) and by the list and card alike.

/** A client type as one reseller sees it. */
export interface ClientTypeView {
  /** The object key (origin row id): what clients store and routes take. */
  id: number;
  key: string;
  name: string;
  /** The owner of the type; the viewer's own when equal to the viewer. */
  resellerId: number;
  /** Created upstream: read-only here except the viewer's own settings (spec 05 §3.5). */
  delegated: boolean;
  /** The viewer's own default payment method for the type (an invoice method), if it set one. */
  defaultPaymentMethod: string | null;
  /** The viewer's default type for new clients. */
  isDefault: boolean;
  /** Another type the viewer sees has the same key: the viewer must re-key its own (spec 05 §3.5 rule 1). */
  keyConflict: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** Every client type the reseller sees, oldest first, with its path (root → reseller). */
export async function visibleClientTypes(db: Db, viewerId: number): Promise<{ path: number[]; types: ClientTypeView[] }> {
  const path = (await resellerPath(db, viewerId)) ?? [];
  const rows = await db<Array<Omit<ClientTypeView, 'delegated' | 'isDefault' | 'keyConflict'>>>`
    select e.object_key as id, e.key, e.name, e.reseller_id as "resellerId", s.default_payment_method as "defaultPaymentMethod",
           e.created_at as "createdAt", e.updated_at as "updatedAt"
    from ${effectiveRows(db, 'client_types', path)} e
    left join client_type_settings s on s.client_type_id = e.object_key and s.reseller_id = ${viewerId}
    order by e.object_key`;
  const choices = await db<DefaultChoice[]>`
    select reseller_id as "resellerId", client_type_id as "clientTypeId" from client_type_settings
    where is_default and reseller_id = any(${path}::int[])`;
  const defaultId = defaultClientTypeId(path, rows, choices);
  const conflicts = keyConflicts(rows);
  return {
    path,
    types: rows.map((r) => ({ ...r, delegated: r.resellerId !== viewerId, isDefault: r.id === defaultId, keyConflict: conflicts.has(r.id) })),
  };
}
