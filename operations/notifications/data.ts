import type { Db } from '../../db/client';
import type { IsoDate } from '../../domain/dates';
import { notificationEvents, type EventDefinition, type NotificationEvent } from '../../domain/notifications/catalog';
import type { RuleValue } from '../../domain/notifications/rules';
import { clientVariables, orderPlanVariables, paymentVariables, subscriptionVariables } from './record-variables';
import { subjectLoaders } from './subject-variables';
import type { VariableContext, Vars } from './variables';

/** An outbox row, as the notification scenario reads it. */
export interface EventRow {
  id: number;
  event: NotificationEvent;
  subject_kind: string;
  subject_id: string;
  client_id: number | null;
  dedupe_key: string;
  facts: Record<string, unknown>;
}

/**
 * The event's variables (spec 03 §7-8 names), read from the records when the event is handled and
 * merged with the facts the event carried (previous values, business date). One flat map of dotted
 * names: rules read it as it is, templates read it nested.
 *
 * The subject's loader runs first and finds the records it leads to; then the blocks the event names, in the
 * order that lets each lead on to the next (payment and subscription lead to the client).
 */
export async function loadEventVariables(sql: Db, e: EventRow, today: IsoDate): Promise<Vars> {
  const def: EventDefinition = notificationEvents[e.event];
  const facts = e.facts as Vars;
  const currentDate = typeof facts.current_date === 'string' ? facts.current_date : today;
  const ctx: VariableContext = { sql, vars: { current_date: currentDate }, ids: { client: e.client_id }, currentDate, facts };

  await subjectLoaders[e.subject_kind]?.(ctx, Number(e.subject_id));
  if (def.blocks.includes('payment')) await paymentVariables(ctx, def);
  if (def.blocks.includes('subscription')) await subscriptionVariables(ctx, def);
  if (def.blocks.includes('plan')) await orderPlanVariables(ctx);
  await clientVariables(ctx);
  // The event's own facts win: previous values, and values as they were when it happened.
  for (const [name, value] of Object.entries(facts)) ctx.vars[name] = value as RuleValue;
  return ctx.vars;
}
