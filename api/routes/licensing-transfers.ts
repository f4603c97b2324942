import type { ApiDeps } from '../deps';
import { router } from '../deps';

/** Partners, transfers between them and the commercial rules of perpetual licences (spec 04 §4.2, §5). */
export function licensingTransferRoutes(_deps: ApiDeps) {
  return router();
}
