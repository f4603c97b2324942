import { ApplicationFailure } from '@temporalio/common';
import type { EntitlementExpiry, EntitlementOperation } from '../contracts/entitlement-lifecycle';
import type { Sql } from '../db/client';
import { applyEntitlementUpgrade } from '../operations/licensing/entitlements/apply-upgrade';
import { changeSeats } from '../operations/licensing/entitlements/change-seats';
import { configureEntitlement } from '../operations/licensing/entitlements/configure-entitlement';
import { deleteEntitlement } from '../operations/licensing/entitlements/delete-entitlement';
import { editEntitlement } from '../operations/licensing/entitlements/edit-entitlement';
import { expireEntitlementAtExpiry, readEntitlementExpiry } from '../operations/licensing/entitlements/entitlement-expiry';
import { extendEntitlementSupport } from '../operations/licensing/entitlements/extend-support';
import { handOffAutoRenewal } from '../operations/licensing/entitlements/hand-off-auto-renewal';
import { renewEntitlement } from '../operations/licensing/entitlements/renew-entitlement';
import { resetRegistrations } from '../operations/licensing/entitlements/reset-registrations';
import { setEntitlementStatus } from '../operations/licensing/entitlements/set-entitlement-status';
import { requestMajorUpdate } from '../operations/licensing/major-updates/request-major-update';
import { startTransfer } from '../operations/licensing/transfers/start-transfer';

/**
 * The entitlement workflow's activities (spec 04 §7.3): thin callers of the licensing operations. A refusal
 * (AppError) becomes a final failure of its code on the worker (activities/failures.ts), which the workflow hands
 * back as the update's failure and the API answers with the same status and code as before the workflow existed.
 */
export function createEntitlementLifecycleActivities({ sql, now }: { sql: Sql; now: () => Date }) {
  return {
    /** One staff operation on the license, then the license's expiry as it left it (`at`: the request's clock). */
    async runEntitlementOperation(op: EntitlementOperation & { at: string }): Promise<{ result: unknown; expiry: EntitlementExpiry }> {
      const result = await runOperation(sql, op).catch(refuseBadData);
      const expiry = await readEntitlementExpiry(sql, { entitlementId: op.input.entitlementId, at: new Date(op.at) });
      return { result: result ?? null, expiry };
    },

    /** The license's expiry after a change reported by the `expiryChanged` signal, measured on the reporter's clock. */
    async readEntitlementExpiry({ entitlementId, at }: { entitlementId: number; at: string }): Promise<EntitlementExpiry> {
      return readEntitlementExpiry(sql, { entitlementId, at: new Date(at) });
    },

    /** The auto-renewal hand-off at `expiresAt` (idempotent per license and valid-until). */
    async handOffAutoRenewal({ entitlementId, expiresAt }: { entitlementId: number; expiresAt: string }) {
      return handOffAutoRenewal(sql, { entitlementId, expiresAt });
    },

    /** `active → expired` if the license is still due at `expiresAt` (idempotent). */
    async expireEntitlement({ entitlementId, expiresAt }: { entitlementId: number; expiresAt: string }) {
      return expireEntitlementAtExpiry(sql, { entitlementId, expiresAt, now: now() });
    },
  };
}

export type EntitlementLifecycleActivities = ReturnType<typeof createEntitlementLifecycleActivities>;

const date = (iso: string) => new Date(iso);

/**
 * A PostgreSQL data exception or constraint violation (SQLSTATE class 22 or 23: a value out of range, a unique key
 * taken) answers the same on every retry: a final failure of type `database_refusal` carrying the SQLSTATE, which the
 * API answers as it answers that error anywhere else (api/errors.ts). Anything else is retried.
 */
function refuseBadData(err: unknown): never {
  const pg = err as { code?: unknown; detail?: unknown } | null;
  if (pg && typeof pg.code === 'string' && /^2[23]/.test(pg.code)) {
    throw ApplicationFailure.create({ type: 'database_refusal', message: 'the database refused the values', nonRetryable: true, details: [{ code: pg.code, detail: typeof pg.detail === 'string' ? pg.detail : undefined }] });
  }
  throw err;
}

/** The operation of each kind, with the input it was sent (dates back from ISO text). */
async function runOperation(sql: Sql, op: EntitlementOperation): Promise<unknown> {
  switch (op.kind) {
    case 'suspend':
    case 'resume':
      return setEntitlementStatus(sql, { entitlementId: op.input.entitlementId, change: op.kind });
    case 'edit': {
      const { validUntil, ...edit } = op.input.edit;
      return editEntitlement(sql, { ...op.input, edit: { ...edit, ...(validUntil === undefined ? {} : { validUntil: date(validUntil) }) }, secretBox: undefined, now: date(op.input.now) });
    }
    case 'configure':
      return configureEntitlement(sql, op.input);
    case 'delete':
      return deleteEntitlement(sql, op.input);
    case 'extendSupport':
      return extendEntitlementSupport(sql, { ...op.input, now: date(op.input.now) });
    case 'resetRegistrations':
      return resetRegistrations(sql, op.input);
    case 'applyUpgrade':
      return applyEntitlementUpgrade(sql, { ...op.input, now: date(op.input.now) });
    case 'changeSeats':
      return changeSeats(sql, { ...op.input, now: date(op.input.now) });
    case 'renew':
      return renewEntitlement(sql, { ...op.input, now: date(op.input.now) });
    case 'requestMajorUpdate':
      return requestMajorUpdate(sql, { ...op.input, now: date(op.input.now) });
    case 'startTransfer': {
      const started = await startTransfer(sql, { ...op.input, now: date(op.input.now) });
      // The hash stays in the database, out of the workflow's history.
      const { secret_hash: _hash, ...transfer } = started.transfer;
      return { ...started, transfer };
    }
  }
}
