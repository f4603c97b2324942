import type { Refusal } from './errors';
import type { ClientAccessLevel, ClientStatus } from './statuses';

/**
 * What a client user may do for a client in each client status (spec 01 §4.2). The API asks this table
 * before any client-user request reaches its handler; the table is the only place the rules live.
 */
export const clientCapabilities = [
  'sign_in',
  'view_balance',
  'top_up',
  'order_prepay',
  'order_trial',
  'manage_prepay',
  'order_postpay',
  'manage_postpay',
  'view_charges',
  'open_services',
] as const;
export type ClientCapability = (typeof clientCapabilities)[number];

export type CapabilityAnswer = { allowed: true } | ({ allowed: false } & Refusal);

/** The spec's wording for a user whose client is blocked or deleted (spec 01 §4.2, first row). */
export const blockedMessage = 'Client is blocked. Any operations are forbidden. Contact the administrator.';
export const deletedMessage = 'Client deleted';

/** The account switcher's label for a client in each status (spec 01 §4.2, second row). */
export const statusLabels: Record<ClientStatus, string | null> = {
  active: null,
  financially_blocked: 'Financial block',
  administratively_blocked: 'Administrative block',
  deleted: 'Deleted',
};

/**
 * Access levels (our choice where the spec names them without a matrix): owners and administrators may
 * do everything their client's status allows; users see the balance, charges and services but neither
 * pay, order nor change subscriptions.
 */
const readOnly: ReadonlySet<ClientCapability> = new Set(['sign_in', 'view_balance', 'view_charges', 'open_services']);

/** In financial block (spec 01 §4.2, third column). */
const inFinancialBlock: Record<ClientCapability, boolean> = {
  sign_in: true,
  view_balance: true,
  top_up: true,
  order_prepay: true,
  order_trial: false,
  manage_prepay: false,
  order_postpay: true,
  manage_postpay: true,
  view_charges: true,
  open_services: true,
};

const financialBlockRefusals: Partial<Record<ClientCapability, string>> = {
  order_trial: 'the client is financially blocked: trial subscriptions cannot be ordered until the balance is topped up',
  manage_prepay: 'the client is financially blocked: prepaid subscriptions cannot be renewed, changed or switched until the balance is topped up',
};

export function clientCapability(status: ClientStatus, level: ClientAccessLevel, capability: ClientCapability): CapabilityAnswer {
  if (status === 'administratively_blocked') return { allowed: false, code: 'account_blocked', message: blockedMessage };
  if (status === 'deleted') return { allowed: false, code: 'account_deleted', message: deletedMessage };
  if (level === 'user' && !readOnly.has(capability)) {
    return { allowed: false, code: 'access_level', message: `the "user" access level may not ${capability.replace('_', ' ')}; ask the client's owner or an administrator` };
  }
  if (status === 'financially_blocked' && !inFinancialBlock[capability]) {
    return { allowed: false, code: 'account_financially_blocked', message: financialBlockRefusals[capability] ?? 'the client is financially blocked' };
  }
  return { allowed: true };
}
