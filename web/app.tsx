import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { hashToken, SESSION_TOKEN_PREFIX } from '../api/auth';
import { logEvent } from '../operations/event-log/event-log';
import { attentionCounts, readOperationalCounts } from '../api/metrics';
import type { Sql } from '../db/client';
import { isStorableText } from '../domain/text';
import { currentOrigin } from '../infra/request-context';
import { todayIn } from '../domain/dates';
import { apiBridge, type ApiFetch } from './api-bridge';
import { isLanguage, translator, type Language, type MessageKey, type Translate } from './i18n';
import { listDefinitions } from './list-definitions';
import { mountList, mountListPreferences } from './lists';
import { dateTime, isOperatorStaff, mayOpen, mayRead, Page, Status } from './layout';
import { operationPages } from './pages/operations';
import { recordPages } from './pages/records';
import { scenarioPages } from './pages/scenario';
import { settingsPages } from './pages/settings';
import { localPath } from './local-path';
import { subscriptionPages } from './pages/subscription';
import { latestBillingRuns, waitingScenarios } from '../queries/home';
import { verifyPassword } from '../infra/passwords';
import { countAccountAttempt, countAddressAttempt } from '../operations/staff/sign-in-lockout';
import { startStaffSession } from '../operations/staff/start-session';
import { endStaffSession } from '../operations/staff/end-session';
import { setSessionLanguage } from '../operations/staff/set-session-language';
import { SESSION_COOKIE, sameToken, sessions, type Session, type WebEnv } from './session';

/**
 * The operator UI (issue 8), rendered on the server with hono/jsx: staff sign-in with a memory-hard password
 * hash and lock-out, sessions in a `HttpOnly`, `SameSite=Strict` cookie, a CSRF token on every form, English
 * and Russian. Pages read the database; every action goes through the API as the signed-in staff member, so
 * the role matrix, validation and audit are the API's. This file: sign-in and the home page; the lists are
 * in lists.tsx, the detail pages in pages/.
 */
const LOGIN_CSRF_COOKIE = 'bp_login_csrf';
const SESSION_HOURS = 8;

/** Cookies are `Secure` when the browser came over HTTPS: TLS here, or a trusted proxy's X-Forwarded-Proto. */
const secure = () => currentOrigin().https;
const assetsDir = join(dirname(fileURLToPath(import.meta.url)), 'assets');
const assets: Record<string, string> = { 'ui.css': 'text/css; charset=utf-8', 'ui.js': 'application/javascript; charset=utf-8' };

export interface WebOptions {
  sql: Sql;
  now?: () => Date;
  /** The API, called in-process as the signed-in staff member (api-bridge.ts). */
  fetchApi: ApiFetch;
  /** The Temporal Web UI, for the scenario page's link; none when not set. */
  temporalUi?: { url: string | null; namespace: string };
  /** PLATFORM_TIME_ZONE: business dates (what may be renewed today) are counted in it. */
  timeZone?: string;
}

/**
 * The operator UI. Long because it is the UI's composition: security headers, assets, sign-in and sign-out, the
 * home page, then every list and page module is mounted here; the pages themselves live in pages/ and lists.tsx.
 */
