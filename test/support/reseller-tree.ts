import { expect } from 'vitest';
import type { TestPlatform } from './platform';

// A tenant tree for reseller tests, made through the API as its people would: the operator creates resellers and
// their first administrator (spec 05 §2.1), each reseller's staff then acts with its own token.

type Api = TestPlatform['api'];

/** A reseller under the operator (or under `parentId`), made by the operator's token. */
export async function createReseller(api: Api, name: string, currency: string, parentId?: number): Promise<number> {
  const r = await api('POST', '/api/v1/resellers', { name, currency, ...(parentId ? { parentId } : {}) });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.id as number;
}

let staffSeq = 0;
/** A system administrator of `resellerId` (made by the operator, its ancestor) and its API token. */
export async function resellerAdminToken(api: Api, resellerId: number): Promise<string> {
  staffSeq += 1;
  const staff = await api('POST', '/api/v1/staff', { name: `Admin ${resellerId}/${staffSeq}`, email: `tree-admin${staffSeq}.${resellerId}@resellers.example`, role: 'admin', resellerId });
  expect(staff.status, JSON.stringify(staff.body)).toBe(201);
  expect(staff.body.resellerId).toBe(resellerId);
  const token = await api('POST', `/api/v1/staff/${staff.body.id}/tokens`, { name: 't' });
  expect(token.status, JSON.stringify(token.body)).toBe(201);
  return token.body.token as string;
}

/**
 * A client of the reseller whose staff holds `token`, on that reseller's own service rule (copied from its parent when
 * it was created, spec 05 §2.2), in `currency` when given (else the reseller's), with `amount` topped up.
 */
export async function resellerClient(api: Api, token: string, name: string, amount: number, currency?: string): Promise<number> {
  const rules = await api('GET', '/api/v1/service-rules?limit=100', undefined, { token });
  expect(rules.status, JSON.stringify(rules.body)).toBe(200);
  const serviceRuleId = (rules.body.items as Array<{ id: number }>)[0]!.id;
  const client = await api('POST', '/api/v1/clients', { name, serviceRuleId, ...(currency ? { currency } : {}) }, { token });
  expect(client.status, JSON.stringify(client.body)).toBe(201);
  expect((await api('POST', `/api/v1/clients/${client.body.id}/top-ups`, { amount }, { token })).status).toBe(201);
  return client.body.id as number;
}

/** Delegates `planId` to `resellerId` with the caller's token (the operator's when none); answers the copy. */
export async function delegatePlanTo(api: Api, planId: number, body: { resellerId: number; markup?: string }, token?: string) {
  const copy = await api('POST', `/api/v1/plans/${planId}/delegations`, body, token === undefined ? {} : { token });
  expect(copy.status, JSON.stringify(copy.body)).toBe(201);
  return copy.body as { id: number; markup: string | null; periods: Array<{ id: number }> };
}
