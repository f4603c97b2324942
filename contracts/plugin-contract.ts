/**
 * The provisioning plugin contract. Every plugin (http-vendor, manual, licensing, ...) implements it;
 * activities call plugins only through it, so nothing else in the platform knows a vendor's API.
 *
 * Every call carries an idempotency key (`<workflowId>/<stepPath>`). A plugin MUST honour it: calling
 * the same operation twice with the same key has the effect of calling it once.
 */

export { pluginOperations, type PluginOperation } from '../domain/plugin-operations';
import type { PluginOperation } from '../domain/plugin-operations';

/** What the plugin knows about the subscription it acts on. */
export interface PluginSubscription {
  id: number;
  clientId: number;
  planId: number;
  planSku: string | null;
  name: string;
  /** The vendor's id for the resource, once `create` has returned one. */
  vendorReference: string | null;
  startDate: string | null;
  expirationDate: string | null;
  resources: Array<{ key: string; quantity: number }>;
}

export interface PluginCallContext {
  /** `<workflowId>/<stepPath>`; the same for every attempt and every retry decision of one step. */
  idempotencyKey: string;
  /** The service template's settings for this plugin (base URL, secrets, timeouts, ...). */
  settings: Record<string, unknown>;
  subscription: PluginSubscription;
  /** Aborted when the activity is cancelled or its worker shuts down. */
  signal?: AbortSignal;
}

export interface PluginResult {
  /** The vendor's id of the resource (returned by `create`, echoed by others). */
  vendorReference?: string;
  /** A short state word from the vendor, e.g. `active`, `suspended`. */
  state?: string;
  /** Anything else worth keeping on the step's output. Must not contain secrets. */
  data?: Record<string, unknown>;
  /** A bounded excerpt of the vendor's raw answer, for the task log. */
  responseExcerpt?: string;
}

export interface PluginStatus extends PluginResult {
  /** Whether the vendor holds a resource for this subscription (or for this idempotency key). */
  exists: boolean;
  /**
   * Asked with an operation (`PluginStatusQuery`): whether that operation, sent under the context's idempotency
   * key, already took effect. Undefined when the plugin cannot tell: the caller then sends the operation again and
   * relies on the plugin honouring the key.
   */
  applied?: boolean;
}

/** The operations whose lost answer `status` can reconcile (`create` is reconciled by the resource it made). */
export type ReconcilableOperation = Exclude<PluginOperation, 'create' | 'status'>;

export interface PluginStatusQuery {
  /**
   * Reconciliation before an operation is sent again: did `operation`, sent under `ctx.idempotencyKey`, take effect?
   * Without it, `status` describes the subscription's resource (by reference, else by the create's key).
   */
  operation?: ReconcilableOperation;
}

export type OperationInput = Record<string, unknown>;

/** Pay-as-you-go (external): where a usage pull stands (`null`: from the start) and how many records a page may hold. */
export interface UsageQuery {
  cursor: string | null;
  limit: number;
}

/** One page of a subscription's usage at the vendor, in the shape of `POST /usage-records` records (without the subscription). */
export interface UsagePage {
  records: Array<{ recordId: string; resource: string; quantity: number | string; usedAt: string; periodDays?: number; unitPrice?: number | string }>;
  /** Where the next page starts (kept by the platform, so a pull resumes there after any crash). */
  nextCursor: string;
  /** Whether more records follow now; false: the next pull asks again later from `nextCursor`. */
  hasMore: boolean;
}

export interface ProvisioningPlugin {
  readonly name: string;
  /**
   * Who performs the operations: the vendor's system, which the plugin calls (the default), or people. A
   * plugin performed by people is never called to act: the scenario opens the manual operation of each
   * operation (`install_application`, `renew_application`, ...) and takes a person's approval, with what they
   * report (`{ vendorReference }`), as the plugin's result (domain/application-operations.ts).
   */
  readonly performedBy?: 'vendor' | 'people';
  create(ctx: PluginCallContext, input: OperationInput): Promise<PluginResult>;
  renew(ctx: PluginCallContext, input: OperationInput): Promise<PluginResult>;
  prolong(ctx: PluginCallContext, input: OperationInput): Promise<PluginResult>;
  changeResources(ctx: PluginCallContext, input: OperationInput): Promise<PluginResult>;
  switchPlan(ctx: PluginCallContext, input: OperationInput): Promise<PluginResult>;
  stop(ctx: PluginCallContext, input: OperationInput): Promise<PluginResult>;
  activate(ctx: PluginCallContext, input: OperationInput): Promise<PluginResult>;
  delete(ctx: PluginCallContext, input: OperationInput): Promise<PluginResult>;
  status(ctx: PluginCallContext, query?: PluginStatusQuery): Promise<PluginStatus>;
  /**
   * The `usage` operation (issue 20): a page of the subscription's usage records after `query.cursor`. Read-only at
   * the vendor, so it needs no reconciliation; a page read twice brings the same record ids, which the ingestion
   * answers as duplicates. Plugins of vendors that report no usage leave it out.
   */
  usage?(ctx: PluginCallContext, query: UsageQuery): Promise<UsagePage>;
}

/**
 * How a failure should be treated:
 * - `transient`: try again by itself (timeouts, 5xx, connection refused);
 * - `permanent`: retrying the same input cannot help, a person must decide (4xx, validation);
 * - `unknown_outcome`: the vendor may have acted (connection dropped after sending); reconcile through
 *   `status` before acting again. Retried like transient, because the idempotency key makes it safe.
 */
export type PluginErrorClass = 'transient' | 'permanent' | 'unknown_outcome';

export class PluginError extends Error {
  override readonly name = 'PluginError';
  constructor(
    readonly errorClass: PluginErrorClass,
    message: string,
    readonly details: { httpStatus?: number; responseExcerpt?: string; code?: string } = {},
  ) {
    super(message);
  }
}

/** Maps an operation name of the contract to the method that performs it. */
export function invokePlugin(
  plugin: ProvisioningPlugin,
  operation: PluginOperation,
  ctx: PluginCallContext,
  input: OperationInput,
): Promise<PluginResult | PluginStatus> {
  switch (operation) {
    case 'create':
      return plugin.create(ctx, input);
    case 'renew':
      return plugin.renew(ctx, input);
    case 'prolong':
      return plugin.prolong(ctx, input);
    case 'change_resources':
      return plugin.changeResources(ctx, input);
    case 'switch_plan':
      return plugin.switchPlan(ctx, input);
    case 'stop':
      return plugin.stop(ctx, input);
    case 'activate':
      return plugin.activate(ctx, input);
    case 'delete':
      return plugin.delete(ctx, input);
    case 'status':
      return plugin.status(ctx);
  }
}

/** Keeps vendor answers short enough for the task log. */
export function excerpt(text: string, max = 2000): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}
