import type { Context, Hono, MiddlewareHandler } from 'hono';
import type { Child } from 'hono/jsx';
import type { Area } from '../api/auth';
import type { Sql } from '../db/client';
import { isValidIsoDate } from '../domain/dates';
import { saveListPreferences } from '../operations/staff/save-list-preferences';
import { countList, listRows, type ListQuery } from '../queries/lists/engine';
import { listPreferencesOf } from '../queries/lists/preferences';
import type { Viewer } from '../queries/tenancy';
import { isStorableText } from '../domain/text';
import { csvCell } from '../infra/csv';
import { translator, type MessageKey, type Translate } from './i18n';
import { Csrf, dateTime, isOperatorStaff, mayOpen, mayRead, money, Page, Status, type ApiRoute } from './layout';
import { operatorOnlyPage } from './tenant-gate';
import { localPath } from './local-path';
import type { Session, WebEnv } from './session';

/**
 * The standard list page (spec 02 §15.2) for every table: search by id or across the list's fields, filters,
 * sort by a column (click again for descending), paging with "from–to of total" and 50 / 100 / 150 rows, a column
 * chooser remembered per staff member, and CSV export of the filtered list. The rows come from the list's query in
 * queries/lists/ (the one the API's list route reads too); this page only shows them.
 */
export interface ListColumn {
  /** The column's name in the page (URLs, saved choices, `data-column`). */
  key: string;
  label: MessageKey;
  /** The query's column it shows, when named otherwise there; sortable if the query's column is. */
  column?: string;
  /** Hidden until the staff member chooses it. */
  hidden?: boolean;
  kind?: 'text' | 'money' | 'date' | 'status' | 'code';
  /** For money: the column holding the currency. */
  currency?: string;
  link?: (row: Row) => string | null;
}

export interface ListFilter {
  /** The filter's name in the page (`f.<key>` in the URL). */
  key: string;
  label: MessageKey;
  /** The query's filter it sets, when named otherwise there. */
  filter?: string;
  /** What the value must be (checked before the query sees it): enum: one of `options`; text; number; from / to: a date. */
  kind: 'enum' | 'text' | 'number' | 'from' | 'to';
  options?: readonly string[];
}

export interface ListDefinition {
  name: string;
  path: string;
  title: MessageKey;
  area: Area;
  /** The API route the list stands on: its tenant-gate classification decides whether a reseller's staff open it (web/tenant-gate.tsx). */
  route: ApiRoute;
  /** The list's one query (queries/lists/). */
  query: ListQuery<object>;
  columns: ListColumn[];
  filters: ListFilter[];
  sort: { key: string; dir: 'asc' | 'desc' };
  /** Buttons at the end of a row (the manual-operation list's approve / reject). */
  actions?: (row: Row, ctx: { session: Session; t: Translate; back: string }) => Child;
}

export type Row = Record<string, unknown>;

export const pageSizes = [50, 100, 150] as const;
const CSV_LIMIT = 100_000;

interface Query {
  q: string;
  filters: Record<string, string>;
  sort: string;
  dir: 'asc' | 'desc';
  page: number;
  size: number;
}

/** Why a filter value was refused: which field, and what it takes (the page shows it; the CSV answers it as JSON). */
interface InvalidFilter {
  field: MessageKey;
  expected: MessageKey;
}

const MAX_TEXT = 200;

/**
 * The one check of a list filter's value, for the page and the CSV export alike, before any SQL sees it: an
 * option of the list, a whole number, a calendar date that exists, or plain text (no NUL, no broken Unicode,
 * at most 200 characters). A value that fails is refused with 400 `invalid_filter`, never passed on.
 */
export function filterProblem(kind: ListFilter['kind'] | 'search', value: string, options?: readonly string[]): MessageKey | null {
  if (kind === 'enum') return options?.includes(value) ? null : 'list.expectOption';
  if (kind === 'number') return /^\d{1,15}$/.test(value) ? null : 'list.expectNumber';
  if (kind === 'from' || kind === 'to') return isValidIsoDate(value) ? null : 'list.expectDate';
  return value.length <= MAX_TEXT && isStorableText(value) ? null : 'list.expectText';
}

