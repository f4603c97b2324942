import { createHash } from 'node:crypto';
import { scenarioTakesDecisions } from '../../domain/operator-decisions';
import type { Context } from 'hono';
import type { Child } from 'hono/jsx';
import type { ApiRecord, ApiResult } from '../api-bridge';
import { carried, ConfirmPage, isConfirmed, type Confirmation } from '../confirm';
import { formOf, invalidJson, jsonObjectField, statusOf, wantsJson, type WebContext } from '../context';
import { fill, translator, type Translate } from '../i18n';
import { Csrf, dateTime, ErrorBox, Fields, mayWrite, Page, Status } from '../layout';
import type { Session, WebEnv } from '../session';
import { standsOn } from '../tenant-gate';

/** A digest of what the page shows, so the live poll replaces the tree only when something changed. */
export const version = (state: unknown) => createHash('sha1').update(JSON.stringify(state)).digest('hex').slice(0, 16);

const icons: Record<string, string> = { succeeded: '✓', failed: '✗', waiting: '⏸', pending: '○', running: '◐', skipped: '↷', cancelled: '⊘' };
const finished = (status: string) => status === 'completed' || status === 'failed' || status === 'cancelled';

type Step = ApiRecord & { path: string; name: string; status: string; children: Step[]; attempts: Array<ApiRecord> };

const flatten = (steps: Step[]): Step[] => steps.flatMap((s) => [s, ...flatten(s.children)]);

