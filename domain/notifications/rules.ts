// The rule language of notification event handlers (spec 03 §7): a boolean expression over the event's
// variables, e.g. `subscription.days_left = 10 AND subscription.status = "active"`. A handler fires only
// when its rule holds; an empty rule always holds.
//
// Pure and self-contained: a small tokenizer and a recursive-descent parser build an AST, and the evaluator
// reads nothing but the variables map it is given (own properties only, so `__proto__` or `constructor` are
// just unknown names). No eval, no Function.
//
// Grammar, loosest binding first:
//   rule       := or
//   or         := and ("or" and)*
//   and        := not ("and" not)*
//   not        := "not" not | comparison                  (extension: "not" is not in the spec)
//   comparison := additive [("=" | "==" | "!=" | "<" | "<=" | ">" | ">=" | "include?" | "exclude?") additive]
//   additive   := percent (("+" | "-") percent)*
//   percent    := unary ("%" unary)*                       (X % N = N percent of X, not modulo)
//   unary      := "-" unary | primary
//   primary    := number | string | "true" | "false" | variable | "(" or ")"
// Keywords (and, or, not, true, false, include?, exclude?) are case-insensitive. Comparisons do not chain
// (`a < b < c` is a syntax error; parenthesise instead). `==` is accepted as a synonym of `=`.
//
// Evaluation, where the spec is silent:
// - A missing variable is null. Any comparison with null is false, except `!=`, which holds when exactly one
//   side is null. Arithmetic with null gives null.
// - Values compare when they have the same type: numbers with numbers, strings with strings (case-sensitive,
//   by code unit, so `YYYY-MM-DD` dates compare in calendar order), booleans with booleans (equality only).
//   A number and a numeric string (`-?digits[.digits]`, e.g. "5" or "150.50") compare as numbers, and a
//   boolean and the string "true"/"false" (any case) compare as booleans, so `plan_period.trial = "false"`
//   works. Anything else is a type mismatch, and a mismatched comparison is false, `!=` included.
// - Arrays are only for `include?`/`exclude?`; their elements are matched with the same equality as `=`.
//   Both are false when the left side is not an array or the right side is null or an array.
// - Arithmetic takes numbers and numeric strings (decimal columns often arrive as strings); its results are
//   rounded to 15 significant digits so decimals behave as written (0.1 + 0.2 = 0.3).
// - `and`, `or` and `not` treat exactly `true` as true and anything else (null, numbers, strings) as false;
//   so `not (x = 1)` holds for a missing `x`. The rule holds only when its top value is exactly `true`.

import { AppError } from '../errors';

export type RuleValue = number | string | boolean | null | RuleValue[];

/** The declared type of an event variable (spec 03 §7.3: i, n, s, b, d, a). */
export type VariableType = 'integer' | 'number' | 'string' | 'boolean' | 'date' | 'array';

/**
 * A parsed rule. `position` is the 0-based offset in the rule text: of the value for literals and
 * variables, of the operator for everything else.
 */
export type RuleNode =
  | { readonly kind: 'literal'; readonly value: number | string | boolean; readonly position: number }
  | { readonly kind: 'variable'; readonly name: string; readonly position: number }
  | { readonly kind: 'negate'; readonly operand: RuleNode; readonly position: number }
  | { readonly kind: 'not'; readonly operand: RuleNode; readonly position: number }
  | {
      readonly kind: 'arithmetic';
      readonly operator: '+' | '-' | '%';
      readonly left: RuleNode;
      readonly right: RuleNode;
      readonly position: number;
    }
  | {
      readonly kind: 'comparison';
      readonly operator: '=' | '!=' | '<' | '<=' | '>' | '>=';
      readonly left: RuleNode;
      readonly right: RuleNode;
      readonly position: number;
    }
  | {
      readonly kind: 'membership';
      readonly operator: 'include?' | 'exclude?';
      readonly left: RuleNode;
      readonly right: RuleNode;
      readonly position: number;
    }
  | {
      readonly kind: 'logical';
      readonly operator: 'and' | 'or';
      readonly left: RuleNode;
      readonly right: RuleNode;
      readonly position: number;
    };

/** A rule that cannot be parsed; `position` is the 0-based offset of the offending token (the text length at its end). */
export class RuleSyntaxError extends AppError {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super('rule_syntax', `${message} at position ${position}`);
  }
}

/** A rule that reads variables the event does not offer; `position` is that of the first one in the text. */
export class RuleVariableError extends AppError {
  constructor(
    readonly names: string[],
    readonly position: number,
  ) {
    const quoted = names.map((name) => `"${name}"`).join(', ');
    super('rule_unknown_variable', `unknown variable${names.length === 1 ? '' : 's'} ${quoted} at position ${position}`);
  }
}

