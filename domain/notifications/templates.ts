// Notification templates (spec 03 §4, §8): validation, placeholder analysis and rendering.
//
// Templates are Handlebars sources. The Liquid-isms of the spec map to helpers of our own (below);
// everything runs in an isolated Handlebars environment (`Handlebars.create()`) that knows only those
// helpers and the built-ins `#if`, `#unless`, `#each`, `#with` and `lookup`. Templates are compiled with
// `knownHelpersOnly`, so a call of any other helper is a compile error, and with Handlebars' default
// prototype-access protection (`{{constructor}}` renders nothing; at validation it is simply an unknown
// placeholder). Not supported, and rejected as syntax errors: partials, decorators, the `log` helper and
// Mustache-style sections (`{{#order}}…{{/order}}`; write `{{#with order}}`, `{{#each list}}` or `{{#if x}}`).
//
// Pure: no I/O and no clock; compiled templates are cached by source in a bounded map.
//
// Language: `renderTemplate` passes the language of the version it renders to Handlebars as private data
// (`fn(data, { data: { language } })`). Helpers read it from `options.data.language`; a template can read it
// as `{{@language}}`. It is the language of the rendered version, so a fallback version is formatted in its
// own language.
//
// Helpers (Liquid filter of the spec in brackets):
// - `{{money amount currency}}` (format_as_currency; alias `formatAsCurrency`): `amount` is integer minor
//   units; prints the amount with 2 decimals in the language's number format followed by the currency code,
//   never a symbol: 123456, "EUR" → en "1,234.56 EUR", ru "1 234,56 EUR" (plain spaces, no NBSP). Exact for
//   any safe integer. An empty amount prints nothing; a value that is not an integer is printed as it is.
// - `{{date value}}`, `{{date value 'long'}}` (format_as_date; alias `formatAsDate`): `value` is `YYYY-MM-DD`,
//   an ISO timestamp or a Date; printed in UTC: en "30 Nov 2026" / "30 November 2026", ru "30.11.2026" /
//   "30 ноября 2026 г.". An empty value prints nothing; an unreadable one is printed as it is.
// - `{{plural count one few many}}`: the word form for `count` (the word only; print the number yourself).
//   Russian rules in ru (1 день, 2 дня, 5 дней, 11 дней, 21 день; fractions take `few`), English in en
//   (`one` for 1, `many` otherwise; `few` is ignored). Uses Intl.PluralRules.
// - `{{eq a b}}`, `{{ne a b}}`: strict equality, except that a number and a numeric string compare as numbers.
// - `{{gt a b}}`, `{{lt a b}}`: numbers (numeric strings count) compare as numbers, two other strings compare
//   as text (so `YYYY-MM-DD` dates work); anything else is false.
// - `{{and a b …}}`, `{{or a b …}}`, `{{not a}}`: Handlebars truthiness (an empty array is false); give booleans.
// - `{{plus a b …}}` (plus): the sum of numbers or numeric strings; nothing if any is not a number.
// Comparisons are meant for sub-expressions: `{{#if (eq order.status "completed")}}…{{/if}}`.
// `number_in_words` of the spec has no equivalent yet.

import Handlebars from 'handlebars';
import { AppError } from '../errors';
import { formatAmount, formatMoney } from '../money';
import {
  eventPlaceholders,
  eventVariables,
  isNotificationEvent,
  notificationChannels,
  notificationLanguages,
  type NotificationChannel,
  type NotificationEvent,
  type NotificationLanguage,
} from './catalog';

// ---------------------------------------------------------------------------------------------
// Types

/** email: subject + html + text (text required, html optional); sms: text only; panel: subject (title) + text (body). */
export interface TemplateContent {
  subject?: string;
  html?: string;
  text: string;
}

/** Recipient fields may contain placeholders: `to: '{{owner.email}}'`, `phone: '{{owner.phone}}'`, `clientUserId: '{{owner.id}}'`. */
export interface TemplateRecipients {
  to?: string;
  cc?: string;
  bcc?: string;
  phone?: string;
  clientUserId?: string;
}

export interface TemplateDefinition {
  channel: NotificationChannel;
  event: NotificationEvent;
  recipients: TemplateRecipients;
  versions: Partial<Record<NotificationLanguage, TemplateContent>>;
  fallbackLanguage: NotificationLanguage;
}

export interface RenderedTemplate {
  language: NotificationLanguage;
  subject: string | null;
  html: string | null;
  text: string;
  recipients: Required<Record<keyof TemplateRecipients, string | null>>;
}

export type TemplateErrorCode = 'template_syntax' | 'template_unknown_placeholders' | 'template_incomplete';

