import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import type { Child } from 'hono/jsx';
import type { Sql } from '../db/client';
import { isLanguage, translator, type Language, type MessageKey } from './i18n';
import { verifyPassword } from './passwords';

/**
 * The operator UI (issue 8), rendered on the server with hono/jsx. This part: staff sign-in with a
 * memory-hard password hash and lock-out, sessions in a `HttpOnly`, `SameSite=Strict` cookie, a CSRF token on
 * every form, English and Russian, and the home page of what needs attention.
 */
const SESSION_COOKIE = 'bp_session';
const LOGIN_CSRF_COOKIE = 'bp_login_csrf';
const SESSION_HOURS = 8;
const LOCK_AFTER = 5;
const LOCK_MINUTES = 15;

interface Session {
  id: number;
  staffId: number;
  name: string;
  role: string;
  csrfToken: string;
  language: Language;
}

type WebEnv = { Variables: { session: Session } };

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const sameToken = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
const secure = (c: Context) => new URL(c.req.url).protocol === 'https:';

function Page({ title, language, session, children }: { title: string; language: Language; session?: Session; children: Child }) {
  const t = translator(language);
  return (
    <html lang={language}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · ${t('app.title')}`}</title>
        <style>{`body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1d2330}header{display:flex;gap:1rem;align-items:center;padding:.6rem 1.2rem;background:#1d2330;color:#fff}header a,header button{color:#fff;background:none;border:0;font:inherit;cursor:pointer;text-decoration:underline}main{padding:1.2rem;max-width:60rem}table{border-collapse:collapse}td,th{padding:.3rem .8rem;border-bottom:1px solid #ddd;text-align:left}.counts{display:grid;grid-template-columns:repeat(auto-fill,minmax(13rem,1fr));gap:.8rem}.count{border:1px solid #ccd;border-radius:6px;padding:.8rem}.count b{font-size:1.6rem;display:block}.error{color:#a00}form.inline{display:inline}`}</style>
      </head>
      <body>
        <header>
          <strong>{t('app.title')}</strong>
          {session ? (
            <>
              <a href="/">{t('nav.home')}</a>
              <span style="flex:1" />
              <span>
                {t('home.signedInAs')} {session.name}
              </span>
              <form class="inline" method="post" action="/language">
                <input type="hidden" name="_csrf" value={session.csrfToken} />
                <input type="hidden" name="language" value={language === 'en' ? 'ru' : 'en'} />
                <button type="submit">{t('nav.language')}</button>
              </form>
              <form class="inline" method="post" action="/logout">
                <input type="hidden" name="_csrf" value={session.csrfToken} />
                <button type="submit">{t('nav.logout')}</button>
              </form>
            </>
          ) : null}
        </header>
        <main>{children}</main>
      </body>
    </html>
  );
}

