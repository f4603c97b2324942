// Activation-server decisions of the licensing plugin (spec 04 §6): hardware signatures and the seven
// activation policies (§6.3), activation accounts and MaxActivation (§6.2), the limits of the license issued
// on activation (§6.1, §6.4 transfer state, §6.5 ManagedExpiration, §6.6 ManagedExecution), upgrades, and the
// ActivationLog action of every attempt (§6.7). Refusals carry the §7.4 error codes.
//
// Pure: no database, no I/O, no clock reads. The caller passes `now` and persists what a decision says
// (new binding, replaced bindings, account update, log row). `node:crypto` is used for the machine id, so
// Temporal workflow code must not import this module (activities and the API may).
//
// Choices the spec leaves open are marked "Choice:" in the doc comments; the main ones:
// - Check order of one activation request: missing signatures (400) → entitlement status → bound IP →
//   account selection (per account: policy → same-machine re-issue → MaxActivation → seats) → period left.
// - Re-activation on the machine that holds the account's active binding, when nothing changed since that
//   activation, is a re-issue: same limits, no new activation counted (outcome `reissued`, §6.2 account
//   selection step 1). An upgrade since, a run-out document or a pending transfer state make it a counted one.
// - An upgrade's state (`customLicense`, `upgradeSeq`, `lastUpgradeAt`, `reactivationAllowed`) is read from the
//   account (§6.1, §6.2, §6.5 speak of "the account's"); a store that keeps it on the entitlement (§1.2)
//   passes the same values for each of its accounts.

// The one exception in domain/: SHA-256 of the machine's fingerprint (machineIdOf) is a deterministic function of its
// input, so the rule stays pure; a JavaScript copy of SHA-256 would only add code to trust. Nothing random is drawn here.
// eslint-disable-next-line no-restricted-imports
import { createHash } from 'node:crypto';

const MS_PER_DAY = 86_400_000;

// ---------------------------------------------------------------------------------------------------------
// Hardware signatures (§1.2 MachineBinding, §6.3)
// ---------------------------------------------------------------------------------------------------------

/** The four hardware signature components a protected application can collect (§6.3). */
export const SIGNATURE_COMPONENTS = ['hdd', 'cpu', 'bios', 'ethernet'] as const;
export type SignatureComponent = (typeof SIGNATURE_COMPONENTS)[number];

/** The signatures a client presents; a component that is absent or blank was not collected. */
export interface HardwareSignatures {
  hdd?: string;
  cpu?: string;
  bios?: string;
  ethernet?: string;
}

/**
 * The comparable form of a signature set: values trimmed and upper-cased (hex digests and MAC addresses are
 * case-insensitive), blank values dropped, and components outside `components` (the product's
 * `signatureComponents`, §1.2; default all four) dropped.
 */
export function normalizeSignatures(
  signatures: HardwareSignatures,
  components: readonly SignatureComponent[] = SIGNATURE_COMPONENTS,
): HardwareSignatures {
  const out: HardwareSignatures = {};
  for (const component of SIGNATURE_COMPONENTS) {
    if (!components.includes(component)) continue;
    const value = signatures[component]?.trim().toUpperCase();
    if (value) out[component] = value;
  }
  return out;
}

/**
 * The machine id of a binding (§1.2): SHA-256 hex of the normalized signature set, serialized as JSON pairs in
 * the fixed component order, so neither key order nor case nor surrounding blanks change it. Choice: a request
 * without any signature (possible under the AcceptAll policies) gets the id of the empty set, so all such
 * clients count as one machine.
 */
export function machineIdOf(
  signatures: HardwareSignatures,
  components: readonly SignatureComponent[] = SIGNATURE_COMPONENTS,
): string {
  const normalized = normalizeSignatures(signatures, components);
  const pairs = SIGNATURE_COMPONENTS.filter((c) => normalized[c] !== undefined).map((c) => [c, normalized[c]]);
  return createHash('sha256').update(JSON.stringify(pairs), 'utf8').digest('hex');
}

// ---------------------------------------------------------------------------------------------------------
// Activation policies (§6.3)
// ---------------------------------------------------------------------------------------------------------

/** The seven activation policies of §6.3; `AcceptAllSingleMachine` is the default. */
export const ACTIVATION_POLICIES = [
  'AcceptAllSingleMachine',
  'Low',
  'Medium',
  'MediumHigh',
  'High',
  'SecureEvaluation',
  'AcceptAllMultipleMachines',
] as const;
export type ActivationPolicy = (typeof ACTIVATION_POLICIES)[number];

/**
 * How a policy judges a subsequent activation (§6.3 table): `always`; `anyTermMatches` = accepted when every
 * component of at least one term matches (a term list is an OR of ANDs); `someComponentDiffers` = accepted
 * when at least one component does not match (the request must come from another computer).
 */
type PolicyRule =
  | { kind: 'always' }
  | { kind: 'anyTermMatches'; terms: readonly (readonly SignatureComponent[])[] }
  | { kind: 'someComponentDiffers' };