/** Limits against pathological input: rules are typed by operators, so real ones are far below both. */
const MAX_RULE_LENGTH = 2000;
/** Parentheses, unary minus and `not` each count one level. */
const MAX_NESTING_DEPTH = 50;

// ---------------------------------------------------------------------------------------------------------
// Tokenizer

type ComparisonOperator = '=' | '!=' | '<' | '<=' | '>' | '>=';
type Operator = ComparisonOperator | '+' | '-' | '%';
type Keyword = 'and' | 'or' | 'not' | 'include?' | 'exclude?';

/** `text` is the token as written, for error messages. */
type Token = { readonly position: number; readonly text: string } & (
  | { readonly type: 'number'; readonly value: number }
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'boolean'; readonly value: boolean }
  | { readonly type: 'name'; readonly name: string }
  | { readonly type: 'keyword'; readonly keyword: Keyword }
  | { readonly type: 'operator'; readonly operator: Operator }
  | { readonly type: '(' | ')' | 'end' }
);

/** Two-character operators first, so `<=` is not read as `<` followed by `=`. */
const OPERATORS: ReadonlyArray<readonly [string, Operator]> = [
  ['>=', '>='],
  ['<=', '<='],
  ['!=', '!='],
  ['==', '='],
  ['=', '='],
  ['>', '>'],
  ['<', '<'],
  ['+', '+'],
  ['-', '-'],
  ['%', '%'],
];

const isDigit = (ch: string): boolean => ch >= '0' && ch <= '9';
const isNameStart = (ch: string): boolean => (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch === '_';
const isNamePart = (ch: string): boolean => isNameStart(ch) || isDigit(ch);

/** The rule language's lexer. Long because it is one pass over the characters, a branch per kind of token. */
function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text.charAt(i);
    const start = i;

    if (/\s/.test(ch)) {
      i += 1;
      continue;
    }

    // Numbers: integers and decimals; a sign is the unary minus operator, not part of the literal.
    if (isDigit(ch)) {
      while (isDigit(text.charAt(i))) i += 1;
      if (text.charAt(i) === '.' && isDigit(text.charAt(i + 1))) {
        i += 1;
        while (isDigit(text.charAt(i))) i += 1;
      }
      const raw = text.slice(start, i);
      const value = Number(raw);
      if (!Number.isFinite(value)) throw new RuleSyntaxError('number out of range', start);
      tokens.push({ type: 'number', value, position: start, text: raw });
      continue;
    }

    // Double-quoted strings; the only escapes are \" and \\.
    if (ch === '"') {
      let value = '';
      i += 1;
      for (;;) {
        if (i >= text.length) throw new RuleSyntaxError('unterminated string', start);
        const c = text.charAt(i);
        if (c === '"') break;
        if (c === '\\') {
          const escaped = text.charAt(i + 1);
          if (escaped !== '"' && escaped !== '\\') throw new RuleSyntaxError('invalid escape in string (only \\" and \\\\)', i);
          value += escaped;
          i += 2;
          continue;
        }
        value += c;
        i += 1;
      }
      i += 1;
      tokens.push({ type: 'string', value, position: start, text: text.slice(start, i) });
      continue;
    }

    // Names are dot-separated words (`account.status.was`); a few whole words are keywords.
    if (isNameStart(ch)) {
      while (isNamePart(text.charAt(i))) i += 1;
      while (text.charAt(i) === '.' && isNameStart(text.charAt(i + 1))) {
        i += 1;
        while (isNamePart(text.charAt(i))) i += 1;
      }
      const word = text.slice(start, i);
      const lower = word.toLowerCase();
      if ((lower === 'include' || lower === 'exclude') && text.charAt(i) === '?') {
        i += 1;
        tokens.push({ type: 'keyword', keyword: lower === 'include' ? 'include?' : 'exclude?', position: start, text: text.slice(start, i) });
      } else if (lower === 'and' || lower === 'or' || lower === 'not') {
        tokens.push({ type: 'keyword', keyword: lower, position: start, text: word });
      } else if (lower === 'true' || lower === 'false') {
        tokens.push({ type: 'boolean', value: lower === 'true', position: start, text: word });
      } else {
        tokens.push({ type: 'name', name: word, position: start, text: word });
      }
      continue;
    }

    if (ch === '(' || ch === ')') {
      tokens.push({ type: ch, position: start, text: ch });
      i += 1;
      continue;
    }

    const operator = OPERATORS.find(([symbol]) => text.startsWith(symbol, i));
    if (operator) {
      tokens.push({ type: 'operator', operator: operator[1], position: start, text: operator[0] });
      i += operator[0].length;
      continue;
    }

    // Whole code point, so an emoji is reported as itself rather than half a surrogate pair.
    const character = String.fromCodePoint(text.codePointAt(i) ?? 0);
    throw new RuleSyntaxError(`unexpected character ${JSON.stringify(character)}`, start);
  }
  tokens.push({ type: 'end', position: text.length, text: '' });
  return tokens;
}

