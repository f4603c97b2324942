import { createRoute, z } from '@hono/zod-openapi';
import type { TransactionSql } from 'postgres';
import { applyUpgrade, type LicenseLimits } from '../../domain/licensing/activation';
import { guard } from '../auth';
import { router, type ApiDeps } from '../deps';
import { AppError, notFound } from '../errors';
import { jsonBody, jsonResponses, looseObject, name } from '../schemas';

/** Largest id a Postgres `integer` holds: bigger ids are refused by validation, not by the database. */
const MAX_ID = 2_147_483_647;
const dbId = z.coerce.number().int().positive().max(MAX_ID);

const productParam = z.object({ id: dbId.openapi({ param: { name: 'id', in: 'path' } }) });
const entitlementParam = z.object({ id: dbId.openapi({ param: { name: 'id', in: 'path' } }) });

const upgradeTemplateInput = z
  .object({
    name,
    maxDayPeriod: z.number().int().min(1).max(36_500).optional().describe('days added to (or, without addToExisting, replacing) the licence period'),
    maxExec: z.number().int().min(1).max(1_000_000_000).optional().describe('executions added to (or replacing) the execution limit'),
    addToExisting: z.boolean().default(true).describe('must be true for products with managedExpiration or managedExecution (spec 04 §6.6)'),
  })
  .strict()
  .openapi('LicensingUpgradeTemplateInput');

const applyUpgradeInput = z
  .object({
    templateId: z.number().int().positive().max(MAX_ID),
    slot: z.number().int().min(1).max(100_000).default(1).describe('the activation account (seat) to upgrade'),
  })
  .strict()
  .openapi('LicensingApplyUpgradeInput');

const changeSeatsInput = z
  .object({
    seats: z.number().int().min(1).max(100_000),
    force: z.boolean().default(false).describe('fixed licences: revoke the most recently activated bindings above the new count'),
  })
  .strict()
  .openapi('LicensingChangeSeatsInput');

interface LockedEntitlement {
  id: number;
  status: string;
  seats: number;
  product_id: number;
  license_model: 'fixed' | 'floating';
  managed_expiration: boolean;
  managed_execution: boolean;
  master_license: { maxDayPeriod?: number | null; maxExec?: number | null } | null;
}

/** The entitlement row locked for a staff operation, with its product's licensing settings. */
async function lockEntitlement(tx: TransactionSql, id: number): Promise<LockedEntitlement> {
  const [row] = await tx<LockedEntitlement[]>`
    select e.id, e.status, e.seats, e.product_id, p.license_model, p.managed_expiration, p.managed_execution, p.master_license
    from entitlements e join licensing_products p on p.id = e.product_id where e.id = ${id} for update of e`;
  if (!row) throw notFound('entitlement', id);
  // §4.1: a running operation refuses others; deleted and superseded licences are history.
  if (row.status === 'in_progress') throw new AppError('OPERATION_IN_PROGRESS', 'an operation on this licence is running');
  if (row.status === 'deleted' || row.status === 'superseded') throw new AppError('entitlement_status', `the licence is ${row.status}`);
  return row;
}

const numberOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/**
 * Staff operations on licences (spec 04 §7.1 vendor/staff API, §7.2 plugin operations): upgrade templates of a
 * product, applying an upgrade to one activation account (§6.5 ManagedExpiration, §6.6 ManagedExecution), and
 * changing the seats of an entitlement (§7.2 changeSeats). Time comes from the injected clock (`deps.now`), so
 * upgrade times line up with the activation times of the public API under test.
 */
