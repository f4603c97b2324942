import { errorStatus } from '../errors';
import { describe, expect, it } from 'vitest';
import {
  ACTIVATION_POLICIES,
  applyUpgrade,
  decideActivation,
  entitlementRefusal,
  freshAccount,
  machineIdOf,
  managedExecution,
  managedExecutionUpgrade,
  managedExpiration,
  managedExpirationUpgrade,
  matchesPolicy,
  transferStateToSave,
  wholeDaysSince,
  type ActivationAccountState,
  type ActivationDecision,
  type ActivationEntitlement,
  type ActivationPolicy,
  type ActivationProduct,
  type BindingState,
  type ClientState,
  type EntitlementStatus,
  type HardwareSignatures,
  type SignatureComponent,
  type UpgradeTemplateLimits,
} from './activation';

// ---------------------------------------------------------------------------------------------------------
// Fixtures and a small in-memory simulator that applies decisions the way the persistence layer would
// ---------------------------------------------------------------------------------------------------------

const DAY = 86_400_000;
const t0 = new Date('2025-01-01T09:00:00Z');
/** t0 + days (fractions allowed). */
const at = (days: number): Date => new Date(t0.getTime() + days * DAY);

/** Signatures {Hh, Cc, Bb, Ee}, e.g. sig(1, 1, 1, 1) = {H1, C1, B1, E1}. */
const sig = (h: number, c: number, b: number, e: number): HardwareSignatures => ({ hdd: `H${h}`, cpu: `C${c}`, bios: `B${b}`, ethernet: `E${e}` });
/** A machine whose four components all carry the number n. */
const machine = (n: number): HardwareSignatures => sig(n, n, n, n);

function product(over: Partial<ActivationProduct> = {}): ActivationProduct {
  return {
    maxActivations: -1,
    activationPolicy: 'AcceptAllSingleMachine',
    nonTransferable: false,
    managedExpiration: false,
    managedExecution: false,
    transferTimeMode: 'managed',
    masterLicense: {},
    ...over,
  };
}

const activeEntitlement = (over: Partial<ActivationEntitlement> = {}): ActivationEntitlement => ({ status: 'active', seats: 1, expiresAt: null, ...over });

function account(slotNo: number, over: Partial<ActivationAccountState> = {}): ActivationAccountState {
  return { ...freshAccount(slotNo), ...over };
}

interface Sim {
  product: ActivationProduct;
  entitlement: ActivationEntitlement;
  accounts: ActivationAccountState[];
  nextBinding: number;
}

function sim(p: Partial<ActivationProduct> = {}, e: Partial<ActivationEntitlement> = {}): Sim {
  return { product: product(p), entitlement: activeEntitlement(e), accounts: [], nextBinding: 1 };
}

function slot(s: Sim, slotNo: number): ActivationAccountState {
  let a = s.accounts.find((x) => x.slotNo === slotNo);
  if (!a) {
    a = account(slotNo);
    s.accounts.push(a);
  }
  return a;
}

function allBindings(s: Sim): BindingState[] {
  return s.accounts.flatMap((a) => a.bindings);
}

function bindingOf(s: Sim, signatures: HardwareSignatures, status: BindingState['status'] = 'active'): BindingState | undefined {
  const id = machineIdOf(signatures, s.product.signatureComponents);
  return allBindings(s).find((b) => b.machineId === id && b.status === status);
}

/** Decide, then apply the decision to the simulated store. */
function activate(s: Sim, signatures: HardwareSignatures, now: Date, extra: { clientState?: ClientState; ip?: string } = {}): ActivationDecision {
  const d = decideActivation({ product: s.product, entitlement: s.entitlement, accounts: s.accounts, request: { signatures, ...extra }, now });
  if (d.outcome === 'refused') return d;
  const a = slot(s, d.accountSlot!);
  if (d.outcome === 'reissued') {
    const b = a.bindings.find((x) => x.id === d.reissuesBindingId)!;
    b.lastSeenAt = now;
    return d;
  }
  for (const b of a.bindings) if (d.replacesBindingIds!.includes(b.id)) b.status = 'replaced';
  const binding: BindingState = { id: `b${s.nextBinding++}`, machineId: d.machineId, status: 'active', activatedAt: now, lastSeenAt: now, issued: d.issued! };
  a.bindings = [...a.bindings, binding];
  Object.assign(a, d.account);
  return d;
}

function deactivate(s: Sim, signatures: HardwareSignatures, reported: ClientState | null, now: Date): void {
  const b = bindingOf(s, signatures)!;
  b.status = 'deactivated';
  const a = s.accounts.find((x) => x.bindings.includes(b))!;
  a.transferState = transferStateToSave(s.product, reported, now);
}

function upgrade(s: Sim, slotNo: number, template: UpgradeTemplateLimits, now: Date) {
  const a = slot(s, slotNo);
  const u = applyUpgrade({ product: s.product, account: a, template, now });
  if (u.ok) Object.assign(a, { customLicense: u.customLicense, upgradeSeq: u.upgradeSeq, lastUpgradeAt: u.lastUpgradeAt, reactivationAllowed: u.reactivationAllowed });
  return u;
}

/** A one-off decision against given accounts. */
function decide(p: Partial<ActivationProduct>, accounts: ActivationAccountState[], signatures: HardwareSignatures, now = t0, e: Partial<ActivationEntitlement> = {}) {
  return decideActivation({ product: product(p), entitlement: activeEntitlement(e), accounts, request: { signatures }, now });
}

/** An account activated once on `signatures` at t0, with that binding still active. */
function activatedOnce(signatures: HardwareSignatures, over: Partial<ActivationAccountState> = {}): ActivationAccountState {
  return account(1, {
    activationCount: 1,
    firstActivatedAt: t0,
    policyReference: signatures,
    bindings: [{ id: 'b1', machineId: machineIdOf(signatures), status: 'active', activatedAt: t0, lastSeenAt: t0, issued: null }],
    ...over,
  });
}

