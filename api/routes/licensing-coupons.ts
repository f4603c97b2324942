import type { ApiDeps } from '../deps';
import { router } from '../deps';

/** Staff coupon routes (spec 04 §3, §7.1 admin). */
export function licensingCouponRoutes(_deps: ApiDeps) {
  return router();
}
