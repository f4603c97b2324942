import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { PanelPaymentMethod } from '../domain/licensing/panel';

/**
 * The per-entitlement workflow (spec 04 §7.3): one long-lived `entitlementLifecycle` per license, id
 * `licensing-ent-<entitlementId>`. Staff operations on the license reach it as the `operate` update (one at a time:
 * a second one is refused with OPERATION_IN_PROGRESS, not queued, §4.1); whatever moves the license's valid-until
 * outside it tells it with the `expiryChanged` signal, so its timer (`active → expired` at `expiresAt`) and the
 * auto-renewal hand-off wait for the right moment.
 *
 * Times cross Temporal as ISO text. Every message carries the caller's "now" (`at`): business time comes from the
 * caller (the API injects its clock), so the workflow waits the time left on that clock, not an absolute date.
 */

export const entitlementLifecycleId = (entitlementId: number) => `licensing-ent-${entitlementId}`;

export interface EntitlementLifecycleInput {
  entitlementId: number;
  /** Carried over `continueAsNew`: the valid-until the timer waits for, and when (workflow time, ms) it fires. */
  armed?: ArmedExpiry | null;
  /** Operations run by earlier runs of this workflow id (history is cut by continueAsNew, the count goes on). */
  operations?: number;
}

/** The valid-until the workflow waits for and the workflow time (epoch ms) at which it is reached. */
export interface ArmedExpiry {
  expiresAt: string;
  deadline: number;
}

/** Who acts, for the event log (operations/event-log). */
type Actor = { actorId: number | null; actorKind?: 'client_user' };

/** The staff operations that run inside the workflow, each with the input of its operation (dates as ISO text). */
export type EntitlementOperation =
  | { kind: 'suspend' | 'resume'; input: { entitlementId: number } }
  | {
      kind: 'edit';
      input: {
        entitlementId: number;
        edit: {
          name?: string | null;
          boundIp?: string | null;
          /** Sealed by the API (never the password in clear: it would stay in the workflow's history). */
          sealedAdminPassword?: string | null;
          autoRenewMonths?: number | null;
          autoRenewPrice?: number | null;
          validUntil?: string;
          resetRegistrations?: boolean;
          regenerateKey?: boolean;
        };
        actor: Actor;
        now: string;
      };
    }
  | { kind: 'configure'; input: { entitlementId: number; features: Record<string, boolean | number>; actor: Actor } }
  | { kind: 'delete'; input: { entitlementId: number } }
  | { kind: 'extendSupport'; input: { entitlementId: number; months: number; now: string } }
  | { kind: 'resetRegistrations'; input: { entitlementId: number; regenerateKey: boolean } }
  | { kind: 'applyUpgrade'; input: { entitlementId: number; templateId: number; slot: number; now: string } }
  | { kind: 'changeSeats'; input: { entitlementId: number; seats: number; force: boolean; now: string } }
  | {
      kind: 'renew';
      input: { entitlementId: number; periodMonths: number; paymentMethod: PanelPaymentMethod; paymentId?: number | undefined; price: number; actor: Actor; now: string };
    }
  | { kind: 'requestMajorUpdate'; input: { entitlementId: number; targetMajor: number; now: string } }
  /** The transfer's secret is hashed by the API: only the hash enters the workflow's history. */
  | { kind: 'startTransfer'; input: { entitlementId: number; toPartnerPublicId: string; secretHash: string; actor: Actor; now: string } };

export type EntitlementOperationKind = EntitlementOperation['kind'];

/** What the update answers: the operation's own result (JSON), as the route shapes it. */
export type EntitlementOperationResult = unknown;

/** A staff operation on the license; the validator refuses it while another one runs (409 OPERATION_IN_PROGRESS). */
export const operateUpdate = defineUpdate<EntitlementOperationResult, [EntitlementOperation & { at: string }]>('operate');

/** The license's valid-until (or status) changed outside the workflow: re-read it and re-arm the timer. `at`: the caller's now. */
export const expiryChangedSignal = defineSignal<[{ at: string }]>('expiryChanged');

/** What the workflow waits for (tests and the operator read it). */
export interface EntitlementLifecycleState {
  entitlementId: number;
  /** The operation running now, if any (§1.2 `pendingOperation`). */
  running: EntitlementOperationKind | null;
  armed: ArmedExpiry | null;
  operations: number;
}
export const entitlementLifecycleStateQuery = defineQuery<EntitlementLifecycleState>('entitlementLifecycleState');

/** What the workflow's activities read of the license after any change. */
export interface EntitlementExpiry {
  status: string;
  expiresAt: string | null;
  /** Time left until `expiresAt` on the clock of the caller that reported the change (ms; ≤ 0: due). */
  msLeft: number | null;
}
