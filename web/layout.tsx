import { rootResellerId } from '../domain/resellers';
import type { ApiRecord } from './api-bridge';
import type { Child } from 'hono/jsx';
import { can, type Area } from '../api/auth';
import { mayUseRoute, type openToResellers } from '../api/tenancy';
import { translator, type Language, type MessageKey, type Translate } from './i18n';
import type { Session } from './session';

/** An API route as the OpenAPI document writes it (`GET /api/v1/tasks/{id}`), or null for a page that has none. */
export type ApiRoute = Parameters<typeof openToResellers>[0];

/**
 * The sections of the operator UI: the permission area each reads (the menu shows what the role may open) and the
 * API route it stands on, whose tenant-gate classification (api/tenancy.ts) decides whether a reseller's staff see
 * it. The system event log has no API route: unclassified, so the operator's alone (spec 05 §7.3).
 */
export const sections: Array<{ href: string; key: MessageKey; area: Area | null; route: ApiRoute }> = [
  { href: '/', key: 'nav.home', area: null, route: 'GET /api/v1/me' },
  { href: '/orders', key: 'nav.orders', area: 'operations', route: 'GET /api/v1/orders' },
  { href: '/subscriptions', key: 'nav.subscriptions', area: 'operations', route: 'GET /api/v1/subscriptions' },
  { href: '/clients', key: 'nav.clients', area: 'operations', route: 'GET /api/v1/clients' },
  { href: '/payments', key: 'nav.payments', area: 'finance', route: 'GET /api/v1/payments' },
  { href: '/tasks', key: 'nav.tasks', area: 'tasks', route: 'GET /api/v1/tasks' },
  { href: '/manual-operations', key: 'nav.manualOperations', area: 'operations', route: 'GET /api/v1/manual-operations' },
  { href: '/scenarios', key: 'nav.scenarios', area: 'scenarios', route: 'GET /api/v1/scenarios' },
  { href: '/notifications', key: 'nav.notifications', area: 'operations', route: 'GET /api/v1/notifications' },
  { href: '/event-log', key: 'nav.eventLog', area: 'staff', route: null },
  { href: '/notification-templates', key: 'nav.templates', area: 'billing_config', route: 'GET /api/v1/notification-templates' },
  { href: '/billing-runs', key: 'nav.billingRuns', area: 'finance', route: 'GET /api/v1/billing/runs' },
];

/** Whether the signed-in staff member may open what `route` serves: the operator's staff always, a reseller's unless it is root-only. */
export const mayOpen = (session: Session, route: ApiRoute) => mayUseRoute(session.resellerId, route);

/** The root reseller's staff: installation-wide figures and the operator's lists (spec 05 §7.3) are theirs alone. */
export const isOperatorStaff = (session: Session) => session.resellerId === rootResellerId;
export const mayRead = (session: Session, area: Area | null) => area === null || can(session.role, area, false);
export const mayWrite = (session: Session, area: Area) => can(session.role, area, true);

