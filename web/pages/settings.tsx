import type { Context } from 'hono';
import type { ApiRecord, ApiResult } from '../api-bridge';
import { formOf, statusOf, type WebContext } from '../context';
import { fill, translator, type MessageKey, type Translate } from '../i18n';
import { Csrf, dateTime, ErrorBox, mayWrite, Page, Status, Table } from '../layout';
import type { WebEnv } from '../session';
import { version } from './scenario';
import { standsOn } from '../tenant-gate';

const languages = ['en', 'ru'] as const;
const parts = ['subject', 'text', 'html'] as const;
const recipientFields = ['to', 'cc', 'bcc', 'phone', 'clientUserId'] as const;

/** One duty of a dry run (activities/billing-run-preview.ts): how many, and the records concerned. */
interface DutyPreview {
  count: number;
  subscriptionIds: number[];
  orderIds: number[];
  clientIds: number[];
}

const dutyLabels: Record<string, MessageKey> = {
  cancelUnpaidOrders: 'billing.duty.cancelUnpaidOrders',
  createOrders: 'billing.duty.createOrders',
  autoPayments: 'billing.duty.autoPayments',
  provisionDeferred: 'billing.duty.provisionDeferred',
  paymentOverdue: 'billing.duty.paymentOverdue',
  stops: 'billing.duty.stops',
  deletions: 'billing.duty.deletions',
  usagePulls: 'billing.duty.usagePulls',
  chargesClosed: 'billing.duty.chargesClosed',
  promisedPaymentsRevoked: 'billing.duty.promisedPaymentsRevoked',
  financialBlocks: 'billing.duty.financialBlocks',
};
const dutyLabel = (t: Translate, duty: string) => (dutyLabels[duty] ? t(dutyLabels[duty]) : duty);

/** Links to the records a duty concerns, the first few of each kind. */
function Concerned({ t, d }: { t: Translate; d: DutyPreview }) {
  const shown = 20;
  const links = (ids: number[], path: string) => (
    <>
      {ids.slice(0, shown).map((id) => (
        <>
          <a href={`${path}/${String(id)}`}>#{String(id)}</a>{' '}
        </>
      ))}
      {ids.length > shown ? <span class="muted">{fill(t('billing.andMore'), { n: ids.length - shown })}</span> : null}
    </>
  );
  return (
    <span class="concerned">
      {d.subscriptionIds.length ? <span data-kind="subscriptions">{t('nav.subscriptions')}: {links(d.subscriptionIds, '/subscriptions')} </span> : null}
      {d.orderIds.length ? <span data-kind="orders">{t('nav.orders')}: {links(d.orderIds, '/orders')} </span> : null}
      {d.clientIds.length ? <span data-kind="clients">{t('nav.clients')}: {links(d.clientIds, '/clients')}</span> : null}
    </span>
  );
}

/**
 * Notification templates (edit with the validation errors shown at the field, preview) and the billing run page.
 * Long because it registers every page of the settings area; each handler reads through the API and renders.
 */
