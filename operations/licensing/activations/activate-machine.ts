import { inTransaction, type Db } from '../../../db/client';
import { AppError } from '../../../domain/errors';
import { decideActivation, type ActivationDecision, type ActivationErrorCode, type ClientState, type HardwareSignatures } from '../../../domain/licensing/activation';
import { documentMaxMajor } from '../../../domain/licensing/major-updates';
import type { SecretBox } from '../../../infra/secret-box';
import { signVendorDocument, type VendorSignedLicense } from '../signing/vendor-signing-keys';
import { findEntitlementForProduct, type EntitlementForProduct } from '../entitlement-for-product';
import { activationInputOf, readActivationAccounts, type AccountRow } from './activation-state';

export interface ActivateMachineInput {
  /** Canonical key code. */
  code: string;
  productCode: string;
  machine: {
    signatures: HardwareSignatures;
    hostname?: string | undefined;
    ip?: string | undefined;
    /** The application database using the key and the user at the machine: shown in the key card's current usage (§3.6). */
    databaseId?: string | undefined;
    databaseName?: string | undefined;
    userName?: string | undefined;
  };
  clientState?: ClientState | undefined;
  /** How the request came: online, or a request file carried from an offline machine (§5.5). Shown in a refusal's details. */
  channel: 'online' | 'offline';
  /** Opens the vendor's signing key. */
  vault: SecretBox | undefined;
  now: Date;
}

export interface ActivationGranted {
  /** The machine binding's id. */
  activationId: number;
  action: ActivationDecision['logAction'];
  outcome: ActivationDecision['outcome'];
  document: VendorSignedLicense;
}

type Granted = Omit<ActivationDecision, 'accountSlot'> & { accountSlot: number };

/**
 * Activates a fixed license on a machine (spec 04 §6.2-6.3) in one transaction with the entitlement locked, so
 * MaxActivation and seats hold under concurrency: the domain's decision, the account, the bindings replaced, the
 * log row and the signed document. A refusal is logged (`Refused`) and committed, then thrown with its §7.4 code.
 * Floating licenses are used through leases (§5.1), never bound to machines: 409 `LICENSE_NOT_FIXED`.
 */
export async function activateMachine(db: Db, input: ActivateMachineInput): Promise<ActivationGranted> {
  const outcome = await inTransaction(db, async (tx): Promise<{ refused: ActivationDecision } | { granted: ActivationGranted }> => {
    const ent = await findEntitlementForProduct(tx, { code: input.code, productCode: input.productCode, lock: true });
    if (ent.license_model === 'floating') throw new AppError('LICENSE_NOT_FIXED', 'a floating license is used through leases: POST /licensing/v1/leases');
    const rows = await readActivationAccounts(tx, ent.id);
    const decision = decideActivation(activationInputOf(ent, rows, { signatures: input.machine.signatures, ip: input.machine.ip ?? null, clientState: input.clientState ?? null }, input.now));
    const accountOf = (slot: number | undefined) => rows.accounts.find((a) => a.slot_no === slot);
    if (decision.outcome === 'refused') {
      await tx`
        insert into activation_logs (entitlement_id, account_id, action, error_code, machine_id, signatures, at)
        values (${ent.id}, ${accountOf(decision.accountSlot)?.id ?? null}, 'Refused', ${decision.errorCode ?? null}, ${decision.machineId},
                ${JSON.stringify(input.machine.signatures)}::jsonb, ${input.now.toISOString()})`;
      return { refused: decision };
    }
    const bindingId = await recordGrant(tx, { ent, account: accountOf(decision.accountSlot), decision: decision as Granted, input });
    return { granted: { activationId: bindingId, action: decision.logAction, outcome: decision.outcome, document: await activationDocument(tx, ent, decision, input) } };
  });
  if ('refused' in outcome) {
    const code = outcome.refused.errorCode as ActivationErrorCode;
    throw new AppError(code, outcome.refused.reason ?? code, { channel: input.channel });
  }
  return outcome.granted;
}

