import type { Context } from 'hono';
import { workingPrepaidSubscriptionIds } from '../../queries/subscriptions';
import { clientCardRecords } from '../../queries/clients';
import { planName } from '../../queries/plans';
import { canStartClientOperation } from '../../domain/blocking';
import { canCancelOrder } from '../../domain/statuses';
import type { ApiRecord, ApiResult } from '../api-bridge';
import { carried, ConfirmPage, isConfirmed } from '../confirm';
import { formOf, statusOf, type WebContext } from '../context';
import { fill, translator } from '../i18n';
import { dateTime, ErrorBox, EventLog, Fields, mayRead, mayWrite, money, Page, ReasonForm, Status, Table } from '../layout';
import type { WebEnv } from '../session';
import { standsOn } from '../tenant-gate';

/**
 * The order and client cards with their tabs and actions (the subscription card is in subscription.tsx). Long
 * because it registers each card and each of its actions; every handler reads or acts through the API.
 */
export function recordPages({ app, sql, callApi, signedIn }: WebContext) {
  const failure = (c: Context<WebEnv>, r: ApiResult) => c.html(<Page title={String(r.status)} session={c.get('session')}><ErrorBox error={r.error} /></Page>, statusOf(r));

  // ── Order card: general, cost, ordered service, detail lines, payments, event log, scenarios.
  const renderOrder = async (c: Context<WebEnv>, id: string, error?: ApiResult['error'], status = 200) => {
    const session = c.get('session');
    const t = translator(session.language);
    const found = await callApi(session, 'GET', `/orders/${encodeURIComponent(id)}`);
    if (!found.ok) return failure(c, found);
    const o = found.body;
    const plan = await planName(sql, o.planId);
    const cancellable = mayWrite(session, 'operations') && canCancelOrder({ status: o.status, paymentModel: o.paymentModel, type: o.type });
    return c.html(
      <Page title={`${t('order.title')} ${o.number}`} session={session}>
        <h1>
          {t('order.title')} {o.number} <Status t={t} value={o.status} />
        </h1>
        <ErrorBox error={error} />
        <section class="tabs">
          <h2>{t('order.general')}</h2>
          <Fields
            rows={[
              [t('col.type'), t.value(o.type)],
              [t('col.status'), <Status t={t} value={o.status} />],
              [t('col.statusReason'), o.statusReason ?? ''],
              [t('col.client'), <a href={`/clients/${String(o.clientId)}`}>#{String(o.clientId)}</a>],
              [t('col.createdAt'), dateTime(o.createdAt)],
              [t('col.closedAt'), dateTime(o.closedAt)],
            ]}
          />
          <h2>{t('order.cost')}</h2>
          <Fields
            rows={[
              [t('col.amount'), money(o.amount, o.currency)],
              [t('order.discount'), money(o.discount, o.currency)],
              [t('col.paymentModel'), t.value(o.paymentModel)],
            ]}
          />
          <h2>{t('order.service')}</h2>
          <Fields
            rows={[
              [t('col.plan'), plan ?? `#${o.planId}`],
              [t('col.subscription'), o.subscriptionId ? <a href={`/subscriptions/${String(o.subscriptionId)}`}>#{String(o.subscriptionId)}</a> : ''],
              [t('order.endDate'), o.endDate ?? ''],
              [t('order.provisioningDate'), o.provisioningDate ?? ''],
            ]}
          />
          <h2>{t('order.lines')}</h2>
          <Table
            head={[t('col.description'), t('order.quantity'), t('order.unitPrice'), t('order.discount'), t('col.amount'), t('col.status')]}
            rows={o.items as Array<ApiRecord>}
            empty={t('common.none')}
            cells={(i) => [i.description, String(i.quantity), money(i.unitPrice), money(i.discount), money(i.amount), t.value(i.status)]}
          />
          <h2>{t('nav.payments')}</h2>
          <Table
            head={[t('col.number'), t('col.type'), t('col.status'), t('col.amount')]}
            rows={o.payments as Array<ApiRecord>}
            empty={t('common.none')}
            cells={(p) => [p.number, t.value(p.type), <Status t={t} value={p.status} />, money(p.amount, p.currency)]}
          />
          <h2>{t('nav.scenarios')}</h2>
          <Table
            head={[t('col.id'), t('col.type'), t('col.status'), t('col.startedAt')]}
            rows={o.scenarios as Array<ApiRecord>}
            empty={t('common.none')}
            cells={(s) => [mayRead(session, 'scenarios') ? <a href={`/scenarios/${encodeURIComponent(s.id)}`}>{s.id}</a> : s.id, s.type, <Status t={t} value={s.status} />, dateTime(s.startedAt)]}
          />
          <h2>{t('common.eventLog')}</h2>
          <EventLog t={t} events={o.events} />
        </section>
        {cancellable ? <ReasonForm session={session} t={t} action={`/orders/${String(o.id)}/cancel`} label={t('action.cancelOrder')} cls="cancel-order" /> : null}
      </Page>,
      status as 200,
    );
  };
  app.get('/orders/:id', signedIn, standsOn('GET /api/v1/orders/{id}'), (c) => renderOrder(c, c.req.param('id')));
  app.post('/orders/:id/cancel', signedIn, async (c) => {
    const session = c.get('session');
    const form = await formOf(c);
    if (!isConfirmed(form)) {
      const found = await callApi(session, 'GET', `/orders/${encodeURIComponent(c.req.param('id'))}`);
      if (!found.ok) return failure(c, found);
      const t = translator(session.language);
      const back = `/orders/${String(found.body.id)}`;
      return c.html(
        <ConfirmPage
          session={session}
          confirmation={{ title: fill(t('confirm.cancelOrder.title'), { number: found.body.number }), consequences: [t('confirm.cancelOrder.what')], shown: { reason: t('col.reason') }, action: `${back}/cancel`, fields: carried(form), confirmLabel: t('confirm.cancelOrder.button'), back }}
        />,
      );
    }
    const r = await callApi(session, 'POST', `/orders/${encodeURIComponent(c.req.param('id'))}/cancel`, { reason: form.reason ?? '' });
    return r.ok ? c.redirect(`/orders/${c.req.param('id')}`, 303) : renderOrder(c, c.req.param('id'), r.error, statusOf(r));
  });

  // ── Client card: balance, debt, status with block / activate, contacts, subscriptions, payments.
  const renderClient = async (c: Context<WebEnv>, id: string, error?: ApiResult['error'], status = 200) => {
    const session = c.get('session');
    const t = translator(session.language);
    const found = await callApi(session, 'GET', `/clients/${encodeURIComponent(id)}`);
    if (!found.ok) return failure(c, found);
    const cl = found.body;
    const { subscriptions, payments, unpaid } = await clientCardRecords(sql, cl.id);
    const write = mayWrite(session, 'operations');
    return c.html(
      <Page title={`${t('client.title')} ${cl.name}`} session={session}>
        <h1>
          {t('client.title')} #{String(cl.id)} · {cl.name} <Status t={t} value={cl.status} />
        </h1>
        <ErrorBox error={error} />
        <Fields
          rows={[
            [t('col.balance'), <b class="balance">{money(cl.balance, cl.currency)}</b>],
            [t('client.debt'), money(Math.max(0, -Number(cl.balance)) + unpaid, cl.currency)],
            [t('col.status'), <Status t={t} value={cl.status} />],
            [t('col.clientType'), cl.clientType],
            [t('client.postpay'), cl.postpayPermission],
            [t('col.language'), cl.language],
            [t('col.createdAt'), dateTime(cl.createdAt)],
          ]}
        />
        {write && (canStartClientOperation('activate', cl.status) || canStartClientOperation('administrative_block', cl.status)) ? (
          <div class="actions">
            {canStartClientOperation('activate', cl.status) ? <ReasonForm session={session} t={t} action={`/clients/${String(cl.id)}/activate`} label={t('action.activate')} cls="activate" /> : null}
            {canStartClientOperation('administrative_block', cl.status) ? (
              <ReasonForm session={session} t={t} action={`/clients/${String(cl.id)}/administrative-block`} label={t('action.block')} cls="block" />
            ) : null}
          </div>
        ) : null}
        <h2>{t('client.contacts')}</h2>
        <Table
          head={[t('col.name'), t('client.email'), t('client.phone'), t('client.role')]}
          rows={cl.contacts as Array<ApiRecord>}
          empty={t('common.none')}
          cells={(k) => [k.name, k.email ?? '', k.phone ?? '', t.value(k.role)]}
        />
        <h2>{t('nav.subscriptions')}</h2>
        <Table
          head={[t('col.id'), t('col.name'), t('col.status'), t('col.expirationDate')]}
          rows={subscriptions}
          empty={t('common.none')}
          cells={(s) => [String(s.id), <a href={`/subscriptions/${String(s.id)}`}>{s.name}</a>, <Status t={t} value={s.status} />, s.expirationDate ?? '']}
        />
        <h2>{t('nav.payments')}</h2>
        <Table
          head={[t('col.number'), t('col.type'), t('col.status'), t('col.amount'), t('col.createdAt')]}
          rows={payments}
          empty={t('common.none')}
          cells={(p) => [p.number, t.value(p.type), <Status t={t} value={p.status} />, money(p.amount, p.currency), dateTime(p.createdAt)]}
        />
      </Page>,
      status as 200,
    );
  };
  app.get('/clients/:id', signedIn, standsOn('GET /api/v1/clients/{id}'), (c) => renderClient(c, c.req.param('id')));

  /** A block stops every working subscription of the client: the page says how many before it acts. */
  const confirmBlock = async (c: Context<WebEnv>, id: string, form: Record<string, string>) => {
    const session = c.get('session');
    const t = translator(session.language);
    const found = await callApi(session, 'GET', `/clients/${encodeURIComponent(id)}`);
    if (!found.ok) return failure(c, found);
    // The block scenario's own selection: the working prepaid subscriptions it stops.
    const working = await workingPrepaidSubscriptionIds(sql, found.body.id);
    const back = `/clients/${String(found.body.id)}`;
    return c.html(
      <ConfirmPage
        session={session}
        confirmation={{
          title: fill(t('confirm.block.title'), { name: `#${found.body.id} · ${found.body.name}` }),
          consequences: [fill(t('confirm.block.what'), { count: working.length }), t('confirm.block.orders')],
          shown: { reason: t('col.reason') },
          action: `${back}/administrative-block`,
          fields: carried(form),
          confirmLabel: t('confirm.block.button'),
          back,
        }}
      />,
    );
  };
  for (const op of ['activate', 'administrative-block'] as const) {
    app.post(`/clients/:id/${op}`, signedIn, async (c) => {
      const session = c.get('session');
      const id = c.req.param('id');
      const form = await formOf(c);
      if (op === 'administrative-block' && !isConfirmed(form)) return confirmBlock(c, id, form);
      const r = await callApi(session, 'POST', `/clients/${encodeURIComponent(id)}/${op}`, { reason: form.reason ?? '' });
      return r.ok ? c.redirect(`/clients/${id}`, 303) : renderClient(c, id, r.error, statusOf(r));
    });
  }
}