const duration = (ms: unknown) => (typeof ms === 'number' ? (ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`) : '');

/** One step of the tree: icon, name, duration; expand for input, output, attempts and the error; decisions where allowed. */
function StepNode({ step, t, session, scenario, decide }: { step: Step; t: Translate; session: Session; scenario: ApiRecord; decide: boolean }) {
  const open = step.status === 'failed' || step.status === 'waiting';
  const canDecide = decide && step.status === 'failed' && step.kind !== 'group';
  return (
    <li class={`step st-${step.status}`} data-path={step.path} data-status={step.status}>
      <span class="icon" title={t.value(step.status)}>
        {icons[step.status] ?? '?'}
      </span>{' '}
      <span class="path">{step.path}</span> <b>{step.name}</b> <Status t={t} value={step.status} /> <span class="muted">{duration(step.durationMs)}</span>
      {step.rounds > 1 ? <span class="muted"> · {t('scenario.rounds')} {String(step.rounds)}</span> : null}
      {step.errorMessage ? (
        <p class="error step-error">
          {step.errorClass ? <code>{step.errorClass}</code> : null} {step.errorMessage}
        </p>
      ) : null}
      {step.kind !== 'group' ? (
        <details open={open && canDecide}>
          <summary>{t('scenario.details')}</summary>
          <Fields
            rows={[
              [t('scenario.kind'), step.kind],
              [t('col.plugin'), step.plugin ? `${step.plugin}.${step.operation ?? ''}` : ''],
              [t('scenario.idempotencyKey'), step.idempotencyKey ? <code>{step.idempotencyKey}</code> : ''],
              [t('col.startedAt'), dateTime(step.startedAt)],
              [t('scenario.finishedAt'), dateTime(step.finishedAt)],
              [t('scenario.input'), step.input ? <pre>{JSON.stringify(step.input, null, 2)}</pre> : ''],
              [t('scenario.output'), step.output ? <pre>{JSON.stringify(step.output, null, 2)}</pre> : ''],
            ]}
          />
          {step.attempts.length ? (
            <table class="attempts">
              <tr>
                <th>{t('scenario.round')}</th>
                <th>{t('scenario.attempt')}</th>
                <th>{t('col.status')}</th>
                <th>{t('col.error')}</th>
                <th>{t('col.durationMs')}</th>
              </tr>
              {step.attempts.map((a) => (
                <tr>
                  <td>{String(a.round)}</td>
                  <td>{String(a.attempt)}</td>
                  <td>
                    <Status t={t} value={a.status} />
                  </td>
                  <td>{[a.errorClass, a.errorMessage, a.responseExcerpt].filter(Boolean).join(' · ')}</td>
                  <td>{duration(a.durationMs)}</td>
                </tr>
              ))}
            </table>
          ) : null}
          {canDecide ? <Decisions step={step} t={t} session={session} scenario={scenario} /> : null}
        </details>
      ) : null}
      {step.children.length ? (
        <ul class="tree">
          {step.children.map((child) => (
            <StepNode step={child} t={t} session={session} scenario={scenario} decide={decide} />
          ))}
        </ul>
      ) : null}
    </li>
  );
}

/** Retry (the input editable as JSON), skip (a reason is required) and cancel for a failed step. */
function Decisions({ step, t, session, scenario }: { step: Step; t: Translate; session: Session; scenario: ApiRecord }) {
  const action = `/scenarios/${encodeURIComponent(scenario.id)}/decisions`;
  const hidden = (decision: string) => (
    <>
      <Csrf session={session} />
      <input type="hidden" name="step" value={step.path} />
      <input type="hidden" name="decision" value={decision} />
    </>
  );
  return (
    <div class="decisions">
      <form method="post" action={action} data-fetch class="decision retry">
        {hidden('retry')}
        <label>
          {t('scenario.inputJson')}
          <textarea name="input" rows={5} cols={60} spellcheck={false}>
            {step.input ? JSON.stringify(step.input, null, 2) : ''}
          </textarea>
        </label>
        <label>
          {t('col.reason')} <input name="reason" />
        </label>
        <button type="submit">{t('action.retry')}</button>
        <output class="form-error error" />
      </form>
      <form method="post" action={action} class="decision skip">
        {hidden('skip')}
        <label>
          {t('col.reason')} <input name="reason" required />
        </label>
        <button type="submit">{t('action.skip')}</button>
        <output class="form-error error" />
      </form>
      <form method="post" action={action} class="decision cancel">
        {hidden('cancel')}
        <label>
          {t('col.reason')} <input name="reason" required />
        </label>
        <button type="submit">{t('action.cancelScenario')}</button>
        <output class="form-error error" />
      </form>
    </div>
  );
}

function Tree({ scenario, t, session }: { scenario: ApiRecord; t: Translate; session: Session }) {
  const decide = mayWrite(session, 'scenarios') && scenarioTakesDecisions(scenario.status);
  return (
    <div id="tree" data-version={version(scenario)} data-live={`/scenarios/${encodeURIComponent(scenario.id)}?fragment=tree`} data-final={finished(scenario.status) ? '1' : '0'} data-scenario-status={scenario.status}>
      <p>
        {t('col.status')}: <Status t={t} value={scenario.status} /> {scenario.error ? <span class="error">{scenario.error}</span> : null}{' '}
        <span class="muted">{duration(scenario.durationMs)}</span>
      </p>
      <ul class="tree root">
        {(scenario.tree as Step[]).map((s) => (
          <StepNode step={s} t={t} session={session} scenario={scenario} decide={decide} />
        ))}
      </ul>
    </div>
  );
}

/**
 * The scenario page (live step tree, decisions) and its parts. Long because it registers the page, its live part and
 * the decision forms; every handler reads or acts through the API.
 */
export function scenarioPages({ app, callApi, signedIn, temporalUi }: WebContext) {
  const render = async (c: Context<WebEnv>, id: string, error?: ApiResult['error'], status?: number) => {
    const session = c.get('session');
    const t = translator(session.language);
    const found = await callApi(session, 'GET', `/scenarios/${encodeURIComponent(id)}`);
    if (!found.ok) return c.html(<Page title={String(found.status)} session={session}><ErrorBox error={found.error} /></Page>, statusOf(found));
    const scenario = found.body;
    if (c.req.query('fragment') === 'tree') return c.html(<Tree scenario={scenario} t={t} session={session} />);
    const temporalLink = temporalUi.url ? `${temporalUi.url.replace(/\/$/, '')}/namespaces/${encodeURIComponent(temporalUi.namespace)}/workflows/${encodeURIComponent(scenario.id)}` : null;
    const subject: Child =
      scenario.subjectKind === 'order' || scenario.subjectKind === 'subscription' || scenario.subjectKind === 'client' ? (
        <a href={`/${scenario.subjectKind}s/${encodeURIComponent(scenario.subjectId)}`}>{`${t.value(scenario.subjectKind)} ${scenario.subjectId}`}</a>
      ) : scenario.subjectKind === 'billing_run' ? (
        <a href={`/billing-runs/${encodeURIComponent(scenario.subjectId)}`}>{`${t.value(scenario.subjectKind)} ${scenario.subjectId}`}</a>
      ) : (
        `${scenario.subjectKind} ${scenario.subjectId}`
      );
    return c.html(
      <Page title={`${t('scenario.title')} ${scenario.id}`} session={session}>
        <h1>
          {t('scenario.title')} <code>{scenario.id}</code>
        </h1>
        <ErrorBox error={error} />
        <Fields
          rows={[
            [t('col.type'), scenario.type],
            [t('col.subject'), subject],
            [t('col.startedAt'), dateTime(scenario.startedAt)],
            [t('scenario.finishedAt'), dateTime(scenario.finishedAt)],
            [t('scenario.temporal'), temporalLink ? <a href={temporalLink} target="_blank" rel="noopener" class="temporal-link">{t('scenario.openInTemporal')}</a> : t('scenario.noTemporalUi')],
          ]}
        />
        <h2>{t('scenario.steps')}</h2>
        <Tree scenario={scenario} t={t} session={session} />
        {scenario.decisions.length ? (
          <>
            <h2>{t('scenario.decisions')}</h2>
            <table>
              <tr>
                <th>{t('scenario.step')}</th>
                <th>{t('scenario.decision')}</th>
                <th>{t('col.reason')}</th>
                <th>{t('col.actor')}</th>
                <th>{t('col.createdAt')}</th>
              </tr>
              {scenario.decisions.map((d: ApiRecord) => (
                <tr>
                  <td>{d.step}</td>
                  <td>{t.value(d.decision)}</td>
                  <td>{d.reason ?? ''}</td>
                  <td>{d.decidedBy ? `#${d.decidedBy}` : ''}</td>
                  <td>{dateTime(d.decidedAt)}</td>
                </tr>
              ))}
            </table>
          </>
        ) : null}
      </Page>,
      (status ?? 200) as 200,
    );
  };

  app.get('/scenarios/:id', signedIn, standsOn('GET /api/v1/scenarios/{id}'), (c) => render(c, c.req.param('id')));

  /** What a skip or a cancel will do, before it does it; skipping a vendor step warns that the resource may not exist. */
  const confirmDecision = async (c: Context<WebEnv>, id: string, form: Record<string, string>) => {
    const session = c.get('session');
    const t = translator(session.language);
    if (wantsJson(c)) return c.json({ ok: false, error: { code: 'confirmation_required', message: 'skip and cancel are confirmed on their own page' } }, 409);
    const found = await callApi(session, 'GET', `/scenarios/${encodeURIComponent(id)}`);
    if (!found.ok) return c.html(<Page title={String(found.status)} session={session}><ErrorBox error={found.error} /></Page>, statusOf(found));
    const step = flatten(found.body.tree as Step[]).find((s) => s.path === form.step);
    const back = `/scenarios/${encodeURIComponent(id)}`;
    const skip = form.decision === 'skip';
    const confirmation: Confirmation = skip
      ? {
          title: fill(t('confirm.skip.title'), { step: `${form.step ?? ''} · ${step?.name ?? ''}` }),
          consequences: [t('confirm.skip.what')],
          ...(step?.plugin ? { warning: fill(t('confirm.skip.vendor'), { call: `${step.plugin}.${step.operation ?? ''}` }) } : {}),
          shown: { reason: t('col.reason') },
          confirmLabel: t('confirm.skip.button'),
          action: `${back}/decisions`,
          fields: carried(form),
          back,
        }
      : {
          title: fill(t('confirm.cancelScenario.title'), { id }),
          consequences: [t('confirm.cancelScenario.what')],
          shown: { reason: t('col.reason') },
          confirmLabel: t('confirm.cancelScenario.button'),
          action: `${back}/decisions`,
          fields: carried(form),
          back,
        };
    return c.html(<ConfirmPage session={session} confirmation={confirmation} />);
  };

  app.post('/scenarios/:id/decisions', signedIn, async (c) => {
    const session = c.get('session');
    const id = c.req.param('id');
    const form = await formOf(c);
    const input = jsonObjectField(form.input);
    const decision = form.decision;
    const body: Record<string, unknown> = { step: form.step ?? '', decision };
    if (form.reason?.trim()) body.reason = form.reason.trim();
    if (decision === 'retry' && input.value) body.input = input.value;
    // Skip and cancel cannot be taken back: they ask first (retry can be decided again).
    if ((decision === 'skip' || decision === 'cancel') && !isConfirmed(form)) return confirmDecision(c, id, form);
    const result = input.error && decision === 'retry' ? invalidJson(input.error) : await callApi(session, 'POST', `/scenarios/${encodeURIComponent(id)}/decisions`, body);
    if (wantsJson(c)) return c.json(result.ok ? { ok: true } : { ok: false, error: result.error }, result.ok ? 200 : statusOf(result));
    if (!result.ok) return render(c, id, result.error, statusOf(result));
    return c.redirect(`/scenarios/${encodeURIComponent(id)}`, 303);
  });
}
