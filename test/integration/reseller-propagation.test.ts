import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpReceiver, type SmtpReceiver } from '../fakes/smtp-receiver';
import { createTestPlatform, eventually, type TestPlatform } from '../support/platform';

// Issue 21 point 2 (and the copy rules of point 1) through the API, on three levels: operator → reseller R →
// sub-reseller S (spec 03 §2, 05 §2.2, §3). Templates, handlers and provisioning rules resolve by nearest ancestor
// (domain/propagation.ts): a reseller without its own row uses its parent's, and so on up. Staff of R and S are
// created by the operator with the reseller's id (spec 05 §2.1 step 3); each acts only on its own reseller's clients.

let p: TestPlatform;
let smtp: SmtpReceiver;
let r: number;
let s: number;
const tokens: Record<'root' | 'r' | 's', string | undefined> = { root: undefined, r: undefined, s: undefined };
let serviceRuleId: number;

type Who = keyof typeof tokens;
const api = (who: Who, method: string, path: string, body?: unknown) => p.api(method, `/api/v1${path}`, body, tokens[who] === undefined ? {} : { token: tokens[who] });

async function staffOf(resellerId: number, email: string): Promise<string> {
  const staff = await p.api('POST', '/api/v1/staff', { name: `Admin ${email}`, email, role: 'admin', resellerId });
  expect(staff.status, JSON.stringify(staff.body)).toBe(201);
  expect(staff.body.resellerId).toBe(resellerId);
  const token = await p.api('POST', `/api/v1/staff/${staff.body.id}/tokens`, { name: email });
  expect(token.status, JSON.stringify(token.body)).toBe(201);
  return token.body.token as string;
}

beforeAll(async () => {
  smtp = await startSmtpReceiver();
  p = await createTestPlatform('reseller_propagation', { mail: { url: smtp.url, from: 'billing@example.com' } });
  serviceRuleId = (await created(api('root', 'POST', '/service-rules', { key: 'root_default', name: 'Root default', isDefault: true, color: '#00aa00' }))).id;
  r = (await created(api('root', 'POST', '/resellers', { name: 'Reseller R', currency: 'EUR' }))).id;
  s = (await created(api('root', 'POST', '/resellers', { name: 'Sub-reseller S', currency: 'EUR', parentId: r }))).id;
  tokens.r = await staffOf(r, 'admin@r.example');
  tokens.s = await staffOf(s, 'admin@s.example');
});
afterAll(async () => {
  await p?.close();
  await smtp?.close();
});

/** A template for "account changed" whose subject and text carry `marker`. */
function templateBody(marker: string, name = 'Account notice') {
  return {
    name,
    channel: 'email',
    event: 'account_changed',
    recipients: { to: '{{owner.email}}' },
    versions: { en: { subject: `${marker}: {{account.name}}`, text: `${marker} for {{account.name}}` } },
  };
}

async function created(answer: Promise<{ status: number; body: any }>, status = 201) {
  const a = await answer;
  expect(a.status, JSON.stringify(a.body)).toBe(status);
  return a.body;
}

const templateAs = async (who: Who, id: number) => (await api(who, 'GET', `/notification-templates/${id}`)).body;
const subjectAs = async (who: Who, id: number) => (await templateAs(who, id)).versions.en.subject as string;
const flags = (t: any) => ({ installed: t.installed, inherited: t.inherited, modified: t.modified });