const POLICY_RULES: Record<ActivationPolicy, PolicyRule> = {
  AcceptAllSingleMachine: { kind: 'always' },
  Low: { kind: 'anyTermMatches', terms: [['hdd'], ['cpu'], ['bios'], ['ethernet']] },
  Medium: { kind: 'anyTermMatches', terms: [['hdd'], ['cpu', 'bios', 'ethernet']] },
  MediumHigh: { kind: 'anyTermMatches', terms: [['cpu', 'bios', 'ethernet']] },
  High: { kind: 'anyTermMatches', terms: [['hdd', 'cpu', 'bios', 'ethernet']] },
  SecureEvaluation: { kind: 'someComponentDiffers' },
  AcceptAllMultipleMachines: { kind: 'always' },
};

/** True for the policies that keep license state between activations (§6.3 table: all but multiple machines). */
export function keepsLicenseState(policy: ActivationPolicy): boolean {
  return policy !== 'AcceptAllMultipleMachines';
}

/** True for the policies that compare hardware and so need every declared component (§6.3: all but AcceptAll). */
export function requiresSignatures(policy: ActivationPolicy): boolean {
  return policy !== 'AcceptAllSingleMachine' && policy !== 'AcceptAllMultipleMachines';
}

/** The declared components the request lacks, when the policy requires them (§6.3, `SIGNATURES_REQUIRED`). */
export function missingSignatures(
  policy: ActivationPolicy,
  presented: HardwareSignatures,
  components: readonly SignatureComponent[] = SIGNATURE_COMPONENTS,
): SignatureComponent[] {
  if (!requiresSignatures(policy)) return [];
  const normalized = normalizeSignatures(presented, components);
  return components.filter((c) => normalized[c] === undefined);
}

export type PolicyErrorCode = 'SIGNATURES_REQUIRED' | 'HARDWARE_MISMATCH' | 'SAME_MACHINE_NOT_ALLOWED';

export interface PolicyMatch {
  match: boolean;
  /** Plain-English reason of a refusal. */
  reason?: string;
  /** The §7.4 code of a refusal. */
  errorCode?: PolicyErrorCode;
}

/** A component matches when both values are present and equal (§6.3); inputs must be normalized. */
function componentMatches(reference: HardwareSignatures, presented: HardwareSignatures, c: SignatureComponent): boolean {
  return reference[c] !== undefined && reference[c] === presented[c];
}

/**
 * Whether a subsequent activation presenting `presented` is accepted against the account's previous activation
 * `reference` (§6.3 table). Only `components` (the product's declared ones) take part: undeclared components
 * are dropped from the AND-terms and OR-terms, and a term left empty is dropped. Every policy except AcceptAll
 * first requires all declared components (`SIGNATURES_REQUIRED`).
 * Choice: when no term is left (e.g. MediumHigh with only `hdd` declared) nothing can be compared and the
 * activation is refused (fail closed); likewise SecureEvaluation with nothing declared.
 * The first activation of an account is never checked; callers do not call this for it.
 */
export function matchesPolicy(
  policy: ActivationPolicy,
  reference: HardwareSignatures,
  presented: HardwareSignatures,
  components: readonly SignatureComponent[] = SIGNATURE_COMPONENTS,
): PolicyMatch {
  const missing = missingSignatures(policy, presented, components);
  if (missing.length > 0) {
    return { match: false, errorCode: 'SIGNATURES_REQUIRED', reason: `${policy}: request lacks ${missing.join(', ')}` };
  }
  const ref = normalizeSignatures(reference, components);
  const req = normalizeSignatures(presented, components);
  const rule = POLICY_RULES[policy];
  if (rule.kind === 'always') return { match: true };
  if (rule.kind === 'someComponentDiffers') {
    if (components.some((c) => !componentMatches(ref, req, c))) return { match: true };
    return { match: false, errorCode: 'SAME_MACHINE_NOT_ALLOWED', reason: `${policy}: no component differs from the previous activation` };
  }
  const terms = rule.terms.map((t) => t.filter((c) => components.includes(c))).filter((t) => t.length > 0);
  if (terms.some((t) => t.every((c) => componentMatches(ref, req, c)))) return { match: true };
  const differing = components.filter((c) => !componentMatches(ref, req, c));
  const reason =
    terms.length === 0
      ? `${policy}: no declared component to compare`
      : `${policy}: ${differing.join(', ')} differ from the previous activation`;
  return { match: false, errorCode: 'HARDWARE_MISMATCH', reason };
}

// ---------------------------------------------------------------------------------------------------------
// License limits, ManagedExpiration (§6.5) and ManagedExecution (§6.6)
// ---------------------------------------------------------------------------------------------------------

/** The limits of a license template (§6.1): master license, custom license or upgrade template. null = no limit. */
export interface LicenseLimits {
  maxDayPeriod?: number | null;
  expiresAt?: Date | null;
  maxExec?: number | null;
}

/** The client's execution-counter instruction (§6.6): `reset` = set to 0, `none` = leave it, n = set to n. */
export type InitExec = 'reset' | 'none' | number;

