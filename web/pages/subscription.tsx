import type { Context } from 'hono';
import { manualRenewalRefusal } from '../../domain/lifecycle';
import { subscriptionCardExtras, subscriptionCardRecords, subscriptionScenarioStatus, subscriptionScenarioUnderWay, type SubscriptionCardExtras } from '../../queries/subscriptions';
import { canStartOperation, expirationDateRefusal } from '../../domain/subscription-operations';
import type { ApiRecord, ApiResult } from '../api-bridge';
import { carried, ConfirmPage, isConfirmed, type Confirmation } from '../confirm';
import { formOf, statusOf, type WebContext } from '../context';
import { fill, translator, type Translate } from '../i18n';
import { Csrf, dateTime, ErrorBox, EventLog, Fields, mayRead, mayWrite, money, Page, ReasonForm, Status, Table } from '../layout';
import type { Session, WebEnv } from '../session';
import { version } from './scenario';
import { standsOn } from '../tenant-gate';

type CardExtras = SubscriptionCardExtras;

interface Operation {
  id: string;
  /** Null while the scenario has not written its first record yet. */
  status: string | null;
}

const settled = (status: string | null) => status !== null && status !== 'running';

/**
 * The subscription card: orders, resources, charges, transactions, event log, and the operator's actions. The
 * status, a scenario under way and the actions are one live part of the page (polled by ui.js while the
 * scenario runs), so after "Delete" the page shows the deletion happening rather than the old status. The
 * actions offered are those the API's own rules allow for this status and role. Long because it registers the card,
 * its live part and each action's form and confirmation; every handler acts through the API.
 */