describe('propagation of notification templates (spec 03 §2; issue 21 acceptance)', () => {
  it('a template the operator creates reaches R and S as Inherited, and an operator edit reaches both unmodified copies', async () => {
    const t = await created(api('root', 'POST', '/notification-templates', templateBody('Root v1')));
    expect(flags(t)).toEqual({ installed: false, inherited: false, modified: false });
    for (const who of ['r', 's'] as const) {
      const listed = (await api(who, 'GET', '/notification-templates?event=account_changed&limit=200')).body.items.find((x: any) => x.objectKey === t.id);
      expect(flags(listed), who).toEqual({ installed: false, inherited: true, modified: false });
    }
    // A factory default is Installed at the operator only.
    const shipped = (await api('s', 'GET', '/notification-templates?event=account_changed&limit=200')).body.items.find((x: any) => x.defaultKey === 'account_changed.email');
    expect(flags(shipped)).toEqual({ installed: false, inherited: true, modified: false });
    expect(flags(await templateAs('root', shipped.id))).toEqual({ installed: true, inherited: false, modified: false });

    await created(api('root', 'POST', `/notification-templates/${t.id}`, templateBody('Root v2')), 200);
    expect(await subjectAs('r', t.id)).toBe('Root v2: {{account.name}}');
    expect(await subjectAs('s', t.id)).toBe('Root v2: {{account.name}}');
  });

  it("R's edit stops the operator's next edit at R; S inherits R's version; restore brings the upstream back to both", async () => {
    const t = await created(api('root', 'POST', '/notification-templates', templateBody('Root v1')));
    const copy = await created(api('r', 'POST', `/notification-templates/${t.id}`, templateBody('R brand')), 200);
    expect(copy.id).not.toBe(t.id);
    expect(copy.objectKey).toBe(t.id);
    expect(flags(copy)).toEqual({ installed: false, inherited: true, modified: true });

    await created(api('root', 'POST', `/notification-templates/${t.id}`, templateBody('Root v3')), 200);
    expect(await subjectAs('root', t.id)).toBe('Root v3: {{account.name}}');
    expect(await subjectAs('r', t.id)).toBe('R brand: {{account.name}}');
    // S sees through R: the nearest ancestor's version, which to S is merely inherited.
    const seenByS = await templateAs('s', t.id);
    expect([seenByS.versions.en.subject, seenByS.id]).toEqual(['R brand: {{account.name}}', copy.id]);
    expect(flags(seenByS)).toEqual({ installed: false, inherited: true, modified: false });

    const restored = await created(api('r', 'POST', `/notification-templates/${copy.id}/restore`, {}), 200);
    expect([restored.id, flags(restored)]).toEqual([t.id, { installed: false, inherited: true, modified: false }]);
    expect(await subjectAs('r', t.id)).toBe('Root v3: {{account.name}}');
    expect(await subjectAs('s', t.id)).toBe('Root v3: {{account.name}}');
    // Nothing left to restore, at R or for the operator's own (not shipped) template.
    const again = await api('r', 'POST', `/notification-templates/${t.id}/restore`, {});
    const own = await api('root', 'POST', `/notification-templates/${t.id}/restore`, {});
    expect([again.status, again.body.code, own.status, own.body.code]).toEqual([409, 'nothing_to_restore', 409, 'nothing_to_restore']);
  });

  it('the operator restores an edited factory default to the shipped text', async () => {
    const shipped = (await api('root', 'GET', '/notification-templates?event=low_balance&limit=200')).body.items.find((x: any) => x.defaultKey === 'low_balance.email');
    const original = await templateAs('root', shipped.id);
    const edited = await created(api('root', 'POST', `/notification-templates/${shipped.id}`, { ...templateBody('Edited'), event: 'low_balance', name: original.name }), 200);
    expect(flags(edited)).toEqual({ installed: true, inherited: false, modified: true });
    const restored = await created(api('root', 'POST', `/notification-templates/${shipped.id}/restore`, {}), 200);
    expect([flags(restored), restored.versions]).toEqual([{ installed: true, inherited: false, modified: false }, original.versions]);
  });

  it("a notification to S's client renders with the template S uses (R's modified copy); the operator's client gets the operator's", async () => {
    const t = await created(api('root', 'POST', '/notification-templates', templateBody('Operator notice')));
    await created(api('root', 'POST', '/notification-handlers', { event: 'account_changed', templateId: t.id }));
    await created(api('r', 'POST', `/notification-templates/${t.id}`, templateBody('Notice from R')), 200);

    // Each client is created and blocked by the staff of the reseller that owns it, with that reseller's own
    // service rule (S's are the copies it received at creation, spec 05 §2.2).
    const ruleOf = async (who: Who) => (who === 'root' ? serviceRuleId : ((await api(who, 'GET', '/service-rules?limit=200')).body.items as Array<{ id: number }>)[0]!.id);
    const clientAt = async (email: string, who: Who, resellerId: number) => {
      const c = await created(api(who, 'POST', '/clients', { name: `Client ${email}`, serviceRuleId: await ruleOf(who), language: 'en', contacts: [{ name: 'Owner', email, role: 'owner', language: 'en' }] }));
      const [row] = await p.sql<Array<{ reseller_id: number }>>`select reseller_id from clients where id = ${c.id}`;
      expect(row!.reseller_id).toBe(resellerId);
      await created(api(who, 'POST', `/clients/${c.id}/administrative-block`, { reason: 'propagation test' }), 200);
      return c.id as number;
    };
    await clientAt('owner@s-client.example', 's', s);
    await clientAt('owner@root-client.example', 'root', 1);
    const mail = (to: string) => eventually(async () => smtp.received.find((m) => m.to.includes(to)), { what: `the mail to ${to}` });
    expect((await mail('owner@s-client.example')).subject).toBe('Notice from R: Client owner@s-client.example');
    expect((await mail('owner@root-client.example')).subject).toBe('Operator notice: Client owner@root-client.example');
  });

  it('an upstream deletion removes unmodified copies (and handlers on the template) but leaves a modified one as its holder’s own', async () => {
    const kept = await created(api('root', 'POST', '/notification-templates', templateBody('Kept at R')));
    const gone = await created(api('root', 'POST', '/notification-templates', templateBody('Gone everywhere')));
    const rCopy = await created(api('r', 'POST', `/notification-templates/${kept.id}`, templateBody('R keeps this')), 200);
    const sHandler = await created(api('s', 'POST', '/notification-handlers', { event: 'account_changed', templateId: gone.id, rule: 'account.id = 1' }));

    expect((await api('s', 'GET', `/notification-handlers/${sHandler.id}`)).status).toBe(200);
    for (const id of [kept.id, gone.id]) expect((await api('root', 'DELETE', `/notification-templates/${id}`)).status).toBe(200);
    expect((await api('root', 'GET', `/notification-templates/${kept.id}`)).status).toBe(404);
    for (const who of ['r', 's'] as const) expect((await api(who, 'GET', `/notification-templates/${gone.id}`)).status, who).toBe(404);
    expect((await api('s', 'GET', `/notification-handlers/${sHandler.id}`)).status).toBe(404);
    // R's modified copy survives as R's own object; S keeps seeing it through R.
    const atR = await templateAs('r', rCopy.id);
    expect([atR.versions.en.subject, flags(atR)]).toEqual(['R keeps this: {{account.name}}', { installed: false, inherited: false, modified: false }]);
    expect(flags(await templateAs('s', rCopy.id))).toEqual({ installed: false, inherited: true, modified: false });
  });

  it('a modified handler keeps its template alive downstream when the operator deletes the template (spec 03 §4.8)', async () => {
    const t = await created(api('root', 'POST', '/notification-templates', templateBody('Handled')));
    const h = await created(api('root', 'POST', '/notification-handlers', { event: 'account_changed', templateId: t.id, rule: 'account.id = 2' }));
    const rHandler = await created(api('r', 'POST', `/notification-handlers/${h.id}`, { sendHour: 9 }), 200);
    expect(flags(rHandler)).toEqual({ installed: false, inherited: true, modified: true });

    expect((await api('root', 'DELETE', `/notification-templates/${t.id}`)).status).toBe(200);
    expect((await api('root', 'GET', `/notification-handlers/${h.id}`)).status).toBe(404);
    const now = (await api('r', 'GET', `/notification-handlers/${rHandler.id}`)).body;
    expect([now.sendHour, flags(now)]).toEqual([9, { installed: false, inherited: false, modified: false }]);
    const templateAtR = await templateAs('r', now.templateId);
    expect([templateAtR.id, templateAtR.versions.en.subject, flags(templateAtR)]).toEqual([now.templateId, 'Handled: {{account.name}}', { installed: false, inherited: false, modified: false }]);
  });

  it('only the creator deletes: an inherited or shipped object is refused', async () => {
    const t = await created(api('root', 'POST', '/notification-templates', templateBody('Not yours')));
    const shipped = (await api('root', 'GET', '/notification-templates?event=account_created&limit=200')).body.items.find((x: any) => x.defaultKey === 'account_created.email');
    const refused = [await api('r', 'DELETE', `/notification-templates/${t.id}`), await api('root', 'DELETE', `/notification-templates/${shipped.id}`), await api('s', 'DELETE', '/notification-templates/999999')];
    expect(refused.map((a) => [a.status, a.body.code])).toEqual([
      [409, 'not_own_object'],
      [409, 'not_own_object'],
      [404, 'not_found'],
    ]);
    expect(await subjectAs('r', t.id)).toBe('Not yours: {{account.name}}');
  });

  it('key collisions: a handler tuple is unique across a reseller and its subtree (spec 03 §5.2)', async () => {
    const t = await created(api('root', 'POST', '/notification-templates', templateBody('Tuple')));
    await created(api('s', 'POST', '/notification-handlers', { event: 'account_changed', templateId: t.id, rule: 'account.id = 3' }));
    await created(api('root', 'POST', '/notification-handlers', { event: 'account_changed', templateId: t.id, rule: 'account.id = 4' }));
    const below = await api('root', 'POST', '/notification-handlers', { event: 'account_changed', templateId: t.id, rule: 'account.id = 3' });
    const above = await api('r', 'POST', '/notification-handlers', { event: 'account_changed', templateId: t.id, rule: 'account.id = 4' });
    expect([below.status, below.body.code, above.status, above.body.code]).toEqual([409, 'handler_exists_downstream', 409, 'handler_exists']);
  });
});