export function Page({ title, session, language, children }: { title: string; session?: Session; language?: Language; children: Child }) {
  const lang = session?.language ?? language ?? 'en';
  const t = translator(lang);
  return (
    <html lang={lang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · ${t('app.title')}`}</title>
        <link rel="stylesheet" href="/assets/ui.css" />
        <script src="/assets/ui.js" defer></script>
      </head>
      <body>
        <header>
          <strong>{t('app.title')}</strong>
          {session ? (
            <>
              <nav>
                {sections
                  .filter((s) => mayRead(session, s.area) && mayOpen(session, s.route))
                  .map((s) => (
                    <a href={s.href}>{t(s.key)}</a>
                  ))}
              </nav>
              <span class="grow" />
              <span>
                {t('home.signedInAs')} {session.name} ({t.value(session.role)})
              </span>
              <PostButton session={session} action="/language" label={t('nav.language')} fields={{ language: lang === 'en' ? 'ru' : 'en' }} class="link" />
              <PostButton session={session} action="/logout" label={t('nav.logout')} class="link" />
            </>
          ) : null}
        </header>
        <main>{children}</main>
      </body>
    </html>
  );
}

/** The session's form token; every form posting to the UI carries it. */
export const Csrf = ({ session }: { session: Session }) => <input type="hidden" name="_csrf" value={session.csrfToken} />;

/** A one-button form. */
export function PostButton({ session, action, label, fields = {}, class: className, confirm }: { session: Session; action: string; label: string; fields?: Record<string, string>; class?: string; confirm?: string }) {
  return (
    <form class="inline" method="post" action={action} data-confirm={confirm}>
      <Csrf session={session} />
      {Object.entries(fields).map(([name, value]) => (
        <input type="hidden" name={name} value={value} />
      ))}
      <button type="submit" class={className}>
        {label}
      </button>
    </form>
  );
}

/** Money in minor units, as the API keeps it. */
export function money(amount: unknown, currency?: unknown): string {
  const n = Number(amount);
  if (amount === null || amount === undefined || !Number.isFinite(n)) return '';
  return `${(n / 100).toFixed(2)}${currency ? ` ${String(currency)}` : ''}`;
}

export function dateTime(value: unknown): string {
  if (value === null || value === undefined || value === '') return '';
  const d = new Date(String(value));
  return Number.isNaN(d.getTime()) ? String(value) : d.toISOString().slice(0, 19).replace('T', ' ');
}

export const Status = ({ t, value }: { t: Translate; value: unknown }) =>
  value === null || value === undefined ? <span /> : <span class={`status s-${String(value)}`}>{t.value(String(value))}</span>;

/** An API refusal shown on the page: the human message and the machine code. */
export const ErrorBox = ({ error }: { error?: { code: string; message: string } | null }) =>
  error ? (
    <p class="error" role="alert" data-code={error.code}>
      {error.message} <code>{error.code}</code>
    </p>
  ) : null;

/** A notice after a redirect (`?done=…`). */
export const Notice = ({ text }: { text?: string | null }) => (text ? <p class="notice" role="status">{text}</p> : null);

/** Label/value pairs of a card. */
export function Fields({ rows }: { rows: Array<[string, Child]> }) {
  return (
    <dl class="fields">
      {rows.map(([label, value]) => (
        <>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </>
      ))}
    </dl>
  );
}

/** A table of records; `cells` renders one row. */
export function Table<R>({ head, rows, cells, empty, id }: { head: string[]; rows: R[]; cells: (row: R) => Child[]; empty: string; id?: string }) {
  if (rows.length === 0) return <p class="muted">{empty}</p>;
  return (
    <table id={id}>
      <thead>
        <tr>
          {head.map((h) => (
            <th>{h}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr>
            {cells(r).map((c) => (
              <td>{c}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The event log of a record (spec 02 §15.1): when, what, who, the change as old → new. */
export function EventLog({ t, events }: { t: Translate; events: Array<ApiRecord> }) {
  return (
    <Table
      head={[t('col.createdAt'), t('col.action'), t('col.actor'), t('col.reason'), t('col.changes')]}
      rows={events}
      empty={t('common.noEvents')}
      cells={(e) => [
        dateTime(e.createdAt ?? e.created_at),
        <code>{e.action}</code>,
        actorLabel(t, e),
        e.reason ?? '',
        e.changes ? <code class="json">{JSON.stringify(e.changes)}</code> : '',
      ]}
    />
  );
}

export function actorLabel(t: Translate, e: ApiRecord): string {
  const kind = e.actorKind ?? e.actor_kind;
  const id = e.actorId ?? e.actor_id;
  const name = e.actorName ?? e.actor_name;
  if (kind === 'system' || (!id && !name)) return t('common.system');
  const who = name ?? `#${id}`;
  return `${who}${(e.viaApi ?? e.via_api) ? ' (API)' : ''}`;
}

/** A form with a required reason (and optional extra fields) that posts one action of a card. */
export function ReasonForm({ session, t, action, label, name = 'reason', extra, cls }: { session: Session; t: Translate; action: string; label: string; name?: string; extra?: unknown; cls: string }) {
  return (
    <form method="post" action={action} class={`action ${cls}`}>
      <Csrf session={session} />
      {extra as never}
      <label>
        {t(name === 'comment' ? 'col.comment' : 'col.reason')} <input name={name} required />
      </label>
      <button type="submit">{label}</button>
    </form>
  );
}

