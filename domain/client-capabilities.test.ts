import { describe, expect, it } from 'vitest';
import { blockedMessage, clientCapabilities, clientCapability, deletedMessage, type ClientCapability } from './client-capabilities';
import type { ClientStatus } from './statuses';

const allowed = (status: ClientStatus, capability: ClientCapability, level: 'owner' | 'admin' | 'user' = 'owner') => clientCapability(status, level, capability).allowed;

describe('client users in each client status (spec 01 §4.2)', () => {
  it('an active client: owners and administrators may do everything', () => {
    for (const capability of clientCapabilities) {
      expect(allowed('active', capability, 'owner'), capability).toBe(true);
      expect(allowed('active', capability, 'admin'), capability).toBe(true);
    }
  });

  it('financial block: balance, top-up, paid prepay orders, postpay and charges yes; trials and managing prepay subscriptions no', () => {
    const table: Record<ClientCapability, boolean> = {
      sign_in: true, view_balance: true, top_up: true, order_prepay: true, order_trial: false, manage_prepay: false,
      order_postpay: true, manage_postpay: true, view_charges: true, open_services: true,
    };
    for (const capability of clientCapabilities) expect(allowed('financially_blocked', capability), capability).toBe(table[capability]);
    expect(clientCapability('financially_blocked', 'admin', 'manage_prepay')).toMatchObject({ code: 'account_financially_blocked' });
    expect(clientCapability('financially_blocked', 'owner', 'order_trial')).toMatchObject({ code: 'account_financially_blocked' });
  });

  it('administrative block and deletion: nothing at all, with the spec wording', () => {
    for (const capability of clientCapabilities) {
      expect(clientCapability('administratively_blocked', 'owner', capability)).toEqual({ allowed: false, code: 'account_blocked', message: blockedMessage });
      expect(clientCapability('deleted', 'owner', capability)).toEqual({ allowed: false, code: 'account_deleted', message: deletedMessage });
    }
  });

  it('the "user" access level only looks: no payment, order or change, in any status', () => {
    for (const status of ['active', 'financially_blocked'] as const) {
      expect(allowed(status, 'view_balance', 'user')).toBe(true);
      expect(allowed(status, 'view_charges', 'user')).toBe(true);
      for (const capability of ['top_up', 'order_prepay', 'order_postpay', 'manage_postpay', 'manage_prepay'] as const) {
        expect(clientCapability(status, 'user', capability)).toMatchObject({ allowed: false, code: 'access_level' });
      }
    }
  });
});
