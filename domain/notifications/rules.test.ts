import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors';
import {
  evaluateRule,
  parseRule,
  ruleVariables,
  RuleSyntaxError,
  RuleVariableError,
  validateRule,
  type RuleValue,
  type VariableType,
} from './rules';

/** The event variables every row of the main table is evaluated against. */
const variables: Record<string, RuleValue> = {
  'subscription.days_left': 10,
  'subscription.status': 'active',
  'subscription.status.was': 'stopped',
  'subscription.renewal_amount': 12.5,
  'subscription.expiration_date': '2027-04-01',
  current_date: '2027-03-10',
  'account.status': 'financially_blocked',
  'account.status.was': 'active',
  'account.balance': -80,
  'account.balance.was': 20,
  'account.financial_blocking_threshold': 200,
  'subscription_postpay.credit_limit': 1000,
  'subscription_postpay.current_debt': 750,
  'order.type': 'SalesOrder',
  'order.plans_ids': [2000030, 2000031],
  'order.renewal_is_positive': true,
  'plan_period.trial': false,
  'payment.total': '150.50', // a decimal column, as the database driver returns it
  'invoice.has_attached': false,
  billing_day: 1,
  billing_day_left: 28,
  monthly_billing: true,
  plan_ids: [1420, 1421],
  product_ids: [498, 1000],
  product_names: ['Office 365', 'Azure'],
  subscriptions_statuses: ['active', 'stopped'],
  string_ids: ['5', '7'],
  quote: 'say "hi" \\o/',
};

