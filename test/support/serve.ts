import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';

export interface ServedApp {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  url: string;
  close(): Promise<void>;
}

/**
 * Serves an app on a free loopback port with the node server the API process uses (platform/processes.ts),
 * so a test talks to it over real HTTP: sockets, chunked bodies, the server's own buffering.
 */
export async function serveOverHttp(app: { fetch: (request: Request, ...rest: never[]) => Response | Promise<Response> }): Promise<ServedApp> {
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch as never, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        // Keep-alive sockets would hold close() open until they time out.
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

/** Calls a served API over HTTP as an API client would, with a bearer token; the answer's JSON (or text) body. */
export function httpApi(base: string, token: string | null) {
  return async (method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> => {
    const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: parsed as any };
  };
}