describe("a reseller's own on/off of an inherited handler (spec 03 §5.5, §5.6)", () => {
  it('R switches the operator’s handler off for its own clients without modifying it; the operator and S keep theirs; restore keeps it', async () => {
    const t = await created(api('root', 'POST', '/notification-templates', templateBody('Status notice')));
    const h = await created(api('root', 'POST', '/notification-handlers', { event: 'account_changed', templateId: t.id }));
    const off = await created(api('r', 'POST', `/notification-handlers/${h.id}`, { active: false }), 200);
    expect({ active: off.active, ...flags(off) }).toEqual({ active: false, installed: false, inherited: true, modified: false });
    // Not a modification: no copy at R, nothing to restore; and no other reseller's status changed (§5.5).
    expect((await p.sql`select 1 from notification_handlers where origin_id = ${h.id}`).length).toBe(0);
    expect((await api('r', 'POST', `/notification-handlers/${h.id}/restore`, {})).body.code).toBe('nothing_to_restore');
    expect((await api('root', 'GET', `/notification-handlers/${h.id}`)).body.active).toBe(true);
    expect((await api('s', 'GET', `/notification-handlers/${h.id}`)).body.active).toBe(true);

    // An account change at each level: R's client gets nothing from this handler, S's and the operator's do.
    const ruleOf = async (who: Who) => (who === 'root' ? serviceRuleId : ((await api(who, 'GET', '/service-rules?limit=200')).body.items as Array<{ id: number }>)[0]!.id);
    const blockedClient = async (email: string, who: Who) => {
      const c = await created(api(who, 'POST', '/clients', { name: `Client ${email}`, serviceRuleId: await ruleOf(who), language: 'en', contacts: [{ name: 'Owner', email, role: 'owner', language: 'en' }] }));
      await created(api(who, 'POST', `/clients/${c.id}/administrative-block`, { reason: 'status test' }), 200);
      return c.id as number;
    };
    const rClient = await blockedClient('owner@r-status.example', 'r');
    await blockedClient('owner@s-status.example', 's');
    await blockedClient('owner@root-status.example', 'root');
    const statusMail = (to: string) => smtp.received.find((m) => m.to.includes(to) && m.subject?.startsWith('Status notice'));
    await eventually(async () => statusMail('owner@s-status.example'), { what: "S's client's notice" });
    await eventually(async () => statusMail('owner@root-status.example'), { what: "the operator's client's notice" });
    // R's client's event was handled too (other handlers sent their mail), just not by the switched-off one.
    await eventually(async () => (await p.sql`select 1 from notification_events where client_id = ${rClient} and handled_at is not null`)[0], { what: "R's client's events handled" });
    expect(statusMail('owner@r-status.example')).toBeUndefined();
    expect(await p.sql`select n.id from notifications n join notification_events e on e.id = n.event_id where e.client_id = ${rClient} and n.content->>'subject' like 'Status notice%'`).toHaveLength(0);

    // An edit makes R's modified copy; its restore drops the copy and keeps R's status (§5.6).
    const edited = await created(api('r', 'POST', `/notification-handlers/${h.id}`, { sendHour: 8 }), 200);
    expect({ active: edited.active, modified: edited.modified }).toEqual({ active: false, modified: true });
    const restored = await created(api('r', 'POST', `/notification-handlers/${edited.id}/restore`, {}), 200);
    expect({ active: restored.active, modified: restored.modified, sendHour: restored.sendHour }).toEqual({ active: false, modified: false, sendHour: null });
    // A reseller created under R now receives the handler as R has it: off (spec 03 §2.1).
    const r2 = (await created(api('root', 'POST', '/resellers', { name: 'Sub-reseller R2', currency: 'EUR', parentId: r }))).id;
    const r2Token = await staffOf(r2, 'admin@r2.example');
    expect((await p.api('GET', `/api/v1/notification-handlers/${h.id}`, undefined, { token: r2Token })).body.active).toBe(false);
    // The operator switching it off changes only its own; R switching back on is R's alone.
    expect((await created(api('root', 'POST', `/notification-handlers/${h.id}`, { active: false }), 200)).active).toBe(false);
    expect((await api('s', 'GET', `/notification-handlers/${h.id}`)).body.active).toBe(true);
    expect((await created(api('r', 'POST', `/notification-handlers/${h.id}`, { active: true }), 200)).active).toBe(true);
    expect((await api('root', 'GET', `/notification-handlers/${h.id}`)).body.active).toBe(false);
    expect((await p.api('GET', `/api/v1/notification-handlers/${h.id}`, undefined, { token: r2Token })).body.active).toBe(false);

    // The operator deletes it: R's modified copy survives as R's own (spec 03 §5.7), still switched off at R.
    await created(api('r', 'POST', `/notification-handlers/${h.id}`, { active: false }), 200);
    const kept = await created(api('r', 'POST', `/notification-handlers/${h.id}`, { sendHour: 9 }), 200);
    expect((await api('root', 'DELETE', `/notification-handlers/${h.id}`)).status).toBe(200);
    expect((await api('r', 'GET', `/notification-handlers/${kept.id}`)).body).toMatchObject({ active: false, sendHour: 9, inherited: false, modified: false });
  });
});