const cases: ReadonlyArray<readonly [rule: string, expected: boolean]> = [
  // Every comparison operator, both ways.
  ['subscription.days_left = 10', true],
  ['subscription.days_left = 11', false],
  ['subscription.days_left != 10', false],
  ['subscription.days_left != 11', true],
  ['subscription.days_left == 10', true], // `==` is a synonym of `=`
  ['subscription.days_left > 9', true],
  ['subscription.days_left > 10', false],
  ['subscription.days_left >= 10', true],
  ['subscription.days_left >= 11', false],
  ['subscription.days_left < 11', true],
  ['subscription.days_left < 10', false],
  ['subscription.days_left <= 10', true],
  ['subscription.days_left <= 9', false],
  ['subscription.days_left=10', true],
  // Reversed operands.
  ['1 = billing_day', true],
  ['10 >= subscription.days_left', true],
  ['11 < subscription.days_left', false],
  // Strings (case-sensitive) and the §5.8 example.
  ['subscription.status = "active"', true],
  ['subscription.status = "Active"', false],
  ['subscription.status != "stopped"', true],
  ['subscription.days_left = 10 AND subscription.status = "active"', true],
  ['quote = "say \\"hi\\" \\\\o/"', true],
  // `and` binds tighter than `or`; keywords in any case; parentheses.
  ['billing_day = 1 or billing_day = 2 and billing_day_left = 99', true],
  ['(billing_day = 1 or billing_day = 2) and billing_day_left = 99', false],
  ['billing_day = 2 and billing_day_left = 28 or billing_day = 1', true],
  ['billing_day = 2 and (billing_day_left = 28 or billing_day = 1)', false],
  ['billing_day = 2 OR billing_day = 1 AnD billing_day_left = 28', true],
  ['billing_day = 1 Or billing_day = 2', true],
  ['((billing_day = 1))', true],
  ['TRUE and True', true],
  ['false or FALSE', false],
  // `not` (extension).
  ['not billing_day = 2', true],
  ['NOT (billing_day = 1 and billing_day_left = 28)', false],
  ['not not monthly_billing', true],
  ['not billing_day = 2 and billing_day = 1', true],
  // Membership with numbers and strings (spec §7.2 examples).
  ['order.type = "SalesOrder" and (order.plans_ids include? 2000030)', true],
  ['order.plans_ids include? 2000', false],
  ['order.plans_ids exclude? 2000', true],
  ['order.plans_ids EXCLUDE? 2000031', false],
  ['(product_ids exclude? 34650) and (product_ids exclude? 34702)', true],
  ['(product_ids exclude? 498) and (product_ids exclude? 34702)', false],
  ['product_names include? "Azure"', true],
  ['product_names include? "azure"', false],
  ['product_names exclude? "G Suite"', true],
  ['subscriptions_statuses include? "active"', true],
  ['string_ids include? 5', true], // a numeric string matches the number
  ['plan_ids include? "1420"', true],
  ['plan_ids include? 1419 + 1', true],
  ['billing_day include? 1', false], // not an array
  ['missing_list include? 1', false],
  ['missing_list exclude? 1', false],
  ['plan_ids exclude? missing', false],
  // Percent-of, not modulo (spec §6 #2 and #41 examples).
  ['account.financial_blocking_threshold % 35 < -account.balance', true], // 70 < 80
  ['account.financial_blocking_threshold % 45 < -account.balance', false], // 90 < 80
  ['subscription_postpay.credit_limit % 70 < subscription_postpay.current_debt', true], // 700 < 750
  ['subscription_postpay.credit_limit % 80 < subscription_postpay.current_debt', false], // 800 < 750
  ['200 % 35 = 70', true],
  ['10 % 3 = 1', false],
  ['10 % 3 = 0.3', true],
  ['1 + 200 % 35 = 71', true], // `%` binds like `*`
  ['33.3 % 35 = 11.655', true],
  // Arithmetic and unary minus.
  ['-account.balance = 80', true],
  ['account.balance = -80', true],
  ['- -account.balance = -80', true],
  ['-account.balance % 50 = 40', true], // unary minus binds tighter than `%`
  ['10 - 3 - 2 = 5', true], // left-associative
  ['billing_day + billing_day_left = 29', true],
  ['account.balance.was - account.balance = 100', true],
  ['0.1 + 0.2 = 0.3', true],
  ['payment.total + 0.5 = 151', true],
  // Decimals; a numeric string compares with a number as a number.
  ['subscription.renewal_amount = 12.5', true],
  ['subscription.renewal_amount = 12.50', true],
  ['subscription.renewal_amount > 12.49', true],
  ['payment.total > 150.49', true],
  ['payment.total = 150.5', true],
  ['payment.total = "150.50"', true],
  ['payment.total = "150.5"', false], // two strings compare as strings
  // Previous values.
  ['account.status.was = "active" and account.status = "financially_blocked"', true],
  ['subscription.status.was = "active"', false],
  ['account.balance.was > account.balance', true],
  ['order.status.was = "provisioning"', false], // missing
  // Booleans, quoted or not.
  ['plan_period.trial = "false"', true],
  ['plan_period.trial = false', true],
  ['plan_period.trial = "FALSE"', true],
  ['plan_period.trial = "true"', false],
  ['plan_period.trial != "true"', true],
  ['plan_period.trial = "no"', false], // not a boolean string: a mismatch
  ['plan_period.trial = 0', false],
  ['order.renewal_is_positive = true', true],
  ['order.type = "ProlongOrder" AND order.renewal_is_positive = true', false], // §6.1
  ['monthly_billing', true],
  ['invoice.has_attached', false],
  ['true > false', false], // booleans have no order
  // Dates are ISO strings.
  ['current_date < subscription.expiration_date', true],
  ['subscription.expiration_date = "2027-04-01"', true],
  ['subscription.expiration_date >= "2027-04-02"', false],
  ['current_date > "2027-03-09"', true],
  ['current_date <= "2027-03-10"', true],
  // Missing variables are null.
  ['missing = 1', false],
  ['missing != 1', true],
  ['1 != missing', true],
  ['missing != other_missing', false],
  ['missing = other_missing', false],
  ['missing > 0 or missing <= 0', false],
  ['missing + 1 = 1', false],
  ['missing + 1 != 1', true],
  ['-missing = 0', false],
  ['not (missing = 1)', true],
  ['missing', false],
  // Type mismatches are false, `!=` included.
  ['subscription.status > 5', false],
  ['subscription.status != 5', false],
  ['order.plans_ids = 2000030', false],
  ['subscription.status + 1 = 1', false],
  // A non-boolean top value does not hold.
  ['billing_day', false],
  ['"active"', false],
  ['1 + 1', false],
  // Inherited properties are not variables.
  ['constructor = 1', false],
  ['constructor != 1', true],
  ['__proto__ = 1', false],
  ['toString != "x"', true],
  // An empty rule always holds.
  ['', true],
  ['   \n\t ', true],
];