// ---------------------------------------------------------------------------------------------------------
// Parser

const isComparison = (token: Token): token is Token & { type: 'operator'; operator: ComparisonOperator } =>
  token.type === 'operator' && token.operator !== '+' && token.operator !== '-' && token.operator !== '%';

const isMembership = (token: Token): token is Token & { type: 'keyword'; keyword: 'include?' | 'exclude?' } =>
  token.type === 'keyword' && (token.keyword === 'include?' || token.keyword === 'exclude?');

function describe(token: Token): string {
  if (token.type === 'end') return 'end of rule';
  const text = token.text.length > 30 ? `${token.text.slice(0, 30)}...` : token.text;
  return token.type === 'string' ? `string ${text}` : `"${text}"`;
}

function unexpected(token: Token): RuleSyntaxError {
  return new RuleSyntaxError(`unexpected ${describe(token)}`, token.position);
}

/** One function per precedence level (see the grammar at the top); left-associative levels loop. */
class Parser {
  private index = 0;
  private depth = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  parse(): RuleNode {
    const node = this.parseOr();
    const next = this.peek();
    if (next.type !== 'end') throw unexpected(next);
    return node;
  }

  private peek(): Token {
    // The tokenizer always ends the list with an `end` token, and nothing advances past it.
    return this.tokens[this.index] ?? this.tokens[this.tokens.length - 1]!;
  }

  private advance(): Token {
    const token = this.peek();
    if (token.type !== 'end') this.index += 1;
    return token;
  }

  private isKeyword(keyword: Keyword): boolean {
    const token = this.peek();
    return token.type === 'keyword' && token.keyword === keyword;
  }

  /** Counts one nesting level, refusing rules nested deeper than the limit. */
  private enter(token: Token): void {
    this.depth += 1;
    if (this.depth > MAX_NESTING_DEPTH) throw new RuleSyntaxError(`rule nested deeper than ${MAX_NESTING_DEPTH} levels`, token.position);
  }

  private leave(): void {
    this.depth -= 1;
  }

  private parseOr(): RuleNode {
    let left = this.parseAnd();
    while (this.isKeyword('or')) {
      const { position } = this.advance();
      left = { kind: 'logical', operator: 'or', left, right: this.parseAnd(), position };
    }
    return left;
  }

  private parseAnd(): RuleNode {
    let left = this.parseNot();
    while (this.isKeyword('and')) {
      const { position } = this.advance();
      left = { kind: 'logical', operator: 'and', left, right: this.parseNot(), position };
    }
    return left;
  }

  private parseNot(): RuleNode {
    if (!this.isKeyword('not')) return this.parseComparison();
    const token = this.advance();
    this.enter(token);
    const operand = this.parseNot();
    this.leave();
    return { kind: 'not', operand, position: token.position };
  }

  private parseComparison(): RuleNode {
    const left = this.parseAdditive();
    const token = this.peek();
    let node: RuleNode;
    if (isComparison(token)) {
      this.advance();
      node = { kind: 'comparison', operator: token.operator, left, right: this.parseAdditive(), position: token.position };
    } else if (isMembership(token)) {
      this.advance();
      node = { kind: 'membership', operator: token.keyword, left, right: this.parseAdditive(), position: token.position };
    } else {
      return left;
    }
    // `a < b < c` would compare a boolean with c; make the author say what they mean with parentheses.
    const next = this.peek();
    if (isComparison(next) || isMembership(next)) throw unexpected(next);
    return node;
  }

  private parseAdditive(): RuleNode {
    let left = this.parsePercent();
    for (;;) {
      const token = this.peek();
      if (token.type !== 'operator' || (token.operator !== '+' && token.operator !== '-')) return left;
      this.advance();
      left = { kind: 'arithmetic', operator: token.operator, left, right: this.parsePercent(), position: token.position };
    }
  }

  private parsePercent(): RuleNode {
    let left = this.parseUnary();
    for (;;) {
      const token = this.peek();
      if (token.type !== 'operator' || token.operator !== '%') return left;
      this.advance();
      left = { kind: 'arithmetic', operator: '%', left, right: this.parseUnary(), position: token.position };
    }
  }

