import type { Context, Hono, MiddlewareHandler } from 'hono';
import type { Sql } from '../db/client';
import type { CallApi, ApiResult } from './api-bridge';
import { localPath } from './local-path';
import type { WebEnv } from './session';

/** What every page module gets: the app to mount on, read access to the database, and the API bridge for writes. */
export interface WebContext {
  app: Hono<WebEnv>;
  sql: Sql;
  callApi: CallApi;
  signedIn: MiddlewareHandler<WebEnv>;
  temporalUi: { url: string | null; namespace: string };
  now: () => Date;
  /** Today's business date in the platform time zone. */
  today: () => string;
}

/** The form's fields as strings (repeated names: the last one). */
export async function formOf(c: Context<WebEnv>): Promise<Record<string, string>> {
  const body = await c.req.parseBody();
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** Where to go back after a form: a path of this UI named by the form (local-path.ts), or the fallback. */
export const backTo = (form: Record<string, string>, fallback: string) => localPath(form.back) ?? fallback;

/** A fetch-posted form (ui.js) gets JSON; a plain form post gets the page. */
export const wantsJson = (c: Context) => c.req.header('x-requested-with') === 'fetch';

/** Parses a JSON object typed into a form; null for an empty field. */
export function jsonObjectField(text: string | undefined): { value: Record<string, unknown> | null; error: string | null } {
  if (!text || !text.trim()) return { value: null, error: null };
  try {
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return { value: null, error: 'a JSON object is expected, such as {"region": "eu-west"}' };
    return { value: value as Record<string, unknown>, error: null };
  } catch (err) {
    return { value: null, error: `not valid JSON: ${(err as Error).message}` };
  }
}

export const invalidJson = (message: string): ApiResult => ({ status: 400, ok: false, body: {}, error: { code: 'invalid_json', message } });

/** A failed API answer's status as a page status (the UI answers a refused form with the API's 4xx). */
export const statusOf = (r: ApiResult) => (r.status >= 400 && r.status < 600 ? r.status : 500) as 400 | 403 | 404 | 409 | 422 | 500;