describe('rule evaluation (spec 03 §7)', () => {
  it('has enough table rows', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  it.each(cases)('%j -> %s', (rule, expected) => {
    expect(evaluateRule(parseRule(rule), variables)).toBe(expected);
  });

  // Spec §6.2 "Billing day is coming": the long example and the manual's combinations.
  const billingDay: Record<string, RuleValue> = {
    billing_day: 1,
    billing_day_left: 28,
    'account.type_key': 'personal',
    'account.class_key': 'default',
    'account.financial_blocking_threshold': 0,
    monthly_billing: true,
    plan_ids: [1420, 1500],
    product_ids: [498],
  };
  const longExample =
    'billing_day = 1 and billing_day_left = 28 and account.type_key = "personal" and account.class_key = "default" and ' +
    'account.financial_blocking_threshold = 0 and monthly_billing = true and (plan_ids include? 1420) and (product_ids include? 498)';
  const billingDayCases: ReadonlyArray<readonly [rule: string, vars: Record<string, RuleValue>, expected: boolean]> = [
    [longExample, billingDay, true],
    [longExample, { ...billingDay, 'account.type_key': 'company' }, false],
    [longExample, { ...billingDay, product_ids: [499] }, false],
    [longExample, { ...billingDay, monthly_billing: false }, false],
    ['billing_day = 1 and billing_day_left = 28', billingDay, true],
    ['billing_day = 1 and billing_day_left = 28', { ...billingDay, billing_day_left: 27 }, false],
    ['billing_day = 1 or billing_day = 5', { ...billingDay, billing_day: 5, billing_day_left: 3 }, true],
    ['(billing_day = 1 or billing_day = 2) and (billing_day_left = 3 or billing_day_left = 4)', { ...billingDay, billing_day: 2, billing_day_left: 4 }, true],
    ['(billing_day = 1 or billing_day = 2) and (billing_day_left = 3 or billing_day_left = 4)', { ...billingDay, billing_day: 2, billing_day_left: 5 }, false],
  ];
  it.each(billingDayCases)('billing day: %j over %j -> %s', (rule, vars, expected) => {
    expect(evaluateRule(parseRule(rule), vars)).toBe(expected);
  });

  it('an empty rule and a null AST hold', () => {
    expect(parseRule('')).toBeNull();
    expect(parseRule('  ')).toBeNull();
    expect(evaluateRule(null, {})).toBe(true);
  });

  it('reads only own properties, also of a map without a prototype', () => {
    const own = JSON.parse('{"__proto__": 5, "constructor": "x"}') as Record<string, RuleValue>;
    expect(evaluateRule(parseRule('__proto__ = 5 and constructor = "x"'), own)).toBe(true);
    const bare = Object.assign(Object.create(null) as Record<string, RuleValue>, { a: 1 });
    expect(evaluateRule(parseRule('a = 1 and toString != 1'), bare)).toBe(true);
  });

  it('values outside RuleValue read as null instead of failing', () => {
    const odd = { n: Number.NaN, d: new Date(0), o: { a: 1 }, u: undefined, list: [{}, null, [1], 2] } as unknown as Record<string, RuleValue>;
    expect(evaluateRule(parseRule('n = n or d = d or o = o or u = u'), odd)).toBe(false);
    expect(evaluateRule(parseRule('n != 1 and d != 1 and o != 1 and u != 1'), odd)).toBe(true);
    expect(evaluateRule(parseRule('list include? 2 and (list exclude? 1)'), odd)).toBe(true);
  });
});

describe('parsing', () => {
  it('builds the AST with `and` below `or` and positions of operators and values', () => {
    expect(parseRule('a = 1 or b.was = "x" and not c')).toEqual({
      kind: 'logical',
      operator: 'or',
      position: 6,
      left: {
        kind: 'comparison',
        operator: '=',
        position: 2,
        left: { kind: 'variable', name: 'a', position: 0 },
        right: { kind: 'literal', value: 1, position: 4 },
      },
      right: {
        kind: 'logical',
        operator: 'and',
        position: 21,
        left: {
          kind: 'comparison',
          operator: '=',
          position: 15,
          left: { kind: 'variable', name: 'b.was', position: 9 },
          right: { kind: 'literal', value: 'x', position: 17 },
        },
        right: { kind: 'not', position: 25, operand: { kind: 'variable', name: 'c', position: 29 } },
      },
    });
  });

  it('lists the variables a rule reads, sorted and unique, `.was` names included', () => {
    expect(ruleVariables(parseRule('b = 1 and a.was = a and -(c % b) > 0 or (d include? 1)'))).toEqual(['a', 'a.was', 'b', 'c', 'd']);
    expect(ruleVariables(parseRule('1 = 1'))).toEqual([]);
    expect(ruleVariables(null)).toEqual([]);
  });

  const syntaxErrors: ReadonlyArray<readonly [rule: string, position: number, message: string]> = [
    ['subscription.days_left = ', 25, 'unexpected end of rule at position 25'],
    ['a = 1 )', 6, 'unexpected ")" at position 6'],
    ['a = "abc', 4, 'unterminated string at position 4'],
    ['a = "x\\ny"', 6, 'invalid escape in string (only \\" and \\\\) at position 6'],
    ['(a = 1', 6, 'expected ")" but found end of rule at position 6'],
    ['(a = 1 b', 7, 'expected ")" but found "b" at position 7'],
    ['a = = 1', 4, 'unexpected "=" at position 4'],
    ['a < b < c', 6, 'unexpected "<" at position 6'],
    ['a include? 1 exclude? 2', 13, 'unexpected "exclude?" at position 13'],
    ['a & b', 2, 'unexpected character "&" at position 2'],
    ["a = 'x'", 4, 'unexpected character "\'" at position 4'],
    ['a ! b', 2, 'unexpected character "!" at position 2'],
    ['a = 1 and', 9, 'unexpected end of rule at position 9'],
    ['and a = 1', 0, 'unexpected "and" at position 0'],
    ['a include 5', 2, 'unexpected "include" at position 2'],
    ['foo? = 1', 3, 'unexpected character "?" at position 3'],
    ['a. = 1', 1, 'unexpected character "." at position 1'],
    ['a = 1.', 5, 'unexpected character "." at position 5'],
    ['()', 1, 'unexpected ")" at position 1'],
    ['a = "x" "y"', 8, 'unexpected string "y" at position 8'],
    ['not', 3, 'unexpected end of rule at position 3'],
    ['a = not b', 4, 'unexpected "not" at position 4'],
    ['a * 2 = 4', 2, 'unexpected character "*" at position 2'],
    [`a = ${'9'.repeat(400)}`, 4, 'number out of range at position 4'],
    ['a = 1 😀', 6, 'unexpected character "😀" at position 6'],
  ];
  it.each(syntaxErrors)('%j fails at %i', (rule, position, message) => {
    let error: unknown;
    try {
      parseRule(rule);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(RuleSyntaxError);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'rule_syntax', position, message, name: 'RuleSyntaxError' });
  });

  it('refuses rules longer than 2,000 characters', () => {
    const rule = 'a = 1';
    expect(parseRule(rule + ' '.repeat(2000 - rule.length))).not.toBeNull();
    expect(() => parseRule(rule + ' '.repeat(2001 - rule.length))).toThrow(RuleSyntaxError);
    expect(() => parseRule(' '.repeat(2001))).toThrow(expect.objectContaining({ position: 2000 }));
  });

  it('refuses nesting deeper than 50 levels: parentheses, unary minus and `not`', () => {
    const nested = (depth: number) => `${'('.repeat(depth)}a = 1${')'.repeat(depth)}`;
    expect(parseRule(nested(50))).not.toBeNull();
    expect(() => parseRule(nested(51))).toThrow(expect.objectContaining({ position: 50, code: 'rule_syntax' }));
    expect(evaluateRule(parseRule(`${'-'.repeat(50)}1 = 1`), {})).toBe(true);
    expect(() => parseRule(`${'-'.repeat(51)}1 = 1`)).toThrow(expect.objectContaining({ position: 50 }));
    expect(() => parseRule(`${'not '.repeat(51)}true`)).toThrow(expect.objectContaining({ position: 200 }));
    // Long flat chains are not nesting and stay within the length limit.
    const flat = Array.from({ length: 200 }, () => 'a = 1').join(' and ');
    expect(flat.length).toBeLessThanOrEqual(2000);
    expect(evaluateRule(parseRule(flat), { a: 1 })).toBe(true);
  });
});