  private parseUnary(): RuleNode {
    const token = this.peek();
    if (token.type !== 'operator' || token.operator !== '-') return this.parsePrimary();
    this.advance();
    this.enter(token);
    const operand = this.parseUnary();
    this.leave();
    return { kind: 'negate', operand, position: token.position };
  }

  private parsePrimary(): RuleNode {
    const token = this.advance();
    switch (token.type) {
      case 'number':
      case 'string':
      case 'boolean':
        return { kind: 'literal', value: token.value, position: token.position };
      case 'name':
        return { kind: 'variable', name: token.name, position: token.position };
      case '(': {
        this.enter(token);
        const inner = this.parseOr();
        const close = this.peek();
        if (close.type !== ')') throw new RuleSyntaxError(`expected ")" but found ${describe(close)}`, close.position);
        this.advance();
        this.leave();
        return inner;
      }
      default:
        throw unexpected(token);
    }
  }
}

/** Parses a rule into an AST (null for an empty rule). Throws RuleSyntaxError with the position. */
export function parseRule(text: string): RuleNode | null {
  if (typeof text !== 'string') throw new RuleSyntaxError('a rule must be a string', 0);
  if (text.length > MAX_RULE_LENGTH) throw new RuleSyntaxError(`rule longer than ${MAX_RULE_LENGTH} characters`, MAX_RULE_LENGTH);
  if (text.trim() === '') return null;
  return new Parser(tokenize(text)).parse();
}

// ---------------------------------------------------------------------------------------------------------
// Variables

/** The variable nodes of a rule, in the order they appear in the text. */
function variableNodes(node: RuleNode | null): Array<{ name: string; position: number }> {
  const found: Array<{ name: string; position: number }> = [];
  const visit = (n: RuleNode): void => {
    switch (n.kind) {
      case 'literal':
        return;
      case 'variable':
        found.push({ name: n.name, position: n.position });
        return;
      case 'negate':
      case 'not':
        visit(n.operand);
        return;
      default:
        visit(n.left);
        visit(n.right);
    }
  };
  if (node) visit(node);
  return found;
}

const sortedUnique = (names: string[]): string[] => [...new Set(names)].sort();

/** The variable names a parsed rule reads (including `.was` names), sorted, unique. */
export function ruleVariables(node: RuleNode | null): string[] {
  return sortedUnique(variableNodes(node).map((v) => v.name));
}

/** A name is known when listed, or when it is `<base>.was` and the base is listed. */
function isKnown(name: string, known: Record<string, VariableType>): boolean {
  if (Object.hasOwn(known, name)) return true;
  return name.endsWith('.was') && Object.hasOwn(known, name.slice(0, -'.was'.length));
}

/**
 * Parses a rule and checks that every variable is one the event offers (`known`: name -> type); a `.was`
 * name is known when its base name is. Throws RuleSyntaxError, or RuleVariableError naming all unknown
 * variables with the position of the first. Returns the AST (null for an empty rule).
 */
export function validateRule(text: string, known: Record<string, VariableType>): RuleNode | null {
  const node = parseRule(text);
  const unknown = variableNodes(node).filter((v) => !isKnown(v.name, known));
  if (unknown.length > 0) {
    const first = Math.min(...unknown.map((v) => v.position));
    throw new RuleVariableError(sortedUnique(unknown.map((v) => v.name)), first);
  }
  return node;
}

// ---------------------------------------------------------------------------------------------------------
// Evaluation

/** Numbers, strings and booleans; anything else the caller put in the map reads as null. */
function normalize(value: unknown): RuleValue {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value as RuleValue[];
  return null;
}

/** Own properties only: a rule must not reach `__proto__`, `constructor` or anything else inherited. */
function lookup(variables: Record<string, RuleValue>, name: string): RuleValue {
  return Object.hasOwn(variables, name) ? normalize(variables[name]) : null;
}

const NUMERIC_STRING = /^-?\d+(\.\d+)?$/;