export function webApp({ sql, now = () => new Date() }: { sql: Sql; now?: () => Date }) {
  const app = new Hono<WebEnv>();

  /** The signed-in staff member, or null (expired, ended, unknown or inactive). */
  async function sessionOf(c: Context): Promise<Session | null> {
    const token = getCookie(c, SESSION_COOKIE);
    if (!token) return null;
    const [row] = await sql<Session[]>`
      select ss.id, ss.staff_id as "staffId", s.name, s.role, ss.csrf_token as "csrfToken", ss.language
      from staff_sessions ss join staff s on s.id = ss.staff_id
      where ss.token_hash = ${sha256(token)} and ss.ended_at is null and ss.expires_at > ${now().toISOString()} and s.status = 'active'`;
    return row ?? null;
  }

  /** Pages behind sign-in; POSTs must carry the session's form token (CSRF). Attached per route, so the API is untouched. */
  const signedIn = createMiddleware<WebEnv>(async (c, next) => {
    const session = await sessionOf(c);
    if (!session) return c.redirect('/login', 303);
    if (c.req.method === 'POST') {
      const form = await c.req.parseBody();
      const token = typeof form._csrf === 'string' ? form._csrf : '';
      if (!sameToken(token, session.csrfToken)) return c.html(<Page title="403" language={session.language}>{<p class="error">{translator(session.language)('error.forbidden')}</p>}</Page>, 403);
    }
    c.set('session', session);
    await next();
  });

  const loginPage = (c: Context, language: Language, csrf: string, message: MessageKey | null, status: 200 | 401 | 403 | 429 = 200) => {
    const t = translator(language);
    return c.html(
      <Page title={t('login.title')} language={language}>
        <h1>{t('login.title')}</h1>
        {message ? <p class="error">{t(message)}</p> : null}
        <form method="post" action="/login">
          <input type="hidden" name="_csrf" value={csrf} />
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
    setCookie(c, LOGIN_CSRF_COOKIE, csrf, { httpOnly: true, sameSite: 'Strict', path: '/login', secure: secure(c), maxAge: 3600 });
    return loginPage(c, requestLanguage(c), csrf, null);
  });

  app.post('/login', async (c) => {
    const language = requestLanguage(c);
    const form = await c.req.parseBody();
    const cookieToken = getCookie(c, LOGIN_CSRF_COOKIE) ?? '';
    const csrf = typeof form._csrf === 'string' ? form._csrf : '';
    if (!cookieToken || !sameToken(csrf, cookieToken)) return loginPage(c, language, cookieToken, 'error.forbidden', 403);
    const email = typeof form.email === 'string' ? form.email.trim().toLowerCase() : '';
    const password = typeof form.password === 'string' ? form.password : '';
    const at = now();
    const [member] = await sql<Array<{ id: number; password_hash: string | null; failed_logins: number; locked_until: string | null; language: string }>>`
      select id, password_hash, failed_logins, locked_until, language from staff where email = ${email} and status = 'active'`;
    if (member?.locked_until && new Date(member.locked_until) > at) return loginPage(c, language, cookieToken, 'login.locked', 429);
    // The hash is computed even for an unknown e-mail, so timing does not tell which e-mails exist.
    const ok = await verifyPassword(password, member?.password_hash ?? 'scrypt$32768$8$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    if (!member || !ok) {
      if (member) {
        const failures = member.failed_logins + 1;
        const lockedUntil = failures >= LOCK_AFTER ? new Date(at.getTime() + LOCK_MINUTES * 60_000).toISOString() : null;
        await sql`update staff set failed_logins = ${lockedUntil ? 0 : failures}, locked_until = ${lockedUntil}, updated_at = now() where id = ${member.id}`;
        if (lockedUntil) return loginPage(c, language, cookieToken, 'login.locked', 429);
      }
      return loginPage(c, language, cookieToken, 'login.failed', 401);
    }
    const token = randomBytes(32).toString('base64url');
    await sql.begin(async (tx) => {
      await tx`update staff set failed_logins = 0, locked_until = null where id = ${member.id}`;
      await tx`
        insert into staff_sessions (staff_id, token_hash, csrf_token, language, expires_at)
        values (${member.id}, ${sha256(token)}, ${randomBytes(24).toString('base64url')}, ${isLanguage(member.language) ? member.language : language},
                ${new Date(at.getTime() + SESSION_HOURS * 3_600_000).toISOString()})`;
    });
    setCookie(c, SESSION_COOKIE, token, { httpOnly: true, sameSite: 'Strict', path: '/', secure: secure(c), maxAge: SESSION_HOURS * 3600 });
    deleteCookie(c, LOGIN_CSRF_COOKIE, { path: '/login' });
    return c.redirect('/', 303);
  });

  app.post('/logout', signedIn, async (c) => {
    await sql`update staff_sessions set ended_at = now() where id = ${c.get('session').id}`;
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.redirect('/login', 303);
  });

  app.post('/language', signedIn, async (c) => {
    const form = await c.req.parseBody();
    if (isLanguage(form.language)) await sql`update staff_sessions set language = ${form.language} where id = ${c.get('session').id}`;
    return c.redirect('/', 303);
  });

  app.get('/', signedIn, async (c) => {
    const session = c.get('session');
    const t = translator(session.language);
    const [counts] = await sql<Array<Record<'failedTasks' | 'pendingOperations' | 'waitingScenarios' | 'activationErrors' | 'failedNotifications', number>>>`
      select (select count(*) from tasks where status = 'failed')::int as "failedTasks",
             (select count(*) from manual_operations where status = 'pending')::int as "pendingOperations",
             (select count(*) from scenarios where status = 'waiting')::int as "waitingScenarios",
             (select count(*) from orders where status = 'activation_error')::int as "activationErrors",
             (select count(*) from notifications where status = 'failed')::int as "failedNotifications"`;
    const runs = await sql<Array<{ date: string; status: string; runs: number }>>`
      select business_date::text as date, status, runs from billing_runs order by business_date desc limit 5`;
    const tiles: MessageKey[] = ['home.failedTasks', 'home.pendingOperations', 'home.waitingScenarios', 'home.activationErrors', 'home.failedNotifications'];
    return c.html(
      <Page title={t('nav.home')} language={session.language} session={session}>
        <h1>{t('home.title')}</h1>
        <div class="counts">
          {tiles.map((key) => (
            <div class="count" data-count={key}>
              <b>{counts![key.slice(5) as keyof typeof counts]}</b>
              {t(key)}
            </div>
          ))}
        </div>
        <h2>{t('home.billingRuns')}</h2>
        {runs.length === 0 ? (
          <p>{t('home.noRuns')}</p>
        ) : (
          <table>
            <tr>
              <th>{t('home.date')}</th>
              <th>{t('home.status')}</th>
              <th>{t('home.runs')}</th>
            </tr>
            {runs.map((r) => (
              <tr>
                <td>{r.date}</td>
                <td>{r.status}</td>
                <td>{r.runs}</td>
              </tr>
            ))}
          </table>
        )}
      </Page>,
    );
  });

  return app;
}