describe('validation against the event variables', () => {
  const known: Record<string, VariableType> = {
    'subscription.days_left': 'integer',
    'subscription.status': 'string',
    'account.balance': 'number',
    'account.balance.was': 'number',
    plan_ids: 'array',
  };

  it('returns the AST when every variable is known; `.was` of a known name is known', () => {
    expect(validateRule('subscription.days_left = 10 and subscription.status.was = "active"', known)).toMatchObject({ kind: 'logical' });
    expect(validateRule('account.balance.was > account.balance and (plan_ids include? 1)', known)).not.toBeNull();
    expect(validateRule('', known)).toBeNull();
  });

  it('names every unknown variable, sorted, at the position of the first', () => {
    let error: unknown;
    try {
      validateRule('subscription.days_left = 10 and zeta = 1 and alpha.was = 2 or zeta = 3', known);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(RuleVariableError);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({
      code: 'rule_unknown_variable',
      names: ['alpha.was', 'zeta'],
      position: 32,
      message: 'unknown variables "alpha.was", "zeta" at position 32',
    });
  });

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', '__proto__.was', 'subscription.status.was.was', 'was'])(
    '%s is an unknown variable',
    (name) => {
      expect(() => validateRule(`${name} = 1`, known)).toThrow(expect.objectContaining({ names: [name], position: 0, message: `unknown variable "${name}" at position 0` }));
    },
  );

  it('reports syntax errors before unknown variables', () => {
    expect(() => validateRule('nope = ', known)).toThrow(RuleSyntaxError);
  });
});