export function settingsPages({ app, callApi, signedIn }: WebContext) {
  const failure = (c: Context<WebEnv>, r: ApiResult) => c.html(<Page title={String(r.status)} session={c.get('session')}><ErrorBox error={r.error} /></Page>, statusOf(r));

  app.get('/notification-templates', signedIn, standsOn('GET /api/v1/notification-templates'), async (c) => {
    const session = c.get('session');
    const t = translator(session.language);
    const r = await callApi(session, 'GET', '/notification-templates?limit=200');
    if (!r.ok) return failure(c, r);
    return c.html(
      <Page title={t('nav.templates')} session={session}>
        <h1>{t('nav.templates')}</h1>
        <Table
          id="templates"
          head={[t('col.id'), t('col.name'), t('col.event'), t('col.channel'), t('template.modified'), t('template.updatedAt')]}
          rows={r.body.items as Array<ApiRecord>}
          empty={t('common.none')}
          cells={(x) => [String(x.id), <a href={`/notification-templates/${String(x.id)}`}>{x.name}</a>, <code>{x.event}</code>, t.value(x.channel), x.modified ? '✓' : '', dateTime(x.updatedAt)]}
        />
      </Page>,
    );
  });

  /** The edit form; after a refused save it shows what was typed, with the refusal next to the fields it names. */
  const renderTemplate = async (c: Context<WebEnv>, id: string, opts: { error?: ApiResult['error']; draft?: ApiRecord; preview?: ApiRecord; saved?: boolean; status?: number } = {}) => {
    const session = c.get('session');
    const t = translator(session.language);
    const found = await callApi(session, 'GET', `/notification-templates/${encodeURIComponent(id)}`);
    if (!found.ok) return failure(c, found);
    const tpl = opts.draft ? { ...found.body, ...opts.draft } : found.body;
    const write = mayWrite(session, 'billing_config');
    const unknown: string[] = ((opts.error?.details as { unknown?: string[] } | undefined)?.unknown ?? []).map(String);
    return c.html(
      <Page title={`${t('template.title')} ${tpl.name}`} session={session}>
        <h1>
          {t('template.title')} · {tpl.name}
        </h1>
        {opts.saved ? <p class="notice" role="status">{t('template.saved')}</p> : null}
        <ErrorBox error={opts.error} />
        <p>
          {t('col.event')}: <code>{tpl.event}</code> · {t('col.channel')}: {t.value(tpl.channel)}
        </p>
        <form method="post" action={`/notification-templates/${id}`} class="template-form">
          <Csrf session={session} />
          <label>
            {t('col.name')} <input name="name" value={tpl.name} required />
          </label>
          <fieldset>
            <legend>{t('template.recipients')}</legend>
            {recipientFields.map((f) => (
              <label>
                {f} <input name={`recipients.${f}`} value={tpl.recipients?.[f] ?? ''} />
              </label>
            ))}
          </fieldset>
          {languages.map((lang) => (
            <fieldset>
              <legend>{t(lang === 'en' ? 'template.english' : 'template.russian')}</legend>
              {parts.map((part) => {
                const value = tpl.versions?.[lang]?.[part] ?? '';
                const bad = unknown.filter((u) => value.includes(u));
                return (
                  <label class={bad.length ? 'invalid' : ''}>
                    {t(`template.${part}`)}
                    {part === 'subject' ? <input name={`${lang}.${part}`} value={value} /> : <textarea name={`${lang}.${part}`} rows={part === 'html' ? 8 : 5} cols={80}>{value}</textarea>}
                    {bad.length ? <span class="field-error error">{`${t('template.unknownPlaceholders')}: ${bad.join(', ')}`}</span> : null}
                  </label>
                );
              })}
            </fieldset>
          ))}
          <label>
            {t('template.fallback')}{' '}
            <select name="fallbackLanguage">
              {languages.map((l) => (
                <option value={l} selected={tpl.fallbackLanguage === l}>
                  {l}
                </option>
              ))}
            </select>
          </label>
          {write ? <button type="submit">{t('action.save')}</button> : null}
        </form>
        <form method="post" action={`/notification-templates/${id}/preview`} class="preview-form">
          <Csrf session={session} />
          <select name="language">
            {languages.map((l) => (
              <option value={l}>{l}</option>
            ))}
          </select>
          <button type="submit">{t('action.preview')}</button>
        </form>
        {opts.preview ? (
          <section class="preview">
            <h2>{t('template.preview')}</h2>
            {opts.preview.subject ? <p><b>{opts.preview.subject}</b></p> : null}
            <pre>{opts.preview.text ?? ''}</pre>
            {opts.preview.html ? <iframe sandbox="" srcdoc={String(opts.preview.html)} title={t('template.preview')} /> : null}
          </section>
        ) : null}
      </Page>,
      (opts.status ?? 200) as 200,
    );
  };

  app.get('/notification-templates/:id', signedIn, standsOn('GET /api/v1/notification-templates/{id}'), (c) => renderTemplate(c, c.req.param('id')));
  app.post('/notification-templates/:id', signedIn, async (c) => {
    const id = c.req.param('id');
    const session = c.get('session');
    const form = await formOf(c);
    const current = await callApi(session, 'GET', `/notification-templates/${encodeURIComponent(id)}`);
    if (!current.ok) return failure(c, current);
    const versions: Record<string, Record<string, string>> = {};
    for (const lang of languages) {
      const text = form[`${lang}.text`] ?? '';
      if (!text.trim() && !form[`${lang}.subject`]?.trim() && !form[`${lang}.html`]?.trim()) continue;
      versions[lang] = { text };
      for (const part of ['subject', 'html'] as const) if (form[`${lang}.${part}`]?.trim()) versions[lang][part] = form[`${lang}.${part}`]!;
    }
    const recipients: Record<string, string> = {};
    for (const f of recipientFields) if (form[`recipients.${f}`]?.trim()) recipients[f] = form[`recipients.${f}`]!.trim();
    const draft = { name: form.name ?? '', channel: current.body.channel, event: current.body.event, recipients, versions, fallbackLanguage: form.fallbackLanguage ?? 'en' };
    const r = await callApi(session, 'POST', `/notification-templates/${encodeURIComponent(id)}`, draft);
    if (!r.ok) return renderTemplate(c, id, { error: r.error, draft, status: statusOf(r) });
    return renderTemplate(c, id, { saved: true });
  });
  app.post('/notification-templates/:id/preview', signedIn, async (c) => {
    const id = c.req.param('id');
    const form = await formOf(c);
    const r = await callApi(c.get('session'), 'POST', `/notification-templates/${encodeURIComponent(id)}/preview`, { language: form.language === 'ru' ? 'ru' : 'en' });
    return r.ok ? renderTemplate(c, id, { preview: r.body }) : renderTemplate(c, id, { error: r.error, status: statusOf(r) });
  });

  // ── Billing runs: run a date, watch its duties progress.
  app.get('/billing-runs', signedIn, standsOn('GET /api/v1/billing/runs'), async (c) => {
    const session = c.get('session');
    const t = translator(session.language);
    const r = await callApi(session, 'GET', '/billing/runs?limit=50');
    if (!r.ok) return failure(c, r);
    return c.html(
      <Page title={t('nav.billingRuns')} session={session}>
        <h1>{t('nav.billingRuns')}</h1>
        {mayWrite(session, 'finance') ? <PreviewForm t={t} /> : null}
        <Table
          head={[t('home.date'), t('col.status'), t('home.runs'), t('col.startedAt'), t('scenario.finishedAt')]}
          rows={r.body.items as Array<ApiRecord>}
          empty={t('home.noRuns')}
          cells={(x) => [<a href={`/billing-runs/${x.date}`}>{x.date}</a>, <Status t={t} value={x.status} />, String(x.runs), dateTime(x.startedAt), dateTime(x.finishedAt)]}
        />
      </Page>,
    );
  });

  /** The way into a run: the dry run of the date first, never a run on one click. */
  const PreviewForm = ({ t }: { t: Translate }) => (
    <form method="get" action="/billing-runs/preview" class="preview-form">
      <label>
        {t('home.date')} <input type="date" name="date" required />
      </label>
      <button type="submit">{t('billing.preview')}</button>
    </form>
  );

  /**
   * The dry run of a date (POST /billing/runs with dryRun): what each duty would do and to which records, then
   * the form that runs it. A date ahead of the schedule is run only when typed again (the API's confirmDate).
   */
  const renderPreview = async (c: Context<WebEnv>, date: string, error?: ApiResult['error'], status = 200) => {
    const session = c.get('session');
    const t = translator(session.language);
    const r = await callApi(session, 'POST', '/billing/runs', { date, dryRun: true });
    if (!r.ok) {
      return c.html(<Page title={t('nav.billingRuns')} session={session}><h1>{t('nav.billingRuns')}</h1><ErrorBox error={r.error} /><PreviewForm t={t} /></Page>, statusOf(r));
    }
    const preview = r.body;
    const duties = Object.entries(preview.duties as Record<string, DutyPreview>);
    const actions = preview.actions as Array<ApiRecord>;
    return c.html(
      <Page title={fill(t('billing.previewTitle'), { date })} session={session}>
        <h1>{fill(t('billing.previewTitle'), { date })}</h1>
        <p class="notice" role="status">{t('billing.previewNote')}</p>
        <ErrorBox error={error} />
        {preview.aheadOfSchedule ? (
          <p class="warning" role="alert" data-ahead="1">
            {fill(t('billing.aheadWarning'), { date, next: preview.nextDueDate })}
          </p>
        ) : null}
        <Table
          id="preview-duties"
          head={[t('billing.duty'), t('billing.count'), t('billing.concerned')]}
          rows={duties}
          empty={t('billing.nothingDue')}
          cells={([duty, d]) => [dutyLabel(t, duty), <b data-duty={duty}>{String(d.count)}</b>, <Concerned t={t} d={d} />]}
        />
        <h2>{t('billing.perSubscription')}</h2>
        <Table
          id="preview-actions"
          head={[t('col.subscription'), t('billing.duty'), t('col.description')]}
          rows={actions.slice(0, 500)}
          empty={t('billing.nothingDue')}
          cells={(a) => [<a href={`/subscriptions/${String(a.subscriptionId)}`}>#{String(a.subscriptionId)}</a>, dutyLabel(t, a.duty), a.detail]}
        />
        {actions.length > 500 ? <p class="muted">{fill(t('billing.andMore'), { n: actions.length - 500 })}</p> : null}
        {mayWrite(session, 'finance') ? (
          <form method="post" action="/billing-runs" class="run-form">
            <Csrf session={session} />
            <input type="hidden" name="date" value={date} />
            <input type="hidden" name="previewed" value={date} />
            {preview.aheadOfSchedule ? (
              <label>
                {t('billing.confirmDate')} <input type="date" name="confirmDate" required autocomplete="off" />
              </label>
            ) : null}
            <button type="submit" class="danger">
              {t('action.runBilling')}
            </button>{' '}
            <a href="/billing-runs" class="back">
              {t('confirm.back')}
            </a>
          </form>
        ) : null}
      </Page>,
      status as 200,
    );
  };

  app.get('/billing-runs/preview', signedIn, standsOn('POST /api/v1/billing/runs'), async (c) => {
    const date = c.req.query('date') ?? '';
    return renderPreview(c, date);
  });

  app.post('/billing-runs', signedIn, standsOn('POST /api/v1/billing/runs'), async (c) => {
    const session = c.get('session');
    const form = await formOf(c);
    const date = form.date ?? '';
    // The dry run comes first, always: a run posted without having shown it shows it instead.
    if (!date || form.previewed !== date) return c.redirect(`/billing-runs/preview?date=${encodeURIComponent(date)}`, 303);
    const r = await callApi(session, 'POST', '/billing/runs', { date, ...(form.confirmDate ? { confirmDate: form.confirmDate } : {}) });
    if (r.ok) return c.redirect(`/billing-runs/${r.body.date}`, 303);
    return renderPreview(c, date, r.error, statusOf(r));
  });

  app.get('/billing-runs/:date', signedIn, standsOn('GET /api/v1/billing/runs/{date}'), async (c) => {
    const session = c.get('session');
    const t = translator(session.language);
    const date = c.req.param('date');
    const r = await callApi(session, 'GET', `/billing/runs/${encodeURIComponent(date)}`);
    if (!r.ok && c.req.query('fragment')) return c.html(<div id="run" data-version="none" data-live={`/billing-runs/${date}?fragment=run`} data-final="0"><p class="muted">{t('billing.starting')}</p></div>);
    if (!r.ok && r.status !== 404) return failure(c, r);
    const run = r.ok ? r.body : null;
    const duties = Object.entries((run?.duties ?? {}) as Record<string, { found: number; done: number }>);
    const fragment = (
      <div id="run" data-version={version(run)} data-live={`/billing-runs/${date}?fragment=run`} data-final={run && run.status !== 'running' ? '1' : '0'}>
        {run ? (
          <>
            <p>
              {t('col.status')}: <Status t={t} value={run.status} /> · {t('billing.duties')}: {String(duties.length)} · {t('home.runs')}: {String(run.runs)}
              {run.scenarioId ? (
                <>
                  {' '}
                  · <a href={`/scenarios/${encodeURIComponent(run.scenarioId)}`}>{t('scenario.title')}</a>
                </>
              ) : null}
            </p>
            <Table
              head={[t('billing.duty'), t('billing.found'), t('billing.done')]}
              rows={duties}
              empty={t('billing.starting')}
              cells={([duty, d]) => [<code>{duty}</code>, String(d.found), String(d.done)]}
            />
          </>
        ) : (
          <p class="muted">{t('billing.starting')}</p>
        )}
      </div>
    );
    if (c.req.query('fragment')) return c.html(fragment);
    return c.html(
      <Page title={`${t('nav.billingRuns')} ${date}`} session={session}>
        <h1>
          {t('billing.title')} {date}
        </h1>
        {fragment}
      </Page>,
    );
  });
}
