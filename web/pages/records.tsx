import type { Context } from 'hono';
import type { ApiRecord, ApiResult } from '../api-bridge';
import { formOf, statusOf, type WebContext } from '../context';
import { translator, type Translate } from '../i18n';
import { Csrf, dateTime, ErrorBox, EventLog, Fields, mayRead, mayWrite, money, Page, Status, Table } from '../layout';
import type { Session, WebEnv } from '../session';

/** A form with a required reason (and optional extra fields) that posts one action of a card. */
function ReasonForm({ session, t, action, label, name = 'reason', extra, cls }: { session: Session; t: Translate; action: string; label: string; name?: string; extra?: unknown; cls: string }) {
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

/** The order, subscription and client cards with their tabs and actions. */
export function recordPages({ app, sql, callApi, signedIn }: WebContext) {
  const failure = (c: Context<WebEnv>, r: ApiResult) => c.html(<Page title={String(r.status)} session={c.get('session')}><ErrorBox error={r.error} /></Page>, statusOf(r));

  // ── Order card: general, cost, ordered service, detail lines, payments, event log, scenarios.
  const renderOrder = async (c: Context<WebEnv>, id: string, error?: ApiResult['error'], status = 200) => {
    const session = c.get('session');
    const t = translator(session.language);
    const found = await callApi(session, 'GET', `/orders/${encodeURIComponent(id)}`);
    if (!found.ok) return failure(c, found);
    const o = found.body;
    const [plan] = await sql<Array<{ name: string }>>`select name from plans where id = ${o.planId}`;
    const cancellable = mayWrite(session, 'operations') && (o.status === 'awaiting_payment' || (o.status === 'awaiting_provisioning' && o.type !== 'purchase'));
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
              [t('col.plan'), plan?.name ?? `#${o.planId}`],
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
  app.get('/orders/:id', signedIn, (c) => renderOrder(c, c.req.param('id')));
  app.post('/orders/:id/cancel', signedIn, async (c) => {
    const form = await formOf(c);
    const r = await callApi(c.get('session'), 'POST', `/orders/${encodeURIComponent(c.req.param('id'))}/cancel`, { reason: form.reason ?? '' });
    return r.ok ? c.redirect(`/orders/${c.req.param('id')}`, 303) : renderOrder(c, c.req.param('id'), r.error, statusOf(r));
  });

  // ── Subscription card: orders, resources, charges, transactions, event log; stop / activate / renew / delete / expiration.
  const renderSubscription = async (c: Context<WebEnv>, id: string, error?: ApiResult['error'], status = 200) => {
    const session = c.get('session');
    const t = translator(session.language);
    const found = await callApi(session, 'GET', `/subscriptions/${encodeURIComponent(id)}`);
    if (!found.ok) return failure(c, found);
    const s = found.body;
    const [resources, charges, transactions, [plan]] = await Promise.all([
      sql<Array<{ key: string; quantity: number }>>`select key, quantity from subscription_resources where subscription_id = ${s.id} order by key`,
      sql<Array<ApiRecord>>`
        select id, kind, status, description, period_from::text as "periodFrom", period_to::text as "periodTo", amount::int8 as amount, currency
        from charges where subscription_id = ${s.id} order by period_from, id limit 200`,
      sql<Array<ApiRecord>>`
        select l.id, l.kind, l.amount::int8 as amount, l.balance_after::int8 as "balanceAfter", l.currency, l.description, l.created_at as "createdAt"
        from ledger_transactions l join orders o on o.id = l.order_id where o.subscription_id = ${s.id} order by l.id desc limit 200`,
      sql<Array<{ name: string }>>`select name from plans where id = ${s.planId}`,
    ]);
    const write = mayWrite(session, 'operations');
    const action = (name: string) => `/subscriptions/${String(s.id)}/${name}`;
    return c.html(
      <Page title={`${t('subscription.title')} ${s.name}`} session={session}>
        <h1>
          {t('subscription.title')} #{String(s.id)} · {s.name} <Status t={t} value={s.status} />
        </h1>
        <ErrorBox error={error} />
        <Fields
          rows={[
            [t('col.client'), <a href={`/clients/${String(s.clientId)}`}>#{String(s.clientId)}</a>],
            [t('col.plan'), plan?.name ?? `#${s.planId}`],
            [t('col.status'), <Status t={t} value={s.status} />],
            [t('col.statusReason'), s.statusReason ?? ''],
            [t('col.paymentModel'), t.value(s.paymentModel)],
            [t('col.startDate'), s.startDate ?? ''],
            [t('col.expirationDate'), s.expirationDate ?? ''],
            [t('col.autoRenew'), s.autoRenew ? '✓' : '—'],
            [t('subscription.vendorReference'), s.vendorReference ?? ''],
          ]}
        />
        {write ? (
          <div class="actions">
            <ReasonForm session={session} t={t} action={action('stop')} label={t('action.stop')} cls="stop" />
            <ReasonForm session={session} t={t} action={action('activate')} label={t('action.activate')} cls="activate" />
            <form method="post" action={action('renew')} class="action renew">
              <Csrf session={session} />
              <button type="submit">{t('action.renew')}</button>
            </form>
            <ReasonForm session={session} t={t} action={action('delete')} label={t('action.delete')} cls="delete" />
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
          </div>
        ) : null}
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
      </Page>,
      status as 200,
    );
  };
  app.get('/subscriptions/:id', signedIn, (c) => renderSubscription(c, c.req.param('id')));
  for (const op of ['stop', 'activate', 'delete', 'renew', 'expiration-date'] as const) {
    app.post(`/subscriptions/:id/${op}`, signedIn, async (c) => {
      const id = c.req.param('id');
      const form = await formOf(c);
      const body = op === 'renew' ? {} : op === 'expiration-date' ? { expirationDate: form.expirationDate ?? '', comment: form.comment ?? '' } : { reason: form.reason ?? '' };
      const r = await callApi(c.get('session'), 'POST', `/subscriptions/${encodeURIComponent(id)}/${op}`, body);
      return r.ok ? c.redirect(`/subscriptions/${id}`, 303) : renderSubscription(c, id, r.error, statusOf(r));
    });
  }

  // ── Client card: balance, debt, status with block / activate, contacts, subscriptions, payments.
  const renderClient = async (c: Context<WebEnv>, id: string, error?: ApiResult['error'], status = 200) => {
    const session = c.get('session');
    const t = translator(session.language);
    const found = await callApi(session, 'GET', `/clients/${encodeURIComponent(id)}`);
    if (!found.ok) return failure(c, found);
    const cl = found.body;
    const [subscriptions, payments, [debt]] = await Promise.all([
      sql<Array<ApiRecord>>`select id, name, status, expiration_date::text as "expirationDate" from subscriptions where client_id = ${cl.id} order by id desc limit 200`,
      sql<Array<ApiRecord>>`select id, number, type, status, amount::int8 as amount, currency, created_at as "createdAt" from payments where client_id = ${cl.id} order by id desc limit 200`,
      sql<Array<{ unpaid: number }>>`select coalesce(sum(amount), 0)::int8 as unpaid from payments where client_id = ${cl.id} and status in ('waiting_for_payment', 'overdue', 'invoice_sent', 'invoice_preparing')`,
    ]);
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
            [t('client.debt'), money(Math.max(0, -Number(cl.balance)) + Number(debt?.unpaid ?? 0), cl.currency)],
            [t('col.status'), <Status t={t} value={cl.status} />],
            [t('col.clientType'), cl.clientType],
            [t('client.postpay'), cl.postpayPermission],
            [t('col.language'), cl.language],
            [t('col.createdAt'), dateTime(cl.createdAt)],
          ]}
        />
        {write && cl.status !== 'deleted' ? (
          <div class="actions">
            {cl.status === 'administratively_blocked' ? (
              <ReasonForm session={session} t={t} action={`/clients/${String(cl.id)}/activate`} label={t('action.activate')} cls="activate" />
            ) : (
              <ReasonForm session={session} t={t} action={`/clients/${String(cl.id)}/administrative-block`} label={t('action.block')} cls="block" />
            )}
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
  app.get('/clients/:id', signedIn, (c) => renderClient(c, c.req.param('id')));
  for (const op of ['activate', 'administrative-block'] as const) {
    app.post(`/clients/:id/${op}`, signedIn, async (c) => {
      const id = c.req.param('id');
      const form = await formOf(c);
      const r = await callApi(c.get('session'), 'POST', `/clients/${encodeURIComponent(id)}/${op}`, { reason: form.reason ?? '' });
      return r.ok ? c.redirect(`/clients/${id}`, 303) : renderClient(c, id, r.error, statusOf(r));
    });
  }
}