describe('robustness (property-based)', () => {
  const words = [
    'a', 'b', 'b.was', 'list', '__proto__', 'constructor', '(', ')', 'and', 'OR', 'not', 'include?', 'exclude?',
    '=', '==', '!=', '<', '<=', '>', '>=', '+', '-', '%', '1', '0', '2.5', '"x"', '"1"', '"true"', 'true', 'False', '"', '\\', '.', '?',
  ];
  const soup = fc.array(fc.constantFrom(...words), { maxLength: 30 }).chain((parts) =>
    fc.constantFrom(' ', '').map((separator) => parts.join(separator)),
  );
  const scalar = fc.oneof(fc.integer(), fc.double(), fc.string(), fc.boolean(), fc.constant(null));
  const value: fc.Arbitrary<RuleValue> = fc.oneof(scalar, fc.array(scalar, { maxLength: 4 }));
  const variableMaps = fc.dictionary(fc.constantFrom('a', 'b', 'b.was', 'list', '__proto__', 'constructor'), value);

  /** Parses; a failure must be a RuleSyntaxError at a position inside the text. A parsed rule must evaluate to a boolean. */
  function check(text: string, vars: Record<string, RuleValue>): void {
    let node;
    try {
      node = parseRule(text);
    } catch (err) {
      expect(err).toBeInstanceOf(RuleSyntaxError);
      const { position } = err as RuleSyntaxError;
      expect(position).toBeGreaterThanOrEqual(0);
      expect(position).toBeLessThanOrEqual(Math.min(text.length, 2000));
      return;
    }
    expect(Array.isArray(ruleVariables(node))).toBe(true);
    expect(typeof evaluateRule(node, vars)).toBe('boolean');
  }

  it('arbitrary strings never make parseRule throw anything but RuleSyntaxError', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 60 }), variableMaps, (text, vars) => check(text, vars)), { numRuns: 500 });
  });

  it('token soup never makes parsing or evaluation fail otherwise', () => {
    fc.assert(fc.property(soup, variableMaps, (text, vars) => check(text, vars)), { numRuns: 2000 });
  });
});
