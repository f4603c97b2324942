import type { Session } from './session';

/** How the operator UI reaches the API: in-process, through the same routes, validation and role checks. */
export type ApiFetch = (path: string, init: RequestInit) => Response | Promise<Response>;

/**
 * An API answer's JSON as the pages read it: the API's own schemas validated it on the way out, and a page
 * shows its fields (a wrong name renders as an empty cell, which the page-walking tests would see).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- one loose type for the API's JSON, here only
export type ApiRecord = Record<string, any>;

export interface ApiResult<T = ApiRecord> {
  status: number;
  ok: boolean;
  body: T;
  /** For a refusal: the API's `{ code, message, details }`. */
  error?: { code: string; message: string; details?: unknown };
}

/**
 * Calls `/api/v1` as the signed-in staff member: the session token is the bearer, so what a page may do is
 * exactly what the API lets that role do (a forbidden form post gets the API's 403), and every write is
 * validated, audited and idempotent the one way the API does it.
 */
export function apiBridge(fetchApi: ApiFetch) {
  return async function callApi<T = ApiRecord>(session: Session, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<ApiResult<T>> {
    const headers: Record<string, string> = { authorization: `Bearer ${session.token}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetchApi(`/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    let parsed: ApiRecord | null = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = { code: 'unexpected_answer', message: text.slice(0, 500) };
    }
    return { status: res.status, ok: res.ok, body: parsed as T, ...(res.ok ? {} : { error: parsed as ApiResult['error'] }) };
  };
}

export type CallApi = ReturnType<typeof apiBridge>;