export function webApp({ sql, now = () => new Date(), fetchApi, temporalUi = { url: null, namespace: 'default' }, timeZone = 'UTC' }: WebOptions) {
  const app = new Hono<WebEnv>();
  const { signedIn } = sessions(sql, now);
  const callApi = apiBridge(fetchApi);

  // Every page: nothing loads from anywhere but this server, and no page may be framed by another site.
  app.use('*', async (c, next) => {
    await next();
    if (c.req.path.startsWith('/api/') || c.req.path.startsWith('/licensing/') || c.req.path === '/health') return;
    c.header('content-security-policy', "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-src 'self' about:; frame-ancestors 'none'; form-action 'self'");
    c.header('x-content-type-options', 'nosniff');
    c.header('referrer-policy', 'same-origin');
  });

  app.get('/assets/:file', async (c) => {
    const file = c.req.param('file');
    const type = assets[file];
    if (!type) return c.text('no such asset', 404);
    return c.body(await readFile(join(assetsDir, file)), 200, { 'content-type': type, 'cache-control': 'public, max-age=300' });
  });

  /** After sign-in: the page the staff member was sent away from, if it is a page of this UI (else home). */
  const nextPath = (value: unknown) => {
    const path = localPath(value);
    return path && !path.startsWith('/login') ? path : '/';
  };

  const loginPage = (c: Context, language: Language, csrf: string, message: MessageKey | null, status: 200 | 400 | 401 | 403 | 429 = 200, code?: string) => {
    const t = translator(language);
    return c.html(
      <Page title={t('login.title')} language={language}>
        <h1>{t('login.title')}</h1>
        {message ? <p class="error" data-code={code}>{t(message)}</p> : null}
        <form method="post" action="/login">
          <input type="hidden" name="_csrf" value={csrf} />
          <input type="hidden" name="next" value={nextPath(c.req.query('next') ?? c.req.header('x-next'))} />
          <p>
            <label>
              {t('login.email')} <input name="email" type="email" autocomplete="username" required />
            </label>
          </p>
          <p>
            <label>
              {t('login.password')} <input name="password" type="password" autocomplete="current-password" required />
            </label>
          </p>
          <button type="submit">{t('login.submit')}</button>
        </form>
      </Page>,
      status,
    );
  };

  const requestLanguage = (c: Context): Language => (isLanguage(c.req.query('lang')) ? (c.req.query('lang') as Language) : c.req.header('accept-language')?.startsWith('ru') ? 'ru' : 'en');

  // Before a session exists, the login form's token is a cookie of its own (double submit).
  app.get('/login', (c) => {
    const csrf = randomBytes(24).toString('base64url');
    setCookie(c, LOGIN_CSRF_COOKIE, csrf, { httpOnly: true, sameSite: 'Strict', path: '/login', secure: secure(), maxAge: 3600 });
    return loginPage(c, requestLanguage(c), csrf, null);
  });

  app.post('/login', async (c) => {
    const language = requestLanguage(c);
    const form = await c.req.parseBody();
    const cookieToken = getCookie(c, LOGIN_CSRF_COOKIE) ?? '';
    const csrf = typeof form._csrf === 'string' ? form._csrf : '';
    if (!cookieToken || !sameToken(csrf, cookieToken)) return loginPage(c, language, cookieToken, 'error.forbidden', 403);
    // Where to go afterwards is settled before anything is counted or written: a forged `next` changes nothing.
    const next = form.next === undefined || form.next === '' ? '/' : localPath(form.next);
    if (next === null) return loginPage(c, language, cookieToken, 'login.invalidNext', 400, 'invalid_next');
    const email = typeof form.email === 'string' ? form.email.trim().toLowerCase() : '';
    // No account has such an e-mail, and PostgreSQL could not even look it up: refused before it is counted.
    if (email.length > 320 || !isStorableText(email)) return loginPage(c, language, cookieToken, 'login.failed', 400, 'invalid_email');
    const password = typeof form.password === 'string' ? form.password : '';
    const at = now();
    const { address } = currentOrigin();
    const source = address ?? 'unknown';
    // Spec 02 §15.1: every sign-in attempt is logged with its source address.
    const attempt = (staffId: number | null, action: string, lock?: 'account' | 'address') =>
      logEvent(sql, { actorId: staffId, entityKind: 'staff', entityId: staffId ?? 0, action, changes: { email, ip: address, ...(lock ? { lock } : {}) } });
    const fromAddress = await countAddressAttempt(sql, source, at);
    if (fromAddress.refused) {
      await attempt(null, 'sign_in_locked', 'address');
      return loginPage(c, language, cookieToken, 'login.addressLocked', 429);
    }
    const member = await countAccountAttempt(sql, email, at);
    if (member?.refused) {
      await attempt(member.staffId, 'sign_in_locked', 'account');
      return loginPage(c, language, cookieToken, 'login.locked', 429);
    }
    // The hash is computed even for an unknown e-mail, so timing does not tell which e-mails exist.
    const ok = await verifyPassword(password, member?.passwordHash ?? 'scrypt$32768$8$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    if (!member || !ok) {
      await attempt(member?.staffId ?? null, 'sign_in_failed');
      if (member?.last) return loginPage(c, language, cookieToken, 'login.locked', 429);
      if (fromAddress.last) return loginPage(c, language, cookieToken, 'login.addressLocked', 429);
      return loginPage(c, language, cookieToken, 'login.failed', 401);
    }
    const token = `${SESSION_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    await startStaffSession(sql, {
      staffId: member.staffId,
      address: source,
      tokenHash: hashToken(token),
      csrfToken: randomBytes(24).toString('base64url'),
      language: isLanguage(member.language) ? member.language : language,
      expiresAt: new Date(at.getTime() + SESSION_HOURS * 3_600_000),
    });
    setCookie(c, SESSION_COOKIE, token, { httpOnly: true, sameSite: 'Strict', path: '/', secure: secure(), maxAge: SESSION_HOURS * 3600 });
    deleteCookie(c, LOGIN_CSRF_COOKIE, { path: '/login', secure: secure() });
    await attempt(member.staffId, 'signed_in');
    return c.redirect(next.startsWith('/login') ? '/' : next, 303);
  });

  app.post('/logout', signedIn, async (c) => {
    await endStaffSession(sql, c.get('session').id);
    deleteCookie(c, SESSION_COOKIE, { path: '/', secure: secure() });
    return c.redirect('/login', 303);
  });

  app.post('/language', signedIn, async (c) => {
    const form = await c.req.parseBody();
    if (isLanguage(form.language)) await setSessionLanguage(sql, c.get('session').id, form.language);
    const referer = c.req.header('referer');
    const back = referer && new URL(referer, c.req.url).origin === new URL(c.req.url).origin ? new URL(referer, c.req.url) : null;
    return c.redirect(back ? nextPath(`${back.pathname}${back.search}`) : '/', 303);
  });

  app.get('/', signedIn, async (c) => {
    const session = c.get('session');
    const t = translator(session.language);
    // The same figures `GET /metrics` exposes (api/metrics.ts), read the same way: installation-wide, so the
    // operator's staff alone see them (a reseller's staff start from their lists).
    const operator = isOperatorStaff(session);
    const counts = operator ? attentionCounts(await readOperationalCounts(sql)) : null;
    const runs = operator ? await latestBillingRuns(sql, 5) : [];
    const waiting = operator ? await waitingScenarios(sql, 10) : [];
    const tiles: Array<{ key: MessageKey; count: number; href: string; area: Parameters<typeof mayRead>[1] }> = [
      { key: 'home.failedTasks', count: counts?.failedTasks ?? 0, href: '/tasks?f.status=failed', area: 'tasks' },
      { key: 'home.pendingOperations', count: counts?.pendingOperations ?? 0, href: '/manual-operations?f.status=pending', area: 'operations' },
      { key: 'home.waitingScenarios', count: counts?.waitingScenarios ?? 0, href: '/scenarios?f.status=waiting', area: 'scenarios' },
      { key: 'home.activationErrors', count: counts?.activationErrors ?? 0, href: '/orders?f.status=activation_error', area: 'operations' },
      { key: 'home.failedNotifications', count: counts?.failedNotifications ?? 0, href: '/notifications?f.status=failed', area: 'operations' },
    ];
    return c.html(
      <Page title={t('nav.home')} session={session}>
        <h1>{t('home.title')}</h1>
        <div class="counts">
          {tiles
            .filter((tile) => operator && mayRead(session, tile.area))
            .map((tile) => (
              <a class="count" data-count={tile.key} href={tile.href}>
                <b>{String(tile.count)}</b>
                {t(tile.key)}
              </a>
            ))}
        </div>
        {mayRead(session, 'scenarios') && waiting.length ? (
          <>
            <h2>{t('home.waitingScenarios')}</h2>
            <table id="waiting-scenarios">
              <tr>
                <th>{t('col.id')}</th>
                <th>{t('col.type')}</th>
                <th>{t('col.currentStep')}</th>
                <th>{t('col.error')}</th>
                <th>{t('col.startedAt')}</th>
              </tr>
              {waiting.map((w) => (
                <tr>
                  <td>
                    <a href={`/scenarios/${encodeURIComponent(w.id)}`}>{w.id}</a>
                  </td>
                  <td>{w.type}</td>
                  <td>{w.step ?? ''}</td>
                  <td class="error">{w.error ?? ''}</td>
                  <td>{dateTime(w.startedAt)}</td>
                </tr>
              ))}
            </table>
          </>
        ) : null}
        {mayOpen(session, 'GET /api/v1/billing/runs') ? <BillingRunsSummary t={t} session={session} runs={runs} /> : null}
      </Page>,
    );
  });

  const context = { app, sql, callApi, signedIn, temporalUi, now, today: () => todayIn(timeZone, now()) };
  for (const def of listDefinitions) mountList(app, sql, def, signedIn);
  mountListPreferences(app, sql, listDefinitions, signedIn);
  scenarioPages(context);
  operationPages(context);
  recordPages(context);
  subscriptionPages(context);
  settingsPages(context);

  return app;
}

/** The latest billing runs on the home page: installation-wide, the operator's alone (spec 05 §7.3). */
function BillingRunsSummary({ t, session, runs }: { t: Translate; session: Session; runs: ReadonlyArray<{ date: string; status: string; runs: number; duties: number }> }) {
  return (
    <>
      <h2>{t('home.billingRuns')}</h2>
      {runs.length === 0 ? (
        <p>{t('home.noRuns')}</p>
      ) : (
        <table>
          <tr>
            <th>{t('home.date')}</th>
            <th>{t('home.status')}</th>
            <th>{t('home.progress')}</th>
            <th>{t('home.runs')}</th>
          </tr>
          {runs.map((r) => (
            <tr>
              <td>{mayRead(session, 'finance') ? <a href={`/billing-runs/${r.date}`}>{r.date}</a> : r.date}</td>
              <td>
                <Status t={t} value={r.status} />
              </td>
              <td>
                {String(r.duties)} {t('billing.dutiesDone')}
              </td>
              <td>{String(r.runs)}</td>
            </tr>
          ))}
        </table>
      )}
    </>
  );
}