function parseQuery(def: ListDefinition, c: Context, savedSize: number | null): { query: Query } | { invalid: InvalidFilter } {
  const get = (k: string) => (c.req.query(k) ?? '').trim();
  const filters: Record<string, string> = {};
  for (const f of def.filters) {
    const v = get(`f.${f.key}`);
    if (!v) continue;
    const expected = filterProblem(f.kind, v, f.options);
    if (expected) return { invalid: { field: f.label, expected } };
    filters[f.key] = v;
  }
  const search = get('q');
  const searchProblem = filterProblem('search', search);
  if (searchProblem) return { invalid: { field: 'list.search', expected: searchProblem } };
  const sortKey = get('sort');
  const sort = def.columns.some((col) => col.key === sortKey && sortable(def, col)) ? sortKey : def.sort.key;
  const dir = get('dir') === 'asc' ? 'asc' : get('dir') === 'desc' ? 'desc' : sortKey ? 'asc' : def.sort.dir;
  const size = Number(get('size'));
  const page = Math.max(1, Math.min(1_000_000, Number.parseInt(get('page'), 10) || 1));
  return { query: { q: search, filters, sort, dir, page, size: (pageSizes as readonly number[]).includes(size) ? size : savedSize ?? pageSizes[0] } };
}

/** A refused filter: 400 `invalid_filter`, as JSON for the CSV export and as a page with a way back otherwise. */
function refuseFilter(c: Context<WebEnv>, def: ListDefinition, t: Translate, session: Session, csv: boolean, { field, expected }: InvalidFilter) {
  const message = `${t('list.invalidFilter')} «${t(field)}»: ${t(expected)}`;
  if (csv) return c.json({ code: 'invalid_filter', message }, 400);
  return c.html(
    <Page title={t(def.title)} session={session}>
      <h1>{t(def.title)}</h1>
      <p class="error" data-code="invalid_filter">
        {message}
      </p>
      <p>
        <a href={def.path}>{t('list.clear')}</a>
      </p>
    </Page>,
    400,
  );
}

const columnOf = (col: ListColumn) => col.column ?? col.key;
const sortable = (def: ListDefinition, col: ListColumn) => def.query.columns[columnOf(col)]?.sortable === true;

/** What the list's query is asked: the page's filters and search under the query's names. */
function queryInput(def: ListDefinition, q: Query) {
  const filters: Record<string, string> = {};
  for (const f of def.filters) {
    const v = q.filters[f.key];
    if (v !== undefined) filters[f.filter ?? f.key] = v;
  }
  const sortColumn = def.columns.find((col) => col.key === q.sort)!;
  return {
    columns: def.columns.map(columnOf),
    filters,
    search: q.q ? { text: q.q, columns: def.columns.map(columnOf) } : undefined,
    sort: { column: columnOf(sortColumn), dir: q.dir },
  };
}

/** A page of rows, each under the page's column names. */
async function fetchRows(sql: Sql, viewer: Viewer, def: ListDefinition, q: Query, limit: number, offset: number): Promise<Row[]> {
  const rows = await listRows(sql, def.query, { ...queryInput(def, q), viewer, rowId: true, limit, offset });
  return rows.map((r) => Object.fromEntries([['__id', r.__id], ...def.columns.map((col) => [col.key, r[columnOf(col)]])]));
}

const countRows = (sql: Sql, viewer: Viewer, def: ListDefinition, q: Query) => countList(sql, def.query, { ...queryInput(def, q), viewer });