/**
 * - `template_syntax`: a field does not compile (Handlebars' parse error, an unknown helper, a partial, …);
 *   the message names the field (`en subject`, `recipient "to"`) and carries Handlebars' own message.
 * - `template_unknown_placeholders`: placeholders the event does not provide, all of them in `unknown`.
 * - `template_incomplete`: a required field or recipient of the channel is missing, a field the channel does
 *   not have is set, there is no version in the fallback language, or the channel/event/language is unknown.
 * `field` names the offending field where there is one (`en.subject`, `recipients.to`).
 */
export class TemplateError extends AppError {
  readonly unknown: string[];
  readonly field: string | undefined;

  constructor(
    override readonly code: TemplateErrorCode,
    message: string,
    details: { unknown?: string[]; field?: string } = {},
  ) {
    super(code, message);
    this.unknown = details.unknown ?? [];
    this.field = details.field;
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers

type HelperOptions = Handlebars.HelperOptions;
type Language = NotificationLanguage;

/** Handlebars passes its options object last; helpers get their real arguments and the language. */
function split(args: unknown[]): { params: unknown[]; language: Language } {
  const options = args[args.length - 1] as HelperOptions | undefined;
  const data = options?.data as { language?: unknown } | undefined;
  return { params: args.slice(0, -1), language: data?.language === 'ru' ? 'ru' : 'en' };
}

const isBlank = (value: unknown): boolean => value === undefined || value === null || value === '';

/** A finite number from a number or a numeric string (`-?digits[.digits]`), else null. */
function toNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value)) return Number(value);
  return null;
}

const truthy = (value: unknown): boolean => (Array.isArray(value) ? value.length > 0 : Boolean(value));

/** Intl output with non-breaking and narrow no-break spaces turned into plain spaces (predictable text). */
const plainSpaces = (text: string): string => text.replace(/[\u00a0\u202f]/g, ' ');

const intlCache = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat | Intl.PluralRules>();
function cached<T extends Intl.NumberFormat | Intl.DateTimeFormat | Intl.PluralRules>(key: string, make: () => T): T {
  let value = intlCache.get(key);
  if (!value) {
    value = make();
    intlCache.set(key, value);
  }
  return value as T;
}

/** Minor units to "1,234.56" / "1 234,56": exact (the integer part is formatted as a BigInt). */
function formatMinor(minor: number, language: Language): string {
  const [integer, fraction] = formatAmount(minor).replace('-', '').split('.') as [string, string];
  const grouping = cached(`n:${language}`, () => new Intl.NumberFormat(language, { maximumFractionDigits: 0 }));
  const decimal = cached(`d:${language}`, () => new Intl.NumberFormat(language, { minimumFractionDigits: 1 }))
    .formatToParts(0.5)
    .find((part) => part.type === 'decimal')!.value;
  return plainSpaces(`${minor < 0 ? '-' : ''}${(grouping as Intl.NumberFormat).format(BigInt(integer))}${decimal}${fraction}`);
}

function money(...args: unknown[]): string {
  const { params, language } = split(args);
  const [amount, currency] = params;
  if (isBlank(amount)) return '';
  const minor = toNumber(amount);
  if (minor === null || !Number.isSafeInteger(minor)) return String(amount);
  const formatted = formatMinor(minor, language);
  return isBlank(currency) ? formatted : `${formatted} ${String(currency)}`;
}

function toDate(value: unknown): Date | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value;
  if (typeof value !== 'string') return null;
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (day) {
    const [year, month, date] = [Number(day[1]), Number(day[2]), Number(day[3])];
    const result = new Date(Date.UTC(year, month - 1, date));
    return result.getUTCMonth() === month - 1 && result.getUTCDate() === date ? result : null;
  }
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value)) return null;
  const result = new Date(value);
  return Number.isNaN(result.getTime()) ? null : result;
}

function formatDate(value: Date, language: Language, long: boolean): string {
  if (language === 'ru') {
    const format = cached(`ru:${long}`, () =>
      long
        ? new Intl.DateTimeFormat('ru', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' })
        : new Intl.DateTimeFormat('ru', { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: 'UTC' }),
    ) as Intl.DateTimeFormat;
    return plainSpaces(format.format(value));
  }
  // English as day, month, year whatever the locale's own order ("30 Nov 2026"), with the en month names.
  const format = cached(
    `en:${long}`,
    () => new Intl.DateTimeFormat('en', { day: 'numeric', month: long ? 'long' : 'short', year: 'numeric', timeZone: 'UTC' }),
  ) as Intl.DateTimeFormat;
  const parts = format.formatToParts(value);
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((part) => part.type === type)?.value ?? '';
  return `${get('day')} ${get('month')} ${get('year')}`;
}

function date(...args: unknown[]): string {
  const { params, language } = split(args);
  const [value, style] = params;
  if (isBlank(value)) return '';
  const parsed = toDate(value);
  return parsed ? formatDate(parsed, language, style === 'long') : String(value);
}

function plural(...args: unknown[]): string {
  const { params, language } = split(args);
  const [one, few, many] = params.slice(1).map((form) => (isBlank(form) ? '' : String(form)));
  const count = toNumber(params[0]);
  const category = count === null ? 'many' : (cached(`p:${language}`, () => new Intl.PluralRules(language)) as Intl.PluralRules).select(count);
  if (language === 'ru') return (category === 'one' ? one : category === 'many' ? many : few) ?? '';
  return (category === 'one' ? one : many) ?? '';
}

function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'number' || typeof b === 'number') {
    const [x, y] = [toNumber(a), toNumber(b)];
    return x !== null && y !== null && x === y;
  }
  return false;
}

