import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPlatform, type TestPlatform } from '../support/platform';

// Issue 21 point 2 for client types and notification categories, through the API on three levels: operator →
// reseller R → sub-reseller S, plus S2, a sibling of S. Every call for a reseller uses its own staff's token.
// Client types propagate like provisioning rules (read-only below their owner, spec 05 §3.5); each reseller sets its
// own default payment method and default type; categories propagate like templates (spec 03 §2-§3).

let p: TestPlatform;
let r: number;
let s: number;
let s2: number;
const tokens: Record<'root' | 'r' | 's' | 's2', string | undefined> = { root: undefined, r: undefined, s: undefined, s2: undefined };
type Who = keyof typeof tokens;
const api = (who: Who, method: string, path: string, body?: unknown) => p.api(method, `/api/v1${path}`, body, tokens[who] === undefined ? {} : { token: tokens[who] });

async function staffOf(resellerId: number, email: string): Promise<string> {
  const staff = await created(p.api('POST', '/api/v1/staff', { name: `Admin ${email}`, email, role: 'admin', resellerId }));
  return (await created(p.api('POST', `/api/v1/staff/${staff.id}/tokens`, { name: email }))).token as string;
}

async function created(answer: Promise<{ status: number; body: any }>, status = 201) {
  const a = await answer;
  expect(a.status, JSON.stringify(a.body)).toBe(status);
  return a.body;
}

const refusal = async (answer: Promise<{ status: number; body: any }>) => {
  const a = await answer;
  return [a.status, a.body.code];
};

const typesOf = async (who: Who): Promise<any[]> => (await created(api(who, 'GET', '/client-types'), 200)).items;
const typeAt = async (who: Who, key: string) => (await typesOf(who)).filter((t) => t.key === key);

/** A client of `who`'s reseller, created by its staff with its own service rule (a copy of the operator's). */
async function clientOf(who: Who, clientType?: string) {
  const rule = ((await api(who, 'GET', '/service-rules?limit=200')).body.items as Array<{ id: number }>)[0]!.id;
  return api(who, 'POST', '/clients', { name: `Client of ${who}`, serviceRuleId: rule, ...(clientType === undefined ? {} : { clientType }) });
}

beforeAll(async () => {
  p = await createTestPlatform('client_types');
  await created(api('root', 'POST', '/service-rules', { key: 'root_default', name: 'Root default', isDefault: true }));
  r = (await created(api('root', 'POST', '/resellers', { name: 'Reseller R', currency: 'EUR' }))).id;
  s = (await created(api('root', 'POST', '/resellers', { name: 'Sub-reseller S', currency: 'EUR', parentId: r }))).id;
  s2 = (await created(api('root', 'POST', '/resellers', { name: 'Sub-reseller S2', currency: 'EUR', parentId: r }))).id;
  tokens.r = await staffOf(r, 'admin@r.example');
  tokens.s = await staffOf(s, 'admin@s.example');
  tokens.s2 = await staffOf(s2, 'admin@s2.example');
});
afterAll(async () => {
  await p?.close();
});

