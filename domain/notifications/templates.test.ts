import { describe, expect, it } from 'vitest';
import { eventPlaceholders, notificationEventKeys, notificationEvents, type NotificationEvent } from './catalog';
import { defaultTemplates } from './default-templates';
import {
  nestVariables,
  renderTemplate,
  sampleVariables,
  TemplateError,
  templatePlaceholders,
  validateTemplate,
  type TemplateDefinition,
} from './templates';

function templateError(fn: () => unknown): TemplateError {
  try {
    fn();
  } catch (error) {
    if (error instanceof TemplateError) return error;
    throw error;
  }
  throw new Error('expected a TemplateError');
}

function email(en: Partial<{ subject: string; html: string; text: string }>, extra: Partial<TemplateDefinition> = {}): TemplateDefinition {
  return {
    channel: 'email',
    event: 'order_changed',
    recipients: { to: '{{owner.email}}' },
    versions: { en: { subject: 'Order {{order.number}}', text: 'Order {{order.number}}', ...en } },
    fallbackLanguage: 'en',
    ...extra,
  };
}

/** Renders one expression for a language (through a one-field sms template). */
function show(expression: string, language: 'en' | 'ru', data: Record<string, unknown> = {}): string {
  const t: TemplateDefinition = {
    channel: 'sms',
    event: 'order_changed',
    recipients: { phone: '+1' },
    versions: { en: { text: expression }, ru: { text: expression } },
    fallbackLanguage: 'en',
  };
  return renderTemplate(t, data, language).text;
}

const orderChanged = (name: string) =>
  nestVariables({
    ...sampleVariables('order_changed'),
    'owner.name': name,
    'order.number': 'SO-2026-000777',
    'order.total': 123456,
    'order.currency': 'EUR',
    'order.status': 'completed',
    'subscription.name': 'Microsoft 365 Business Standard',
  });

