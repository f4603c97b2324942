import type { Context } from 'hono';
import { canCancelTask, canDecideManualOperation, canRunTask } from '../../domain/operator-decisions';
import type { ApiRecord, ApiResult } from '../api-bridge';
import { backTo, formOf, invalidJson, jsonObjectField, statusOf, type WebContext } from '../context';
import { carried, ConfirmPage, isConfirmed } from '../confirm';
import { fill, translator } from '../i18n';
import { Csrf, dateTime, ErrorBox, Fields, mayWrite, Page, Status, Table } from '../layout';
import type { WebEnv } from '../session';
import { standsOn } from '../tenant-gate';

/**
 * The task page (run, cancel, task log) and the manual operation page (approve / reject with a comment). Long
 * because it registers both pages and their actions; every handler acts through the API.
 */
export function operationPages({ app, callApi, signedIn }: WebContext) {
  const notFoundPage = (c: Context<WebEnv>, r: ApiResult) => c.html(<Page title={String(r.status)} session={c.get('session')}><ErrorBox error={r.error} /></Page>, statusOf(r));

  const renderTask = async (c: Context<WebEnv>, id: string, error?: ApiResult['error'], status = 200) => {
    const session = c.get('session');
    const t = translator(session.language);
    const found = await callApi(session, 'GET', `/tasks/${encodeURIComponent(id)}`);
    if (!found.ok) return notFoundPage(c, found);
    const task = found.body;
    const write = mayWrite(session, 'tasks');
    return c.html(
      <Page title={`${t('task.title')} ${id}`} session={session}>
        <h1>
          {t('task.title')} #{String(task.id)} · {task.name}
        </h1>
        <ErrorBox error={error} />
        <Fields
          rows={[
            [t('col.status'), <Status t={t} value={task.status} />],
            [t('col.plugin'), `${task.plugin ?? ''}.${task.operation ?? ''}`],
            [t('col.scenario'), <a href={`/scenarios/${encodeURIComponent(task.scenarioId)}`}>{task.scenarioId}</a>],
            [t('scenario.step'), task.path],
            [t('col.error'), task.errorMessage ? <span class="error">{`${task.errorClass ?? ''} ${task.errorMessage}`}</span> : ''],
            [t('col.createdAt'), dateTime(task.createdAt)],
            [t('scenario.input'), task.input ? <pre>{JSON.stringify(task.input, null, 2)}</pre> : ''],
          ]}
        />
        {write && canRunTask(task.status) ? (
          <form method="post" action={`/tasks/${String(task.id)}/run`} class="task-run">
            <Csrf session={session} />
            <label>
              {t('scenario.inputJson')}
              <textarea name="input" rows={4} cols={60}>
                {task.input ? JSON.stringify(task.input, null, 2) : ''}
              </textarea>
            </label>
            <label>
              {t('col.reason')} <input name="reason" />
            </label>
            <button type="submit">{t('action.run')}</button>
          </form>
        ) : null}
        {write && canCancelTask(task.status) ? (
          <form method="post" action={`/tasks/${String(task.id)}/cancel`} class="task-cancel">
            <Csrf session={session} />
            <label>
              {t('col.reason')} <input name="reason" required />
            </label>
            <button type="submit">{t('action.cancelTask')}</button>
          </form>
        ) : null}
        <h2>{t('task.log')}</h2>
        <Table
          head={[t('scenario.round'), t('scenario.attempt'), t('col.status'), t('col.error'), t('col.startedAt')]}
          rows={task.log as Array<ApiRecord>}
          empty={t('common.none')}
          cells={(a) => [String(a.round), String(a.attempt), <Status t={t} value={a.status} />, [a.errorClass, a.errorMessage].filter(Boolean).join(' '), dateTime(a.startedAt)]}
        />
        <h2>{t('scenario.decisions')}</h2>
        <Table
          head={[t('scenario.decision'), t('col.reason'), t('col.actor'), t('col.createdAt')]}
          rows={task.decisions as Array<ApiRecord>}
          empty={t('common.none')}
          cells={(d) => [t.value(d.decision), d.reason ?? '', d.decidedBy ? `#${d.decidedBy}` : '', dateTime(d.decidedAt)]}
        />
      </Page>,
      status as 200,
    );
  };

  app.get('/tasks/:id', signedIn, standsOn('GET /api/v1/tasks/{id}'), (c) => renderTask(c, c.req.param('id')));
  app.post('/tasks/:id/run', signedIn, standsOn('POST /api/v1/tasks/{id}/run'), async (c) => {
    const form = await formOf(c);
    const input = jsonObjectField(form.input);
    const body: Record<string, unknown> = {};
    if (form.reason?.trim()) body.reason = form.reason.trim();
    if (input.value) body.input = input.value;
    const r = input.error ? invalidJson(input.error) : await callApi(c.get('session'), 'POST', `/tasks/${encodeURIComponent(c.req.param('id'))}/run`, body);
    return r.ok ? c.redirect(`/tasks/${c.req.param('id')}`, 303) : renderTask(c, c.req.param('id'), r.error, statusOf(r));
  });
  app.post('/tasks/:id/cancel', signedIn, standsOn('POST /api/v1/tasks/{id}/cancel'), async (c) => {
    const form = await formOf(c);
    if (!isConfirmed(form)) {
      const session = c.get('session');
      const t = translator(session.language);
      const back = `/tasks/${encodeURIComponent(c.req.param('id'))}`;
      const confirmation = { title: fill(t('confirm.cancelTask.title'), { id: c.req.param('id') }), consequences: [t('confirm.cancelTask.what')], shown: { reason: t('col.reason') } };
      return c.html(<ConfirmPage session={session} confirmation={{ ...confirmation, action: `${back}/cancel`, fields: carried(form), confirmLabel: t('confirm.cancelTask.button'), back }} />);
    }
    const r = await callApi(c.get('session'), 'POST', `/tasks/${encodeURIComponent(c.req.param('id'))}/cancel`, { reason: form.reason ?? '' });
    return r.ok ? c.redirect(`/tasks/${c.req.param('id')}`, 303) : renderTask(c, c.req.param('id'), r.error, statusOf(r));
  });

  const renderOperation = async (c: Context<WebEnv>, id: string, error?: ApiResult['error'], status = 200) => {
    const session = c.get('session');
    const t = translator(session.language);
    const found = await callApi(session, 'GET', `/manual-operations/${encodeURIComponent(id)}`);
    if (!found.ok) return notFoundPage(c, found);
    const op = found.body;
    const decide = canDecideManualOperation(op.status) && mayWrite(session, 'operations');
    return c.html(
      <Page title={`${t('operation.title')} ${id}`} session={session}>
        <h1>
          {t('operation.title')} #{String(op.id)} · {t.value(op.type)}
        </h1>
        <ErrorBox error={error} />
        <Fields
          rows={[
            [t('col.status'), <Status t={t} value={op.status} />],
            [t('col.description'), op.description ?? ''],
            [t('col.client'), <a href={`/clients/${String(op.clientId)}`}>{op.clientName}</a>],
            [t('col.subscription'), op.subscriptionId ? <a href={`/subscriptions/${String(op.subscriptionId)}`}>#{String(op.subscriptionId)}</a> : ''],
            [t('col.order'), op.orderId ? <a href={`/orders/${String(op.orderId)}`}>#{String(op.orderId)}</a> : ''],
            [t('col.scenario'), <a href={`/scenarios/${encodeURIComponent(op.scenarioId)}`}>{op.scenarioId}</a>],
            [t('col.comment'), op.comment ?? ''],
            [t('operation.decidedBy'), op.decidedByName ? `${op.decidedByName}, ${dateTime(op.decidedAt)}` : ''],
            [t('col.createdAt'), dateTime(op.createdAt)],
          ]}
        />
        {decide ? (
          <div class="decisions">
            <form method="post" action={`/manual-operations/${String(op.id)}/approve`} class="approve-form">
              <Csrf session={session} />
              <label>
                {t('col.comment')} <input name="comment" />
              </label>
              <label>
                {t('operation.outputJson')} <textarea name="output" rows={3} cols={50} />
              </label>
              <button type="submit" class="approve">
                {t('action.approve')}
              </button>
            </form>
            <form method="post" action={`/manual-operations/${String(op.id)}/reject`} class="reject-form">
              <Csrf session={session} />
              <label>
                {t('col.comment')} <input name="comment" />
              </label>
              <button type="submit" class="reject">
                {t('action.reject')}
              </button>
            </form>
          </div>
        ) : null}
      </Page>,
      status as 200,
    );
  };

  app.get('/manual-operations/:id', signedIn, standsOn('GET /api/v1/manual-operations/{id}'), (c) => renderOperation(c, c.req.param('id')));
  for (const decision of ['approve', 'reject'] as const) {
    app.post(`/manual-operations/:id/${decision}`, signedIn, async (c) => {
      const id = c.req.param('id');
      const form = await formOf(c);
      const output = jsonObjectField(form.output);
      const body: Record<string, unknown> = {};
      if (form.comment?.trim()) body.comment = form.comment.trim();
      if (decision === 'approve' && output.value) body.output = output.value;
      const r = output.error ? invalidJson(output.error) : await callApi(c.get('session'), 'POST', `/manual-operations/${encodeURIComponent(id)}/${decision}`, body);
      if (!r.ok) return renderOperation(c, id, r.error, statusOf(r));
      return c.redirect(backTo(form, `/manual-operations/${id}`), 303);
    });
  }
}