// ---------------------------------------------------------------------------------------------------------
// Hardware signatures and machine id
// ---------------------------------------------------------------------------------------------------------

describe('machineIdOf (§1.2 MachineBinding.machineId)', () => {
  it('is the SHA-256 hex of the normalized set, independent of key order, case and blanks', () => {
    const id = machineIdOf({ hdd: 'ab12', cpu: 'C1', bios: 'B1', ethernet: '00:1a:2b' });
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(machineIdOf({ ethernet: ' 00:1A:2B ', bios: 'b1', cpu: 'c1', hdd: 'AB12' })).toBe(id);
  });

  it('changes when any component changes; blank equals absent; undeclared components are ignored', () => {
    const base = machine(1);
    for (const c of ['hdd', 'cpu', 'bios', 'ethernet'] as const) {
      expect(machineIdOf({ ...base, [c]: 'X' })).not.toBe(machineIdOf(base));
    }
    expect(machineIdOf({ hdd: 'H1', cpu: '  ' })).toBe(machineIdOf({ hdd: 'H1' }));
    expect(machineIdOf({ ...base, ethernet: 'other' }, ['hdd', 'cpu', 'bios'])).toBe(machineIdOf(base, ['hdd', 'cpu', 'bios']));
  });
});

// ---------------------------------------------------------------------------------------------------------
// §6.3 policy table
// ---------------------------------------------------------------------------------------------------------