function compare(a: unknown, b: unknown): number | null {
  const [x, y] = [toNumber(a), toNumber(b)];
  if (x !== null && y !== null) return x - y;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  return null;
}

const helpers: Record<string, (...args: unknown[]) => unknown> = {
  money,
  formatAsCurrency: money,
  date,
  formatAsDate: date,
  plural,
  eq: (...args) => {
    const [a, b] = split(args).params;
    return equal(a, b);
  },
  ne: (...args) => {
    const [a, b] = split(args).params;
    return !equal(a, b);
  },
  gt: (...args) => {
    const [a, b] = split(args).params;
    const order = compare(a, b);
    return order !== null && order > 0;
  },
  lt: (...args) => {
    const [a, b] = split(args).params;
    const order = compare(a, b);
    return order !== null && order < 0;
  },
  and: (...args) => split(args).params.every(truthy),
  or: (...args) => split(args).params.some(truthy),
  not: (...args) => !truthy(split(args).params[0]),
  plus: (...args) => {
    const numbers = split(args).params.map(toNumber);
    if (numbers.some((n) => n === null)) return '';
    return Number((numbers as number[]).reduce((sum, n) => sum + n, 0).toPrecision(15));
  },
};

/** Built-in helpers that stay available: block helpers and `lookup`. */
const blockHelpers = new Set(['if', 'unless', 'each', 'with']);
const inlineHelpers = new Set([...Object.keys(helpers), 'lookup']);

const handlebars = Handlebars.create();
handlebars.unregisterHelper('log');
for (const [name, fn] of Object.entries(helpers)) handlebars.registerHelper(name, fn as Handlebars.HelperDelegate);

const compileOptions = (escape: boolean): CompileOptions => ({
  strict: false,
  knownHelpersOnly: true,
  knownHelpers: {
    ...Object.fromEntries(Object.keys(helpers).map((name) => [name, true])),
    log: false,
    helperMissing: false,
    blockHelperMissing: false,
  },
  noEscape: !escape,
});

// ---------------------------------------------------------------------------------------------
// Placeholder analysis (on Handlebars' AST)

type Node = hbs.AST.Node;
type Path = hbs.AST.PathExpression;
type Call = { path: Path | hbs.AST.Literal; params: hbs.AST.Expression[]; hash?: hbs.AST.Hash; loc: hbs.AST.SourceLocation };

/** A template that parses but uses something we do not support (message only; callers add the field). */
class TemplateProblem extends Error {}

/** A context level: the placeholder path it stands for (null: unknown), and whether it is a list element. */
interface Context {
  prefix: string | null;
  element: boolean;
}
/** A block parameter: an alias of a path (`#with x as |y|`), a list element (`#each x as |y|`) or an index. */
type Binding = { kind: 'alias'; path: string | null } | { kind: 'element'; list: string | null } | { kind: 'local' };
interface Scope {
  contexts: Context[];
  params: Map<string, Binding>[];
}

const dataVariables = new Set(['index', 'first', 'last', 'key', 'language']);
const join = (...parts: (string | null)[]) => parts.filter((part) => part).join('.');
const at = (node: { loc?: hbs.AST.SourceLocation }) => (node.loc ? ` (line ${node.loc.start.line}, column ${node.loc.start.column})` : '');
/** `this.x`, `./x`: resolved in the context only, never a helper or a block parameter (as Handlebars). */
const scoped = (path: Path) => /^\.|this\b/.test(path.original);

function binding(scope: Scope, name: string): Binding | undefined {
  for (let i = scope.params.length - 1; i >= 0; i -= 1) {
    const found = scope.params[i]!.get(name);
    if (found) return found;
  }
  return undefined;
}