export function licensingEntitlementRoutes({ sql, now = () => new Date() }: ApiDeps) {
  const app = router();

  /**
   * An upgrade template (§1.2 UpgradeTemplate): deltas added to an account's licence. Products with
   * ManagedExpiration or ManagedExecution only take templates with `addToExisting` (§1.2, §6.6), otherwise
   * 422 `UPGRADE_TEMPLATE_INVALID`; a template must change at least one limit.
   */
  app.openapi(
    createRoute({
      method: 'post',
      path: '/licensing/products/{id}/upgrade-templates',
      tags: ['Licensing'],
      summary: 'An upgrade template of a licensing product: days and executions added to an activation account’s licence',
      ...guard('catalog', true),
      request: { params: productParam, ...jsonBody(upgradeTemplateInput) },
      responses: jsonResponses(201, looseObject, 'the upgrade template'),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const t = c.req.valid('json');
      const [product] = await sql<Array<{ id: number; managed_expiration: boolean; managed_execution: boolean }>>`
        select id, managed_expiration, managed_execution from licensing_products where id = ${id}`;
      if (!product) throw notFound('licensing product', id);
      if ((product.managed_expiration || product.managed_execution) && !t.addToExisting) {
        throw new AppError('UPGRADE_TEMPLATE_INVALID', 'a product with ManagedExpiration or ManagedExecution only takes upgrade templates with addToExisting (spec 04 §6.6)');
      }
      if (t.maxDayPeriod === undefined && t.maxExec === undefined) {
        throw new AppError('UPGRADE_TEMPLATE_INVALID', 'an upgrade template must change maxDayPeriod, maxExec or both');
      }
      const [row] = await sql`
        insert into upgrade_templates (product_id, name, max_day_period, max_exec, add_to_existing)
        values (${id}, ${t.name}, ${t.maxDayPeriod ?? null}, ${t.maxExec ?? null}, ${t.addToExisting})
        returning id, product_id as "productId", name, max_day_period as "maxDayPeriod", max_exec as "maxExec", add_to_existing as "addToExisting"`;
      return c.json(row!, 201);
    },
  );

  /**
   * Apply an upgrade to one activation account of a fixed licence (§6.5, §6.6, §7.2 applyUpgrade): the account's
   * custom licence is recomputed by `applyUpgrade`, `upgradeSeq` goes up, the next activation of the account is
   * allowed even with an exhausted MaxActivation (§6.2), and an UpgradeLog row is written. The account row of
   * the slot is created when the seat was never activated (an upgrade before any activation counts d = 0).
   */
  app.openapi(
    createRoute({
      method: 'post',
      path: '/licensing/entitlements/{id}/upgrades',
      tags: ['Licensing'],
      summary: 'Apply an upgrade template to one seat of a licence: a custom licence replaces the master licence for it',
      ...guard('catalog', true),
      request: { params: entitlementParam, ...jsonBody(applyUpgradeInput) },
      responses: jsonResponses(201, looseObject, 'the upgraded activation account'),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { templateId, slot } = c.req.valid('json');
      const at = now();
      const result = await sql.begin(async (tx) => {
        const ent = await lockEntitlement(tx, id);
        if (ent.license_model !== 'fixed') {
          throw new AppError('LICENSE_NOT_FIXED', 'upgrades change activation accounts; a floating licence has none (spec 04 §5.1)');
        }
        const [template] = await tx<Array<{ id: number; product_id: number; max_day_period: number | null; max_exec: number | null; add_to_existing: boolean }>>`
          select id, product_id, max_day_period, max_exec, add_to_existing from upgrade_templates where id = ${templateId}`;
        if (!template || template.product_id !== ent.product_id) {
          throw new AppError('invalid_reference', `upgrade template ${templateId} is not a template of this licence's product`);
        }
        if (slot > ent.seats) throw new AppError('invalid_value', `the licence has ${ent.seats} seats; there is no slot ${slot}`);
        await tx`insert into activation_accounts (entitlement_id, slot_no) values (${id}, ${slot}) on conflict (entitlement_id, slot_no) do nothing`;
        const [account] = await tx<Array<{ id: number; upgrade_seq: number; custom_license: LicenseLimits | null; last_upgrade_at: string | null; reactivation_allowed: boolean; first_activated_at: string | null }>>`
          select id, upgrade_seq, custom_license, last_upgrade_at, reactivation_allowed, first_activated_at
          from activation_accounts where entitlement_id = ${id} and slot_no = ${slot} for update`;
        const master = ent.master_license ?? {};
        const decision = applyUpgrade({
          product: {
            managedExpiration: ent.managed_expiration,
            managedExecution: ent.managed_execution,
            // The absolute end is the entitlement's, applied when a licence is issued (§6.1), not part of the template.
            masterLicense: { maxDayPeriod: numberOrNull(master.maxDayPeriod), maxExec: numberOrNull(master.maxExec), expiresAt: null },
          },
          account: {
            upgradeSeq: account!.upgrade_seq,
            customLicense: account!.custom_license ? { maxDayPeriod: numberOrNull(account!.custom_license.maxDayPeriod), maxExec: numberOrNull(account!.custom_license.maxExec), expiresAt: null } : null,
            lastUpgradeAt: account!.last_upgrade_at ? new Date(account!.last_upgrade_at) : null,
            reactivationAllowed: account!.reactivation_allowed,
            firstActivatedAt: account!.first_activated_at ? new Date(account!.first_activated_at) : null,
          },
          template: { maxDayPeriod: template.max_day_period, maxExec: template.max_exec, addToExisting: template.add_to_existing },
          now: at,
        });
        if (!decision.ok) throw new AppError(decision.errorCode, decision.reason);
        // Stored as plain limits with no absolute end: the activation route reads this JSON as the account's template.
        const customLicense = { maxDayPeriod: decision.customLicense.maxDayPeriod ?? null, maxExec: decision.customLicense.maxExec ?? null, expiresAt: null };
        await tx`
          update activation_accounts set upgrade_seq = ${decision.upgradeSeq}, custom_license = ${JSON.stringify(customLicense)}::jsonb,
                 last_upgrade_at = ${decision.lastUpgradeAt.toISOString()}, reactivation_allowed = ${decision.reactivationAllowed}, updated_at = now()
          where id = ${account!.id}`;
        const [log] = await tx<Array<{ id: string }>>`
          insert into upgrade_logs (entitlement_id, account_id, upgrade_seq, template_id, custom_license, at)
          values (${id}, ${account!.id}, ${decision.upgradeSeq}, ${template.id}, ${JSON.stringify(customLicense)}::jsonb, ${decision.lastUpgradeAt.toISOString()})
          returning id`;
        return {
          entitlementId: id,
          accountId: account!.id,
          slot,
          templateId: template.id,
          upgradeSeq: decision.upgradeSeq,
          customLicense,
          lastUpgradeAt: decision.lastUpgradeAt.toISOString(),
          reactivationAllowed: decision.reactivationAllowed,
          upgradeLogId: Number(log!.id),
        };
      });
      return c.json(result, 201);
    },
  );

  /**
   * Change the seats of a licence (§7.2 changeSeats). An increase takes effect at once (new activation accounts
   * are created by their first activation). A decrease of a fixed licence is refused with 409 `SEATS_IN_USE`
   * while more bindings are active than the new count, unless `force`: then the most recently activated
   * bindings above the count are revoked (logged `Revoked`). A floating licence simply changes: its leases above
   * the new count are refused at their next heartbeat (`SEATS_REDUCED`), newest first.
   */
  app.openapi(
    createRoute({
      method: 'post',
      path: '/licensing/entitlements/{id}/seats',
      tags: ['Licensing'],
      summary: 'Change the seats of a licence; a fixed licence with more active machines than the new count needs force',
      ...guard('catalog', true),
      request: { params: entitlementParam, ...jsonBody(changeSeatsInput) },
      responses: jsonResponses(200, looseObject, 'the licence with its seats and what the change revoked'),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { seats, force } = c.req.valid('json');
      const at = now();
      const result = await sql.begin(async (tx) => {
        const ent = await lockEntitlement(tx, id);
        let revokedBindingIds: number[] = [];
        let inUse: number;
        if (ent.license_model === 'fixed') {
          const active = await tx<Array<{ id: number; account_id: number }>>`
            select b.id, b.account_id from machine_bindings b join activation_accounts a on a.id = b.account_id
            where a.entitlement_id = ${id} and b.status = 'active'
            order by b.activated_at desc, b.id desc`;
          inUse = active.length;
          if (active.length > seats) {
            if (!force) {
              throw new AppError('SEATS_IN_USE', `${active.length} machines hold an active activation; deactivate some or use force to revoke the newest`, { activeBindings: active.length, seats });
            }
            const revoked = active.slice(0, active.length - seats);
            revokedBindingIds = revoked.map((b) => b.id);
            await tx`update machine_bindings set status = 'revoked', deactivated_at = ${at.toISOString()} where id = any(${revokedBindingIds}::int[])`;
            for (const b of revoked) {
              await tx`insert into activation_logs (entitlement_id, account_id, binding_id, action, at) values (${id}, ${b.account_id}, ${b.id}, 'Revoked', ${at.toISOString()})`;
            }
            inUse = seats;
          }
        } else {
          const [leases] = await tx<Array<{ n: number }>>`
            select count(*)::int as n from leases where entitlement_id = ${id} and status = 'active' and expires_at > ${at.toISOString()}`;
          inUse = leases!.n;
        }
        await tx`update entitlements set seats = ${seats}, updated_at = now() where id = ${id}`;
        return {
          id,
          licenseModel: ent.license_model,
          previousSeats: ent.seats,
          seats,
          inUse,
          revokedBindingIds,
          // Floating: the newest leases above the count, refused at their next heartbeat.
          ...(ent.license_model === 'floating' ? { leasesAboveSeats: Math.max(0, inUse - seats) } : {}),
        };
      });
      return c.json(result, 200);
    },
  );

  return app;
}