/** What an issued license document carries (§1.2 MachineBinding.issued, §6.5, §6.6). null = not limited / no instruction. */
export interface IssuedLimits {
  maxDayPeriod: number | null;
  expiresAt: Date | null;
  maxExec: number | null;
  initExec: InitExec | null;
}

/** `d(x)` of §6.5: whole days (86 400 s) from `from` to `now`. Choice: never negative (clock skew counts as 0). */
export function wholeDaysSince(from: Date, now: Date): number {
  return Math.max(0, Math.floor((now.getTime() - from.getTime()) / MS_PER_DAY));
}

function addDays(at: Date, days: number): Date {
  return new Date(at.getTime() + days * MS_PER_DAY);
}

function earliest(...dates: (Date | null | undefined)[]): Date | null {
  let result: Date | null = null;
  for (const d of dates) if (d && (result === null || d.getTime() < result.getTime())) result = d;
  return result;
}

export interface ManagedExpirationInput {
  /** `P`: the master license's maxDayPeriod. */
  masterDays: number;
  /** `tA`: the account's first-ever activation; null when this is that activation. */
  firstActivatedAt: Date | null;
  /** The custom license's maxDayPeriod and the time of the latest upgrade `uk`; null before any upgrade. */
  latestUpgrade: { custDays: number; at: Date } | null;
  now: Date;
}

/**
 * Days a ManagedExpiration activation issues (§6.5): `P − d(tA)` before any upgrade (so `P` at the first
 * activation), `cust − d(uk)` after upgrade k; never below 0. Example: P = 30 → 30, 20 at t0 + 10 d, 12 at t0 + 18 d.
 */
export function managedExpiration(i: ManagedExpirationInput): number {
  if (i.latestUpgrade) return Math.max(0, i.latestUpgrade.custDays - wholeDaysSince(i.latestUpgrade.at, i.now));
  return Math.max(0, i.masterDays - wholeDaysSince(i.firstActivatedAt ?? i.now, i.now));
}

/**
 * The custom license's maxDayPeriod after an upgrade adding `addDays` under ManagedExpiration (§6.5):
 * first upgrade `P − d(tA) + U1`, next ones `cust_prev − d(u(k−1)) + Uk`, `d` taken at the upgrade; an upgrade
 * before any activation uses d = 0. Choice: the remaining part is floored at 0 before adding, so an upgrade of
 * an exhausted period gives exactly the added days.
 */
export function managedExpirationUpgrade(i: ManagedExpirationInput & { addDays: number }): number {
  return managedExpiration(i) + i.addDays;
}

/** Which §6.6 row an activation falls under. */
export type ExecutionEvent = 'first' | 'replacement' | 'afterUpgrade';

export interface ManagedExecutionInput {
  event: ExecutionEvent;
  /** The template's maxExec: the master's, or the custom license's after an upgrade. */
  maxExec: number;
  /** execCount of the account's saved transfer state, if one is consumed. */
  savedExecCount?: number | null;
  /** execCount the client reported in the activation request. */
  reportedExecCount?: number | null;
}

/**
 * The execution limit and counter instruction of a ManagedExecution activation (§6.6): first activation →
 * `reset`; replacement → `none` (a new machine starts at 0 anyway); after an upgrade → `maxExec = cust.maxExec`,
 * `initExec` = the client's execCount (saved transfer state, else reported, else 0). Example: 150 with 40 used → initExec 40.
 */
export function managedExecution(i: ManagedExecutionInput): { maxExec: number; initExec: InitExec } {
  switch (i.event) {
    case 'first':
      return { maxExec: i.maxExec, initExec: 'reset' };
    case 'replacement':
      return { maxExec: i.maxExec, initExec: 'none' };
    case 'afterUpgrade':
      return { maxExec: i.maxExec, initExec: i.savedExecCount ?? i.reportedExecCount ?? 0 };
  }
}

/** The custom license's maxExec after an upgrade (§6.6): previous custom (or master) maxExec + the template's. */
export function managedExecutionUpgrade(previousMaxExec: number, addExec: number): number {
  return previousMaxExec + addExec;
}

// ---------------------------------------------------------------------------------------------------------
// Upgrades (§6.5, §6.6 upgrade rows and rules)
// ---------------------------------------------------------------------------------------------------------

/** The limit part of an UpgradeTemplate (§1.2): deltas (or replacements when `addToExisting` is false). */
export interface UpgradeTemplateLimits {
  maxDayPeriod?: number | null;
  maxExec?: number | null;
  addToExisting: boolean;
}

/** The account's upgrade state (§1.2 customLicense, upgradeSeq, reactivationAllowed; UpgradeLog times). */
export interface UpgradeState {
  upgradeSeq: number;
  customLicense: LicenseLimits | null;
  /** Time of the latest UpgradeLog row (`uk`); null before any upgrade. */
  lastUpgradeAt: Date | null;
  reactivationAllowed: boolean;
}

export interface UpgradeInput {
  product: Pick<ActivationProduct, 'managedExpiration' | 'managedExecution' | 'masterLicense'>;
  account: UpgradeState & { firstActivatedAt: Date | null };
  template: UpgradeTemplateLimits;
  now: Date;
}