describe('default templates', () => {
  it('all validate against their events', () => {
    for (const t of defaultTemplates) expect(() => validateTemplate(t), t.key).not.toThrow();
  });

  it('cover every event by email, every client event in the panel, and the phone events by SMS', () => {
    const keys = new Set(defaultTemplates.map((t) => t.key));
    expect(keys.size).toBe(defaultTemplates.length);
    for (const event of notificationEventKeys) {
      expect(keys.has(`${event}.email`), event).toBe(true);
      expect(keys.has(`${event}.panel`), event).toBe(notificationEvents[event].audience === 'client');
    }
    const sms = defaultTemplates.filter((t) => t.channel === 'sms').map((t) => t.event);
    expect(sms.sort()).toEqual(
      ['order_created', 'payment_received', 'before_subscription_expiration', 'low_balance', 'account_changed', 'payment_due_date_coming'].sort(),
    );
    for (const t of defaultTemplates) {
      expect(Object.keys(t.versions).sort(), t.key).toEqual(['en', 'ru']);
      if (t.channel === 'sms') expect(t.recipients.phone).toBe('{{owner.phone}}');
      if (t.channel === 'panel') expect(t.recipients.clientUserId).toBe('{{owner.id}}');
    }
  });

  it('send client emails to the owner and staff emails to a fixed support address', () => {
    for (const t of defaultTemplates.filter((d) => d.channel === 'email')) {
      const staff = notificationEvents[t.event].audience === 'staff';
      expect(t.recipients.to, t.key).toBe(staff ? 'support@localhost' : '{{owner.email}}');
    }
  });

  it('render with sample values for both languages, with a subject and without leftovers', () => {
    for (const t of defaultTemplates) {
      const data = nestVariables(sampleVariables(t.event));
      for (const language of ['en', 'ru'] as const) {
        const r = renderTemplate(t, data, language);
        expect(r.language).toBe(language);
        expect(r.text.trim(), `${t.key} ${language}`).not.toBe('');
        expect(r.text).not.toMatch(/\{\{|\}\}|undefined|NaN|\[object/);
        if (t.channel !== 'sms') expect(r.subject, `${t.key} ${language}`).toBeTruthy();
        if (t.channel === 'email') expect(r.html).toContain('<p>');
        if (t.channel === 'sms' && language === 'en') expect(r.text.length, t.key).toBeLessThanOrEqual(160);
      }
    }
  });

  it('order_changed email carries number, amount with currency and subscription name (en, ru)', () => {
    const t = defaultTemplates.find((d) => d.key === 'order_changed.email')!;
    const en = renderTemplate(t, orderChanged('Anna Petrova'), 'en');
    expect(en.subject).toBe('Order SO-2026-000777: completed');
    expect(en.recipients.to).toBe('anna.petrova@example.com');
    for (const body of [en.text, en.html!]) {
      expect(body).toContain('SO-2026-000777');
      expect(body).toContain('1,234.56 EUR');
      expect(body).toContain('Microsoft 365 Business Standard');
    }
    const ru = renderTemplate(t, orderChanged('Анна Петрова'), 'ru');
    expect(ru.language).toBe('ru');
    expect(ru.subject).toBe('Заказ SO-2026-000777: выполнен');
    for (const body of [ru.text, ru.html!]) {
      expect(body).toContain('Здравствуйте, Анна Петрова!');
      expect(body).toContain('1 234,56 EUR');
      expect(body).toContain('Microsoft 365 Business Standard');
    }
  });

  it('escape data in html but not in the text version', () => {
    const t = defaultTemplates.find((d) => d.key === 'order_changed.email')!;
    const r = renderTemplate(t, orderChanged('<script>alert(1)</script>'), 'en');
    expect(r.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(r.html).not.toContain('<script>');
    expect(r.text).toContain('Hello <script>alert(1)</script>,');
  });
});

describe('renderTemplate', () => {
  const t: TemplateDefinition = {
    channel: 'email',
    event: 'order_changed',
    recipients: { to: '{{owner.email}}', bcc: 'audit@example.com' },
    versions: {
      en: { subject: 'Order {{order.number}}', text: 'Hello {{owner.name}}' },
      ru: { subject: 'Заказ {{order.number}}', text: 'Здравствуйте, {{owner.name}}' },
    },
    fallbackLanguage: 'ru',
  };
  const data = nestVariables({ 'order.number': 'SO-1', 'owner.name': 'Anna', 'owner.email': 'anna@example.com' });

  it('falls back to the fallback language when the client language has no version', () => {
    expect(renderTemplate(t, data, 'de')).toMatchObject({ language: 'ru', subject: 'Заказ SO-1', text: 'Здравствуйте, Anna' });
    expect(renderTemplate({ ...t, versions: { ru: t.versions.ru! } }, data, 'en').language).toBe('ru');
  });

  it('takes the version of a regional language tag', () => {
    expect(renderTemplate(t, data, 'en-GB').subject).toBe('Order SO-1');
    expect(renderTemplate(t, data, 'RU').subject).toBe('Заказ SO-1');
  });

  it('renders recipients and gives null for the absent ones and an absent html', () => {
    const r = renderTemplate(t, data, 'en');
    expect(r.html).toBeNull();
    expect(r.recipients).toEqual({ to: 'anna@example.com', cc: null, bcc: 'audit@example.com', phone: null, clientUserId: null });
  });

  it('does not escape the subject and collapses it to one line', () => {
    const r = renderTemplate(email({ subject: 'Order\n {{order.number}} & "{{owner.name}}"' }), nestVariables({ 'order.number': 'A<B', 'owner.name': "O'Neil" }), 'en');
    expect(r.subject).toBe(`Order A<B & "O'Neil"`);
  });

  it('renders nothing for prototype properties', () => {
    const r = renderTemplate(email({ text: '[{{constructor}}][{{order.constructor.name}}][{{__proto__}}]' }), data, 'en');
    expect(r.text).toBe('[][][]');
  });
});

describe('validateTemplate', () => {
  it('lists all unknown placeholders, sorted and unique, in one error', () => {
    const error = templateError(() =>
      validateTemplate(email({ subject: '{{order.nmber}} {{foo.bar}}', html: '<p>{{foo.bar}}</p>', text: '{{order.nmber}}' }, { recipients: { to: '{{owner.mail}}' } })),
    );
    expect(error.code).toBe('template_unknown_placeholders');
    expect(error.unknown).toEqual(['foo.bar', 'order.nmber', 'owner.mail']);
    expect(error.message).toContain('foo.bar, order.nmber, owner.mail');
  });

  it('rejects placeholders of other events and previous values', () => {
    expect(templateError(() => validateTemplate(email({ text: '{{payment.total}} {{order.status.was}}' }))).unknown).toEqual([
      'order.status.was',
      'payment.total',
    ]);
  });

  it('treats constructor and __proto__ as unknown placeholders', () => {
    const error = templateError(() => validateTemplate(email({ text: '{{constructor}} {{__proto__.x}} {{order.constructor}}' })));
    expect(error.code).toBe('template_unknown_placeholders');
    expect(error.unknown).toEqual(['__proto__.x', 'constructor', 'order.constructor']);
  });

  it('reports a syntax error naming the field and language, with Handlebars message', () => {
    const error = templateError(() =>
      validateTemplate({ ...email({}), versions: { en: email({}).versions.en!, ru: { subject: '{{#if order.number}}Заказ', text: 'x' } } }),
    );
    expect(error.code).toBe('template_syntax');
    expect(error.message).toContain('ru subject');
    expect(error.message).toContain('Parse error on line 1');
    expect(error.field).toBe('ru.subject');
  });

  it('reports a syntax error in a recipient', () => {
    const error = templateError(() => validateTemplate(email({}, { recipients: { to: '{{owner.email' } })));
    expect(error.code).toBe('template_syntax');
    expect(error.message).toContain('recipient "to"');
  });

  it('rejects unknown helpers, partials, sections and misused helpers as syntax errors', () => {
    for (const text of [
      '{{shout order.number}}',
      '{{#if (shout order.number)}}x{{/if}}',
      '{{log order.number}}',
      '{{> footer}}',
      '{{#order}}{{number}}{{/order}}',
      '{{#money order.total}}x{{/money}}',
      '{{if order.number}}',
      '{{#if}}x{{/if}}',
    ]) {
      const error = templateError(() => validateTemplate(email({ text })));
      expect(error.code, text).toBe('template_syntax');
      expect(error.message, text).toContain('en text');
    }
    expect(templateError(() => validateTemplate(email({ text: '{{shout order.number}}' }))).message).toContain('unknown helper "shout"');
  });

  it('accepts helpers, #each with this/@index/block params, #with, lookup and @root', () => {
    const text = [
      '{{money order.total order.currency}} {{formatAsCurrency order.total order.currency}} {{date order.created_at "long"}} {{formatAsDate current_date}}',
      '{{plural subscription.days_left "day" "days" "days"}} {{plus order.total 1}} {{#if (and (gt order.total 0) (not (eq order.status "cancelled")))}}x{{/if}}',
      '{{#each order.plans_ids}}{{this}} {{@index}} {{@first}} {{@last}} {{../order.number}} {{@root.owner.name}}{{/each}}',
      '{{#each order.plans_ids as |id position|}}{{id}} {{position}}{{else}}none{{/each}}',
      '{{#with subscription as |s|}}{{name}} {{s.status}} {{this.id}}{{/with}}',
      '{{lookup order "number"}} {{#unless (or (lt 1 2) (ne 1 2))}}y{{/unless}} {{@language}}',
    ].join('\n');
    expect(() => validateTemplate(email({ text }))).not.toThrow();
  });

  it('requires the channel fields, the recipient and a fallback version', () => {
    const cases: [TemplateDefinition, string][] = [
      [email({ subject: '' }), 'en.subject'],
      [email({ text: ' ' }), 'en.text'],
      [email({}, { recipients: {} }), 'recipients.to'],
      [email({}, { fallbackLanguage: 'ru' }), 'ru'],
      [{ ...email({}), channel: 'sms', recipients: { to: 'x@example.com' }, versions: { en: { text: 'x' } } }, 'recipients.phone'],
      [{ ...email({}), channel: 'sms', recipients: { phone: '+1' } }, 'en.subject'],
      [{ ...email({ html: '<p>x</p>' }), channel: 'panel', recipients: { clientUserId: '{{owner.id}}' } }, 'en.html'],
      [{ ...email({}), channel: 'panel', recipients: { to: '{{owner.email}}' } }, 'recipients.clientUserId'],
    ];
    for (const [t, field] of cases) {
      const error = templateError(() => validateTemplate(t));
      expect(error.code, field).toBe('template_incomplete');
      expect(error.field, field).toBe(field);
    }
    const sms: TemplateDefinition = { channel: 'sms', event: 'low_balance', recipients: { phone: '{{owner.phone}}' }, versions: { ru: { text: '{{account.balance}}' } }, fallbackLanguage: 'ru' };
    expect(() => validateTemplate(sms)).not.toThrow();
  });
});

describe('templatePlaceholders', () => {
  it('reads dotted paths from the AST, not helpers, locals or data variables', () => {
    expect(
      templatePlaceholders(
        '{{money order.total order.currency}} {{#each order.plans_ids as |id i|}}{{id}} {{i}} {{this}} {{@index}} {{@key}} {{../owner.name}}{{/each}}' +
          '{{#with subscription}}{{name}} {{../account.id}}{{/with}} {{@root.plan.name}} {{lookup payment "status"}} {{!-- {{comment.x}} --}}',
      ),
    ).toEqual(['account.id', 'order.currency', 'order.plans_ids', 'order.total', 'owner.name', 'payment.status', 'plan.name', 'subscription', 'subscription.name']);
  });

  it('maps element properties of #each to the list and keeps else branches in the outer context', () => {
    expect(templatePlaceholders('{{#each order.plans_ids}}{{name}}{{else}}{{order.number}}{{/each}}')).toEqual([
      'order.number',
      'order.plans_ids',
      'order.plans_ids.name',
    ]);
  });

  it('throws a template_syntax error on bad input', () => {
    expect(templateError(() => templatePlaceholders('{{#each x}}')).code).toBe('template_syntax');
  });
});

describe('helpers', () => {
  it('money: minor units with 2 decimals and the currency code, in the language format', () => {
    expect(show('{{money 123456 "EUR"}}', 'en')).toBe('1,234.56 EUR');
    expect(show('{{money 123456 "EUR"}}', 'ru')).toBe('1 234,56 EUR');
    expect(show('{{money -5 "USD"}}', 'en')).toBe('-0.05 USD');
    expect(show('{{money 0 "RUB"}}', 'ru')).toBe('0,00 RUB');
    expect(show('{{formatAsCurrency a "EUR"}}', 'en', { a: '100000' })).toBe('1,000.00 EUR');
    expect(show('{{money 9007199254740991 "EUR"}}', 'en')).toBe('90,071,992,547,409.91 EUR');
    expect(show('[{{money missing "EUR"}}]', 'en')).toBe('[]');
    expect(show('{{money 123456}}', 'en')).toBe('1,234.56');
  });

  it('date: short and long, en and ru, from dates and timestamps (UTC)', () => {
    expect(show('{{date "2026-11-30"}}', 'en')).toBe('30 Nov 2026');
    expect(show("{{date '2026-11-30' 'long'}}", 'en')).toBe('30 November 2026');
    expect(show('{{date "2026-11-30"}}', 'ru')).toBe('30.11.2026');
    expect(show('{{formatAsDate "2026-11-30" "long"}}', 'ru')).toBe('30 ноября 2026 г.');
    expect(show('{{date "2026-09-05T23:30:00Z"}}', 'en')).toBe('5 Sep 2026');
    expect(show('{{date "2026-02-30"}}', 'en')).toBe('2026-02-30');
    expect(show('[{{date missing}}]', 'en')).toBe('[]');
  });

  it('plural: Russian rules in ru, one/other in en', () => {
    const days = (n: number, language: 'en' | 'ru') =>
      show('{{n}} {{plural n "день" "дня" "дней"}}|{{n}} {{plural n "day" "days?" "days"}}', language, { n }).split('|')[language === 'ru' ? 0 : 1];
    expect([1, 2, 5, 11, 12, 14, 21, 22, 25, 0].map((n) => days(n, 'ru'))).toEqual([
      '1 день',
      '2 дня',
      '5 дней',
      '11 дней',
      '12 дней',
      '14 дней',
      '21 день',
      '22 дня',
      '25 дней',
      '0 дней',
    ]);
    expect([1, 2, 5, 21, 0].map((n) => days(n, 'en'))).toEqual(['1 day', '2 days', '5 days', '21 days', '0 days']);
  });

  it('comparisons, logic and plus', () => {
    const data = { n: 5, s: '5', d: '2026-11-30', e: [] };
    expect(show('{{eq n 5}} {{eq s n}} {{eq n "6"}} {{ne n 6}} {{eq "a" "a"}}', 'en', data)).toBe('true true false true true');
    expect(show('{{gt n 4}} {{lt n 4}} {{gt d "2026-11-01"}} {{gt missing 1}}', 'en', data)).toBe('true false true false');
    expect(show('{{and n s}} {{and n e}} {{or e missing}} {{or e n}} {{not e}} {{not n}}', 'en', data)).toBe('true false false true true false');
    expect(show('{{plus n s 0.5}} [{{plus n "x"}}] {{plus 0.1 0.2}}', 'en', data)).toBe('10.5 [] 0.3');
  });

  it('the language of a fallback version formats its values', () => {
    const t: TemplateDefinition = {
      channel: 'sms',
      event: 'low_balance',
      recipients: { phone: '{{owner.phone}}' },
      versions: { ru: { text: '{{money account.balance account.currency}} {{@language}}' } },
      fallbackLanguage: 'ru',
    };
    expect(renderTemplate(t, nestVariables({ 'account.balance': 123456, 'account.currency': 'RUB' }), 'en').text).toBe('1 234,56 RUB ru');
  });
});

describe('nestVariables', () => {
  it('nests dotted names and skips previous values and unsafe names', () => {
    const nested = nestVariables({
      'order.number': 'SO-1',
      'order.total': 100,
      'order.status.was': 'provisioning',
      current_date: '2026-11-30',
      '__proto__.polluted': true,
      'order.constructor': 'x',
    });
    expect(nested).toEqual({ order: { number: 'SO-1', total: 100 }, current_date: '2026-11-30' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('lets a parent object win over a value of the same name, whatever the order', () => {
    expect(nestVariables({ account: 5, 'account.id': 1 })).toEqual({ account: { id: 1 } });
    expect(nestVariables({ 'account.id': 1, account: 5 })).toEqual({ account: { id: 1 } });
  });
});

describe('sampleVariables', () => {
  it('gives a value for every placeholder of every event, deterministically', () => {
    for (const event of notificationEventKeys) {
      const sample = sampleVariables(event);
      for (const name of eventPlaceholders(event)) expect(sample[name], `${event} ${name}`).not.toBeUndefined();
      expect(sampleVariables(event)).toEqual(sample);
    }
  });

  it('keeps formatted amounts in line with the amounts', () => {
    const sample = sampleVariables('low_balance' as NotificationEvent);
    expect(sample['account.balance']).toBe(-1500);
    expect(sample['account.balance_with_currency']).toBe('-15.00 EUR');
    expect(sample['account.balance.was']).toBe(2500);
  });
});
