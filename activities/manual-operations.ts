import type { Sql } from '../db/client';
import { logEvent } from '../operations/event-log/event-log';

export interface OpenManualOperation {
  scenarioId: string;
  path: string;
  round: number;
  type: string;
  clientId: number;
  subscriptionId: number | null;
  orderId: number | null;
  description: string;
}

export interface ManualDecisionRecord {
  operationId: number;
  decision: 'approved' | 'rejected';
  comment: string | null;
  output: Record<string, unknown> | null;
  by: number | null;
}

/** Manual operations in the database. Idempotent: one operation per scenario step and round; a decision is written once. */
export function createManualOperationActivities({ sql }: { sql: Sql }) {
  return {
    async openManualOperation(op: OpenManualOperation): Promise<{ operationId: number }> {
      return sql.begin(async (tx) => {
        const [row] = await tx<Array<{ id: number; inserted: boolean }>>`
          insert into manual_operations (type, scenario_id, step_path, round, client_id, subscription_id, order_id, description)
          values (${op.type}, ${op.scenarioId}, ${op.path}, ${op.round}, ${op.clientId}, ${op.subscriptionId}, ${op.orderId}, ${op.description})
          on conflict (scenario_id, step_path, round) do update set updated_at = manual_operations.updated_at
          returning id, (xmax = 0) as inserted`;
        if (row!.inserted) {
          await logEvent(tx, {
            actorId: null,
            entityKind: 'manual_operation',
            entityId: row!.id,
            action: 'created',
            changes: { type: op.type, scenario: op.scenarioId, step: op.path },
          });
        }
        return { operationId: row!.id };
      });
    },

    async recordManualDecision(d: ManualDecisionRecord): Promise<void> {
      await sql.begin(async (tx) => {
        const updated = await tx`
          update manual_operations set status = ${d.decision}, comment = ${d.comment}, decided_by = ${d.by},
                 output = ${d.output === null ? null : JSON.stringify(d.output)}::jsonb, decided_at = now(), updated_at = now()
          where id = ${d.operationId} and status = 'pending'
          returning id`;
        if (updated.length > 0) {
          await logEvent(tx, {
            actorId: d.by,
            entityKind: 'manual_operation',
            entityId: d.operationId,
            action: d.decision,
            reason: d.comment,
            changes: d.output ? { output: d.output } : null,
          });
        }
      });
    },
  };
}

export type ManualOperationActivities = ReturnType<typeof createManualOperationActivities>;
