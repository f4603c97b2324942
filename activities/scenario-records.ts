import type { Sql } from '../db/client';
import type { DecisionRecord, ScenarioRecord, StepRecord } from '../contracts/scenario-records';

// ISO strings with explicit casts: no dependence on how the driver recognises Date objects.
const at = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const json = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));

/**
 * The scenario read model. Run as local activities by the engine. Idempotent: each write is an upsert
 * that only applies when its `seq` is newer than the stored one, so a re-executed write after a crash,
 * or a late one, never moves a scenario backwards.
 */
export function createScenarioRecorders({ sql }: { sql: Sql }) {
  return {
    async recordScenario(s: ScenarioRecord): Promise<void> {
      const duration = s.finishedAt === null ? null : s.finishedAt - s.startedAt;
      await sql.begin(async (tx) => {
        const [previous] = await tx<Array<{ run_id: string }>>`select run_id from scenarios where id = ${s.id} for update`;
        if (previous && previous.run_id !== s.runId) {
          // A new run of the same scenario id (a billing date run again): its tree starts afresh.
          await tx`delete from scenario_steps where scenario_id = ${s.id} and run_id <> ${s.runId}`;
          await tx`delete from step_attempts where scenario_id = ${s.id}`;
        }
        await tx`
          insert into scenarios (id, run_id, type, subject_kind, subject_id, status, current_step, error,
                                 started_at, finished_at, duration_ms, seq, updated_at)
          values (${s.id}, ${s.runId}, ${s.type}, ${s.subjectKind}, ${s.subjectId}, ${s.status}, ${s.currentStep},
                  ${s.error}, ${at(s.startedAt)}::timestamptz, ${at(s.finishedAt)}::timestamptz, ${duration}, ${s.seq}, now())
          on conflict (id) do update set
            run_id = excluded.run_id, status = excluded.status, current_step = excluded.current_step,
            error = excluded.error, started_at = excluded.started_at, finished_at = excluded.finished_at,
            duration_ms = excluded.duration_ms, seq = excluded.seq, updated_at = now()
          where scenarios.seq < excluded.seq or scenarios.run_id <> excluded.run_id`;
      });
    },

    async recordStep(step: StepRecord): Promise<void> {
      const duration = step.finishedAt === null || step.startedAt === null ? null : step.finishedAt - step.startedAt;
      await sql`
        insert into scenario_steps (scenario_id, run_id, path, parent_path, position, name, kind, status, plugin, operation,
                                    idempotency_key, input, output, error_class, error_message, rounds,
                                    started_at, finished_at, duration_ms, seq, updated_at)
        values (${step.scenarioId}, ${step.runId ?? ''}, ${step.path}, ${step.parentPath}, ${step.position}, ${step.name}, ${step.kind},
                ${step.status}, ${step.plugin}, ${step.operation}, ${step.idempotencyKey},
                ${json(step.input)}::jsonb, ${json(step.output)}::jsonb, ${step.errorClass}, ${step.errorMessage},
                ${step.rounds}, ${at(step.startedAt)}::timestamptz, ${at(step.finishedAt)}::timestamptz, ${duration}, ${step.seq}, now())
        on conflict (scenario_id, path) do update set
          status = excluded.status, input = excluded.input, output = excluded.output,
          error_class = excluded.error_class, error_message = excluded.error_message, rounds = excluded.rounds,
          started_at = excluded.started_at, finished_at = excluded.finished_at, duration_ms = excluded.duration_ms,
          run_id = excluded.run_id, seq = excluded.seq, updated_at = now()
        where scenario_steps.seq < excluded.seq or scenario_steps.run_id <> excluded.run_id`;
    },

    async recordDecision(d: DecisionRecord): Promise<void> {
      await sql`
        insert into scenario_decisions (scenario_id, path, decision, reason, input, decided_by, decided_at, dedupe_key)
        values (${d.scenarioId}, ${d.path}, ${d.decision}, ${d.reason}, ${json(d.input)}::jsonb, ${d.decidedBy},
                ${at(d.decidedAt)}::timestamptz, ${`${d.scenarioId}/${d.path}/${d.round}`})
        on conflict (dedupe_key) do nothing`;
      await sql`
        insert into event_log (actor_kind, actor_id, entity_kind, entity_id, action, reason, changes, dedupe_key)
        values (${d.decidedBy === null ? 'system' : 'staff'}, ${d.decidedBy}, 'scenario', ${d.scenarioId},
                ${`step_${d.decision}`}, ${d.reason},
                ${JSON.stringify({ step: d.path, round: d.round, input: d.input ?? undefined })}::jsonb,
                ${`decision/${d.scenarioId}/${d.path}/${d.round}`})
        on conflict (dedupe_key) do nothing`;
    },
  };
}

export type ScenarioRecorders = ReturnType<typeof createScenarioRecorders>;
