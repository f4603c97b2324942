import { scenarioClientExpr } from '../tenancy';
import type { ListQuery } from './engine';

export interface ScenarioFilters {
  /** Keyset cursor: scenarios started before this point in time (the API's `before`). */
  before?: string;
  type?: string;
  status?: string;
  subjectKind?: string;
  subjectId?: string;
  minDurationMs?: number;
  maxDurationMs?: number;
  /** Part of the type / of the subject's id (the UI's text filters). */
  typeContains?: string;
  subjectIdContains?: string;
  startedFrom?: string;
  startedTo?: string;
}

/** Scenarios with their current step: GET /api/v1/scenarios and the UI's scenario list. */
export const scenarioList: ListQuery<ScenarioFilters> = {
  name: 'scenarios',
  from: 'scenarios s left join scenario_steps st on st.scenario_id = s.id and st.path = s.current_step',
  id: 's.id',
  client: scenarioClientExpr('s'),
  columns: {
    id: { expr: 's.id', sortable: true },
    type: { expr: 's.type', sortable: true },
    status: { expr: 's.status', sortable: true },
    subjectKind: { expr: 's.subject_kind' },
    subjectId: { expr: 's.subject_id' },
    subject: { expr: "s.subject_kind || ' ' || s.subject_id" },
    currentStep: { expr: 's.current_step' },
    currentStepName: { expr: 'st.name' },
    /** The current step's path and name, as the UI shows it. */
    currentStepLabel: { expr: "coalesce(st.path || ' ' || st.name, s.current_step)" },
    error: { expr: 's.error' },
    startedAt: { expr: 's.started_at', sortable: true, notNull: true },
    finishedAt: { expr: 's.finished_at' },
    durationMs: { expr: 's.duration_ms', sortable: true },
  },
  filters: {
    before: (before, db) => ({ sql: db`s.started_at < ${before}::timestamptz` }),
    type: { expr: 's.type', match: 'equals' },
    status: { expr: 's.status', match: 'equals' },
    subjectKind: { expr: 's.subject_kind', match: 'equals' },
    subjectId: { expr: 's.subject_id', match: 'equals' },
    minDurationMs: { expr: 's.duration_ms', match: 'atLeast' },
    maxDurationMs: { expr: 's.duration_ms', match: 'atMost' },
    typeContains: { expr: 's.type', match: 'contains' },
    subjectIdContains: { expr: 's.subject_id', match: 'contains' },
    startedFrom: { expr: 's.started_at', match: 'from' },
    startedTo: { expr: 's.started_at', match: 'to' },
  },
};
