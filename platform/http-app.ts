import { createApp, type AppOptions } from '../api/app';
import { webApp } from '../web/app';

/**
 * The platform's one HTTP surface: the API (/api/v1, the public licensing API, the reference) and, after it, the
 * operator UI rendered on the server, which calls the API in-process. The UI stands above the API in the layers
 * (docs/architecture.md), so the two meet here rather than the API importing the UI.
 */
export function createPlatformApp(options: AppOptions) {
  const app = createApp(options);
  app.route(
    '/',
    webApp({
      sql: options.sql,
      now: options.now,
      fetchApi: (path, init) => app.request(path, init),
      temporalUi: { url: options.temporalUiUrl ?? null, namespace: options.temporal.options.namespace },
      timeZone: options.timeZone,
    }),
  );
  return app;
}