describe('provisioning rules reach every level read-only (spec 05 §3.4)', () => {
  const rule = (key: string, name = key) => ({ key, name, financialDay: 5 });

  it('the operator’s rule is delegated to R and S, read-only there; the operator’s edit reaches both', async () => {
    const pr = await created(api('root', 'POST', '/provisioning-rules', rule('monthly_root', 'Monthly')));
    const atS = (await api('s', 'GET', '/provisioning-rules?limit=200')).body.items.find((x: any) => x.id === pr.id);
    expect([atS.delegated, atS.financialDay]).toEqual([true, 5]);
    const edit = await api('s', 'POST', `/provisioning-rules/${pr.id}`, rule('monthly_root', 'Mine now'));
    expect([edit.status, edit.body.code]).toEqual([409, 'copy_read_only']);
    await created(api('root', 'POST', `/provisioning-rules/${pr.id}`, { ...rule('monthly_root', 'Monthly'), financialDay: 12 }), 200);
    for (const who of ['r', 's'] as const) expect((await api(who, 'GET', `/provisioning-rules/${pr.id}`)).body, who).toMatchObject({ financialDay: 12, delegated: true });
    // R's own rule is editable at R and delegated to S.
    const own = await created(api('r', 'POST', '/provisioning-rules', rule('r_rule')));
    await created(api('r', 'POST', `/provisioning-rules/${own.id}`, { ...rule('r_rule'), financialDay: 20 }), 200);
    expect((await api('s', 'GET', `/provisioning-rules/${own.id}`)).body).toMatchObject({ financialDay: 20, delegated: true });
    expect((await api('root', 'GET', `/provisioning-rules/${own.id}`)).status).toBe(404);
  });

  it('key collisions: no upstream key downstream, no downstream key upstream; a name clash is allowed', async () => {
    await created(api('s', 'POST', '/provisioning-rules', rule('taken_below', 'Weekly')));
    await created(api('root', 'POST', '/provisioning-rules', rule('taken_above', 'Weekly')));
    const down = await api('root', 'POST', '/provisioning-rules', rule('taken_below', 'Other'));
    const up = await api('r', 'POST', '/provisioning-rules', rule('taken_above', 'Other'));
    expect([down.status, down.body.code, up.status, up.body.code]).toEqual([409, 'key_taken_downstream', 409, 'key_taken_upstream']);
    await created(api('r', 'POST', '/provisioning-rules', rule('r_weekly', 'Weekly')));
  });
});

