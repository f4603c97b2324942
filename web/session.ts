import { timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import { hashToken } from '../api/auth';
import type { Sql } from '../db/client';
import type { StaffRole } from '../domain/statuses';
import { openStaffSession } from '../queries/staff/sessions';
import type { Language } from './i18n';

export const SESSION_COOKIE = 'bp_session';

/** A signed-in staff member's session: who, the role, the form token (CSRF) and the chosen language. */
export interface Session {
  id: number;
  staffId: number;
  name: string;
  role: StaffRole;
  /** The staff member's reseller (spec 05 §7.1): lists show its rows only; the operator's pages need the root. */
  resellerId: number;
  csrfToken: string;
  language: Language;
  /** The cookie's value: the in-process API calls carry it as their bearer token (api-bridge.ts). */
  token: string;
}

export type WebEnv = { Variables: { session: Session } };

export const sameToken = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

export function sessions(sql: Sql, now: () => Date) {
  /** The signed-in staff member, or null (expired, ended, unknown or inactive). */
  async function sessionOf(c: Context): Promise<Session | null> {
    const token = getCookie(c, SESSION_COOKIE);
    if (!token) return null;
    const row = await openStaffSession(sql, hashToken(token), now());
    // The language was one of the UI's when the session was written (sign-in, the language form).
    return row ? { ...row, language: row.language as Language, token } : null;
  }

  /**
   * Pages behind sign-in. A POST must carry the session's form token (CSRF), else it is refused with 403
   * before anything runs. Attached per route, so the API under /api is untouched.
   */
  const signedIn = createMiddleware<WebEnv>(async (c, next) => {
    const session = await sessionOf(c);
    if (!session) {
      if (c.req.header('accept')?.includes('text/event-stream') || c.req.query('fragment')) return c.text('signed out', 401);
      return c.redirect(`/login?next=${encodeURIComponent(c.req.path)}`, 303);
    }
    if (c.req.method === 'POST') {
      const form = await c.req.parseBody();
      const token = typeof form._csrf === 'string' ? form._csrf : '';
      if (!sameToken(token, session.csrfToken)) return c.text('the form token is missing or out of date', 403);
    }
    c.set('session', session);
    await next();
  });

  return { sessionOf, signedIn };
}
