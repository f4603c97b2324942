import type { Context } from 'hono';
import type { Sql } from '../db/client';
import type { ClientCapability } from '../domain/client-capabilities';
import type { AppEnv, ClientAccess } from './auth';

const positiveId = (value: unknown): number | null => {
  const n = typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n > 0 && n <= 2_147_483_647 ? n : null;
};

/** The body's JSON, or undefined when it is not JSON (the route's validator answers that). */
async function jsonBody(c: Context<AppEnv>): Promise<Record<string, unknown> | undefined> {
  try {
    const body: unknown = await c.req.json();
    return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export const clientAccess = {
  /** The signed-in user themself. */
  self: (sql: Sql): ClientAccess => ({ sql, label: 'self', capability: 'sign_in', clientOf: async () => null, unscoped: true }),

  /** `/clients/{id}/…` */
  clientPath: (sql: Sql, capability: ClientCapability): ClientAccess => ({
    sql,
    label: capability,
    capability,
    clientOf: async (c) => positiveId(c.req.param('id')),
  }),

  /** A list filtered by `?clientId=`, which a client user must give. */
  clientQuery: (sql: Sql, capability: ClientCapability): ClientAccess => ({
    sql,
    label: capability,
    capability,
    clientOf: async (c) => positiveId(c.req.query('clientId')),
  }),

  /** `/subscriptions/{id}/…`: viewing, or managing (prepay and postpay subscriptions differ in a financial block). */
  subscriptionPath: (sql: Sql, what: 'view' | 'manage'): ClientAccess => {
    const load = async (c: Context<AppEnv>) => {
      const id = positiveId(c.req.param('id'));
      if (id === null) return undefined;
      const [sub] = await sql<Array<{ client_id: number; payment_model: string }>>`select client_id, payment_model from subscriptions where id = ${id}`;
      return sub;
    };
    return {
      sql,
      label: what === 'view' ? 'sign_in' : 'manage_prepay | manage_postpay',
      clientOf: async (c) => (await load(c))?.client_id ?? null,
      capability: what === 'view' ? 'sign_in' : async (c) => ((await load(c))?.payment_model === 'postpay' ? 'manage_postpay' : 'manage_prepay'),
    };
  },

  /** A record of a client, by its id in the path (`/orders/{id}`, `/payments/{id}`, `/acts/{id}/pdf`). */
  recordPath: (sql: Sql, table: 'orders' | 'payments' | 'acts'): ClientAccess => ({
    sql,
    label: 'sign_in',
    capability: 'sign_in',
    clientOf: async (c) => {
      const id = positiveId(c.req.param('id'));
      if (id === null) return null;
      const [row] = await sql<Array<{ client_id: number }>>`select client_id from ${sql(table)} where id = ${id}`;
      return row?.client_id ?? null;
    },
  }),

  /** `POST /orders`: a trial, a postpay or a prepaid purchase, by the plan period and payment model asked for. */
  newOrder: (sql: Sql): ClientAccess => ({
    sql,
    label: 'order_prepay | order_trial | order_postpay',
    clientOf: async (c) => positiveId((await jsonBody(c))?.clientId),
    capability: async (c, clientId) => {
      const body = await jsonBody(c);
      const [row] = await sql<Array<{ trial: boolean; default_model: string }>>`
        select pp.trial, r.default_payment_model as default_model
        from plan_periods pp, clients cl join service_rules r on r.id = cl.service_rule_id
        where pp.id = ${positiveId(body?.planPeriodId) ?? 0} and cl.id = ${clientId}`;
      if (row?.trial) return 'order_trial';
      return (body?.paymentModel ?? row?.default_model) === 'postpay' ? 'order_postpay' : 'order_prepay';
    },
  }),
};