export function subscriptionPages({ app, sql, callApi, signedIn, today }: WebContext) {
  const failure = (c: Context<WebEnv>, r: ApiResult) => c.html(<Page title={String(r.status)} session={c.get('session')}><ErrorBox error={r.error} /></Page>, statusOf(r));

  async function load(session: Session, id: string) {
    const found = await callApi(session, 'GET', `/subscriptions/${encodeURIComponent(id)}`);
    if (!found.ok) return { found, s: null, extras: null };
    const s = found.body;
    return { found, s, extras: (await subscriptionCardExtras(sql, s.id))! };
  }

  /** The scenario the page follows: the one an action just started, else the latest one still under way. */
  async function operationOf(subscriptionId: number, started: string | undefined): Promise<Operation | null> {
    if (started) {
      const status = await subscriptionScenarioStatus(sql, subscriptionId, started);
      return started.startsWith(`subscription-${subscriptionId}-`) ? { id: started, status } : null;
    }
    return subscriptionScenarioUnderWay(sql, subscriptionId);
  }

  const renewalRefusal = (s: ApiRecord, x: CardExtras) =>
    manualRenewalRefusal(
      { id: s.id, status: s.status, clientStatus: x.clientStatus, paymentModel: s.paymentModel, expirationDate: s.expirationDate, unlimited: x.unlimited, trial: s.trial, trialRenewable: x.trialRenewable, manualRenewPointDays: s.manualRenewPointDays },
      today(),
    );

  /** Only what the API would accept now, for this role; nothing while an operation is under way. */
  function Actions({ s, x, t, session }: { s: ApiRecord; x: CardExtras; t: Translate; session: Session }) {
    if (!mayWrite(session, 'operations')) return null;
    const action = (name: string) => `/subscriptions/${String(s.id)}/${name}`;
    const forms = [
      canStartOperation('stop', s.status) ? <ReasonForm session={session} t={t} action={action('stop')} label={t('action.stop')} cls="stop" /> : null,
      canStartOperation('activate', s.status) ? <ReasonForm session={session} t={t} action={action('activate')} label={t('action.activate')} cls="activate" /> : null,
      renewalRefusal(s, x) === null ? (
        <form method="post" action={action('renew')} class="action renew">
          <Csrf session={session} />
          <button type="submit">{t('action.renew')}</button>
        </form>
      ) : null,
      canStartOperation('delete', s.status) ? <ReasonForm session={session} t={t} action={action('delete')} label={t('action.delete')} cls="delete" /> : null,
      expirationDateRefusal(s as { status: string; expirationDate: string | null }) === null ? (
        <ReasonForm
          session={session}
          t={t}
          action={action('expiration-date')}
          label={t('action.changeExpiration')}
          name="comment"
          cls="expiration"
          extra={
            <label>
              {t('col.expirationDate')} <input type="date" name="expirationDate" required value={s.expirationDate ?? ''} />
            </label>
          }
        />
      ) : null,
    ].filter(Boolean);
    return forms.length ? <div class="actions">{forms}</div> : null;
  }

  /** The live part: status, the operation under way, and the actions valid now. */
  function State({ s, x, op, t, session }: { s: ApiRecord; x: CardExtras; op: Operation | null; t: Translate; session: Session }) {
    const running = op !== null && !settled(op.status);
    const live = `/subscriptions/${String(s.id)}?fragment=state${op ? `&scenario=${encodeURIComponent(op.id)}` : ''}`;
    return (
      <section id="state" data-live={live} data-final={running ? '0' : '1'} data-version={version({ status: s.status, reason: s.statusReason, op })} data-status={s.status}>
        <p>
          {t('col.status')}: <Status t={t} value={s.status} /> {s.statusReason ? <span class="muted">{s.statusReason}</span> : null}
        </p>
        {op ? (
          <p class="operation" data-scenario-status={op.status ?? 'starting'}>
            {t('subscription.operation')}: {mayRead(session, 'scenarios') ? <a href={`/scenarios/${encodeURIComponent(op.id)}`}>{op.id}</a> : op.id}{' '}
            {op.status ? <Status t={t} value={op.status} /> : <span class="muted">{t('subscription.operationStarting')}</span>}
          </p>
        ) : null}
        {running ? null : <Actions s={s} x={x} t={t} session={session} />}
      </section>
    );
  }

  const render = async (c: Context<WebEnv>, id: string, error?: ApiResult['error'], status = 200) => {
    const session = c.get('session');
    const t = translator(session.language);
    const { found, s, extras } = await load(session, id);
    if (!s || !extras) return failure(c, found);
    const op = await operationOf(s.id, c.req.query('scenario'));
    if (c.req.query('fragment') === 'state') return c.html(<State s={s} x={extras} op={op} t={t} session={session} />);
    return c.html(
      <Page title={`${t('subscription.title')} ${s.name}`} session={session}>
        <h1>
          {t('subscription.title')} #{String(s.id)} · {s.name}
        </h1>
        <ErrorBox error={error} />
        <State s={s} x={extras} op={op} t={t} session={session} />
        <Fields
          rows={[
            [t('col.client'), <a href={`/clients/${String(s.clientId)}`}>#{String(s.clientId)}</a>],
            [t('col.plan'), extras.planName ?? `#${s.planId}`],
            [t('col.paymentModel'), t.value(s.paymentModel)],
            [t('col.startDate'), s.startDate ?? ''],
            [t('col.expirationDate'), s.expirationDate ?? ''],
            [t('col.autoRenew'), s.autoRenew ? '✓' : '—'],
            [t('subscription.vendorReference'), s.vendorReference ?? ''],
          ]}
        />
        <Records s={s} t={t} records={await loadRecords(s.id)} />
      </Page>,
      status as 200,
    );
  };

  const loadRecords = (subscriptionId: number) => subscriptionCardRecords(sql, subscriptionId);

  function Records({ s, t, records: { resources, charges, transactions } }: { s: ApiRecord; t: Translate; records: Awaited<ReturnType<typeof loadRecords>> }) {
    return (
      <>
        <h2>{t('nav.orders')}</h2>
        <Table
          head={[t('col.number'), t('col.type'), t('col.status'), t('col.amount'), t('col.createdAt')]}
          rows={s.orders as Array<ApiRecord>}
          empty={t('common.none')}
          cells={(o) => [<a href={`/orders/${String(o.id)}`}>{o.number}</a>, t.value(o.type), <Status t={t} value={o.status} />, money(o.amount, s.currency), dateTime(o.createdAt)]}
        />
        <h2>{t('subscription.resources')}</h2>
        <Table head={[t('subscription.resource'), t('order.quantity')]} rows={resources} empty={t('common.none')} cells={(r) => [r.key, String(r.quantity)]} />
        <h2>{t('subscription.charges')}</h2>
        <Table
          head={[t('col.id'), t('col.description'), t('subscription.period'), t('col.status'), t('col.amount')]}
          rows={charges}
          empty={t('common.none')}
          cells={(ch) => [String(ch.id), ch.description, `${ch.periodFrom} – ${ch.periodTo}`, t.value(ch.status), money(ch.amount, ch.currency)]}
        />
        <h2>{t('subscription.transactions')}</h2>
        <Table
          head={[t('col.createdAt'), t('col.type'), t('col.description'), t('col.amount'), t('col.balance')]}
          rows={transactions}
          empty={t('common.none')}
          cells={(l) => [dateTime(l.createdAt), l.kind, l.description ?? '', money(l.amount, l.currency), money(l.balanceAfter, l.currency)]}
        />
        <h2>{t('common.eventLog')}</h2>
        <EventLog t={t} events={s.events} />
      </>
    );
  }

  /** What each action that cannot be taken back says before it acts. */
  const confirmations: Partial<Record<string, (s: ApiRecord, x: CardExtras, t: Translate) => Omit<Confirmation, 'action' | 'fields' | 'back'>>> = {
    stop: (s, _x, t) => ({
      title: fill(t('confirm.stop.title'), { name: `#${s.id} · ${s.name}` }),
      consequences: [t('confirm.stop.what'), t('confirm.manualMode')],
      shown: { reason: t('col.reason') },
      confirmLabel: t('confirm.stop.button'),
    }),
    delete: (s, _x, t) => ({
      title: fill(t('confirm.delete.title'), { name: `#${s.id} · ${s.name}` }),
      consequences: [t('confirm.delete.what'), t('confirm.manualMode')],
      shown: { reason: t('col.reason') },
      confirmLabel: t('confirm.delete.button'),
    }),
    renew: (s, x, t) => ({
      title: fill(t('confirm.renew.title'), { name: `#${s.id} · ${s.name}` }),
      consequences: [fill(t('confirm.renew.what'), { date: s.expirationDate ?? '' }), fill(t('confirm.renew.pay'), { balance: money(x.balance, x.currency) })],
      confirmLabel: t('confirm.renew.button'),
    }),
  };

  app.get('/subscriptions/:id', signedIn, standsOn('GET /api/v1/subscriptions/{id}'), (c) => render(c, c.req.param('id')));
  for (const op of ['stop', 'activate', 'delete', 'renew', 'expiration-date'] as const) {
    app.post(`/subscriptions/:id/${op}`, signedIn, async (c) => {
      const session = c.get('session');
      const id = c.req.param('id');
      const form = await formOf(c);
      const confirmation = confirmations[op];
      if (confirmation && !isConfirmed(form)) {
        const { found, s, extras } = await load(session, id);
        if (!s || !extras) return failure(c, found);
        const back = `/subscriptions/${String(s.id)}`;
        return c.html(<ConfirmPage session={session} confirmation={{ ...confirmation(s, extras, translator(session.language)), action: `${back}/${op}`, fields: carried(form), back }} />);
      }
      const body = op === 'renew' ? {} : op === 'expiration-date' ? { expirationDate: form.expirationDate ?? '', comment: form.comment ?? '' } : { reason: form.reason ?? '' };
      const r = await callApi(session, 'POST', `/subscriptions/${encodeURIComponent(id)}/${op}`, body);
      if (!r.ok) return render(c, id, r.error, statusOf(r));
      // The new state: the renewal order just created, or this card following the scenario the action started.
      if (op === 'renew') return c.redirect(`/orders/${String(r.body.id)}`, 303);
      const scenario = typeof r.body.scenarioId === 'string' ? `?scenario=${encodeURIComponent(r.body.scenarioId)}` : '';
      return c.redirect(`/subscriptions/${encodeURIComponent(id)}${scenario}`, 303);
    });
  }
}
