import type { ApiDeps } from '../deps';
import { router } from '../deps';

/** Staff operations on licences: upgrades, seats (spec 04 §4.2, §6.5-6.6, §7.2). */
export function licensingEntitlementRoutes(_deps: ApiDeps) {
  return router();
}
