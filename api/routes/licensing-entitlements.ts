import { createRoute, z } from '@hono/zod-openapi';
import { createUpgradeTemplate } from '../../operations/licensing/catalog/create-upgrade-template';
import type { AppliedUpgrade } from '../../operations/licensing/entitlements/apply-upgrade';
import type { SeatsChanged } from '../../operations/licensing/entitlements/change-seats';
import { guard } from '../auth';
import { router, type ApiDeps } from '../deps';
import { operateOnEntitlement } from '../entitlement-workflow';
import { jsonBody, jsonResponses, looseObject, name } from '../schemas';

/** Largest id a Postgres `integer` holds: bigger ids are refused by validation, not by the database. */
const MAX_ID = 2_147_483_647;
const dbId = z.coerce.number().int().positive().max(MAX_ID);

const productParam = z.object({ id: dbId.openapi({ param: { name: 'id', in: 'path' } }) });
const entitlementParam = z.object({ id: dbId.openapi({ param: { name: 'id', in: 'path' } }) });

const upgradeTemplateInput = z
  .object({
    name,
    maxDayPeriod: z.number().int().min(1).max(36_500).optional().describe('days added to (or, without addToExisting, replacing) the license period'),
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
    force: z.boolean().default(false).describe('fixed licenses: revoke the most recently activated bindings above the new count'),
  })
  .strict()
  .openapi('LicensingChangeSeatsInput');

/**
 * Staff operations on licenses (spec 04 §7.1 vendor/staff API, §7.2 plugin operations): upgrade templates of a
 * product, applying an upgrade to one activation account (§6.5 ManagedExpiration, §6.6 ManagedExecution), and
 * changing the seats of an entitlement (§7.2 changeSeats). Time comes from the injected clock (`deps.now`), so
 * upgrade times line up with the activation times of the public API under test.
 */
export function licensingEntitlementRoutes(deps: ApiDeps) {
  const { sql, now = () => new Date() } = deps;
  const app = router();

  /**
   * An upgrade template (§1.2 UpgradeTemplate): deltas added to an account's license. Products with
   * ManagedExpiration or ManagedExecution only take templates with `addToExisting` (§1.2, §6.6), otherwise
   * 422 `UPGRADE_TEMPLATE_INVALID`; a template must change at least one limit.
   */
  app.openapi(
    createRoute({
      method: 'post',
      path: '/licensing/products/{id}/upgrade-templates',
      tags: ['Licensing'],
      summary: 'An upgrade template of a licensing product: days and executions added to an activation account’s license',
      ...guard('catalog', true),
      request: { params: productParam, ...jsonBody(upgradeTemplateInput) },
      responses: jsonResponses(201, looseObject, 'the upgrade template'),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const row = await createUpgradeTemplate(sql, { ...c.req.valid('json'), productId: id });
      return c.json(row, 201);
    },
  );

  /**
   * Apply an upgrade to one activation account of a fixed license (§6.5, §6.6, §7.2 applyUpgrade): the account's
   * custom license is recomputed by `applyUpgrade`, `upgradeSeq` goes up, the next activation of the account is
   * allowed even with an exhausted MaxActivation (§6.2), and an UpgradeLog row is written. The account row of
   * the slot is created when the seat was never activated (an upgrade before any activation counts d = 0).
   */
  app.openapi(
    createRoute({
      method: 'post',
      path: '/licensing/entitlements/{id}/upgrades',
      tags: ['Licensing'],
      summary: 'Apply an upgrade template to one seat of a license: a custom license replaces the master license for it',
      ...guard('catalog', true),
      request: { params: entitlementParam, ...jsonBody(applyUpgradeInput) },
      responses: jsonResponses(201, looseObject, 'the upgraded activation account'),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { templateId, slot } = c.req.valid('json');
      const at = now();
      const result = await operateOnEntitlement<AppliedUpgrade>(deps, { kind: 'applyUpgrade', input: { entitlementId: id, templateId, slot, now: at.toISOString() } }, at);
      return c.json(result, 201);
    },
  );

  /**
   * Change the seats of a license (§7.2 changeSeats). An increase takes effect at once (new activation accounts
   * are created by their first activation). A decrease of a fixed license is refused with 409 `SEATS_IN_USE`
   * while more bindings are active than the new count, unless `force`: then the most recently activated
   * bindings above the count are revoked (logged `Revoked`). A floating license simply changes: its leases above
   * the new count are refused at their next heartbeat (`SEATS_REDUCED`), newest first.
   */
  app.openapi(
    createRoute({
      method: 'post',
      path: '/licensing/entitlements/{id}/seats',
      tags: ['Licensing'],
      summary: 'Change the seats of a license; a fixed license with more active machines than the new count needs force',
      ...guard('catalog', true),
      request: { params: entitlementParam, ...jsonBody(changeSeatsInput) },
      responses: jsonResponses(200, looseObject, 'the license with its seats and what the change revoked'),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { seats, force } = c.req.valid('json');
      const at = now();
      const result = await operateOnEntitlement<SeatsChanged>(deps, { kind: 'changeSeats', input: { entitlementId: id, seats, force, now: at.toISOString() } }, at);
      return c.json(result, 200);
    },
  );

  return app;
}
