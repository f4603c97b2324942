import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';

/**
 * The app on a real port of 127.0.0.1, for tests whose subject is the connection itself: the peer address,
 * forwarding headers, cookies as a browser gets them. `app.request()` has no socket, so it cannot show these.
 */
export interface HttpServer {
  url: string;
  close(): Promise<void>;
}

export async function serveOverHttp(app: { fetch: (request: Request, env: never) => Response | Promise<Response> }): Promise<HttpServer> {
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch as never, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The operator UI's sign-in over HTTP: the form (its CSRF token and cookie), then the post, not following the redirect. */
export async function signInOverHttp(
  base: string,
  credentials: { email: string; password: string; next?: string },
  headers: Record<string, string> = {},
): Promise<Response> {
  const form = await fetch(`${base}/login`, { headers });
  const html = await form.text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
  const cookie = form.headers.getSetCookie().find((c) => c.startsWith('bp_login_csrf='))?.split(';')[0] ?? '';
  const body = new URLSearchParams({ _csrf: csrf, email: credentials.email, password: credentials.password, ...(credentials.next !== undefined ? { next: credentials.next } : {}) });
  return fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { ...headers, cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: body.toString(),
  });
}

/**
 * The operator UI's sign-in in process (`app.request`, no socket): the form, then the post, which must redirect.
 * Answers the session cookie (`bp_session=…`) for the next requests' Cookie header.
 */
export async function signInInProcess(app: { request: (path: string, init?: RequestInit) => Response | Promise<Response> }, credentials: { email: string; password: string }): Promise<string> {
  const form = await app.request('/login');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1]!;
  const loginCookie = form.headers.getSetCookie().find((c) => c.startsWith('bp_login_csrf='))!.split(';')[0]!;
  const signedIn = await app.request('/login', {
    method: 'POST',
    headers: { cookie: loginCookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf, ...credentials }).toString(),
  });
  expect(signedIn.status).toBe(303);
  return signedIn.headers.getSetCookie().find((c) => c.startsWith('bp_session='))!.split(';')[0]!;
}

/** `name=value` of a Set-Cookie header of the answer, for the next request's Cookie header. */
export const cookieOf = (res: Response, name: string) => res.headers.getSetCookie().find((c) => c.startsWith(`${name}=`));