/** A cell as the page shows it, or as the CSV export writes it (points in time in ISO 8601 with Z, as the API answers). */
function cellText(t: Translate, col: ListColumn, row: Row, format: 'page' | 'csv' = 'page'): string {
  const v = row[col.key];
  if (v === null || v === undefined) return '';
  if (col.kind === 'money') return money(v, col.currency ? row[col.currency] : undefined);
  if (col.kind === 'date') return format === 'csv' ? (v instanceof Date ? v.toISOString() : String(v)) : dateTime(v);
  if (col.kind === 'status') return t.value(String(v));
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function urlWith(c: Context, changes: Record<string, string | null>): string {
  const url = new URL(c.req.url);
  for (const [k, v] of Object.entries(changes)) {
    if (v === null) url.searchParams.delete(k);
    else url.searchParams.set(k, v);
  }
  return `${url.pathname}${url.search}`;
}

type Link = (changes: Record<string, string | null>) => string;

interface ListPageProps {
  def: ListDefinition;
  q: Query;
  t: Translate;
  session: Session;
  link: Link;
}

/** The search, the filters, the page size and the CSV export. */
function ListFilters({ def, q, t, link }: ListPageProps) {
  return (
    <form method="get" action={def.path} class="filters" data-list={def.name}>
      <label>
        {t('list.search')} <input type="search" name="q" value={q.q} placeholder={t('list.searchHint')} />
      </label>
      {def.filters.map((f) => (
        <label>
          {t(f.label)}{' '}
          {f.kind === 'enum' ? (
            <select name={`f.${f.key}`}>
              <option value="">{t('list.any')}</option>
              {f.options!.map((o) => (
                <option value={o} selected={q.filters[f.key] === o}>
                  {t.value(o)}
                </option>
              ))}
            </select>
          ) : (
            <input name={`f.${f.key}`} type={f.kind === 'from' || f.kind === 'to' ? 'date' : f.kind === 'number' ? 'number' : 'text'} value={q.filters[f.key] ?? ''} />
          )}
        </label>
      ))}
      <input type="hidden" name="sort" value={q.sort} />
      <input type="hidden" name="dir" value={q.dir} />
      <label>
        {t('list.pageSize')}{' '}
        <select name="size">
          {pageSizes.map((s) => (
            <option value={String(s)} selected={s === q.size}>
              {String(s)}
            </option>
          ))}
        </select>
      </label>
      <button type="submit">{t('list.apply')}</button> <a href={def.path}>{t('list.clear')}</a>{' '}
      <a href={link({ format: 'csv', page: null })} class="export" download>
        {t('list.exportCsv')}
      </a>
    </form>
  );
}

/** The column chooser: remembered per staff member (mountListPreferences). */
function ColumnChooser({ def, t, session, visible, back }: ListPageProps & { visible: ListColumn[]; back: string }) {
  return (
    <details class="columns">
      <summary>{t('list.columns')}</summary>
      <form method="post" action={`/lists/${def.name}/columns`} data-autosubmit>
        <Csrf session={session} />
        <input type="hidden" name="back" value={back} />
        {def.columns.map((col) => (
          <label>
            <input type="checkbox" name="column" value={col.key} checked={visible.includes(col)} /> {t(col.label)}
          </label>
        ))}
        <button type="submit">{t('list.saveColumns')}</button>
      </form>
    </details>
  );
}

/** The rows, with sortable headings and each row's actions. */
function ListTable({ def, q, t, session, link, visible, rows, back }: ListPageProps & { visible: ListColumn[]; rows: Row[]; back: string }) {
  return (
    <table class="list" data-list={def.name}>
      <thead>
        <tr>
          {visible.map((col) => (
            <th data-column={col.key}>
              {sortable(def, col) ? (
                <a href={link({ sort: col.key, dir: q.sort === col.key && q.dir === 'asc' ? 'desc' : 'asc', page: null })}>
                  {t(col.label)}
                  {q.sort === col.key ? (q.dir === 'asc' ? ' ▲' : ' ▼') : ''}
                </a>
              ) : (
                t(col.label)
              )}
            </th>
          ))}
          {def.actions ? <th>{t('list.actions')}</th> : null}
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr data-id={String(r.__id)}>
            {visible.map((col) => {
              const text = cellText(t, col, r);
              const href = col.link?.(r);
              const content = col.kind === 'status' ? <Status t={t} value={r[col.key]} /> : col.kind === 'code' ? <code>{text}</code> : text;
              return <td data-column={col.key}>{href ? <a href={href}>{content}</a> : content}</td>;
            })}
            {def.actions ? <td>{def.actions(r, { session, t, back })}</td> : null}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Pager({ t, link, pageNo, pages }: { t: Translate; link: Link; pageNo: number; pages: number }) {
  const pageLinks = [...new Set([1, pageNo - 2, pageNo - 1, pageNo, pageNo + 1, pageNo + 2, pages])].filter((n) => n >= 1 && n <= pages).sort((a, b) => a - b);
  return (
    <nav class="pager">
      {pageNo > 1 ? <a href={link({ page: String(pageNo - 1) })} rel="prev">{t('list.previous')}</a> : null}
      {pageLinks.map((n) => (n === pageNo ? <b>{String(n)}</b> : <a href={link({ page: String(n) })}>{String(n)}</a>))}
      {pageNo < pages ? <a href={link({ page: String(pageNo + 1) })} rel="next">{t('list.next')}</a> : null}
    </nav>
  );
}

function csvAnswer(c: Context, def: ListDefinition, t: Translate, visible: ListColumn[], rows: Row[]) {
  const lines = [visible.map((col) => csvCell(t(col.label))).join(','), ...rows.map((r) => visible.map((col) => csvCell(cellText(t, col, r, 'csv'))).join(','))];
  return c.body(`${lines.join('\r\n')}\r\n`, 200, {
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': `attachment; filename="${def.name}-${new Date().toISOString().slice(0, 10)}.csv"`,
  });
}

export function mountList(app: Hono<WebEnv>, sql: Sql, def: ListDefinition, signedIn: MiddlewareHandler<WebEnv>) {
  app.get(def.path, signedIn, async (c) => {
    const session = c.get('session');
    const t = translator(session.language);
    if (!mayRead(session, def.area)) return c.html(<Page title="403" session={session}><p class="error">{t('error.noAccess')}</p></Page>, 403);
    // The tenant gate of the list's API route (spec 05 §7.3). A query with no tenant column could not be scoped at
    // all, so it stays the operator's even if its route were ever classified otherwise (list-definitions.test.ts).
    if (!mayOpen(session, def.route) || (def.query.client === null && !isOperatorStaff(session))) return operatorOnlyPage(c);
    const prefs = await listPreferencesOf(sql, session.staffId, def.name);
    const parsed = parseQuery(def, c, prefs?.pageSize ?? null);
    if ('invalid' in parsed) return refuseFilter(c, def, t, session, c.req.query('format') === 'csv', parsed.invalid);
    const q = parsed.query;
    const chosen = prefs?.columns?.filter((k) => def.columns.some((col) => col.key === k));
    const visible = def.columns.filter((col) => (chosen && chosen.length ? chosen.includes(col.key) : !col.hidden));
    if (c.req.query('format') === 'csv') return csvAnswer(c, def, t, visible, await fetchRows(sql, session, def, q, CSV_LIMIT, 0));

    const total = await countRows(sql, session, def, q);
    const pages = Math.max(1, Math.ceil(total / q.size));
    const pageNo = Math.min(q.page, pages);
    const rows = await fetchRows(sql, session, def, q, q.size, (pageNo - 1) * q.size);
    const from = total === 0 ? 0 : (pageNo - 1) * q.size + 1;
    const to = Math.min(total, pageNo * q.size);
    const link: Link = (changes) => urlWith(c, changes);
    const props: ListPageProps = { def, q, t, session, link };
    return c.html(
      <Page title={t(def.title)} session={session}>
        <h1>{t(def.title)}</h1>
        <ListFilters {...props} />
        <ColumnChooser {...props} visible={visible} back={link({})} />
        <p class="counter" data-total={String(total)}>
          {t('list.shown')} {String(from)}–{String(to)} {t('list.of')} {String(total)}
        </p>
        <ListTable {...props} visible={visible} rows={rows} back={link({})} />
        {rows.length === 0 ? <p class="muted">{t('list.empty')}</p> : null}
        <Pager t={t} link={link} pageNo={pageNo} pages={pages} />
      </Page>,
    );
  });
}

/** The column chooser's form: the chosen columns (and the page size, if given) are remembered per staff member. */
export function mountListPreferences(app: Hono<WebEnv>, sql: Sql, definitions: ListDefinition[], signedIn: MiddlewareHandler<WebEnv>) {
  app.post('/lists/:name/columns', signedIn, async (c) => {
    const session = c.get('session');
    const def = definitions.find((d) => d.name === c.req.param('name'));
    if (!def) return c.text('no such list', 404);
    const form = await c.req.parseBody({ all: true });
    const raw = form.column;
    const wanted = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).filter((v): v is string => typeof v === 'string');
    const columns = def.columns.map((col) => col.key).filter((k) => wanted.includes(k));
    const size = Number(form.size);
    const pageSize = (pageSizes as readonly number[]).includes(size) ? size : null;
    await saveListPreferences(sql, { staffId: session.staffId, list: def.name, columns, pageSize });
    const back = localPath(form.back);
    return c.redirect(back?.startsWith(def.path) ? back : def.path, 303);
  });
}