describe('client types on the propagation mechanism (spec 02 §10, 05 §3.5)', () => {
  it("the installation's three types are the operator's; R and S see them delegated, legal_entity the default everywhere", async () => {
    const atRoot = await typesOf('root');
    expect(atRoot.map((t) => [t.key, t.delegated, t.isDefault])).toEqual([
      ['individual', false, false],
      ['sole_proprietor', false, false],
      ['legal_entity', false, true],
    ]);
    for (const who of ['r', 's'] as const) {
      const seen = await typesOf(who);
      expect(seen.map((t) => [t.key, t.delegated, t.isDefault]), who).toEqual([
        ['individual', true, false],
        ['sole_proprietor', true, false],
        ['legal_entity', true, true],
      ]);
    }
    // A client created without a type gets the reseller's default, as the enum's default did.
    const client = await created(clientOf('s'));
    expect(client.clientType).toBe('legal_entity');
    expect((await created(clientOf('s', 'individual'))).clientType).toBe('individual');
  });

  it("a type the operator creates reaches R and S read-only: a name edit is refused, the default payment method is each reseller's own", async () => {
    const vip = await created(api('root', 'POST', '/client-types', { key: 'vip', name: 'VIP' }));
    expect([vip.delegated, vip.resellerId, vip.downstreamKeyConflicts]).toEqual([false, 1, []]);
    for (const who of ['r', 's'] as const) expect((await typeAt(who, 'vip')).map((t) => [t.id, t.name, t.delegated]), who).toEqual([[vip.id, 'VIP', true]]);

    expect(await refusal(api('s', 'PATCH', `/client-types/${vip.id}`, { name: 'Mine now' }))).toEqual([409, 'copy_read_only']);
    expect(await refusal(api('r', 'PATCH', `/client-types/${vip.id}`, { key: 'vip_r' }))).toEqual([409, 'copy_read_only']);
    expect(await refusal(api('s', 'DELETE', `/client-types/${vip.id}`))).toEqual([409, 'not_own_object']);
    // Only invoice (CheckCash) methods may be a type's default payment method (spec 02 §10).
    expect(await refusal(api('s', 'PATCH', `/client-types/${vip.id}`, { defaultPaymentMethod: 'card' }))).toEqual([400, 'validation_failed']);
    const atS = await created(api('s', 'PATCH', `/client-types/${vip.id}`, { defaultPaymentMethod: 'bank_transfer', name: 'VIP' }), 200);
    expect([atS.defaultPaymentMethod, atS.delegated, atS.name]).toEqual(['bank_transfer', true, 'VIP']);
    expect((await typeAt('r', 'vip'))[0].defaultPaymentMethod).toBeNull();

    // The owner's edit reaches every level.
    await created(api('root', 'PATCH', `/client-types/${vip.id}`, { name: 'VIP customers' }), 200);
    for (const who of ['r', 's'] as const) expect((await typeAt(who, 'vip'))[0].name, who).toBe('VIP customers');
    expect((await typeAt('s', 'vip'))[0].defaultPaymentMethod).toBe('bank_transfer');
  });

  it('a delegated type can be made the default downstream; the default cannot be unset, only replaced', async () => {
    const pro = await created(api('root', 'POST', '/client-types', { key: 'pro', name: 'Pro' }));
    expect((await created(api('s2', 'PATCH', `/client-types/${pro.id}`, { isDefault: true }), 200)).isDefault).toBe(true);
    expect(await refusal(api('s2', 'PATCH', `/client-types/${pro.id}`, { isDefault: false }))).toEqual([422, 'default_cannot_be_unset']);
    expect((await created(clientOf('s2'))).clientType).toBe('pro');
    // Nobody else's default moved.
    for (const who of ['root', 'r', 's'] as const) expect((await typesOf(who)).find((t) => t.isDefault).key, who).toBe('legal_entity');
  });

  it('a client is created with a type its reseller sees; an unknown key or another reseller’s type is invalid_reference', async () => {
    const own = await created(api('s2', 'POST', '/client-types', { key: 'sibling_only', name: 'Only at S2' }));
    expect([own.delegated, own.resellerId]).toEqual([false, s2]);
    expect(await refusal(clientOf('s', 'sibling_only'))).toEqual([422, 'invalid_reference']);
    expect(await refusal(clientOf('root', 'sibling_only'))).toEqual([422, 'invalid_reference']);
    expect(await refusal(clientOf('s', 'no_such_type'))).toEqual([422, 'invalid_reference']);
    expect(await refusal(api('s', 'GET', `/client-types/${own.id}`))).toEqual([404, 'not_found']);
    expect((await created(clientOf('s2', 'sibling_only'))).clientType).toBe('sibling_only');
  });

  it("a key collision with a downstream's own type is allowed and reported; the downstream settles it by re-keying its own", async () => {
    const sGold = await created(api('s', 'POST', '/client-types', { key: 'gold', name: 'Gold (S)' }));
    const rootGold = await created(api('root', 'POST', '/client-types', { key: 'gold', name: 'Gold' }));
    expect(rootGold.downstreamKeyConflicts).toEqual([s]);
    const atS = await typeAt('s', 'gold');
    expect(atS.map((t) => [t.id, t.delegated, t.keyConflict])).toEqual([
      [sGold.id, false, true],
      [rootGold.id, true, true],
    ]);
    expect(atS[0].keyConflictMessage).toMatch(/Key conflict detected/);
    expect((await typeAt('r', 'gold')).map((t) => [t.id, t.keyConflict])).toEqual([[rootGold.id, false]]);
    // Meanwhile the key names S's own type at S (the nearest owner).
    const client = await created(clientOf('s', 'gold'));
    const [row] = await p.sql<Array<{ client_type_id: number }>>`select client_type_id from clients where id = ${client.id}`;
    expect(row!.client_type_id).toBe(sGold.id);
    // A downstream may not take a key it sees from upstream, nor re-key into one.
    expect(await refusal(api('s', 'POST', '/client-types', { key: 'vip', name: 'My VIP' }))).toEqual([409, 'client_type_key_taken']);
    expect(await refusal(api('root', 'POST', '/client-types', { key: 'gold', name: 'Again' }))).toEqual([409, 'client_type_key_taken']);

    await created(api('s', 'PATCH', `/client-types/${sGold.id}`, { key: 'gold_s' }), 200);
    expect((await typesOf('s')).filter((t) => t.keyConflict)).toEqual([]);
    expect((await created(api('s', 'GET', `/clients/${client.id}`), 200)).clientType).toBe('gold_s');
    expect((await created(clientOf('s', 'gold'))).clientType).toBe('gold');
  });

  it('an upstream deletion removes the copy where unused and keeps it (delegated = false, editable) where the child has clients of it', async () => {
    const seasonal = await created(api('root', 'POST', '/client-types', { key: 'seasonal', name: 'Seasonal' }));
    const unused = await created(api('root', 'POST', '/client-types', { key: 'unused', name: 'Unused' }));
    const client = await created(clientOf('s', 'seasonal'));
    await created(api('s', 'PATCH', `/client-types/${seasonal.id}`, { defaultPaymentMethod: 'cash', isDefault: true }), 200);

    for (const t of [seasonal, unused]) expect((await api('root', 'DELETE', `/client-types/${t.id}`)).status).toBe(200);
    for (const who of ['root', 'r', 's2'] as const) expect((await typesOf(who)).filter((t) => ['seasonal', 'unused'].includes(t.key)), who).toEqual([]);
    const kept = await typeAt('s', 'seasonal');
    expect(kept.map((t) => [t.delegated, t.resellerId, t.name, t.defaultPaymentMethod, t.isDefault])).toEqual([[false, s, 'Seasonal', 'cash', true]]);
    expect(kept[0].id).not.toBe(seasonal.id);
    expect(await typeAt('s', 'unused')).toEqual([]);
    // The client keeps its type, now S's own, which S may edit and others still cannot see.
    const [row] = await p.sql<Array<{ client_type_id: number }>>`select client_type_id from clients where id = ${client.id}`;
    expect(row!.client_type_id).toBe(kept[0].id);
    expect((await created(api('s', 'GET', `/clients/${client.id}`), 200)).clientType).toBe('seasonal');
    expect((await created(api('s', 'PATCH', `/client-types/${kept[0].id}`, { name: 'Seasonal (S)' }), 200)).name).toBe('Seasonal (S)');
    expect(await refusal(api('r', 'GET', `/client-types/${kept[0].id}`))).toEqual([404, 'not_found']);
  });

  it("a reseller cannot delete a type its own clients have, and deleting the default type makes another one default", async () => {
    const temp = await created(api('r', 'POST', '/client-types', { key: 'temp', name: 'Temp' }));
    const client = await created(clientOf('r', 'temp'));
    expect(await refusal(api('r', 'DELETE', `/client-types/${temp.id}`))).toEqual([409, 'client_type_in_use']);
    expect(client.clientType).toBe('temp');

    const promo = await created(api('r', 'POST', '/client-types', { key: 'promo', name: 'Promo', isDefault: true }));
    // R's choice reaches a descendant that has made none of its own; S2 keeps its own choice.
    expect((await typesOf('s2')).find((t) => t.isDefault).key).toBe('pro');
    expect((await typesOf('r')).find((t) => t.isDefault).id).toBe(promo.id);
    expect((await api('r', 'DELETE', `/client-types/${promo.id}`)).status).toBe(200);
    // R falls back to the choice it inherits from the operator.
    expect((await typesOf('r')).filter((t) => t.isDefault).map((t) => t.key)).toEqual(['legal_entity']);
  });

  it('notification rules and templates see the client type as account.type_key / account.type_id (spec 03 §7)', async () => {
    const client = await created(clientOf('s', 'vip'));
    const template = await created(
      api('s', 'POST', '/notification-templates', {
        name: 'Type notice',
        channel: 'email',
        event: 'account_changed',
        recipients: { to: '{{owner.email}}' },
        versions: { en: { subject: 'Type {{account.type_key}}', text: 'Type id {{account.type_id}}' } },
      }),
    );
    const preview = await created(api('s', 'POST', `/notification-templates/${template.id}/preview`, { subject: { kind: 'client', id: client.id } }), 200);
    const [vip] = await typeAt('s', 'vip');
    expect([preview.subject, preview.text]).toEqual(['Type vip', `Type id ${vip.id}`]);
    expect((await api('s', 'POST', '/notification-handlers', { event: 'account_changed', templateId: template.id, rule: 'account.type_key = "vip"' })).status).toBe(201);
  });

  it('a provisioning rule names client types the reseller sees', async () => {
    const ok = await api('root', 'POST', '/provisioning-rules', { key: 'typed_rule', name: 'Typed', clientTypes: ['vip', 'individual'] });
    expect([ok.status, ok.body.clientTypes]).toEqual([201, ['vip', 'individual']]);
    expect(await refusal(api('root', 'POST', '/provisioning-rules', { key: 'typed_rule_2', name: 'Typed 2', clientTypes: ['sibling_only'] }))).toEqual([422, 'invalid_reference']);
    expect((await api('s2', 'POST', '/provisioning-rules', { key: 's2_rule', name: 'S2 rule', clientTypes: ['sibling_only', 'vip'] })).status).toBe(201);
  });

  it('a downstream adds its own client types to a delegated rule, which stays read-only otherwise (spec 05 §3.4 rule 4)', async () => {
    const rule = await created(api('root', 'POST', '/provisioning-rules', { key: 'extendable', name: 'Extendable', clientTypes: ['individual'] }));
    const rType = await created(api('r', 'POST', '/client-types', { key: 'r_partner', name: 'Partner of R' }));
    const added = await created(api('r', 'POST', `/provisioning-rules/${rule.id}/client-types`, { clientTypes: ['r_partner', 'individual'] }), 200);
    expect([added.clientTypes, added.delegated]).toEqual([['individual', 'r_partner'], true]);
    // R's descendants see R's addition; the operator and the rule itself do not change.
    for (const who of ['s', 's2'] as const) expect((await api(who, 'GET', `/provisioning-rules/${rule.id}`)).body.clientTypes, who).toEqual(['individual', 'r_partner']);
    expect((await api('root', 'GET', `/provisioning-rules/${rule.id}`)).body.clientTypes).toEqual(['individual']);
    await created(api('s', 'POST', `/provisioning-rules/${rule.id}/client-types`, { clientTypes: ['gold_s'] }), 200);
    expect((await api('s', 'GET', `/provisioning-rules/${rule.id}`)).body.clientTypes).toEqual(['individual', 'r_partner', 'gold_s']);
    expect((await api('s2', 'GET', `/provisioning-rules/${rule.id}`)).body.clientTypes).toEqual(['individual', 'r_partner']);

    expect(await refusal(api('r', 'POST', `/provisioning-rules/${rule.id}`, { key: 'extendable', name: 'Extendable', clientTypes: ['individual', 'r_partner'] }))).toEqual([409, 'copy_read_only']);
    expect(await refusal(api('root', 'POST', `/provisioning-rules/${rule.id}/client-types`, { clientTypes: ['vip'] }))).toEqual([409, 'rule_not_delegated']);
    expect(await refusal(api('r', 'POST', `/provisioning-rules/${rule.id}/client-types`, { clientTypes: ['sibling_only'] }))).toEqual([422, 'invalid_reference']);
    await created(api('r', 'POST', `/provisioning-rules/${rule.id}/client-types`, { clientTypes: [] }), 200);
    expect((await api('s', 'GET', `/provisioning-rules/${rule.id}`)).body.clientTypes).toEqual(['individual', 'gold_s']);
    expect(rType.delegated).toBe(false);
  });
});