/** Writes a granted activation: the account (created on its first use), replaced bindings, the binding, the log row. */
async function recordGrant(tx: Db, p: { ent: EntitlementForProduct; account: AccountRow | undefined; decision: Granted; input: ActivateMachineInput }): Promise<number> {
  const { ent, decision, input } = p;
  let account = p.account;
  if (!account) {
    [account] = await tx<AccountRow[]>`insert into activation_accounts (entitlement_id, slot_no) values (${ent.id}, ${decision.accountSlot}) returning *`;
  }
  if (decision.account) {
    await tx`
      update activation_accounts set activation_count = ${decision.account.activationCount}, first_activated_at = ${decision.account.firstActivatedAt.toISOString()},
             policy_reference = ${JSON.stringify(decision.account.policyReference)}::jsonb, transfer_state = null, reactivation_allowed = false, updated_at = now()
      where id = ${account!.id}`;
  }
  if (decision.replacesBindingIds?.length) {
    await tx`update machine_bindings set status = 'replaced', deactivated_at = now() where id = any(${decision.replacesBindingIds.map(Number)}::int[])`;
  }
  let bindingId: number;
  if (decision.outcome === 'reissued') {
    bindingId = Number(decision.reissuesBindingId);
    await tx`
      update machine_bindings set issued = ${JSON.stringify(decision.issued ?? null)}::jsonb, last_seen_at = now(), ${usageColumns(tx, input.machine)}
      where id = ${bindingId}`;
  } else {
    const [binding] = await tx<Array<{ id: number }>>`
      insert into machine_bindings (account_id, machine_id, signatures, hostname, ip, database_id, database_name, user_name, issued, last_seen_at)
      values (${account!.id}, ${decision.machineId}, ${JSON.stringify(input.machine.signatures)}::jsonb, ${input.machine.hostname ?? null}, ${input.machine.ip ?? null},
              ${input.machine.databaseId ?? null}, ${input.machine.databaseName ?? null}, ${input.machine.userName ?? null}, ${JSON.stringify(decision.issued ?? null)}::jsonb, now())
      returning id`;
    bindingId = binding!.id;
  }
  await tx`
    insert into activation_logs (entitlement_id, account_id, binding_id, action, machine_id, signatures, at)
    values (${ent.id}, ${account!.id}, ${bindingId}, ${decision.logAction}, ${decision.machineId}, ${JSON.stringify(input.machine.signatures)}::jsonb, ${input.now.toISOString()})`;
  return bindingId;
}

/** A re-issue on the same machine refreshes what the key card's current usage shows; what was not declared is kept. */
function usageColumns(tx: Db, m: ActivateMachineInput['machine']) {
  return tx`hostname = coalesce(${m.hostname ?? null}, hostname), ip = coalesce(${m.ip ?? null}, ip), database_id = coalesce(${m.databaseId ?? null}, database_id),
            database_name = coalesce(${m.databaseName ?? null}, database_name), user_name = coalesce(${m.userName ?? null}, user_name)`;
}

/** The signed license of a machine (§6.8): the limits the decision issued, bound to the machine id. */
async function activationDocument(tx: Db, ent: EntitlementForProduct, decision: ActivationDecision, { now: at, vault }: ActivateMachineInput): Promise<VendorSignedLicense> {
  return signVendorDocument(tx, {
    vendorId: ent.vendor_id,
    vault,
    document: {
      vendor: ent.vendor_prefix,
      key: ent.key_code,
      product: ent.product_code,
      licensee: { user: null, organization: ent.client_name },
      model: ent.license_model,
      seats: ent.seats,
      machineId: decision.machineId,
      issuedAt: at.toISOString(),
      expiresAt: decision.issued?.expiresAt?.toISOString() ?? ent.expires_at ?? null,
      maxDayPeriod: decision.issued?.maxDayPeriod ?? null,
      maxExec: decision.issued?.maxExec ?? null,
      initExec: decision.issued?.initExec ?? null,
      maxMajor: documentMaxMajor({ termType: ent.term_type, entitledMajor: ent.entitled_major }),
      features: { ...(ent.master_license.features ?? {}), ...ent.configuration },
      supportUntil: ent.support_until ? new Date(ent.support_until).toISOString() : null,
    },
  });
}
