import { type Db, type Sql } from '../../../db/client';
import { formatLicenseKey, generateLicenseKey } from '../../../domain/licensing/codes';
import { legalFormOf, perpetualOrderRefusal, supportUntilAtPurchase, type ClientType } from '../../../domain/licensing/commercial';
import { PluginError, type OperationInput, type PluginCallContext, type PluginResult, type PluginStatus, type ProvisioningPlugin } from '../../../contracts/plugin-contract';

/**
 * The built-in `licensing` plugin (spec 04 §7.2): billing drives the licence. A purchase on a plan whose
 * service template uses this plugin (settings `{ vendorPrefix, productCode }`) issues the client's key for
 * that vendor (or reuses it) with an entitlement for the subscription; stop suspends it, activate resumes
 * it, delete revokes it and its machine bindings, a `seats` resource change changes its seats. Every call
 * is idempotent: `create` remembers its idempotency key, the others set a state.
 *
 * Validity follows the subscription through these calls (the billing run stops and deletes what is not
 * paid); the per-entitlement expiry timer of spec 04 §7.3 is not built.
 */
interface EntitlementRow {
  id: number;
  status: string;
  seats: number;
  code: string;
}

const reference = (id: number) => `ent-${id}`;

/**
 * Ends what uses licences (spec 04 §3.2, §3.5, §4.2, §7.2 delete): their active machine bindings and leases
 * are revoked. Returns the bindings it revoked, for callers that log each one.
 */
export async function revokeLicenceUse(
  tx: Db,
  entitlementIds: number[],
): Promise<Array<{ id: number; account_id: number; entitlement_id: number }>> {
  if (entitlementIds.length === 0) return [];
  const revoked = await tx<Array<{ id: number; account_id: number; entitlement_id: number }>>`
    update machine_bindings b set status = 'revoked', deactivated_at = now()
    from activation_accounts a
    where a.id = b.account_id and a.entitlement_id = any(${entitlementIds}::int[]) and b.status = 'active'
    returning b.id, b.account_id, a.entitlement_id`;
  await tx`update leases set status = 'revoked' where entitlement_id = any(${entitlementIds}::int[]) and status = 'active'`;
  return revoked;
}

function settingsOf(ctx: PluginCallContext): { vendorPrefix: string; productCode: string } {
  const { vendorPrefix, productCode } = ctx.settings as { vendorPrefix?: unknown; productCode?: unknown };
  if (typeof vendorPrefix !== 'string' || typeof productCode !== 'string') {
    throw new PluginError('permanent', 'the service template of a licensing plan needs settings { vendorPrefix, productCode }');
  }
  return { vendorPrefix, productCode };
}

const seatsOf = (resources: Array<{ key: string; quantity: number }>, input: OperationInput): number => {
  const asked = (input.resources as Record<string, unknown> | undefined)?.seats;
  if (typeof asked === 'number' && Number.isInteger(asked) && asked >= 1) return asked;
  return Math.max(1, resources.find((r) => r.key === 'seats')?.quantity ?? 1);
};