/** A number, or a string written as a plain decimal number; null otherwise. */
function toNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && NUMERIC_STRING.test(value)) {
    const n = Number(value);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

/** Drops binary floating-point noise from a result (0.1 + 0.2 = 0.3, as the author wrote it); integers stay exact. */
function tidy(n: number): number | null {
  if (!Number.isFinite(n)) return null;
  return Number.isInteger(n) ? n : Number(n.toPrecision(15));
}

function arithmetic(operator: '+' | '-' | '%', left: RuleValue, right: RuleValue): RuleValue {
  const a = toNumber(left);
  const b = toNumber(right);
  if (a === null || b === null) return null;
  switch (operator) {
    case '+':
      return tidy(a + b);
    case '-':
      return tidy(a - b);
    case '%':
      // Percent-of (spec 03 §7.2): `X % N` is N percent of X.
      return tidy((a * b) / 100);
  }
}

/** Two values brought to one type, or null when they do not compare (see the rules at the top). */
type Pair =
  | { readonly kind: 'number'; readonly a: number; readonly b: number }
  | { readonly kind: 'string'; readonly a: string; readonly b: string }
  | { readonly kind: 'boolean'; readonly a: boolean; readonly b: boolean };

function booleanString(value: string): boolean | null {
  const lower = value.toLowerCase();
  return lower === 'true' ? true : lower === 'false' ? false : null;
}

function comparable(a: unknown, b: unknown): Pair | null {
  if (typeof a === 'number' && typeof b === 'number') return { kind: 'number', a, b };
  if (typeof a === 'string' && typeof b === 'string') return { kind: 'string', a, b };
  if (typeof a === 'boolean' && typeof b === 'boolean') return { kind: 'boolean', a, b };
  if ((typeof a === 'number' && typeof b === 'string') || (typeof a === 'string' && typeof b === 'number')) {
    const x = toNumber(a);
    const y = toNumber(b);
    return x === null || y === null ? null : { kind: 'number', a: x, b: y };
  }
  if (typeof a === 'boolean' && typeof b === 'string') {
    const y = booleanString(b);
    return y === null ? null : { kind: 'boolean', a, b: y };
  }
  if (typeof a === 'string' && typeof b === 'boolean') {
    const x = booleanString(a);
    return x === null ? null : { kind: 'boolean', a: x, b };
  }
  return null;
}

function sameValue(a: unknown, b: unknown): boolean {
  const pair = comparable(a, b);
  return pair !== null && pair.a === pair.b;
}

/** Negative, zero or positive like a sort comparator; null for booleans, which have no order. */
function order(pair: Pair): number | null {
  switch (pair.kind) {
    case 'number':
      return pair.a - pair.b;
    case 'string':
      return pair.a < pair.b ? -1 : pair.a > pair.b ? 1 : 0;
    case 'boolean':
      return null;
  }
}

function compare(operator: ComparisonOperator, left: RuleValue, right: RuleValue): boolean {
  if (left === null || right === null) return operator === '!=' && (left === null) !== (right === null);
  const pair = comparable(left, right);
  if (pair === null) return false;
  if (operator === '=') return pair.a === pair.b;
  if (operator === '!=') return pair.a !== pair.b;
  const sign = order(pair);
  if (sign === null || Number.isNaN(sign)) return false;
  switch (operator) {
    case '<':
      return sign < 0;
    case '<=':
      return sign <= 0;
    case '>':
      return sign > 0;
    case '>=':
      return sign >= 0;
  }
}

function membership(operator: 'include?' | 'exclude?', list: RuleValue, item: RuleValue): boolean {
  if (!Array.isArray(list) || item === null || Array.isArray(item)) return false;
  const found = list.some((element) => sameValue(element, item));
  return operator === 'include?' ? found : !found;
}

function evaluate(node: RuleNode, variables: Record<string, RuleValue>): RuleValue {
  switch (node.kind) {
    case 'literal':
      return node.value;
    case 'variable':
      return lookup(variables, node.name);
    case 'negate': {
      const n = toNumber(evaluate(node.operand, variables));
      return n === null ? null : tidy(-n);
    }
    case 'not':
      return evaluate(node.operand, variables) !== true;
    case 'arithmetic':
      return arithmetic(node.operator, evaluate(node.left, variables), evaluate(node.right, variables));
    case 'comparison':
      return compare(node.operator, evaluate(node.left, variables), evaluate(node.right, variables));
    case 'membership':
      return membership(node.operator, evaluate(node.left, variables), evaluate(node.right, variables));
    case 'logical':
      // Short-circuit: the right side is not evaluated when the left decides.
      if (node.operator === 'and') return evaluate(node.left, variables) === true && evaluate(node.right, variables) === true;
      return evaluate(node.left, variables) === true || evaluate(node.right, variables) === true;
  }
}

/**
 * Evaluates a parsed rule against the event's variables (previous values under `<name>.was`). An empty
 * rule holds. Never throws on data: missing variables read as null and mismatched types compare false;
 * the rule holds only when its value is exactly `true`.
 */
export function evaluateRule(node: RuleNode | null, variables: Record<string, RuleValue>): boolean {
  if (node === null) return true;
  const map: Record<string, RuleValue> = typeof variables === 'object' && variables !== null ? variables : {};
  return evaluate(node, map) === true;
}
