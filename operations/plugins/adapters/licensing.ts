import { type Sql } from '../../../db/client';
import { formatLicenseKey } from '../../../domain/licensing/codes';
import { PluginError, type OperationInput, type PluginCallContext, type PluginResult, type PluginStatus, type ProvisioningPlugin } from '../../../contracts/plugin-contract';
import { changeSubscriptionSeats } from '../../licensing/subscriptions/change-subscription-seats';
import { issueSubscriptionLicense } from '../../licensing/subscriptions/issue-subscription-license';
import { switchSubscriptionProduct } from '../../licensing/subscriptions/switch-subscription-product';
import { setSubscriptionLicenseStatus, type SetSubscriptionLicenseStatusInput } from '../../licensing/subscriptions/set-subscription-license-status';
import { findSubscriptionLicense, type SubscriptionLicense } from '../../licensing/subscriptions/subscription-license';

/**
 * The built-in `licensing` plugin (spec 04 §7.2): billing drives the license. A purchase on a plan whose service
 * template uses this plugin (settings `{ vendorPrefix, productCode }`) issues the client's key for that vendor (or
 * reuses it) with an entitlement for the subscription; stop suspends it, activate resumes it, delete revokes it
 * and its machine bindings, a `seats` resource change changes its seats, a plan switch to a plan of another
 * product (settings `planProducts: { <plan sku>: productCode }`) supersedes the license with one of that product. Every call is idempotent: `create`
 * remembers its idempotency key, the others set a state. The operations are in operations/licensing/subscriptions/;
 * this adapter maps the plugin contract onto them.
 *
 * Validity follows the subscription through these calls (the billing run stops and deletes what is not paid); the
 * per-entitlement expiry timer of spec 04 §7.3 is not built.
 */

const reference = (id: number) => `ent-${id}`;

/**
 * The product a plan sells. Plans switch only within one service template (a plan switch keeps the service), so
 * the template names a product per plan SKU when its plans sell different products (editions):
 * `{ vendorPrefix, productCode, planProducts?: { <plan sku>: productCode } }`; a plan not listed sells `productCode`.
 */
function settingsOf(ctx: PluginCallContext, planSku: string | null = ctx.subscription.planSku): { vendorPrefix: string; productCode: string } {
  const { vendorPrefix, productCode, planProducts } = ctx.settings as { vendorPrefix?: unknown; productCode?: unknown; planProducts?: unknown };
  if (typeof vendorPrefix !== 'string' || typeof productCode !== 'string') {
    throw new PluginError('permanent', 'the service template of a licensing plan needs settings { vendorPrefix, productCode }');
  }
  const mapped = planSku && planProducts && typeof planProducts === 'object' ? (planProducts as Record<string, unknown>)[planSku] : undefined;
  return { vendorPrefix, productCode: typeof mapped === 'string' ? mapped : productCode };
}

const seatsOf = (resources: Array<{ key: string; quantity: number }>, input: OperationInput): number => {
  const asked = (input.resources as Record<string, unknown> | undefined)?.seats;
  if (typeof asked === 'number' && Number.isInteger(asked) && asked >= 1) return asked;
  return Math.max(1, resources.find((r) => r.key === 'seats')?.quantity ?? 1);
};

const result = (row: SubscriptionLicense, state: string): PluginResult => ({
  vendorReference: reference(row.id),
  state,
  data: { licenseKey: formatLicenseKey(row.code), entitlementId: row.id, seats: row.seats },
});

export function createLicensingPlugin(sql: Sql): ProvisioningPlugin {
  async function requireLicense(ctx: PluginCallContext): Promise<SubscriptionLicense> {
    const row = await findSubscriptionLicense(sql, ctx.subscription.id);
    if (!row) throw new PluginError('permanent', `subscription ${ctx.subscription.id} has no license entitlement`, { code: 'PRODUCT_NOT_IN_KEY' });
    return row;
  }

  /** Moves the subscription's license to `status` (from any of `from`); repeating it changes nothing. */
  async function setStatus(ctx: PluginCallContext, status: SetSubscriptionLicenseStatusInput['status'], from: string[]): Promise<PluginResult> {
    const row = await requireLicense(ctx);
    await setSubscriptionLicenseStatus(sql, { entitlementId: row.id, status, from });
    return result({ ...row, status }, status);
  }

  return {
    name: 'licensing',

    async create(ctx, input) {
      const row = await issueSubscriptionLicense(sql, {
        ...settingsOf(ctx),
        subscriptionId: ctx.subscription.id,
        clientId: ctx.subscription.clientId,
        seats: seatsOf(ctx.subscription.resources, input),
        idempotencyKey: ctx.idempotencyKey,
        now: new Date(),
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
      const row = await requireLicense(ctx);
      const seats = seatsOf(ctx.subscription.resources, input);
      await changeSubscriptionSeats(sql, { entitlementId: row.id, seats });
      return result({ ...row, seats }, row.status);
    },

    // Spec 04 §7.2 changeProduct: the new plan's product supersedes the old one in the same key.
    async switchPlan(ctx, input) {
      const planSku = (input as { planSku?: unknown }).planSku;
      const product = settingsOf(ctx, typeof planSku === 'string' ? planSku : null);
      const row = await switchSubscriptionProduct(sql, { subscriptionId: ctx.subscription.id, ...product, idempotencyKey: ctx.idempotencyKey, now: new Date() });
      return result(row, row.status);
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
      const row = await findSubscriptionLicense(sql, ctx.subscription.id);
      return row ? { exists: true, ...result(row, row.status) } : { exists: false };
    },
  };
}
