import type { Db } from '../db/client';
import { visibleClientTypes, type ClientTypeView } from '../db/client-types';
import { keyConflictMessage } from '../domain/client-types';

// The client types list and card (GET /client-types): what one reseller sees (db/client-types.ts), with the re-key
// message on a type whose key another type in the view shares (spec 05 §3.5 rule 1).

export type ClientTypeItem = ClientTypeView & { keyConflictMessage?: string };

const present = (t: ClientTypeView): ClientTypeItem => (t.keyConflict ? { ...t, keyConflictMessage } : t);

/** Every client type the reseller sees, oldest first (a handful: the list is not paged). */
export async function listClientTypes(db: Db, viewerId: number): Promise<ClientTypeItem[]> {
  return (await visibleClientTypes(db, viewerId)).types.map(present);
}

/** One client type as the reseller sees it; null when it sees no such type. */
export async function findClientType(db: Db, viewerId: number, id: number): Promise<ClientTypeItem | null> {
  const t = (await visibleClientTypes(db, viewerId)).types.find((x) => x.id === id);
  return t ? present(t) : null;
}