describe('§6.3 activation policy table', () => {
  const order: ActivationPolicy[] = ['AcceptAllSingleMachine', 'Low', 'Medium', 'MediumHigh', 'High', 'SecureEvaluation', 'AcceptAllMultipleMachines'];
  // Rows: the components that differ from the previous activation (H = hdd, C = cpu, B = bios, E = ethernet).
  // Columns (T = accepted): AcceptAll single, Low, Medium, MediumHigh, High, SecureEvaluation, AcceptAll multiple.
  const table: Record<string, string> = {
    '-': 'T T T T T F T',
    H: 'T T T T F T T',
    C: 'T T T F F T T',
    B: 'T T T F F T T',
    E: 'T T T F F T T',
    HC: 'T T F F F T T',
    HB: 'T T F F F T T',
    HE: 'T T F F F T T',
    CB: 'T T T F F T T',
    CE: 'T T T F F T T',
    BE: 'T T T F F T T',
    HCB: 'T T F F F T T',
    HCE: 'T T F F F T T',
    HBE: 'T T F F F T T',
    CBE: 'T T T F F T T',
    HCBE: 'T F F F F T T',
  };
  const letter: Record<string, SignatureComponent> = { H: 'hdd', C: 'cpu', B: 'bios', E: 'ethernet' };
  const reference = sig(1, 1, 1, 1);
  const cases = Object.entries(table).flatMap(([changed, row]) =>
    row.split(' ').map((flag, col) => ({ policy: order[col]!, changed, accepted: flag === 'T' })),
  );

  it('covers every policy and every set of changed components', () => {
    expect(new Set(cases.map((c) => c.policy))).toEqual(new Set(ACTIVATION_POLICIES));
    expect(cases).toHaveLength(7 * 16);
  });

  it.each(cases)('$policy, changed $changed → accepted $accepted', ({ policy, changed, accepted }) => {
    const presented: HardwareSignatures = { ...reference };
    for (const ch of changed.replace('-', '')) presented[letter[ch]!] = `${ch}2`;
    const result = matchesPolicy(policy, reference, presented);
    expect(result.match).toBe(accepted);
    if (!accepted) {
      expect(result.errorCode).toBe(policy === 'SecureEvaluation' ? 'SAME_MACHINE_NOT_ALLOWED' : 'HARDWARE_MISMATCH');
      expect(result.reason).toBeTruthy();
    }
  });

  it('every policy except AcceptAll requires all declared components (SIGNATURES_REQUIRED)', () => {
    const withoutBios: HardwareSignatures = { hdd: 'H1', cpu: 'C1', ethernet: 'E1' };
    for (const policy of ACTIVATION_POLICIES) {
      const r = matchesPolicy(policy, sig(1, 1, 1, 1), withoutBios);
      if (policy.startsWith('AcceptAll')) expect(r.match).toBe(true);
      else expect(r).toMatchObject({ match: false, errorCode: 'SIGNATURES_REQUIRED' });
    }
    // Not declared → not required.
    expect(matchesPolicy('High', sig(1, 1, 1, 1), withoutBios, ['hdd', 'cpu', 'ethernet']).match).toBe(true);
  });

  it('a component matches only when both values are present and equal', () => {
    const referenceWithoutEthernet = { hdd: 'H1', cpu: 'C1', bios: 'B1' };
    expect(matchesPolicy('High', referenceWithoutEthernet, sig(1, 1, 1, 1)).match).toBe(false);
    expect(matchesPolicy('Medium', referenceWithoutEthernet, sig(2, 1, 1, 1)).match).toBe(false);
    expect(matchesPolicy('SecureEvaluation', referenceWithoutEthernet, sig(1, 1, 1, 1)).match).toBe(true);
  });

  it('undeclared components drop out of the AND-terms and OR-terms', () => {
    // Medium without hdd declared: only "CPU, BIOS and Ethernet all match" is left.
    const noHdd: SignatureComponent[] = ['cpu', 'bios', 'ethernet'];
    expect(matchesPolicy('Medium', sig(1, 1, 1, 1), sig(2, 1, 1, 1), noHdd).match).toBe(true);
    expect(matchesPolicy('Medium', sig(1, 1, 1, 1), sig(1, 2, 1, 1), noHdd).match).toBe(false);
    // Medium without ethernet: "HDD, or CPU and BIOS".
    const noEthernet: SignatureComponent[] = ['hdd', 'cpu', 'bios'];
    expect(matchesPolicy('Medium', sig(1, 1, 1, 1), sig(2, 1, 1, 9), noEthernet).match).toBe(true);
    // High with hdd and cpu only: bios and ethernet may change.
    expect(matchesPolicy('High', sig(1, 1, 1, 1), sig(1, 1, 2, 2), ['hdd', 'cpu']).match).toBe(true);
    // Low with ethernet only.
    expect(matchesPolicy('Low', sig(1, 1, 1, 1), sig(2, 2, 2, 1), ['ethernet']).match).toBe(true);
    expect(matchesPolicy('Low', sig(1, 1, 1, 1), sig(1, 1, 1, 2), ['ethernet']).match).toBe(false);
    // SecureEvaluation only looks at declared components.
    expect(matchesPolicy('SecureEvaluation', sig(1, 1, 1, 1), sig(1, 1, 1, 2), ['hdd', 'cpu', 'bios']).match).toBe(false);
  });

  it('a policy left without any term to compare refuses (fail closed)', () => {
    expect(matchesPolicy('MediumHigh', sig(1, 1, 1, 1), sig(1, 1, 1, 1), ['hdd'])).toMatchObject({ match: false, errorCode: 'HARDWARE_MISMATCH' });
    expect(matchesPolicy('SecureEvaluation', {}, {}, [])).toMatchObject({ match: false, errorCode: 'SAME_MACHINE_NOT_ALLOWED' });
  });

  it('compares case-insensitively and ignores surrounding blanks', () => {
    expect(matchesPolicy('High', sig(1, 1, 1, 1), { hdd: ' h1', cpu: 'c1 ', bios: 'b1', ethernet: 'e1' }).match).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------------------
// §8 acceptance scenarios about activation decisions
// ---------------------------------------------------------------------------------------------------------

describe('§8 acceptance scenarios (activation decisions)', () => {
  it('§8 #13 MaxActivation = 2 (AcceptAll single machine): A Activated, B Replaced, C MAX_ACTIVATIONS_REACHED', () => {
    const s = sim({ maxActivations: 2 });
    const a = activate(s, machine(1), at(0));
    expect(a).toMatchObject({ outcome: 'activated', logAction: 'Activated', accountSlot: 1, replacesBindingIds: [] });
    const aBinding = bindingOf(s, machine(1))!;
    const b = activate(s, machine(2), at(1));
    expect(b).toMatchObject({ outcome: 'replaced', logAction: 'Replaced', replacesBindingIds: [aBinding.id] });
    expect(aBinding.status).toBe('replaced'); // its validation then answers ACTIVATION_REPLACED
    const c = activate(s, machine(3), at(2));
    expect(c).toMatchObject({ outcome: 'refused', logAction: 'Refused', errorCode: 'MAX_ACTIVATIONS_REACHED', accountSlot: 1 });
    expect(errorStatus[c.errorCode!]).toBe(409);
    expect(bindingOf(s, machine(2))?.status).toBe('active');
    expect(s.accounts[0]!.activationCount).toBe(2);
  });

  it('§8 #14 MaxActivation = -1: 50 activations from 50 machines all succeed, only the last is active', () => {
    const s = sim({ maxActivations: -1 });
    for (let n = 1; n <= 50; n++) expect(activate(s, machine(n), at(n / 10)).outcome).not.toBe('refused');
    const active = allBindings(s).filter((b) => b.status === 'active');
    expect(active).toHaveLength(1);
    expect(active[0]!.machineId).toBe(machineIdOf(machine(50)));
    expect(s.accounts[0]!.activationCount).toBe(50);
  });

  it('§8 #15 High refuses a changed HDD; MediumHigh accepts it as Replaced', () => {
    const previous = sig(1, 1, 1, 1);
    const request = sig(2, 1, 1, 1);
    expect(decide({ activationPolicy: 'High' }, [activatedOnce(previous)], request)).toMatchObject({ outcome: 'refused', errorCode: 'HARDWARE_MISMATCH' });
    expect(decide({ activationPolicy: 'MediumHigh' }, [activatedOnce(previous)], request)).toMatchObject({ outcome: 'replaced', logAction: 'Replaced' });
  });

  it('§8 #16 Medium: HDD alone, or CPU+BIOS+Ethernet together', () => {
    const accounts = [activatedOnce(sig(1, 1, 1, 1))];
    expect(decide({ activationPolicy: 'Medium' }, accounts, sig(1, 2, 2, 2)).outcome).toBe('replaced');
    expect(decide({ activationPolicy: 'Medium' }, accounts, sig(2, 1, 1, 1)).outcome).toBe('replaced');
    expect(decide({ activationPolicy: 'Medium' }, accounts, sig(2, 1, 1, 2))).toMatchObject({ outcome: 'refused', errorCode: 'HARDWARE_MISMATCH' });
  });

  it('§8 #17 Low: any one matching component is enough', () => {
    const accounts = [activatedOnce(sig(1, 1, 1, 1))];
    expect(decide({ activationPolicy: 'Low' }, accounts, sig(2, 2, 2, 1)).outcome).toBe('replaced');
    expect(decide({ activationPolicy: 'Low' }, accounts, sig(2, 2, 2, 2))).toMatchObject({ outcome: 'refused', errorCode: 'HARDWARE_MISMATCH' });
  });

  it('§8 #18 SecureEvaluation: identical signatures → SAME_MACHINE_NOT_ALLOWED; only Ethernet differing → accepted', () => {
    const s = sim({ activationPolicy: 'SecureEvaluation' });
    expect(activate(s, sig(1, 1, 1, 1), at(0)).outcome).toBe('activated');
    const again = activate(s, sig(1, 1, 1, 1), at(1));
    expect(again).toMatchObject({ outcome: 'refused', logAction: 'Refused', errorCode: 'SAME_MACHINE_NOT_ALLOWED' });
    expect(errorStatus.SAME_MACHINE_NOT_ALLOWED).toBe(403);
    expect(activate(s, sig(1, 1, 1, 2), at(2))).toMatchObject({ outcome: 'replaced', logAction: 'Replaced' });
  });

  it('§8 #19 the first activation is never hardware-checked (High)', () => {
    for (const n of [1, 2, 3]) {
      expect(decide({ activationPolicy: 'High' }, [], machine(n))).toMatchObject({ outcome: 'activated', logAction: 'Activated', accountSlot: 1 });
    }
  });

  it('§8 #20 missing declared signature under Medium → SIGNATURES_REQUIRED (400)', () => {
    const d = decide({ activationPolicy: 'Medium' }, [], { hdd: 'H1', cpu: 'C1', ethernet: 'E1' });
    expect(d).toMatchObject({ outcome: 'refused', logAction: 'Refused', errorCode: 'SIGNATURES_REQUIRED' });
    expect(errorStatus.SIGNATURES_REQUIRED).toBe(400);
    // AcceptAll does not require signatures at all.
    expect(decide({}, [], {}).outcome).toBe('activated');
  });

  it('§8 #21 ManagedExpiration source example: 30 → 20 → 12; without it 30, 30, 30', () => {
    const managed = sim({ maxActivations: 3, managedExpiration: true, masterLicense: { maxDayPeriod: 30 } });
    const first = activate(managed, machine(1), at(0));
    expect(first).toMatchObject({ logAction: 'Activated', issued: { maxDayPeriod: 30, expiresAt: at(30) } });
    const second = activate(managed, machine(2), at(10));
    expect(second).toMatchObject({ logAction: 'Replaced', issued: { maxDayPeriod: 20, expiresAt: at(30) } });
    const third = activate(managed, machine(3), at(18));
    expect(third).toMatchObject({ logAction: 'Replaced', issued: { maxDayPeriod: 12, expiresAt: at(30) } });
    expect(activate(managed, machine(4), at(19)).errorCode).toBe('MAX_ACTIVATIONS_REACHED');

    const plain = sim({ maxActivations: 3, managedExpiration: false, masterLicense: { maxDayPeriod: 30 } });
    const days = [0, 10, 18].map((d, n) => activate(plain, machine(n + 1), at(d)).issued?.maxDayPeriod);
    expect(days).toEqual([30, 30, 30]);
    expect(activate(plain, machine(9), at(18)).issued).toBeUndefined();
  });

  it('§8 #22 ManagedExpiration with upgrades: 30 → cust 50 → 45 Customized → cust 70 → 68', () => {
    const s = sim({ maxActivations: 5, managedExpiration: true, masterLicense: { maxDayPeriod: 30 } });
    const plus30: UpgradeTemplateLimits = { maxDayPeriod: 30, addToExisting: true };
    expect(activate(s, machine(1), at(0)).issued?.maxDayPeriod).toBe(30);

    const u1 = upgrade(s, 1, plus30, at(10));
    expect(u1).toMatchObject({ ok: true, upgradeSeq: 1, reactivationAllowed: true, customLicense: { maxDayPeriod: 50 } });

    const r1 = activate(s, machine(1), at(15));
    expect(r1).toMatchObject({ outcome: 'replaced', logAction: 'Customized', template: 'custom', issued: { maxDayPeriod: 45, expiresAt: at(60) } });
    expect(s.accounts[0]!.reactivationAllowed).toBe(false);

    const u2 = upgrade(s, 1, plus30, at(20));
    expect(u2).toMatchObject({ ok: true, upgradeSeq: 2, customLicense: { maxDayPeriod: 70 } });

    const r2 = activate(s, machine(1), at(22));
    expect(r2).toMatchObject({ logAction: 'Customized', issued: { maxDayPeriod: 68, expiresAt: at(90) } });
    // Any later activation keeps counting from the latest upgrade.
    expect(activate(s, machine(2), at(25))).toMatchObject({ logAction: 'Customized', issued: { maxDayPeriod: 65 } });
  });

  it('§8 #23 an upgrade lifts an exhausted count for one activation (Customized)', () => {
    const s = sim({ maxActivations: 2 });
    activate(s, machine(1), at(0));
    activate(s, machine(2), at(1));
    expect(activate(s, machine(3), at(2)).errorCode).toBe('MAX_ACTIVATIONS_REACHED');
    expect(upgrade(s, 1, { maxExec: 10, addToExisting: true }, at(3)).ok).toBe(true);
    expect(activate(s, machine(3), at(4))).toMatchObject({ outcome: 'replaced', logAction: 'Customized' });
    expect(activate(s, machine(4), at(5))).toMatchObject({ outcome: 'refused', errorCode: 'MAX_ACTIVATIONS_REACHED' });
  });

  it('§8 #24 ManagedExecution: reset, none, +50 → 150 with initExec 40, +50 → 200; template without addToExisting is invalid', () => {
    const s = sim({ managedExecution: true, masterLicense: { maxExec: 100 } });
    expect(activate(s, machine(1), at(0)).issued).toMatchObject({ maxExec: 100, initExec: 'reset' });
    expect(activate(s, machine(2), at(1)).issued).toMatchObject({ maxExec: 100, initExec: 'none' });
    expect(upgrade(s, 1, { maxExec: 50, addToExisting: true }, at(2))).toMatchObject({ ok: true, customLicense: { maxExec: 150 } });
    deactivate(s, machine(2), { execCount: 40 }, at(3));
    const re = activate(s, machine(2), at(4));
    expect(re).toMatchObject({ logAction: 'Customized', transferStateConsumed: true, issued: { maxExec: 150, initExec: 40 } });
    expect(upgrade(s, 1, { maxExec: 50, addToExisting: true }, at(5))).toMatchObject({ ok: true, upgradeSeq: 2, customLicense: { maxExec: 200 } });
    expect(upgrade(s, 1, { maxExec: 50, addToExisting: false }, at(6))).toMatchObject({ ok: false, errorCode: 'UPGRADE_TEMPLATE_INVALID' });
    expect(s.accounts[0]!.upgradeSeq).toBe(2);
  });

  it('§8 #25 transfer time mode: 17 days reported at +13 d, reactivation at +20 d issues 10 (managed) or 17 (preserve)', () => {
    for (const [mode, expected] of [['managed', 10], ['preserve', 17]] as const) {
      const s = sim({ managedExpiration: true, transferTimeMode: mode, masterLicense: { maxDayPeriod: 30 } });
      expect(activate(s, machine(1), at(0)).issued?.maxDayPeriod).toBe(30);
      deactivate(s, machine(1), { remainingDays: 17 }, at(13));
      expect(s.accounts[0]!.transferState).toEqual({ remainingDays: 17, execCount: null, savedAt: at(13) });
      const d = activate(s, machine(1), at(20));
      expect(d).toMatchObject({ outcome: 'replaced', logAction: 'Replaced', transferStateConsumed: true, issued: { maxDayPeriod: expected, expiresAt: at(20 + expected) } });
      expect(s.accounts[0]!.transferState).toBeNull();
    }
  });

  it('§8 #26 NonTransferable: the reported state is not stored; reactivation issues 30 days from the master license', () => {
    const s = sim({ nonTransferable: true, managedExpiration: false, masterLicense: { maxDayPeriod: 30 } });
    activate(s, machine(1), at(0));
    deactivate(s, machine(1), { remainingDays: 17 }, at(13));
    expect(s.accounts[0]!.transferState).toBeNull();
    const d = activate(s, machine(1), at(20));
    expect(d).toMatchObject({ outcome: 'replaced', template: 'master', transferStateConsumed: false, issued: { maxDayPeriod: 30, expiresAt: at(50) } });
  });

  it('§8 #29 suspended entitlement: activation → ENTITLEMENT_SUSPENDED', () => {
    const d = decide({}, [], machine(1), t0, { status: 'suspended' });
    expect(d).toMatchObject({ outcome: 'refused', logAction: 'Refused', errorCode: 'ENTITLEMENT_SUSPENDED' });
    expect(errorStatus.ENTITLEMENT_SUSPENDED).toBe(403);
  });

  it('§8 #32 after "delete all registrations": next activation is Activated, not hardware-checked, and the period keeps running (18 of 30)', () => {
    const reset = account(1, {
      activationCount: 0,
      firstActivatedAt: t0,
      policyReference: null,
      bindings: [{ id: 'b1', machineId: machineIdOf(machine(1)), status: 'revoked', activatedAt: t0, lastSeenAt: t0, issued: null }],
    });
    const d = decide({ activationPolicy: 'High', managedExpiration: true, masterLicense: { maxDayPeriod: 30 } }, [reset], machine(7), at(12));
    expect(d).toMatchObject({ outcome: 'activated', logAction: 'Activated', issued: { maxDayPeriod: 18, expiresAt: at(30) } });
    expect(d.account).toMatchObject({ activationCount: 1, firstActivatedAt: t0 });
  });

  it('§8 #38 bound IP: a request declaring another IP → IP_MISMATCH', () => {
    const s = sim({}, { boundIp: '203.0.113.7' });
    expect(activate(s, machine(1), at(0), { ip: '203.0.113.8' })).toMatchObject({ outcome: 'refused', errorCode: 'IP_MISMATCH' });
    expect(activate(s, machine(1), at(0))).toMatchObject({ outcome: 'refused', errorCode: 'IP_MISMATCH' });
    expect(activate(s, machine(1), at(0), { ip: '203.0.113.7' }).outcome).toBe('activated');
    expect(errorStatus.IP_MISMATCH).toBe(403);
  });
});

// ---------------------------------------------------------------------------------------------------------
// §6.2 MaxActivation, account selection, re-activation and replacement
// ---------------------------------------------------------------------------------------------------------

describe('§6.2 MaxActivation and activation accounts', () => {
  it('allows exactly N successful activations per account', () => {
    for (const n of [1, 3]) {
      const s = sim({ maxActivations: n });
      for (let k = 1; k <= n; k++) expect(activate(s, machine(k), at(k)).outcome).not.toBe('refused');
      expect(activate(s, machine(n + 1), at(n + 1)).errorCode).toBe('MAX_ACTIVATIONS_REACHED');
      expect(s.accounts[0]!.activationCount).toBe(n);
    }
  });

  it('a deactivation does not give the count back', () => {
    const s = sim({ maxActivations: 2 });
    activate(s, machine(1), at(0));
    deactivate(s, machine(1), null, at(1));
    expect(activate(s, machine(1), at(2)).outcome).toBe('replaced');
    deactivate(s, machine(1), null, at(3));
    expect(activate(s, machine(1), at(4)).errorCode).toBe('MAX_ACTIVATIONS_REACHED');
  });

  it('re-activation on the same machine re-issues its binding and does not consume an activation or a seat', () => {
    const s = sim({ maxActivations: 1, managedExpiration: true, masterLicense: { maxDayPeriod: 30, maxExec: 100 }, managedExecution: true }, { seats: 2 });
    const first = activate(s, machine(1), at(0));
    const again = activate(s, machine(1), at(10.5));
    expect(again).toMatchObject({
      outcome: 'reissued',
      logAction: 'Replaced',
      accountSlot: 1,
      reissuesBindingId: bindingOf(s, machine(1))!.id,
      replacesBindingIds: [],
      issued: { maxDayPeriod: 20, expiresAt: first.issued!.expiresAt, maxExec: 100, initExec: 'none' },
    });
    expect(again.account).toBeUndefined();
    expect(s.accounts[0]!.activationCount).toBe(1);
    expect(allBindings(s)).toHaveLength(1);
    // The second seat is still free for another machine.
    expect(activate(s, machine(2), at(11))).toMatchObject({ outcome: 'activated', accountSlot: 2 });
  });

  it('a same-machine re-issue still follows the entitlement\'s current end (e.g. after a renewal)', () => {
    const s = sim({ masterLicense: { maxDayPeriod: 30 } }, { expiresAt: at(20) });
    expect(activate(s, machine(1), at(0)).issued?.expiresAt).toEqual(at(20));
    s.entitlement = activeEntitlement({ expiresAt: at(400) });
    expect(activate(s, machine(1), at(5))).toMatchObject({ outcome: 'reissued', issued: { maxDayPeriod: 25, expiresAt: at(30) } });
  });

  it('same machine after its period ran out, or after an upgrade, is a counted activation', () => {
    const s = sim({ maxActivations: 3, masterLicense: { maxDayPeriod: 30 } });
    activate(s, machine(1), at(0));
    const old = bindingOf(s, machine(1))!;
    const renewed = activate(s, machine(1), at(31));
    expect(renewed).toMatchObject({ outcome: 'replaced', logAction: 'Replaced', replacesBindingIds: [old.id], issued: { maxDayPeriod: 30 } });
    upgrade(s, 1, { maxDayPeriod: 10, addToExisting: true }, at(32));
    expect(activate(s, machine(1), at(33))).toMatchObject({ outcome: 'replaced', logAction: 'Customized', issued: { maxDayPeriod: 40 } });
    expect(s.accounts[0]!.activationCount).toBe(3);
  });

  it('selects accounts: same machine, then the lowest never-activated, then free accounts, then the longest unseen binding', () => {
    const s = sim({}, { seats: 3 });
    expect(activate(s, machine(1), at(0)).accountSlot).toBe(1);
    expect(activate(s, machine(2), at(1)).accountSlot).toBe(2);
    expect(activate(s, machine(3), at(2)).accountSlot).toBe(3);
    bindingOf(s, machine(1))!.lastSeenAt = at(9);
    bindingOf(s, machine(2))!.lastSeenAt = at(5);
    bindingOf(s, machine(3))!.lastSeenAt = at(7);
    // All accounts used, all bound: the binding seen longest ago (machine 2, slot 2) is replaced.
    const d = activate(s, machine(4), at(10));
    expect(d).toMatchObject({ outcome: 'replaced', accountSlot: 2, replacesBindingIds: [bindingOf(s, machine(2), 'replaced')!.id] });
    // An account without an active binding goes first.
    deactivate(s, machine(3), null, at(11));
    expect(activate(s, machine(5), at(12)).accountSlot).toBe(3);
    // Never more active bindings than seats.
    expect(allBindings(s).filter((b) => b.status === 'active')).toHaveLength(3);
  });

  it('when no account passes, the error of the first account checked is returned', () => {
    const accounts = [
      activatedOnce(sig(1, 1, 1, 1), { slotNo: 1, bindings: [] }),
      activatedOnce(sig(2, 2, 2, 2), { slotNo: 2, activationCount: 5, bindings: [] }),
    ];
    const d = decide({ activationPolicy: 'High', maxActivations: 5 }, accounts, sig(3, 3, 3, 3), t0, { seats: 2 });
    expect(d).toMatchObject({ outcome: 'refused', errorCode: 'HARDWARE_MISMATCH', accountSlot: 1 });
    // A later account that passes is used.
    const ok = decide({ activationPolicy: 'High', maxActivations: 5 }, accounts.slice().reverse().map((a, k) => ({ ...a, slotNo: k + 1 })), sig(1, 1, 1, 1), t0, { seats: 2 });
    expect(ok).toMatchObject({ outcome: 'replaced', accountSlot: 2 });
  });

  it('closed accounts and accounts above the seat count are never selected', () => {
    const closed = account(1, { status: 'closed' });
    expect(decide({}, [closed], machine(1), t0, { seats: 2 }).accountSlot).toBe(2);
    expect(decide({}, [closed], machine(1), t0, { seats: 1 })).toMatchObject({ outcome: 'refused', errorCode: 'SEATS_IN_USE' });
  });

  it('the hardware policy compares with the previous successful activation, active or not', () => {
    const s = sim({ activationPolicy: 'High', maxActivations: 5 });
    activate(s, sig(1, 1, 1, 1), at(0));
    deactivate(s, sig(1, 1, 1, 1), null, at(1));
    expect(activate(s, sig(1, 1, 1, 2), at(2)).errorCode).toBe('HARDWARE_MISMATCH');
    expect(activate(s, sig(1, 1, 1, 1), at(3)).outcome).toBe('replaced');
  });
});

describe('§6.3 AcceptAll multiple machines', () => {
  it('activations are independent bindings of one account up to the seats; the same machine replaces only its own binding', () => {
    const s = sim({ activationPolicy: 'AcceptAllMultipleMachines', maxActivations: 4 }, { seats: 2 });
    expect(activate(s, machine(1), at(0))).toMatchObject({ outcome: 'activated', accountSlot: 1 });
    expect(activate(s, machine(2), at(1))).toMatchObject({ outcome: 'replaced', logAction: 'Replaced', accountSlot: 1, replacesBindingIds: [] });
    expect(activate(s, machine(3), at(2))).toMatchObject({ outcome: 'refused', errorCode: 'SEATS_IN_USE' });
    expect(errorStatus.SEATS_IN_USE).toBe(409);
    deactivate(s, machine(1), { remainingDays: 3 }, at(3));
    expect(s.accounts[0]!.transferState).toBeNull(); // transfer state is never saved
    expect(activate(s, machine(3), at(4)).outcome).toBe('replaced');
    expect(s.accounts).toHaveLength(1);
    expect(allBindings(s).filter((b) => b.status === 'active')).toHaveLength(2);
    expect(activate(s, machine(4), at(5)).errorCode).toBe('SEATS_IN_USE');
    deactivate(s, machine(2), null, at(6));
    expect(activate(s, machine(4), at(7)).outcome).toBe('replaced'); // 4th of 4 activations
    deactivate(s, machine(3), null, at(8));
    expect(activate(s, machine(5), at(9)).errorCode).toBe('MAX_ACTIVATIONS_REACHED'); // the count covers all machines
  });

  it('the same machine whose document ran out replaces only its own binding', () => {
    const s = sim({ activationPolicy: 'AcceptAllMultipleMachines', masterLicense: { maxDayPeriod: 5 } }, { seats: 2 });
    activate(s, machine(1), at(0));
    activate(s, machine(2), at(1));
    const own = bindingOf(s, machine(1))!;
    expect(activate(s, machine(1), at(6))).toMatchObject({ outcome: 'replaced', replacesBindingIds: [own.id] });
    expect(bindingOf(s, machine(2))?.status).toBe('active');
  });
});

// ---------------------------------------------------------------------------------------------------------
// Entitlement status (§4.1), transfer state (§6.4), issued limits (§6.1, §6.5)
// ---------------------------------------------------------------------------------------------------------

describe('entitlement status gate (§4.1, §7.4)', () => {
  const cases: [EntitlementStatus, string][] = [
    ['suspended', 'ENTITLEMENT_SUSPENDED'],
    ['expired', 'ENTITLEMENT_EXPIRED'],
    ['superseded', 'ENTITLEMENT_SUPERSEDED'],
    ['deleted', 'ENTITLEMENT_INACTIVE'],
    ['ordered', 'ENTITLEMENT_INACTIVE'],
    ['in_progress', 'OPERATION_IN_PROGRESS'],
  ];
  it.each(cases)('%s → %s', (status, code) => {
    const d = decide({}, [], machine(1), t0, { status });
    expect(d).toMatchObject({ outcome: 'refused', logAction: 'Refused', errorCode: code });
    expect(d.issued).toBeUndefined();
  });

  it('an active entitlement past its expiresAt is refused as expired; before it, the document ends with it', () => {
    expect(entitlementRefusal({ status: 'active', expiresAt: at(-1) }, t0)).toBe('ENTITLEMENT_EXPIRED');
    expect(entitlementRefusal({ status: 'active', expiresAt: null }, t0)).toBeNull();
    const d = decide({ masterLicense: { maxDayPeriod: 30 } }, [], machine(1), t0, { expiresAt: at(10) });
    expect(d.issued).toEqual({ maxDayPeriod: 30, expiresAt: at(10), maxExec: null, initExec: null });
  });

  it('a missing signature is reported before the entitlement status', () => {
    expect(decide({ activationPolicy: 'High' }, [], { hdd: 'H1' }, t0, { status: 'suspended' }).errorCode).toBe('SIGNATURES_REQUIRED');
  });
});

describe('transfer state and NonTransferable (§6.4)', () => {
  it('is stored only under state-keeping policies of transferable products', () => {
    const reported = { remainingDays: 5, execCount: 7 };
    expect(transferStateToSave(product(), reported, t0)).toEqual({ remainingDays: 5, execCount: 7, savedAt: t0 });
    expect(transferStateToSave(product({ activationPolicy: 'High' }), reported, t0)).not.toBeNull();
    expect(transferStateToSave(product({ nonTransferable: true }), reported, t0)).toBeNull();
    expect(transferStateToSave(product({ activationPolicy: 'AcceptAllMultipleMachines' }), reported, t0)).toBeNull();
    expect(transferStateToSave(product(), null, t0)).toBeNull();
  });

  it('NonTransferable never refuses and ignores a state already on the account', () => {
    const withState = activatedOnce(machine(1), { bindings: [], transferState: { remainingDays: 3, execCount: 9, savedAt: t0 } });
    const d = decide({ nonTransferable: true, masterLicense: { maxDayPeriod: 30, maxExec: 50 } }, [withState], machine(2), at(1));
    expect(d).toMatchObject({ outcome: 'replaced', transferStateConsumed: false, issued: { maxDayPeriod: 30, maxExec: 50, initExec: null } });
    expect(d.account?.transferState).toBeNull();
  });

  it('a saved state is reissued (preserve) and restores the execution counter', () => {
    const withState = activatedOnce(machine(1), { bindings: [], transferState: { remainingDays: 3, execCount: 9, savedAt: t0 } });
    const d = decide({ masterLicense: { maxDayPeriod: 30, maxExec: 50 } }, [withState], machine(2), at(1));
    expect(d).toMatchObject({ transferStateConsumed: true, issued: { maxDayPeriod: 3, maxExec: 50, initExec: 9 } });
  });

  it('an upgrade after the state was saved wins over its remaining days', () => {
    const s = sim({ transferTimeMode: 'preserve', managedExpiration: true, masterLicense: { maxDayPeriod: 30 } });
    activate(s, machine(1), at(0));
    deactivate(s, machine(1), { remainingDays: 20 }, at(10));
    upgrade(s, 1, { maxDayPeriod: 30, addToExisting: true }, at(12)); // cust = 30 − 12 + 30 = 48
    expect(activate(s, machine(1), at(14))).toMatchObject({ logAction: 'Customized', issued: { maxDayPeriod: 46 } });
  });
});

describe('§6.5 ManagedExpiration helpers', () => {
  it('d(x) counts whole days and never goes negative', () => {
    expect(wholeDaysSince(t0, at(9.99))).toBe(9);
    expect(wholeDaysSince(t0, at(10))).toBe(10);
    expect(wholeDaysSince(at(1), t0)).toBe(0);
  });

  it('reproduces the source example step by step: 30, 20 at day 10, 12 at day 18', () => {
    const base = { masterDays: 30, latestUpgrade: null };
    expect(managedExpiration({ ...base, firstActivatedAt: null, now: t0 })).toBe(30);
    expect(managedExpiration({ ...base, firstActivatedAt: t0, now: at(10) })).toBe(20);
    expect(managedExpiration({ ...base, firstActivatedAt: t0, now: at(18) })).toBe(12);
    expect(managedExpiration({ ...base, firstActivatedAt: t0, now: at(45) })).toBe(0);
  });

  it('reproduces the upgrade example step by step: cust 50, 45, cust 70, 68', () => {
    const cust1 = managedExpirationUpgrade({ masterDays: 30, firstActivatedAt: t0, latestUpgrade: null, now: at(10), addDays: 30 });
    expect(cust1).toBe(50);
    expect(managedExpiration({ masterDays: 30, firstActivatedAt: t0, latestUpgrade: { custDays: cust1, at: at(10) }, now: at(15) })).toBe(45);
    const cust2 = managedExpirationUpgrade({ masterDays: 30, firstActivatedAt: t0, latestUpgrade: { custDays: cust1, at: at(10) }, now: at(20), addDays: 30 });
    expect(cust2).toBe(70);
    expect(managedExpiration({ masterDays: 30, firstActivatedAt: t0, latestUpgrade: { custDays: cust2, at: at(20) }, now: at(22) })).toBe(68);
  });

  it('an upgrade before any activation uses d = 0; the first activation then counts from the upgrade', () => {
    const s = sim({ managedExpiration: true, masterLicense: { maxDayPeriod: 30 } });
    expect(upgrade(s, 1, { maxDayPeriod: 30, addToExisting: true }, at(0))).toMatchObject({ ok: true, customLicense: { maxDayPeriod: 60 } });
    expect(activate(s, machine(1), at(4))).toMatchObject({ outcome: 'activated', logAction: 'Activated', template: 'custom', issued: { maxDayPeriod: 56 } });
  });

  it('an activation that would issue 0 days is refused with PERIOD_EXHAUSTED', () => {
    const s = sim({ managedExpiration: true, masterLicense: { maxDayPeriod: 30 } });
    activate(s, machine(1), at(0));
    const d = activate(s, machine(2), at(30));
    expect(d).toMatchObject({ outcome: 'refused', logAction: 'Refused', errorCode: 'PERIOD_EXHAUSTED', accountSlot: 1 });
    expect(errorStatus.PERIOD_EXHAUSTED).toBe(403);
    expect(s.accounts[0]!.activationCount).toBe(1);
  });

  it('a template with an absolute end caps the document and refuses once it has passed', () => {
    const p = { masterLicense: { maxDayPeriod: 30, expiresAt: at(7) } };
    expect(decide(p, [], machine(1), t0).issued?.expiresAt).toEqual(at(7));
    expect(decide(p, [], machine(1), at(7)).errorCode).toBe('PERIOD_EXHAUSTED');
  });
});

describe('§6.6 ManagedExecution helpers', () => {
  it('follows the §6.6 rows', () => {
    expect(managedExecution({ event: 'first', maxExec: 100 })).toEqual({ maxExec: 100, initExec: 'reset' });
    expect(managedExecution({ event: 'replacement', maxExec: 100, savedExecCount: 30 })).toEqual({ maxExec: 100, initExec: 'none' });
    expect(managedExecution({ event: 'afterUpgrade', maxExec: 150, savedExecCount: 40, reportedExecCount: 10 })).toEqual({ maxExec: 150, initExec: 40 });
    expect(managedExecution({ event: 'afterUpgrade', maxExec: 150, reportedExecCount: 10 })).toEqual({ maxExec: 150, initExec: 10 });
    expect(managedExecution({ event: 'afterUpgrade', maxExec: 150 })).toEqual({ maxExec: 150, initExec: 0 });
  });

  it('reproduces the example: 100 + 50 = 150, + 50 = 200', () => {
    expect(managedExecutionUpgrade(100, 50)).toBe(150);
    expect(managedExecutionUpgrade(150, 50)).toBe(200);
  });

  it('after an upgrade without a saved state the execCount reported in the request is used, else 0', () => {
    const upgraded = activatedOnce(machine(1), { bindings: [], upgradeSeq: 1, customLicense: { maxExec: 150 }, lastUpgradeAt: t0, reactivationAllowed: true });
    const p = { managedExecution: true, masterLicense: { maxExec: 100 } };
    const reported = decideActivation({ product: product(p), entitlement: activeEntitlement(), accounts: [upgraded], request: { signatures: machine(1), clientState: { execCount: 40 } }, now: at(1) });
    expect(reported).toMatchObject({ logAction: 'Customized', issued: { maxExec: 150, initExec: 40 } });
    expect(decide(p, [upgraded], machine(1), at(1)).issued).toMatchObject({ maxExec: 150, initExec: 0 });
  });

  it('without ManagedExecution there is no counter instruction; upgrades may replace limits', () => {
    expect(decide({ masterLicense: { maxExec: 100 } }, [], machine(1)).issued).toMatchObject({ maxExec: 100, initExec: null });
    const a = account(1, { customLicense: { maxExec: 150 }, upgradeSeq: 1, lastUpgradeAt: t0 });
    const u = applyUpgrade({ product: product({ masterLicense: { maxExec: 100 } }), account: a, template: { maxExec: 20, addToExisting: false }, now: t0 });
    expect(u).toMatchObject({ ok: true, customLicense: { maxExec: 20 }, upgradeSeq: 2 });
  });
});
