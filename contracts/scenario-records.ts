/** The scenario read model's shapes: shared by the engine, the activities that record it, and the API that reads it. */

import type { ScenarioStatus, StepStatus } from '../domain/statuses';

export type { ScenarioStatus, StepStatus };
export type StepKind = 'group' | 'step' | 'task' | 'wait' | 'manual' | 'compensation';
export type SubjectKind = 'order' | 'subscription' | 'client' | 'billing_run';

export interface ScenarioSubject {
  kind: SubjectKind;
  id: string;
}

export interface ScenarioRecord {
  id: string;
  runId: string;
  type: string;
  subjectKind: SubjectKind;
  subjectId: string;
  status: ScenarioStatus;
  currentStep: string | null;
  error: string | null;
  startedAt: number;
  finishedAt: number | null;
  seq: number;
}

export interface StepRecord {
  scenarioId: string;
  /** The Temporal run; a re-run of the same scenario id (a billing date run again) starts a fresh tree. */
  runId: string;
  path: string;
  parentPath: string | null;
  position: number;
  name: string;
  kind: StepKind;
  status: StepStatus;
  plugin: string | null;
  operation: string | null;
  idempotencyKey: string | null;
  input: unknown;
  output: unknown;
  errorClass: string | null;
  errorMessage: string | null;
  rounds: number;
  startedAt: number | null;
  finishedAt: number | null;
  seq: number;
}

export type DecisionKind = 'retry' | 'skip' | 'cancel';

export interface DecisionRequest {
  /** The failed step's path, e.g. `5`. */
  step: string;
  decision: DecisionKind;
  /** Mandatory for `skip`; recorded for every decision. */
  reason?: string;
  /** `retry` only: replaces the step's input for the next round. */
  input?: Record<string, unknown>;
  /** The staff member who decided (null = system). */
  by: number | null;
}

export interface DecisionRecord {
  scenarioId: string;
  path: string;
  round: number;
  decision: DecisionKind;
  reason: string | null;
  input: unknown;
  decidedBy: number | null;
  decidedAt: number;
}

export interface ScenarioTree {
  scenario: ScenarioRecord;
  steps: StepRecord[];
}

export interface ManualDecisionRequest {
  operationId: number;
  /** The manual step's path and round, as stored on the operation: the scenario waits on these. */
  step: string;
  round: number;
  decision: 'approve' | 'reject';
  comment?: string;
  /** What the person did, e.g. `{ vendorReference: 'ACME-42' }` after provisioning by hand. */
  output?: Record<string, unknown>;
  by: number | null;
}

/** What a manual step asks a person to do. */
export interface ManualOperationSpec {
  type: string;
  clientId: number;
  subscriptionId: number | null;
  orderId: number | null;
  description: string;
}

export interface ManualOutcome {
  operationId: number;
  /** False only for steps that take a rejection as an answer (`rejection: 'answer'`). */
  approved: boolean;
  output: Record<string, unknown>;
  comment: string | null;
  by: number | null;
}