/** The placeholder a path reads (reported), or null when it reads a local value, data or nothing at all. */
function resolve(path: Path, scope: Scope, report: (name: string) => void): string | null {
  const parts = path.parts;
  let name: string | null;
  if (path.data) {
    if (parts[0] === 'root') name = parts.length > 1 ? join(...parts.slice(1)) : null;
    else if (parts.length === 1 && dataVariables.has(parts[0]!)) name = null;
    else name = `@${parts.join('.')}`;
  } else {
    const bound = !scoped(path) && path.depth === 0 && parts.length > 0 ? binding(scope, parts[0]!) : undefined;
    if (bound) {
      const rest = parts.slice(1);
      if (bound.kind === 'local') name = null;
      else if (bound.kind === 'alias') name = bound.path === null ? null : join(bound.path, ...rest);
      else name = bound.list === null || rest.length === 0 ? null : join(bound.list, ...rest);
    } else {
      const context = scope.contexts[Math.max(0, scope.contexts.length - 1 - path.depth)]!;
      if (context.prefix === null) name = null;
      else if (parts.length === 0) name = context.element || context.prefix === '' ? null : context.prefix;
      else name = join(context.prefix, ...parts);
    }
  }
  if (name !== null) report(name);
  return name;
}

function isPath(node: Node | undefined): node is Path {
  return node?.type === 'PathExpression';
}

/** The name of a helper a path could call: a single plain segment that is not a block parameter. */
function helperName(path: Path | hbs.AST.Literal, scope: Scope): string | null {
  if (!isPath(path)) return String((path as hbs.AST.StringLiteral).original ?? path.type);
  if (path.data || path.depth > 0 || scoped(path) || path.parts.length !== 1) return path.original;
  if (binding(scope, path.parts[0]!)) return null;
  return path.parts[0]!;
}

function walkExpression(node: hbs.AST.Expression, scope: Scope, report: (name: string) => void): void {
  if (isPath(node)) resolve(node, scope, report);
  else if (node.type === 'SubExpression') walkCall(node as hbs.AST.SubExpression, scope, report);
}

/** A helper call: `{{money a b}}`, `(eq a b)`. Only our helpers and `lookup` may be called inline. */
function walkCall(call: Call, scope: Scope, report: (name: string) => void): void {
  const name = helperName(call.path, scope);
  if (name !== null && blockHelpers.has(name)) throw new TemplateProblem(`"${name}" is a block helper: use {{#${name} …}}…{{/${name}}}${at(call)}`);
  if (name === null || !inlineHelpers.has(name)) throw new TemplateProblem(`unknown helper "${name ?? (call.path as Path).original}"${at(call)}`);
  const [first, second] = call.params;
  if (name === 'lookup' && isPath(first) && (second?.type === 'StringLiteral' || second?.type === 'NumberLiteral')) {
    // {{lookup order "number"}} reads order.number.
    const base = resolve(first, scope, () => undefined);
    if (base !== null) report(join(base, String((second as hbs.AST.StringLiteral).value)));
  } else {
    for (const param of call.params) walkExpression(param, scope, report);
  }
  for (const pair of call.hash?.pairs ?? []) walkExpression(pair.value, scope, report);
}

function walkProgram(program: hbs.AST.Program | undefined, scope: Scope, report: (name: string) => void): void {
  for (const statement of program?.body ?? []) walkStatement(statement, scope, report);
}

function walkStatement(node: hbs.AST.Statement, scope: Scope, report: (name: string) => void): void {
  switch (node.type) {
    case 'ContentStatement':
    case 'CommentStatement':
      return;
    case 'MustacheStatement': {
      const mustache = node as hbs.AST.MustacheStatement;
      if (mustache.params.length > 0 || (mustache.hash?.pairs.length ?? 0) > 0) return walkCall(mustache, scope, report);
      if (!isPath(mustache.path)) return; // {{true}}, {{"text"}}
      const name = helperName(mustache.path, scope);
      if (name !== null && inlineHelpers.has(name)) return; // a helper without arguments
      if (name !== null && blockHelpers.has(name)) throw new TemplateProblem(`"${name}" is a block helper: use {{#${name} …}}…{{/${name}}}${at(node)}`);
      resolve(mustache.path, scope, report);
      return;
    }
    case 'BlockStatement':
      return walkBlock(node as hbs.AST.BlockStatement, scope, report);
    case 'PartialStatement':
    case 'PartialBlockStatement':
      throw new TemplateProblem(`partials are not supported${at(node)}`);
    default:
      throw new TemplateProblem(`${node.type} is not supported${at(node)}`); // decorators
  }
}

