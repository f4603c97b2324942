// Client types (spec 02 §10, 05 §3.5) as each reseller sees them. They propagate like provisioning rules
// (domain/propagation.ts): a reseller uses the types of every reseller on its path (root → itself), read-only except
// what it sets for itself (default payment method, its default type). An upstream may create a key a descendant
// already owns (the descendant is asked to re-key its own), so one view may hold a key twice; these rules say which
// type a key and "the default" mean there.

/** A client type as the rules need it. */
export interface VisibleClientType {
  /** The object key (origin row id), which clients store. */
  id: number;
  key: string;
  /** The reseller that owns the type (created it, or kept it when its upstream deleted it). */
  resellerId: number;
}

/** A reseller's choice of default type (client_type_settings.is_default). */
export interface DefaultChoice {
  resellerId: number;
  clientTypeId: number;
}

const depth = (path: readonly number[], resellerId: number) => path.indexOf(resellerId);

/**
 * The type a key names for the reseller whose path is `path`: of the types it sees with that key, the one whose
 * owner is nearest (its own before its parent's), the oldest on a tie; null when none has the key (an unknown key,
 * or another reseller's type).
 */
export function typeForKey<T extends VisibleClientType>(path: readonly number[], types: readonly T[], key: string): T | null {
  const candidates = types.filter((t) => t.key === key && depth(path, t.resellerId) >= 0);
  candidates.sort((a, b) => depth(path, b.resellerId) - depth(path, a.resellerId) || a.id - b.id);
  return candidates[0] ?? null;
}

/**
 * The reseller's default type for new clients (spec 02 §10: exactly one): its own choice, else its nearest
 * ancestor's, among the types it sees; when the chosen type is gone (deleted upstream), the oldest type it sees, so
 * that deleting the default type makes another one default (spec 02 §10, 05 §3.5 rule 3). Null only without types.
 */
export function defaultClientTypeId(path: readonly number[], types: readonly VisibleClientType[], choices: readonly DefaultChoice[]): number | null {
  const visible = new Set(types.map((t) => t.id));
  const chosen = choices
    .filter((c) => depth(path, c.resellerId) >= 0 && visible.has(c.clientTypeId))
    .sort((a, b) => depth(path, b.resellerId) - depth(path, a.resellerId))[0];
  if (chosen) return chosen.clientTypeId;
  return types.length === 0 ? null : Math.min(...types.map((t) => t.id));
}

/** The ids of the types whose key another type in the same view shares: the re-key warning of spec 05 §3.5 rule 1. */
export function keyConflicts(types: readonly VisibleClientType[]): Set<number> {
  const byKey = new Map<string, number[]>();
  for (const t of types) byKey.set(t.key, [...(byKey.get(t.key) ?? []), t.id]);
  return new Set([...byKey.values()].filter((ids) => ids.length > 1).flat());
}

/** What a key conflict tells the reseller (spec 05 §3.5 rule 1, manual 14.1.1). */
export const keyConflictMessage = 'Key conflict detected: a client type delegated from upstream has the same key as your own; edit the key of your own client type';