export type UpgradeDecision =
  | { ok: true; customLicense: LicenseLimits; upgradeSeq: number; lastUpgradeAt: Date; reactivationAllowed: true }
  | { ok: false; errorCode: 'UPGRADE_TEMPLATE_INVALID'; reason: string };

/**
 * The custom license's period and the time it counts from (`uk`, §6.5), or null when there is no custom period.
 * Choice: a custom license without an upgrade time (not made by an upgrade) counts from now (d = 0).
 */
function latestUpgradeOf(account: UpgradeState, now: Date): { custDays: number; at: Date } | null {
  const custDays = account.customLicense?.maxDayPeriod;
  if (custDays === null || custDays === undefined) return null;
  return { custDays, at: account.lastUpgradeAt ?? now };
}

/** A limit plus or instead of a delta. Choice: an unlimited (null) base stays unlimited when adding. */
function combineLimit(base: number | null | undefined, delta: number | null | undefined, add: boolean): number | null {
  if (delta === null || delta === undefined) return base ?? null;
  if (!add) return delta;
  return base === null || base === undefined ? null : base + delta;
}

/**
 * Apply an upgrade template to an account (§6.5 / §6.6 upgrade rows): builds the new custom license, increments
 * `upgradeSeq` and sets `reactivationAllowed` (§6.2). With ManagedExpiration or ManagedExecution on, the template
 * must have `addToExisting` (`UPGRADE_TEMPLATE_INVALID` otherwise); the custom license itself never adds.
 */