function walkBlock(block: hbs.AST.BlockStatement, scope: Scope, report: (name: string) => void): void {
  const name = helperName(block.path, scope);
  if (name === null || !blockHelpers.has(name)) {
    if (name !== null && inlineHelpers.has(name)) {
      throw new TemplateProblem(`"${name}" is not a block helper: use it inline or in {{#if (${name} …)}}${at(block)}`);
    }
    if (block.params.length > 0 || (block.hash?.pairs.length ?? 0) > 0) throw new TemplateProblem(`unknown helper "${block.path.original}"${at(block)}`);
    throw new TemplateProblem(`sections like {{#${block.path.original}}} are not supported: use #if, #with or #each${at(block)}`);
  }
  if (block.params.length !== 1) throw new TemplateProblem(`#${name} takes exactly one argument${at(block)}`);
  const argument = block.params[0]!;
  for (const pair of block.hash?.pairs ?? []) walkExpression(pair.value, scope, report);
  if (name === 'if' || name === 'unless') {
    walkExpression(argument, scope, report);
    walkProgram(block.program, scope, report);
    walkProgram(block.inverse, scope, report);
    return;
  }
  const target = isPath(argument) ? resolve(argument, scope, report) : (walkExpression(argument, scope, report), null);
  const [first, second] = block.program?.blockParams ?? [];
  const params = new Map<string, Binding>();
  if (name === 'with') {
    if (first) params.set(first, { kind: 'alias', path: target });
  } else {
    if (first) params.set(first, { kind: 'element', list: target });
    if (second) params.set(second, { kind: 'local' });
  }
  const inner: Scope = {
    contexts: [...scope.contexts, { prefix: target, element: name === 'each' }],
    params: [...scope.params, params],
  };
  walkProgram(block.program, inner, report);
  walkProgram(block.inverse, scope, report); // {{else}} runs in the outer context
}

