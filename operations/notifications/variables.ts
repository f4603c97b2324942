import type { Db } from '../../db/client';
import type { RuleValue } from '../../domain/notifications/rules';

/** One flat map of dotted variable names (spec 03 §7-8): rules read it as it is, templates read it nested. */
export type Vars = Record<string, RuleValue>;

/** The records an event leads to, found by following links from its subject. */
export interface LinkedIds {
  client?: number | null;
  order?: number | null;
  subscription?: number | null;
  payment?: number | null;
}

/** What every loader reads and fills: the variables so far, the records found so far, the event's business date. */
export interface VariableContext {
  sql: Db;
  vars: Vars;
  ids: LinkedIds;
  currentDate: string;
  /** The facts the event carried (previous values, the business date). */
  facts: Vars;
}

/** A date column as `YYYY-MM-DD`. */
export const iso = (v: unknown): string | null => (v === null || v === undefined ? null : v instanceof Date ? v.toISOString().slice(0, 10) : String(v).slice(0, 10));
/** A numeric column (money arrives as text) as a number. */
export const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