describe('notification categories on the propagation mechanism (spec 03 §2-§3)', () => {
  const category = (name: string, extra: Record<string, unknown> = {}) => ({ name, ...extra });
  const flags = (c: any) => ({ installed: c.installed, inherited: c.inherited, modified: c.modified });

  it('a name not unique in the subtree is refused, above and below', async () => {
    await created(api('root', 'POST', '/notification-categories', category('Billing')));
    expect(await refusal(api('r', 'POST', '/notification-categories', category('Billing')))).toEqual([409, 'category_name_taken']);
    await created(api('s', 'POST', '/notification-categories', category('Marketing')));
    expect(await refusal(api('root', 'POST', '/notification-categories', category('Marketing')))).toEqual([409, 'category_name_taken_downstream']);
    // A sibling's subtree is not S's: S2 may use the name.
    await created(api('s2', 'POST', '/notification-categories', category('Marketing')));
  });

  it('an inherited category is edited into a modified copy, stops upstream edits there, and restores', async () => {
    const c = await created(api('root', 'POST', '/notification-categories', category('Renewals', { published: true })));
    expect(flags(c)).toEqual({ installed: false, inherited: false, modified: false });
    const atS = (await created(api('s', 'GET', '/notification-categories?limit=200'), 200)).items.find((x: any) => x.objectKey === c.id);
    expect([flags(atS), atS.published]).toEqual([{ installed: false, inherited: true, modified: false }, true]);

    const copy = await created(api('r', 'POST', `/notification-categories/${c.id}`, category('Renewals', { description: 'R wording' })), 200);
    expect([copy.objectKey, flags(copy)]).toEqual([c.id, { installed: false, inherited: true, modified: true }]);
    // The renamed copy may not take a name another category in R's view or subtree has.
    expect(await refusal(api('r', 'POST', `/notification-categories/${c.id}`, category('Billing')))).toEqual([409, 'category_name_taken']);
    expect(await refusal(api('r', 'POST', `/notification-categories/${c.id}`, category('Marketing')))).toEqual([409, 'category_name_taken_downstream']);

    await created(api('root', 'POST', `/notification-categories/${c.id}`, category('Renewals', { description: 'operator v2' })), 200);
    expect((await created(api('s', 'GET', `/notification-categories/${c.id}`), 200)).description).toBe('R wording');
    await created(api('r', 'POST', `/notification-categories/${copy.id}/restore`, {}), 200);
    expect((await created(api('s', 'GET', `/notification-categories/${c.id}`), 200)).description).toBe('operator v2');

    expect(await refusal(api('r', 'DELETE', `/notification-categories/${c.id}`))).toEqual([409, 'not_own_object']);
    expect((await api('root', 'DELETE', `/notification-categories/${c.id}`)).status).toBe(200);
    expect(await refusal(api('s', 'GET', `/notification-categories/${c.id}`))).toEqual([404, 'not_found']);
  });

  it('an upstream deletion leaves a modified copy to its holder as its own (spec 03 §3.5)', async () => {
    const c = await created(api('root', 'POST', '/notification-categories', category('Promotions')));
    const copy = await created(api('r', 'POST', `/notification-categories/${c.id}`, category('Promotions', { published: true })), 200);
    expect((await api('root', 'DELETE', `/notification-categories/${c.id}`)).status).toBe(200);
    const atR = await created(api('r', 'GET', `/notification-categories/${copy.id}`), 200);
    expect([atR.published, flags(atR)]).toEqual([true, { installed: false, inherited: false, modified: false }]);
    expect(flags(await created(api('s', 'GET', `/notification-categories/${copy.id}`), 200))).toEqual({ installed: false, inherited: true, modified: false });
    expect(await refusal(api('s2', 'POST', '/notification-categories', category('Promotions')))).toEqual([409, 'category_name_taken']);
  });
});