/** Parses and analyses a source; throws Handlebars' exceptions and TemplateProblem. */
function analyse(source: string): string[] {
  const names = new Set<string>();
  const root: Scope = { contexts: [{ prefix: '', element: false }], params: [] };
  walkProgram(handlebars.parse(source), root, (name) => names.add(name));
  return [...names].sort();
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** The placeholders a Handlebars source uses (dotted paths like "order.number"), sorted and unique. */
export function templatePlaceholders(source: string): string[] {
  try {
    return analyse(source);
  } catch (error) {
    throw new TemplateError('template_syntax', `Template syntax error: ${messageOf(error)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Compilation cache

interface Compiled {
  placeholders: string[];
  render: Handlebars.TemplateDelegate;
}

const CACHE_LIMIT = 1000;
const cache = new Map<string, Compiled>();

/**
 * The compiled template for a source (html: escaped output; text: not escaped). Compiles eagerly, so every
 * compile error surfaces here; the cache keeps the most recently used CACHE_LIMIT templates.
 */
function compiled(source: string, escape: boolean): Compiled {
  const key = `${escape ? 'html' : 'text'}\u0000${source}`;
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const placeholders = analyse(source);
  const options = compileOptions(escape);
  handlebars.precompile(source, options); // Handlebars compiles lazily; this reports its errors now
  const entry: Compiled = { placeholders, render: handlebars.compile(source, options) };
  cache.set(key, entry);
  if (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  return entry;
}

// ---------------------------------------------------------------------------------------------
// Validation and rendering

type ContentField = keyof TemplateContent;

/** The content fields per channel, and which of them are required. */
const channelFields: Record<NotificationChannel, { fields: ContentField[]; required: ContentField[]; recipient: keyof TemplateRecipients }> = {
  email: { fields: ['subject', 'html', 'text'], required: ['subject', 'text'], recipient: 'to' },
  sms: { fields: ['text'], required: ['text'], recipient: 'phone' },
  panel: { fields: ['subject', 'text'], required: ['subject', 'text'], recipient: 'clientUserId' },
};

const recipientFields = ['to', 'cc', 'bcc', 'phone', 'clientUserId'] as const satisfies readonly (keyof TemplateRecipients)[];

const present = (value: string | undefined): value is string => typeof value === 'string' && value.trim() !== '';

const isLanguage = (value: string): value is NotificationLanguage => (notificationLanguages as readonly string[]).includes(value);

/** Every source of a template with its field name, its label for messages and whether it renders as HTML. */
function sources(t: TemplateDefinition): { source: string; field: string; label: string; escape: boolean }[] {
  const list: { source: string; field: string; label: string; escape: boolean }[] = [];
  for (const language of notificationLanguages) {
    const version = t.versions[language];
    if (!version) continue;
    for (const field of channelFields[t.channel].fields) {
      const source = version[field];
      if (present(source)) list.push({ source, field: `${language}.${field}`, label: `${language} ${field}`, escape: field === 'html' });
    }
  }
  for (const field of recipientFields) {
    const source = t.recipients?.[field];
    if (present(source)) list.push({ source, field: `recipients.${field}`, label: `recipient "${field}"`, escape: false });
  }
  return list;
}

function checkStructure(t: TemplateDefinition): void {
  const incomplete = (message: string, field?: string) => new TemplateError('template_incomplete', message, { field });
  if (!(notificationChannels as readonly string[]).includes(t.channel)) throw incomplete(`Unknown channel "${String(t.channel)}"`, 'channel');
  if (!isNotificationEvent(t.event)) throw incomplete(`Unknown event "${String(t.event)}"`, 'event');
  if (!isLanguage(t.fallbackLanguage)) throw incomplete(`Unknown fallback language "${String(t.fallbackLanguage)}"`, 'fallbackLanguage');
  const { fields, required, recipient } = channelFields[t.channel];
  for (const language of Object.keys(t.versions ?? {})) {
    if (!isLanguage(language)) throw incomplete(`Unsupported language "${language}" (supported: ${notificationLanguages.join(', ')})`, language);
  }
  if (!t.versions?.[t.fallbackLanguage]) {
    throw incomplete(`No version in the fallback language "${t.fallbackLanguage}"`, t.fallbackLanguage);
  }
  for (const language of notificationLanguages) {
    const version = t.versions[language];
    if (!version) continue;
    for (const field of required) {
      if (!present(version[field])) throw incomplete(`The ${language} version of an ${t.channel} template needs a ${field === 'subject' && t.channel === 'panel' ? 'title (subject)' : field}`, `${language}.${field}`);
    }
    for (const field of ['subject', 'html', 'text'] as const) {
      if (!fields.includes(field) && present(version[field])) {
        throw incomplete(`An ${t.channel} template has no ${field} (fields: ${fields.join(', ')}); remove it from the ${language} version`, `${language}.${field}`);
      }
    }
  }
  if (!present(t.recipients?.[recipient])) {
    throw incomplete(`An ${t.channel} template needs the recipient "${recipient}"`, `recipients.${recipient}`);
  }
}

/** Every name a template of the event may read: its placeholders and their parent objects (`order`). */
function knownNames(event: NotificationEvent): Set<string> {
  const known = new Set<string>();
  for (const name of eventPlaceholders(event)) {
    const parts = name.split('.');
    for (let i = 1; i <= parts.length; i += 1) known.add(parts.slice(0, i).join('.'));
  }
  return known;
}

/**
 * Compiles every field of every version and the recipients; checks the channel's required fields and
 * recipient and the fallback version; checks that every placeholder used is one the event provides.
 * Throws a TemplateError: the first structural or syntax problem, else all unknown placeholders at once.
 */
export function validateTemplate(t: TemplateDefinition): void {
  checkStructure(t);
  const used = new Set<string>();
  for (const { source, field, label, escape } of sources(t)) {
    let entry: Compiled;
    try {
      entry = compiled(source, escape);
    } catch (error) {
      throw new TemplateError('template_syntax', `Syntax error in the ${label}: ${messageOf(error)}`, { field });
    }
    for (const name of entry.placeholders) used.add(name);
  }
  const known = knownNames(t.event);
  const unknown = [...used].filter((name) => !known.has(name)).sort();
  if (unknown.length > 0) {
    throw new TemplateError(
      'template_unknown_placeholders',
      `Unknown placeholder${unknown.length === 1 ? '' : 's'} for the event ${t.event}: ${unknown.join(', ')}`,
      { unknown },
    );
  }
}

function renderSource(source: string | undefined, escape: boolean, data: Record<string, unknown>, language: Language, label: string): string | null {
  if (!present(source)) return null;
  let entry: Compiled;
  try {
    entry = compiled(source, escape);
  } catch (error) {
    throw new TemplateError('template_syntax', `Syntax error in the ${label}: ${messageOf(error)}`);
  }
  return entry.render(data, { data: { language } });
}

/**
 * One Handlebars source rendered as plain text (no escaping) with the helpers above, in `language`: what the
 * document templates (domain/documents/templates.ts) are rendered with. Throws `template_syntax` for a bad source.
 */
export function renderPlainText(source: string, data: Record<string, unknown>, language: Language, label: string): string {
  return renderSource(source, false, data, language, label) ?? '';
}

/** One line: whitespace runs (new lines included) become one space; empty becomes null. */
const oneLine = (text: string | null): string | null => {
  const line = text?.replace(/\s+/g, ' ').trim() ?? '';
  return line === '' ? null : line;
};

/**
 * Renders a (validated) template for a client's language: the version for `language` (`ru`, `ru-RU`, `RU` all
 * pick ru), else the fallback version. HTML is escaped; subject, text, SMS and recipients are not. Subject
 * and recipients come out on one line (whitespace collapsed, trimmed); null when the field is absent or
 * renders empty. Fields the channel does not have are not rendered (sms: text only; panel: no html).
 */
export function renderTemplate(t: TemplateDefinition, data: Record<string, unknown>, language: string): RenderedTemplate {
  const wanted = String(language ?? '').toLowerCase().split(/[-_]/)[0] ?? '';
  const chosen: Language = isLanguage(wanted) && t.versions[wanted] ? wanted : t.fallbackLanguage;
  const version = t.versions[chosen];
  if (!version) throw new TemplateError('template_incomplete', `No version in the fallback language "${t.fallbackLanguage}"`, { field: t.fallbackLanguage });
  const { fields } = channelFields[t.channel] ?? channelFields.email;
  const field = (name: ContentField) =>
    fields.includes(name) ? renderSource(version[name], name === 'html', data, chosen, `${chosen} ${name}`) : null;
  const recipients = Object.fromEntries(
    recipientFields.map((name) => [name, oneLine(renderSource(t.recipients?.[name], false, data, chosen, `recipient "${name}"`))]),
  ) as RenderedTemplate['recipients'];
  return {
    language: chosen,
    subject: oneLine(field('subject')),
    html: field('html'),
    text: field('text') ?? '',
    recipients,
  };
}

// ---------------------------------------------------------------------------------------------
// Data

const unsafeSegments = new Set(['__proto__', 'constructor', 'prototype']);
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);

/**
 * Dotted variables ("order.number": "SO-1") to the nested object templates read ({ order: { number: "SO-1" } }).
 * Previous values (names ending in ".was") are skipped, and so are names with a `__proto__`, `constructor` or
 * `prototype` segment or an empty one. When a name is both a value and a parent ("order" and "order.id"),
 * the parent object wins, whatever the order of the keys.
 */
export function nestVariables(vars: Record<string, unknown>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(vars)) {
    if (name.endsWith('.was')) continue;
    const parts = name.split('.');
    if (parts.some((part) => part === '' || unsafeSegments.has(part))) continue;
    let node = root;
    for (const part of parts.slice(0, -1)) {
      const next = Object.hasOwn(node, part) ? node[part] : undefined;
      if (!isObject(next)) node[part] = {};
      node = node[part] as Record<string, unknown>;
    }
    const last = parts[parts.length - 1]!;
    if (Object.hasOwn(node, last) && isObject(node[last]) && !isObject(value)) continue;
    node[last] = value;
  }
  return root;
}

/** Sample values of every placeholder of the catalogue: one client, its order, subscription, payment, … */
const samples: Record<string, unknown> = {
  current_date: '2026-11-20',
  'owner.id': 17,
  'owner.email': 'anna.petrova@example.com',
  'owner.name': 'Anna Petrova',
  'owner.phone': '+15550100123',
  'owner.language': 'en',
  'account.id': 1042,
  'account.name': 'Northwind Traders Ltd',
  'account.status': 'active',
  'account.human_status_name': 'Active',
  'account.balance': 250000,
  'account.currency': 'EUR',
  'account.financial_blocking_threshold': 0,
  'account.class_id': 3,
  'account.class_key': 'standard',
  'account.language': 'en',
  'account.bill_user_email': 'billing@northwind.example',
  'account.bill_user_name': 'Boris Ivanov',
  'account.tech_user_email': 'it@northwind.example',
  'account.tech_user_name': 'Carla Mendes',
  'account.manager.name': 'Maria Manager',
  'account.manager.email': 'maria.manager@example.com',
  'order.id': 5123,
  'order.number': 'SO-2026-000123',
  'order.type': 'purchase',
  'order.status': 'completed',
  'order.total': 123456,
  'order.currency': 'EUR',
  'order.created_at': '2026-11-20',
  'order.plans_ids': [12],
  'order.renewal_is_positive': true,
  'subscription.id': 3301,
  'subscription.name': 'Microsoft 365 Business Standard',
  'subscription.status': 'active',
  'subscription.start_date': '2025-11-30',
  'subscription.expiration_date': '2026-11-30',
  'subscription.auto_renewal': true,
  'subscription.trial': false,
  'subscription.payment_model': 'prepay',
  'subscription.billing_type': 'recurring',
  'subscription.days_left': 10,
  'subscription.days_passed': 0,
  'subscription.renewal_amount': 123456,
  'plan.id': 12,
  'plan.name': 'Business Standard, yearly',
  'plan.status': 'active',
  'plan_period.duration_value': 1,
  'plan_period.duration_type': 'year',
  'plan_period.trial': false,
  'plan_period.setup_fee': 0,
  'plan_period.recurring_fee': 123456,
  'plan_period.renewal_fee': 123456,
  'product.id': 7,
  'product.name': 'Microsoft 365',
  'payment.id': 7781,
  'payment.document_number': 'PAY-2026-000456',
  'payment.type': 'order',
  'payment.status': 'waiting_for_payment',
  'payment.total': 123456,
  'payment.currency': 'EUR',
  'payment.comment': 'Bank transfer',
  'payment.created_at': '2026-11-20',
  'payment.expiration_date': '2026-11-27',
  'payment.days_left': 7,
  'payment.orders': 'SO-2026-000123',
  'guaranteed_payment.id': 88,
  'guaranteed_payment.document_number': 'PP-2026-000012',
  'guaranteed_payment.status': 'provided',
  'guaranteed_payment.total': 50000,
  'guaranteed_payment.expiration_date': '2026-11-27',
  'guaranteed_payment.days_left': 7,
  'operation.id': 501,
  'operation.type': 'install_application',
  'operation.status': 'pending',
  'operation.comment': 'Please check the licence key before approving',
  'invoice.id': 2201,
  'invoice.document_number': 'ACT-2026-000078',
  'invoice.total': 45000,
  'invoice.financial_day': '2026-11-01',
  'task.id': 9001,
  'task.scenario_id': 'order-5123',
  'task.step': 'provision',
  'task.plugin': 'microsoft365',
  'task.operation': 'create_subscription',
  'task.error_class': 'VendorApiError',
  'task.error_message': 'Vendor API answered 503 Service Unavailable',
};

/** Per-event changes that make the sample tell the event's story (and previous values for rules). */
const sampleOverrides: Partial<Record<NotificationEvent, Record<string, unknown>>> = {
  order_created: { 'order.status': 'awaiting_payment' },
  order_changed: { 'order.status.was': 'provisioning' },
  subscription_changed: { 'subscription.status': 'payment_overdue', 'subscription.status.was': 'active' },
  after_subscription_expiration: {
    'subscription.status': 'payment_overdue',
    'subscription.expiration_date': '2026-11-17',
    'subscription.days_left': 0,
    'subscription.days_passed': 3,
  },
  payment_received: { 'payment.status': 'completed', 'payment.status.was': 'waiting_for_payment', 'payment.days_left': 0 },
  joined_payment_created: { 'payment.orders': 'SO-2026-000123; SO-2026-000124', 'payment.total': 168456 },
  payment_due_date_coming: { 'payment.type': 'postpay_services', 'payment.total': 45000, 'payment.days_left': 3, 'payment.expiration_date': '2026-11-23' },
  postpay_payment_created: { 'payment.type': 'postpay_services', 'payment.total': 45000, 'payment.orders': '' },
  account_changed: { 'account.status': 'financially_blocked', 'account.human_status_name': 'Financially blocked', 'account.balance': -1500, 'account.status.was': 'active' },
  low_balance: { 'account.balance': -1500, 'account.balance.was': 2500 },
  promised_payment_changed: { 'guaranteed_payment.status': 'revoked', 'guaranteed_payment.status.was': 'provided' },
  promised_payment_expiring: { 'guaranteed_payment.days_left': 2, 'guaranteed_payment.expiration_date': '2026-11-22' },
  manual_operation: { 'operation.status.was': 'pending' },
};

/** A value for a placeholder without a sample (a block added later): by its type. */
function sampleByType(type: string, name: string): unknown {
  switch (type) {
    case 'integer':
    case 'number':
      return 42;
    case 'boolean':
      return false;
    case 'date':
      return '2026-11-20';
    case 'array':
      return [];
    default:
      return `Sample ${name.split('.').pop()!.replace(/_/g, ' ')}`;
  }
}

/**
 * Realistic sample values for every variable of an event, as dotted names (the shape of real event data;
 * pass them through `nestVariables` to render). Includes the event's previous values (`.was`) so the same
 * sample can preview rules. Deterministic: the same event always gives the same values. `*_with_currency`
 * values agree with their amounts.
 */
export function sampleVariables(event: NotificationEvent): Record<string, unknown> {
  const variables = eventVariables(event);
  const values: Record<string, unknown> = { ...samples, ...sampleOverrides[event] };
  const result: Record<string, unknown> = {};
  for (const [name, type] of Object.entries(variables)) {
    result[name] = Object.hasOwn(values, name) ? values[name] : sampleByType(type, name);
  }
  for (const name of Object.keys(result)) {
    if (!name.endsWith('_with_currency')) continue;
    const base = name.slice(0, -'_with_currency'.length);
    const block = base.slice(0, base.lastIndexOf('.'));
    const amount = values[base];
    const currency = values[`${block}.currency`] ?? values['account.currency'];
    if (typeof amount === 'number' && typeof currency === 'string') result[name] = formatMoney(amount, currency);
  }
  return result;
}

type CompileOptions = NonNullable<Parameters<typeof Handlebars.compile>[1]>;