export function createLicensingPlugin(sql: Sql): ProvisioningPlugin {
  async function entitlementOf(tx: Db, ctx: PluginCallContext): Promise<EntitlementRow | undefined> {
    const [row] = await tx<EntitlementRow[]>`
      select e.id, e.status, e.seats, k.code from entitlements e join license_keys k on k.id = e.key_id
      where e.subscription_id = ${ctx.subscription.id} order by e.id desc limit 1`;
    return row;
  }

  async function requireEntitlement(ctx: PluginCallContext): Promise<EntitlementRow> {
    const row = await entitlementOf(sql, ctx);
    if (!row) throw new PluginError('permanent', `subscription ${ctx.subscription.id} has no licence entitlement`, { code: 'PRODUCT_NOT_IN_KEY' });
    return row;
  }

  const result = (row: EntitlementRow, state: string): PluginResult => ({
    vendorReference: reference(row.id),
    state,
    data: { licenseKey: formatLicenseKey(row.code), entitlementId: row.id, seats: row.seats },
  });

  /** Moves the subscription's entitlement to `status` (from any of `from`); repeating it changes nothing. */
  async function setStatus(ctx: PluginCallContext, status: 'active' | 'suspended' | 'deleted', from: string[]): Promise<PluginResult> {
    const row = await requireEntitlement(ctx);
    await sql.begin(async (tx) => {
      await tx`update entitlements set status = ${status}, updated_at = now() where id = ${row.id} and status = any(${from}::text[])`;
      if (status === 'deleted') await revokeLicenceUse(tx, [row.id]);
    });
    return result({ ...row, status }, status);
  }

  return {
    name: 'licensing',

    async create(ctx, input) {
      const { vendorPrefix, productCode } = settingsOf(ctx);
      const row = await sql.begin(async (tx) => {
        const [done] = await tx<EntitlementRow[]>`
          select e.id, e.status, e.seats, k.code from entitlements e join license_keys k on k.id = e.key_id where e.created_by = ${ctx.idempotencyKey}`;
        if (done) return done;
        const [product] = await tx<Array<{ id: number; vendor_id: number; term_type: 'term' | 'perpetual'; client_type: ClientType | null }>>`
          select p.id, p.vendor_id, p.term_type, (select client_type from clients where id = ${ctx.subscription.clientId}) as client_type
          from licensing_products p join licensing_vendors v on v.id = p.vendor_id
          where v.prefix = ${vendorPrefix} and p.code = ${productCode} and v.status = 'active'`;
        if (!product) throw new PluginError('permanent', `no licensing product ${vendorPrefix}/${productCode}`, { code: 'UNKNOWN_EXTERNAL_PRODUCT' });
        // Spec 04 §5.2: perpetual licences are sold to organisations only.
        const refusal = perpetualOrderRefusal({ termType: product.term_type, legalForm: legalFormOf({ clientType: product.client_type }) });
        if (refusal) throw new PluginError('permanent', refusal.message, { code: refusal.code });
        // One active key per client and vendor (spec 04 §1.2): lock the client so two purchases do not race.
        await tx`select id from clients where id = ${ctx.subscription.clientId} for no key update`;
        let [key] = await tx<Array<{ id: number; code: string }>>`
          select id, code from license_keys where client_id = ${ctx.subscription.clientId} and vendor_id = ${product.vendor_id} and status = 'active'`;
        if (!key) {
          [key] = await tx<Array<{ id: number; code: string }>>`
            insert into license_keys (vendor_id, code, client_id, created_via) values (${product.vendor_id}, ${generateLicenseKey(vendorPrefix)}, ${ctx.subscription.clientId}, 'billing')
            returning id, code`;
        }
        const at = new Date();
        const supportUntil = supportUntilAtPurchase({ termType: product.term_type, purchasedAt: at, expiresAt: null });
        const [created] = await tx<Array<{ id: number; status: string; seats: number }>>`
          insert into entitlements (key_id, product_id, subscription_id, seats, starts_at, support_until, update_anchor_at, created_by)
          values (${key!.id}, ${product.id}, ${ctx.subscription.id}, ${seatsOf(ctx.subscription.resources, input)}, ${at.toISOString()},
                  ${supportUntil?.toISOString() ?? null}, ${at.toISOString()}, ${ctx.idempotencyKey})
          returning id, status, seats`;
        return { ...created!, code: key!.code };
      });
      return result(row, 'active');
    },

    async renew(ctx) {
      return setStatus(ctx, 'active', ['active', 'expired']);
    },

    async prolong(ctx) {
      return setStatus(ctx, 'active', ['active', 'expired']);
    },

    async changeResources(ctx, input) {
      const row = await requireEntitlement(ctx);
      const seats = seatsOf(ctx.subscription.resources, input);
      await sql`update entitlements set seats = ${seats}, updated_at = now() where id = ${row.id}`;
      return result({ ...row, seats }, row.status);
    },

    async switchPlan() {
      throw new PluginError('permanent', 'switching the product of a licence is not supported yet (spec 04 §7.2 changeProduct)');
    },

    async stop(ctx) {
      return setStatus(ctx, 'suspended', ['active']);
    },

    async activate(ctx) {
      return setStatus(ctx, 'active', ['suspended']);
    },

    async delete(ctx) {
      return setStatus(ctx, 'deleted', ['active', 'suspended', 'expired']);
    },

    // Asked whether an operation took effect it cannot tell (`applied` stays undefined): its operations set a state,
    // so the caller sending one again changes nothing.
    async status(ctx): Promise<PluginStatus> {
      const row = await entitlementOf(sql, ctx);
      return row ? { exists: true, ...result(row, row.status) } : { exists: false };
    },
  };
}