export function applyUpgrade(i: UpgradeInput): UpgradeDecision {
  const managed = i.product.managedExpiration || i.product.managedExecution;
  if (managed && !i.template.addToExisting) {
    return { ok: false, errorCode: 'UPGRADE_TEMPLATE_INVALID', reason: 'managed products need upgrade templates with addToExisting' };
  }
  const base = i.account.customLicense ?? i.product.masterLicense;
  const masterDays = i.product.masterLicense.maxDayPeriod;
  let maxDayPeriod = combineLimit(base.maxDayPeriod, i.template.maxDayPeriod, i.template.addToExisting);
  if (i.product.managedExpiration && masterDays !== null && masterDays !== undefined) {
    maxDayPeriod = managedExpirationUpgrade({
      masterDays,
      firstActivatedAt: i.account.firstActivatedAt,
      latestUpgrade: latestUpgradeOf(i.account, i.now),
      now: i.now,
      addDays: i.template.maxDayPeriod ?? 0,
    });
  }
  const maxExec = combineLimit(base.maxExec, i.template.maxExec, i.template.addToExisting);
  return {
    ok: true,
    customLicense: { maxDayPeriod, maxExec, expiresAt: base.expiresAt ?? null },
    upgradeSeq: i.account.upgradeSeq + 1,
    lastUpgradeAt: i.now,
    reactivationAllowed: true,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Transfer state (§6.4)
// ---------------------------------------------------------------------------------------------------------

/** `managed`: time limits recomputed with §6.5 on reissue (default); `preserve`: stored remaining days reissued. */
export type TransferTimeMode = 'managed' | 'preserve';

/** The client's license state reported on deactivation (§7.1 clientState) or in an activation request. */
export interface ClientState {
  remainingDays?: number | null;
  execCount?: number | null;
}

/** A client state saved on the account (§1.2 transferState), with the time it was saved. */
export interface TransferState extends ClientState {
  savedAt: Date;
}

/** True when the server stores the state a client hands back (§6.3 "keeps license state", §6.4 NonTransferable). */
export function storesTransferState(product: Pick<ActivationProduct, 'activationPolicy' | 'nonTransferable'>): boolean {
  return keepsLicenseState(product.activationPolicy) && !product.nonTransferable;
}

/** What a deactivation stores on the account (§6.4): the reported state, or null when it is discarded. */
export function transferStateToSave(
  product: Pick<ActivationProduct, 'activationPolicy' | 'nonTransferable'>,
  reported: ClientState | null | undefined,
  now: Date,
): TransferState | null {
  if (!reported || !storesTransferState(product)) return null;
  return { remainingDays: reported.remainingDays ?? null, execCount: reported.execCount ?? null, savedAt: now };
}

// ---------------------------------------------------------------------------------------------------------
// Activation decision (§6.1, §6.2, §6.7, §7.4)
// ---------------------------------------------------------------------------------------------------------

export type EntitlementStatus = 'ordered' | 'in_progress' | 'active' | 'suspended' | 'expired' | 'superseded' | 'deleted';

export type ActivationErrorCode =
  | PolicyErrorCode
  | 'ENTITLEMENT_INACTIVE'
  | 'ENTITLEMENT_SUSPENDED'
  | 'ENTITLEMENT_EXPIRED'
  | 'ENTITLEMENT_SUPERSEDED'
  | 'OPERATION_IN_PROGRESS'
  | 'IP_MISMATCH'
  | 'MAX_ACTIVATIONS_REACHED'
  | 'SEATS_IN_USE'
  | 'PERIOD_EXHAUSTED';

/** The product's licensing settings that activation reads (§1.2 Product). */
export interface ActivationProduct {
  /** -1 = unlimited, else ≥ 1 successful activations per account over its lifetime (§6.2). */
  maxActivations: number;
  activationPolicy: ActivationPolicy;
  /** Components the client collects; default all four (§1.2). */
  signatureComponents?: readonly SignatureComponent[];
  nonTransferable: boolean;
  managedExpiration: boolean;
  managedExecution: boolean;
  /** Default `managed` (§6.4). */
  transferTimeMode?: TransferTimeMode;
  masterLicense: LicenseLimits;
}

/** The entitlement fields activation reads (§1.2 Entitlement). */
export interface ActivationEntitlement {
  status: EntitlementStatus;
  seats: number;
  /** null = perpetual. */
  expiresAt: Date | null;
  boundIp?: string | null;
}

export type BindingStatus = 'active' | 'deactivated' | 'replaced' | 'revoked';

/** A machine binding of an account (§1.2 MachineBinding); only active ones matter, others may be omitted. */
export interface BindingState {
  id: string;
  machineId: string;
  status: BindingStatus;
  activatedAt: Date;
  lastSeenAt: Date | null;
  /** The limits issued with it; null when unknown (then it is never re-issued). */
  issued: IssuedLimits | null;
}

/** An activation account (§1.2 ActivationAccount) with its upgrade state and bindings. */
export interface ActivationAccountState extends UpgradeState {
  slotNo: number;
  /** Default `open`; closed accounts are never selected. */
  status?: 'open' | 'closed';
  activationCount: number;
  firstActivatedAt: Date | null;
  policyReference: HardwareSignatures | null;
  transferState: TransferState | null;
  bindings: readonly BindingState[];
}

export interface ActivationRequest {
  signatures: HardwareSignatures;
  /** The IP the request declares (§7.1 machine.ip). */
  ip?: string | null;
  /** The client's current state, if it sends one (§7.1 clientState; used for initExec after an upgrade, §6.6). */
  clientState?: ClientState | null;
}

export interface ActivationInput {
  product: ActivationProduct;
  entitlement: ActivationEntitlement;
  /**
   * The entitlement's accounts. Slots 1..seats that are missing count as never-activated accounts (the caller
   * creates the row on success); slots above `seats` and closed accounts are ignored.
   */
  accounts: readonly ActivationAccountState[];
  request: ActivationRequest;
  now: Date;
}

/**
 * `activated`: the account's first activation (also the first after a reset); `replaced`: a later counted
 * activation of the account (`replacesBindingIds` lists what it displaces, empty under AcceptAll multiple machines
 * for a new machine); `reissued`: the same machine's active binding gets its own limits again, not counted.
 */
export type ActivationOutcome = 'activated' | 'replaced' | 'reissued' | 'refused';
export type ActivationLogAction = 'Activated' | 'Replaced' | 'Customized' | 'Refused';

/** What the caller writes on the account after a counted activation. */
export interface AccountUpdate {
  activationCount: number;
  firstActivatedAt: Date;
  policyReference: HardwareSignatures;
  /** Consumed or discarded (§6.1). */
  transferState: null;
  /** Cleared by the activation that used it (§6.2). */
  reactivationAllowed: false;
}

export interface ActivationDecision {
  outcome: ActivationOutcome;
  /** ActivationLog action (§6.7). */
  logAction: ActivationLogAction;
  /** §7.4 code of a refusal. */
  errorCode?: ActivationErrorCode;
  reason?: string;
  /** The account used (success) or the first account checked (refusal, for the log row). */
  accountSlot?: number;
  /** Machine id of the request (declared components only). */
  machineId: string;
  /** The limits to put into the license document. */
  issued?: IssuedLimits;
  /** Which template the limits come from (§6.1). */
  template?: 'custom' | 'master';
  /** The account's saved transfer state was used for this license (§6.1 source 1). */
  transferStateConsumed?: boolean;
  /** Bindings to mark `replaced` (§6.2); empty when none. */
  replacesBindingIds?: string[];
  /** The binding whose limits are re-issued (outcome `reissued`). */
  reissuesBindingId?: string;
  /** Account fields to persist (counted activations only). */
  account?: AccountUpdate;
}

/** Refusal code of an entitlement that cannot be activated (§4.1), or null when it is usable at `now`. */
export function entitlementRefusal(
  e: Pick<ActivationEntitlement, 'status' | 'expiresAt'>,
  now: Date,
): ActivationErrorCode | null {
  switch (e.status) {
    case 'ordered':
    case 'deleted':
      return 'ENTITLEMENT_INACTIVE';
    case 'in_progress':
      return 'OPERATION_IN_PROGRESS';
    case 'suspended':
      return 'ENTITLEMENT_SUSPENDED';
    case 'expired':
      return 'ENTITLEMENT_EXPIRED';
    case 'superseded':
      return 'ENTITLEMENT_SUPERSEDED';
    case 'active':
      // Choice: an active entitlement past its expiresAt (expiry timer not yet run) is already expired.
      return e.expiresAt && e.expiresAt.getTime() <= now.getTime() ? 'ENTITLEMENT_EXPIRED' : null;
  }
}

/** Choice: with `boundIp` set, a request that declares no IP or another IP (compared trimmed, case-insensitive) is refused. */
export function ipMismatch(boundIp: string | null | undefined, requestIp: string | null | undefined): boolean {
  if (!boundIp) return false;
  return (requestIp ?? '').trim().toLowerCase() !== boundIp.trim().toLowerCase();
}

/** An account never activated (a missing slot, or one after a reset of its counters). */
export function freshAccount(slotNo: number): ActivationAccountState {
  return {
    slotNo,
    activationCount: 0,
    firstActivatedAt: null,
    policyReference: null,
    transferState: null,
    upgradeSeq: 0,
    customLicense: null,
    lastUpgradeAt: null,
    reactivationAllowed: false,
    bindings: [],
  };
}

/** Open accounts for slots 1..seats, missing slots filled with never-activated accounts. */
function usableAccounts(accounts: readonly ActivationAccountState[], seats: number): ActivationAccountState[] {
  const result: ActivationAccountState[] = [];
  for (let slot = 1; slot <= seats; slot++) {
    const account = accounts.find((a) => a.slotNo === slot);
    if (!account) result.push(freshAccount(slot));
    else if ((account.status ?? 'open') === 'open') result.push(account);
  }
  return result;
}

function activeBindings(account: ActivationAccountState): BindingState[] {
  return account.bindings.filter((b) => b.status === 'active');
}

interface Candidate {
  account: ActivationAccountState;
  /** The account's active binding on the requesting machine, if any. */
  sameMachine?: BindingState;
}

function lastSeen(b: BindingState | undefined): number {
  return b ? (b.lastSeenAt ?? b.activatedAt).getTime() : Number.NEGATIVE_INFINITY;
}

/**
 * Accounts to try, in order (§6.2 account selection). Single-machine policies: (1) the account whose active
 * binding is on this machine; else (2) the lowest-numbered never-activated account (count 0, also after a
 * reset); else (3) accounts without an active binding (by slot), then those whose active binding was seen
 * longest ago. AcceptAll multiple machines: the one account (lowest slot) covers every machine (§6.3 notes).
 */
function candidatesFor(policy: ActivationPolicy, accounts: ActivationAccountState[], machineId: string): Candidate[] {
  const withMachine = (account: ActivationAccountState): Candidate => ({
    account,
    sameMachine: activeBindings(account).find((b) => b.machineId === machineId),
  });
  if (policy === 'AcceptAllMultipleMachines') return accounts.slice(0, 1).map(withMachine);
  const same = accounts.find((a) => activeBindings(a).some((b) => b.machineId === machineId));
  if (same) return [withMachine(same)];
  const fresh = accounts.find((a) => a.activationCount === 0);
  if (fresh) return [{ account: fresh }];
  const ordered = [...accounts].sort((a, b) => {
    const sa = lastSeen(activeBindings(a)[0]);
    const sb = lastSeen(activeBindings(b)[0]);
    return sa === sb ? a.slotNo - b.slotNo : sa - sb;
  });
  return ordered.map((account) => ({ account }));
}

type CandidateCheck =
  | { ok: true; kind: 'first' | 'subsequent' | 'reissue' }
  | { ok: false; errorCode: ActivationErrorCode; reason: string };

/** The re-issued limits of a binding, or null when it cannot be re-issued (see `canReissue`). */
function reissueLimits(i: ActivationInput, account: ActivationAccountState, binding: BindingState): IssuedLimits | null {
  const issued = binding.issued;
  if (!issued || account.reactivationAllowed) return null;
  if (account.lastUpgradeAt && account.lastUpgradeAt.getTime() > binding.activatedAt.getTime()) return null;
  if (account.transferState && storesTransferState(i.product)) return null;
  const template = account.customLicense ?? i.product.masterLicense;
  const relativeEnd = issued.maxDayPeriod === null ? null : addDays(binding.activatedAt, issued.maxDayPeriod);
  const expiresAt = earliest(relativeEnd, template.expiresAt, i.entitlement.expiresAt);
  const maxDayPeriod = issued.maxDayPeriod === null ? null : issued.maxDayPeriod - wholeDaysSince(binding.activatedAt, i.now);
  if (maxDayPeriod !== null && maxDayPeriod <= 0) return null;
  if (expiresAt && expiresAt.getTime() <= i.now.getTime()) return null;
  return { maxDayPeriod, expiresAt, maxExec: issued.maxExec, initExec: issued.initExec === null ? null : 'none' };
}

/** Whether MaxActivation lets the account activate once more (§6.2; an upgrade's reactivation always may). */
function countAllows(maxActivations: number, account: ActivationAccountState): boolean {
  return maxActivations === -1 || account.activationCount < maxActivations || account.reactivationAllowed;
}

/**
 * Check one candidate account: a never-activated account only against MaxActivation; otherwise the policy
 * against `policyReference` (§6.3), then a same-machine re-issue, then MaxActivation (§6.2), then, under
 * AcceptAll multiple machines, the seats of a new machine (`SEATS_IN_USE`).
 */
function checkCandidate(i: ActivationInput, c: Candidate, presented: HardwareSignatures): CandidateCheck {
  const { product, entitlement } = i;
  const first = c.account.activationCount === 0;
  if (!first && c.account.policyReference) {
    const m = matchesPolicy(product.activationPolicy, c.account.policyReference, presented, product.signatureComponents);
    if (!m.match) return { ok: false, errorCode: m.errorCode ?? 'HARDWARE_MISMATCH', reason: m.reason ?? 'hardware mismatch' };
  }
  if (!first && c.sameMachine && reissueLimits(i, c.account, c.sameMachine)) return { ok: true, kind: 'reissue' };
  if (!countAllows(product.maxActivations, c.account)) {
    return { ok: false, errorCode: 'MAX_ACTIVATIONS_REACHED', reason: `${c.account.activationCount} of ${product.maxActivations} activations used` };
  }
  const multi = product.activationPolicy === 'AcceptAllMultipleMachines';
  if (multi && !c.sameMachine && activeBindings(c.account).length >= entitlement.seats) {
    return { ok: false, errorCode: 'SEATS_IN_USE', reason: `all ${entitlement.seats} seats have an active binding` };
  }
  return { ok: true, kind: first ? 'first' : 'subsequent' };
}

/** The account's saved transfer state when this product uses it (§6.1 source 1, §6.4), else null. */
function usableTransferState(product: ActivationProduct, account: ActivationAccountState): TransferState | null {
  return storesTransferState(product) ? account.transferState : null;
}

/**
 * Days to issue (§6.1, §6.4, §6.5), null when no relative period applies. With a usable transfer state that
 * holds remaining days: `managed` mode under ManagedExpiration recomputes with §6.5; otherwise the stored days
 * are reissued as they are (Choice: `managed` only works "on the ManagedExpiration mode", as in the source; and
 * a state saved before the latest upgrade no longer counts for time, the upgraded template does).
 */
function issuedDays(product: ActivationProduct, account: ActivationAccountState, state: TransferState | null, now: Date): number | null {
  const template = account.customLicense ?? product.masterLicense;
  const masterDays = product.masterLicense.maxDayPeriod;
  const managed = product.managedExpiration && template.maxDayPeriod !== null && template.maxDayPeriod !== undefined;
  const recompute = managed && (product.transferTimeMode ?? 'managed') === 'managed';
  const upgradedSinceSave = state && account.lastUpgradeAt && account.lastUpgradeAt.getTime() > state.savedAt.getTime();
  const stateDays = state && !upgradedSinceSave ? (state.remainingDays ?? null) : null;
  if (stateDays !== null && !recompute) return Math.max(0, stateDays);
  if (!managed) return template.maxDayPeriod ?? null;
  const latestUpgrade = latestUpgradeOf(account, now);
  return managedExpiration({ masterDays: masterDays ?? 0, firstActivatedAt: account.firstActivatedAt, latestUpgrade, now });
}

/**
 * The execution counter instruction (§6.6). Under ManagedExecution the §6.6 rows apply, except that a
 * replacement that consumes a saved transfer state restores its execCount (Choice: §6.1 makes the saved state
 * the license's source). Without ManagedExecution only a consumed state's execCount is passed on; otherwise
 * there is no instruction (null).
 */
function issuedInitExec(
  product: ActivationProduct,
  maxExec: number | null,
  event: ExecutionEvent,
  state: TransferState | null,
  reported: ClientState | null | undefined,
): InitExec | null {
  if (maxExec === null) return null;
  const savedExecCount = state?.execCount ?? null;
  if (!product.managedExecution) return savedExecCount;
  if (event === 'replacement' && savedExecCount !== null) return savedExecCount;
  return managedExecution({ event, maxExec, savedExecCount, reportedExecCount: reported?.execCount }).initExec;
}

type Issue = { ok: true; issued: IssuedLimits; transferStateConsumed: boolean } | { ok: false; reason: string };

/**
 * The limits of a counted activation (§6.1): days from the transfer state or §6.5, maxExec from the custom
 * (else master) license, `expiresAt` = the earliest of now + days, the template's absolute end and the
 * entitlement's end. Zero days, or an absolute end already passed, is `PERIOD_EXHAUSTED` (§6.5).
 */
function issueLicense(i: ActivationInput, account: ActivationAccountState, event: ExecutionEvent): Issue {
  const template = account.customLicense ?? i.product.masterLicense;
  const state = usableTransferState(i.product, account);
  const days = issuedDays(i.product, account, state, i.now);
  if (days !== null && days <= 0) return { ok: false, reason: 'no days of the period are left' };
  if (template.expiresAt && template.expiresAt.getTime() <= i.now.getTime()) {
    return { ok: false, reason: 'the license template has expired' };
  }
  const expiresAt = earliest(days === null ? null : addDays(i.now, days), template.expiresAt, i.entitlement.expiresAt);
  const maxExec = template.maxExec ?? null;
  const initExec = issuedInitExec(i.product, maxExec, event, state, i.request.clientState);
  return { ok: true, issued: { maxDayPeriod: days, expiresAt, maxExec, initExec }, transferStateConsumed: state !== null };
}

/** §6.7: `Activated` for an account's first activation (also after a reset), `Customized` after an upgrade, else `Replaced`. */
function successAction(first: boolean, account: ActivationAccountState): ActivationLogAction {
  if (first) return 'Activated';
  return account.upgradeSeq > 0 ? 'Customized' : 'Replaced';
}

function refusal(machineId: string, errorCode: ActivationErrorCode, reason: string, accountSlot?: number): ActivationDecision {
  const decision: ActivationDecision = { outcome: 'refused', logAction: 'Refused', errorCode, reason, machineId };
  if (accountSlot !== undefined) decision.accountSlot = accountSlot;
  return decision;
}

/** Bindings a counted activation displaces (§6.2): single-machine policies all active ones, multiple machines only this machine's. */
function displacedBindings(policy: ActivationPolicy, c: Candidate): string[] {
  if (policy === 'AcceptAllMultipleMachines') return c.sameMachine ? [c.sameMachine.id] : [];
  return activeBindings(c.account).map((b) => b.id);
}

/** Decision for the chosen candidate: a re-issue or a counted activation. */
function grant(i: ActivationInput, c: Candidate, kind: 'first' | 'subsequent' | 'reissue', presented: HardwareSignatures, machineId: string): ActivationDecision {
  const { account } = c;
  const logAction = successAction(kind === 'first', account);
  const template = account.customLicense ? 'custom' : 'master';
  if (kind === 'reissue' && c.sameMachine) {
    const issued = reissueLimits(i, account, c.sameMachine) ?? undefined;
    return { outcome: 'reissued', logAction, accountSlot: account.slotNo, machineId, issued, template, reissuesBindingId: c.sameMachine.id, replacesBindingIds: [] };
  }
  const event: ExecutionEvent = kind === 'first' ? 'first' : account.upgradeSeq > 0 ? 'afterUpgrade' : 'replacement';
  const issue = issueLicense(i, account, event);
  if (!issue.ok) return refusal(machineId, 'PERIOD_EXHAUSTED', issue.reason, account.slotNo);
  return {
    outcome: kind === 'first' ? 'activated' : 'replaced',
    logAction,
    accountSlot: account.slotNo,
    machineId,
    issued: issue.issued,
    template,
    transferStateConsumed: issue.transferStateConsumed,
    replacesBindingIds: displacedBindings(i.product.activationPolicy, c),
    account: {
      activationCount: account.activationCount + 1,
      firstActivatedAt: account.firstActivatedAt ?? i.now,
      policyReference: presented,
      transferState: null,
      reactivationAllowed: false,
    },
  };
}

/**
 * Decide one activation request of a fixed entitlement (§6; floating entitlements use leases, §5.1).
 * Order: `SIGNATURES_REQUIRED` → entitlement status (§4.1) → `IP_MISMATCH` → account selection (§6.2) with the
 * policy (§6.3), same-machine re-issue, MaxActivation and seats per account, the first account's error when
 * none passes → `PERIOD_EXHAUSTED` (§6.5). Success gives the log action (§6.7), the issued limits, the bindings
 * to mark `replaced` and the account update; every outcome, refusals included, is meant to be logged.
 * NonTransferable never refuses: it only makes activations ignore saved state (§6.4).
 */
export function decideActivation(i: ActivationInput): ActivationDecision {
  const { product, entitlement, request } = i;
  const components = product.signatureComponents ?? SIGNATURE_COMPONENTS;
  const presented = normalizeSignatures(request.signatures, components);
  const machineId = machineIdOf(presented, components);

  const missing = missingSignatures(product.activationPolicy, presented, components);
  if (missing.length > 0) return refusal(machineId, 'SIGNATURES_REQUIRED', `request lacks ${missing.join(', ')}`);
  const status = entitlementRefusal(entitlement, i.now);
  if (status) return refusal(machineId, status, `entitlement is ${entitlement.status}`);
  if (ipMismatch(entitlement.boundIp, request.ip)) return refusal(machineId, 'IP_MISMATCH', 'request IP differs from the bound IP');

  const candidates = candidatesFor(product.activationPolicy, usableAccounts(i.accounts, entitlement.seats), machineId);
  let firstFailure: { errorCode: ActivationErrorCode; reason: string; slot: number } | null = null;
  for (const c of candidates) {
    const check = checkCandidate(i, c, presented);
    if (check.ok) return grant(i, c, check.kind, presented, machineId);
    firstFailure ??= { errorCode: check.errorCode, reason: check.reason, slot: c.account.slotNo };
  }
  if (!firstFailure) return refusal(machineId, 'SEATS_IN_USE', 'the entitlement has no open activation account');
  return refusal(machineId, firstFailure.errorCode, firstFailure.reason, firstFailure.slot);
}