describe('what a new reseller receives (spec 05 §2.2)', () => {
  const rulesOf = (resellerId: number) => p.sql<Array<{ key: string; is_default: boolean; color: string | null }>>`
    select key, is_default, color from service_rules where reseller_id = ${resellerId} order by id`;

  it("copy_provider (the default) copies the parent's service rules once, without the default flag", async () => {
    const child = await created(api('root', 'POST', '/resellers', { name: 'Copied', currency: 'EUR' }));
    expect(await rulesOf(child.id)).toEqual((await rulesOf(1)).map((x) => ({ ...x, is_default: false })));
    // A one-time copy: a later rule of the parent is not copied.
    await created(api('root', 'POST', '/service-rules', { key: 'later', name: 'Later' }));
    expect((await rulesOf(child.id)).some((x) => x.key === 'later')).toBe(false);
    // The copies are the child's own: its staff list them, the parent's staff do not see them among its rules.
    const token = await staffOf(child.id, 'admin@copied.example');
    const listed = (await p.api('GET', '/api/v1/service-rules?limit=200', undefined, { token })).body.items;
    expect(listed.map((x: any) => x.key).sort()).toEqual((await rulesOf(child.id)).map((x) => x.key).sort());
  });

  it('copy_standard gives one standard default rule; templates and provisioning rules are inherited either way', async () => {
    const child = await created(api('root', 'POST', '/resellers', { name: 'Standard', currency: 'EUR', defaultSettings: 'copy_standard' }));
    expect(await rulesOf(child.id)).toEqual([{ key: 'standard', is_default: true, color: null }]);
    const token = await staffOf(child.id, 'admin@standard.example');
    const templates = (await p.api('GET', '/api/v1/notification-templates?limit=200', undefined, { token })).body.items;
    expect(templates.length).toBeGreaterThan(0);
    expect(templates.every((x: any) => x.inherited)).toBe(true);
    expect((await p.api('GET', '/api/v1/provisioning-rules?limit=200', undefined, { token })).body.items.every((x: any) => x.delegated)).toBe(true);
    const bad = await api('root', 'POST', '/resellers', { name: 'Bad', currency: 'EUR', defaultSettings: 'copy_everything' });
    expect([bad.status, bad.body.code]).toEqual([400, 'validation_failed']);
  });
});
