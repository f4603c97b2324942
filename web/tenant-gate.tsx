import type { Context, MiddlewareHandler } from 'hono';
import { translator } from './i18n';
import { mayOpen, Page, type ApiRoute } from './layout';
import type { WebEnv } from './session';

// The operator UI's pages under the API's tenant gate (api/tenancy.ts, spec 05 §7.3): every page names the API
// route it stands on (as the menu's sections do, web/layout.tsx), and a reseller's staff open it only when that
// route's classification lets them use it: one classification, no second list.

/** The page a reseller's staff get for an area that is the operator's alone: a plain 403 that says so. */
export function operatorOnlyPage(c: Context<WebEnv>) {
  const session = c.get('session');
  const t = translator(session.language);
  return c.html(
    <Page title="403" session={session}>
      <h1>403</h1>
      <p class="error" role="alert" data-code="operator_only">
        {t('error.operatorOnly')}
      </p>
    </Page>,
    403,
  );
}

/** Middleware after `signedIn`: the page stands on `route`, so a reseller's staff see it only when that route is open to them. */
export const standsOn =
  (route: ApiRoute): MiddlewareHandler<WebEnv> =>
  async (c, next) => {
    if (!mayOpen(c.get('session'), route)) return operatorOnlyPage(c);
    await next();
  };
