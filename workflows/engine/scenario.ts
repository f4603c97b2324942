import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { ManualOperationActivities } from '../../activities/manual-operations';
import type { ScenarioRecorders } from '../../activities/scenario-records';
import { cancelTaskUpdate, decideUpdate, manualDecisionSignal, manualDecisionUpdate, scenarioTreeQuery } from '../../contracts/messages';
import type {
  DecisionRequest,
  ManualDecisionRequest,
  ManualOperationSpec,
  ManualOutcome,
  ScenarioRecord,
  ScenarioStatus,
  ScenarioSubject,
  StepKind,
  StepRecord,
} from '../../contracts/scenario-records';

const record = proxyLocalActivities<ScenarioRecorders>({
  startToCloseTimeout: '10s',
  // The read model must catch up eventually; a database outage only delays it.
  retry: { initialInterval: '200ms', maximumInterval: '10s', backoffCoefficient: 2 },
});

const manualOperations = proxyActivities<ManualOperationActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
});

/** Thrown inside a scenario body when the scenario is cancelled; `run()` turns it into compensation. */
export class ScenarioCancelled extends Error {
  override readonly name = 'ScenarioCancelled';
  constructor(readonly reason: string | null) {
    super(`scenario cancelled${reason ? `: ${reason}` : ''}`);
  }
}

export interface LeafContext {
  /** `<workflowId>/<stepPath>`: pass it to every side effect outside our database. */
  idempotencyKey: string;
  /** The step's input for this round; a retry decision may have replaced it. */
  input: Record<string, unknown>;
  /** 1 for the first run, +1 per retry decision. */
  round: number;
  path: string;
}

export interface Compensation {
  name: string;
  run: (ctx: LeafContext) => Promise<unknown>;
  /**
   * Asked when the scenario is cancelled, before the compensation opens its step: false leaves it out. For
   * compensations added to a workflow later, `() => patched('<id>')` keeps cancels recorded before the change
   * replaying as they ran, while an execution already past the step that registered it is compensated when
   * it is cancelled from now on.
   */
  when?: () => boolean;
}

export interface LeafOptions {
  input?: Record<string, unknown>;
  plugin?: string;
  operation?: string;
  /** Registered when the step succeeds; run in reverse order if the scenario is cancelled later. */
  compensate?: Compensation;
  /** Runs when the step has failed, before the scenario waits for a decision (e.g. order → activation_error). */
  onFailure?: (error: { errorClass: string; message: string }) => Promise<unknown>;
  /** Runs when a retry decision restarts the step (e.g. order back to provisioning). */
  onRetry?: () => Promise<unknown>;
  /** False for steps whose result the scenario needs to go on: a skip decision is then refused. */
  skippable?: boolean;
  /** Summarises the step's result for the tree; defaults to the result itself when it is a small object. */
  summarize?: (result: unknown) => unknown;
}

export interface ScenarioOptions {
  type: string;
  subject: ScenarioSubject;
}

interface PendingDecision {
  path: string;
  request?: DecisionRequest;
}

/**
 * A scenario: a workflow whose steps form a tree that is recorded in PostgreSQL as it moves, answers a
 * live-tree query, and stops at a failed step until someone decides to retry, skip or cancel.
 */
export class Scenario {
  private readonly id = workflowInfo().workflowId;
  private readonly runId = workflowInfo().runId;
  private readonly steps = new Map<string, StepRecord>();
  private readonly compensations: Array<{ compensation: Compensation; input: Record<string, unknown> }> = [];
  private readonly childCounters = new Map<string | null, number>();
  private readonly unskippable = new Set<string>();
  private parentPath: string | null = null;
  private seq = 0;
  private pending: PendingDecision | null = null;
  /**
   * Manual operations this scenario waits on, by `<step>/<round>`. A wait exists before its operation is
   * written, so a person who approves the very moment the operation appears is never turned away.
   */
  private readonly manualWaits = new Map<string, { request?: ManualDecisionRequest; recorded: boolean }>();
  /** Tasks in flight, by path: a queued task can be cancelled through its scope (decision 10). */
  private readonly taskScopes = new Map<string, CancellationScope>();
  private readonly cancelledTasks = new Map<string, { reason: string; by: number | null }>();
  private state: ScenarioRecord;

  constructor(private readonly options: ScenarioOptions) {
    this.state = {
      id: this.id,
      runId: this.runId,
      type: options.type,
      subjectKind: options.subject.kind,
      subjectId: options.subject.id,
      status: 'running',
      currentStep: null,
      error: null,
      startedAt: Date.now(),
      finishedAt: null,
      seq: 0,
    };
    setHandler(scenarioTreeQuery, () => ({ scenario: { ...this.state }, steps: [...this.steps.values()] }));
    setHandler(
      decideUpdate,
      async (request) => {
        this.pending = { path: request.step, request };
        // Answer once the scenario has taken the decision in, so the caller sees its effect begin.
        await condition(() => this.pending === null || this.pending.path !== request.step);
        return { accepted: true as const, step: request.step, decision: request.decision };
      },
      { validator: (request) => this.validateDecision(request) },
    );
    setHandler(
      cancelTaskUpdate,
      async ({ step, reason, by }) => {
        this.cancelledTasks.set(step, { reason, by });
        this.taskScopes.get(step)!.cancel();
        await condition(() => this.steps.get(step)?.status === 'cancelled');
        return { accepted: true as const, step };
      },
      {
        validator: ({ step, reason }) => {
          const node = this.steps.get(step);
          if (!node || node.kind !== 'task') throw new Error(`scenario has no task step "${step}"`);
          if (node.status !== 'running' || !this.taskScopes.has(step) || this.cancelledTasks.has(step)) {
            throw new Error(`task step "${step}" is ${node.status}; only a queued task can be cancelled this way`);
          }
          if (!reason.trim()) throw new Error('a cancellation needs a reason');
        },
      },
    );
    setHandler(
      manualDecisionUpdate,
      async (request) => {
        const wait = this.manualWaits.get(`${request.step}/${request.round}`)!;
        wait.request = request;
        await condition(() => wait.recorded);
        return { operationId: request.operationId, status: request.decision === 'approve' ? ('approved' as const) : ('rejected' as const) };
      },
      {
        validator: (request) => {
          const wait = this.manualWaits.get(`${request.step}/${request.round}`);
          if (!wait) throw new Error(`manual operation ${request.operationId} is not awaiting a decision in this scenario`);
          if (wait.request) throw new Error(`manual operation ${request.operationId} has already been decided`);
        },
      },
    );
    setHandler(manualDecisionSignal, (request) => {
      const wait = this.manualWaits.get(`${request.step}/${request.round}`);
      if (wait && !wait.request) wait.request = request;
    });
  }

  /** Runs the scenario body, then records the outcome; a cancel decision runs the compensations. */
  async run<T>(body: () => Promise<T>, hooks: { onCancel?: (reason: string | null) => Promise<unknown> } = {}): Promise<T | null> {
    await this.saveScenario();
    try {
      const result = await body();
      await this.finish('completed', null);
      return result;
    } catch (err) {
      if (err instanceof ScenarioCancelled) {
        await this.compensate();
        if (hooks.onCancel) await this.step('Close after cancellation', () => hooks.onCancel!(err.reason));
        await this.finish('cancelled', err.reason);
        return null;
      }
      if (err instanceof ApplicationFailure) await this.finish('failed', err.message);
      throw err;
    }
  }

  /** A leaf that does work in our own systems (database, rules). */
  step<T>(name: string, fn: (ctx: LeafContext) => Promise<T>, options: LeafOptions = {}): Promise<T | undefined> {
    return this.leaf('step', name, fn, options);
  }

  /** A leaf that calls a plugin; it appears in the task list and carries the idempotency key. */
  task<T>(name: string, fn: (ctx: LeafContext) => Promise<T>, options: LeafOptions = {}): Promise<T | undefined> {
    return this.leaf('task', name, fn, options);
  }

  /**
   * A leaf that waits for a person: it opens a manual operation and waits for approve or reject.
   * A rejection fails the step (error class `rejected`), so the usual decisions apply: retry opens a new
   * manual operation, cancel runs the compensations, skip goes on without it.
   */
  manual(
    name: string,
    spec: ManualOperationSpec,
    options: LeafOptions & { rejection?: 'failure' | 'answer' } = {},
  ): Promise<ManualOutcome | undefined> {
    const { rejection = 'failure', ...leafOptions } = options;
    return this.leaf(
      'manual',
      name,
      async ({ path, round }) => {
        const node = this.steps.get(path)!;
        const key = `${path}/${round}`;
        const wait: { request?: ManualDecisionRequest; recorded: boolean } = { recorded: false };
        this.manualWaits.set(key, wait);
        const { operationId } = await manualOperations.openManualOperation({ scenarioId: this.id, path, round, ...spec });
        node.status = 'waiting';
        node.output = { manualOperationId: operationId };
        this.state.status = 'waiting';
        this.state.currentStep = path;
        await Promise.all([this.saveStep(node), this.saveScenario()]);

        await condition(() => wait.request !== undefined);
        const request = wait.request!;
        await manualOperations.recordManualDecision({
          operationId,
          decision: request.decision === 'approve' ? 'approved' : 'rejected',
          comment: request.comment ?? null,
          output: request.output ?? null,
          by: request.by,
        });
        wait.recorded = true;
        this.manualWaits.delete(key);
        node.status = 'running';
        this.state.status = 'running';
        this.state.currentStep = null;
        await this.saveScenario();
        if (request.decision === 'reject' && rejection === 'failure') {
          throw ApplicationFailure.create({
            type: 'rejected',
            message: `manual operation ${operationId} rejected${request.comment ? `: ${request.comment}` : ''}`,
            nonRetryable: true,
          });
        }
        return {
          operationId,
          approved: request.decision === 'approve',
          output: request.output ?? {},
          comment: request.comment ?? null,
          by: request.by,
        };
      },
      {
        summarize: (r) => {
          const outcome = r as ManualOutcome | undefined;
          return outcome ? { manualOperationId: outcome.operationId, approved: outcome.approved, output: outcome.output } : null;
        },
        ...leafOptions,
      },
    );
  }

  /** A leaf that waits for something outside the scenario (a payment, an approval). */
  async wait(name: string, until: () => boolean): Promise<void> {
    const node = this.open('wait', name, {});
    node.status = 'waiting';
    this.state.status = 'waiting';
    this.state.currentStep = node.path;
    await Promise.all([this.saveStep(node), this.saveScenario()]);
    await condition(until);
    this.close(node, 'succeeded');
    this.state.status = 'running';
    this.state.currentStep = null;
    await Promise.all([this.saveStep(node), this.saveScenario()]);
  }

  /** A group of steps; its children get paths `<group>.<n>`. */
  async group<T>(name: string, body: () => Promise<T>, kind: StepKind = 'group'): Promise<T> {
    const node = this.open(kind, name, {});
    await this.saveStep(node);
    const outer = this.parentPath;
    this.parentPath = node.path;
    try {
      const result = await body();
      this.close(node, 'succeeded');
      return result;
    } catch (err) {
      this.close(node, err instanceof ScenarioCancelled ? 'cancelled' : 'failed');
      throw err;
    } finally {
      this.parentPath = outer;
      await this.saveStep(node);
    }
  }

  /** Ends the scenario as cancelled from within its body (e.g. an unpaid order cancelled by an operator). */
  cancel(reason: string | null): never {
    throw new ScenarioCancelled(reason);
  }

  private async leaf<T>(
    kind: StepKind,
    name: string,
    fn: (ctx: LeafContext) => Promise<T>,
    options: LeafOptions,
  ): Promise<T | undefined> {
    let input = options.input ?? {};
    const node = this.open(kind, name, input, options);
    if (options.skippable === false) this.unskippable.add(node.path);
    // Record that the step started, so the read model (and the task list) shows running work. Executions
    // that began before this was added replay without it.
    if (patched('record-leaf-start')) await this.saveStep(node);
    for (;;) {
      const ctx: LeafContext = { idempotencyKey: node.idempotencyKey!, input, round: node.rounds, path: node.path };
      try {
        const result = kind === 'task' ? await this.cancellableTask(node.path, () => fn(ctx)) : await fn(ctx);
        node.output = summarize(result, options.summarize);
        this.close(node, 'succeeded');
        await this.saveStep(node);
        if (options.compensate) this.compensations.push({ compensation: options.compensate, input });
        return result;
      } catch (err) {
        const cancelled = this.cancelledTasks.get(node.path);
        if (isCancellation(err) && cancelled) {
          node.status = 'cancelled';
          node.finishedAt = Date.now();
          await Promise.all([
            this.saveStep(node),
            record.recordDecision({
              scenarioId: this.id,
              path: node.path,
              round: node.rounds,
              decision: 'cancel',
              reason: cancelled.reason,
              input: null,
              decidedBy: cancelled.by,
              decidedAt: Date.now(),
            }),
          ]);
          throw new ScenarioCancelled(cancelled.reason);
        }
        if (isCancellation(err)) throw err;
        const failure = describeFailure(err);
        node.errorClass = failure.errorClass;
        node.errorMessage = failure.message;
        this.close(node, 'failed');
        // Decisions are accepted from the moment the failure can be seen by anyone.
        this.pending = { path: node.path };
        this.state.status = 'waiting';
        this.state.currentStep = node.path;
        await Promise.all([this.saveStep(node), this.saveScenario()]);
        if (options.onFailure) await options.onFailure(failure);

        const decision = await this.awaitDecision(node);
        if (decision.decision === 'cancel') {
          node.status = 'cancelled';
          await this.saveStep(node);
          throw new ScenarioCancelled(decision.reason ?? null);
        }
        this.state.status = 'running';
        this.state.currentStep = null;
        if (decision.decision === 'skip') {
          node.status = 'skipped';
          await Promise.all([this.saveStep(node), this.saveScenario()]);
          return undefined;
        }
        if (decision.input) input = decision.input;
        node.rounds += 1;
        node.input = input;
        node.status = 'running';
        node.errorClass = null;
        node.errorMessage = null;
        node.startedAt = Date.now();
        node.finishedAt = null;
        await Promise.all([this.saveStep(node), this.saveScenario()]);
        if (options.onRetry) await options.onRetry();
      }
    }
  }

  /** Runs a task's work in a scope that a cancel request can cut short while the task is queued. */
  private async cancellableTask<T>(path: string, work: () => Promise<T>): Promise<T> {
    const scope = new CancellationScope({ cancellable: true });
    this.taskScopes.set(path, scope);
    try {
      return await scope.run(work);
    } finally {
      this.taskScopes.delete(path);
    }
  }

  private async awaitDecision(node: StepRecord): Promise<DecisionRequest> {
    await condition(() => this.pending?.request !== undefined);
    const request = this.pending!.request!;
    await record.recordDecision({
      scenarioId: this.id,
      path: node.path,
      round: node.rounds,
      decision: request.decision,
      reason: request.reason ?? null,
      input: request.input ?? null,
      decidedBy: request.by,
      decidedAt: Date.now(),
    });
    this.pending = null;
    return request;
  }

  private validateDecision(request: DecisionRequest): void {
    const node = this.steps.get(request.step);
    if (!node) throw new Error(`scenario has no step "${request.step}"`);
    if (node.status !== 'failed' || this.pending?.path !== request.step || this.pending.request) {
      throw new Error(`step "${request.step}" (${node.name}) is ${node.status}; only a failed step awaiting a decision can be decided`);
    }
    if (request.decision === 'skip' && !request.reason?.trim()) throw new Error('a skip needs a reason');
    if (request.decision === 'skip' && this.unskippable.has(request.step)) {
      throw new Error(`step "${node.name}" produces what the scenario needs next; it can be retried or cancelled, not skipped`);
    }
    if (request.decision === 'cancel' && node.kind === 'compensation') {
      throw new Error('a compensation step can be retried or skipped, not cancelled');
    }
    if (request.input !== undefined && request.decision !== 'retry') throw new Error('only a retry takes input');
  }

  private async compensate(): Promise<void> {
    const due = this.compensations.filter(({ compensation }) => compensation.when?.() ?? true);
    if (due.length === 0) return;
    await this.group(
      'Compensation',
      async () => {
        for (const { compensation, input } of [...due].reverse()) {
          await this.leaf('compensation', compensation.name, compensation.run, { input });
        }
      },
      'group',
    );
  }

  private open(kind: StepKind, name: string, input: Record<string, unknown>, options: LeafOptions = {}): StepRecord {
    const position = (this.childCounters.get(this.parentPath) ?? 0) + 1;
    this.childCounters.set(this.parentPath, position);
    const path = this.parentPath ? `${this.parentPath}.${position}` : String(position);
    const node: StepRecord = {
      scenarioId: this.id,
      runId: this.runId,
      path,
      parentPath: this.parentPath,
      position,
      name,
      kind,
      status: 'running',
      plugin: options.plugin ?? null,
      operation: options.operation ?? null,
      idempotencyKey: kind === 'group' ? null : `${this.id}/${path}`,
      input: Object.keys(input).length > 0 ? input : null,
      output: null,
      errorClass: null,
      errorMessage: null,
      rounds: 1,
      startedAt: Date.now(),
      finishedAt: null,
      seq: 0,
    };
    this.steps.set(path, node);
    return node;
  }

  private close(node: StepRecord, status: StepRecord['status']): void {
    node.status = status;
    node.finishedAt = Date.now();
  }

  private async finish(status: ScenarioStatus, error: string | null): Promise<void> {
    await condition(allHandlersFinished);
    this.state.status = status;
    this.state.error = error;
    this.state.currentStep = null;
    this.state.finishedAt = Date.now();
    await this.saveScenario();
  }

  private saveStep(node: StepRecord): Promise<void> {
    node.seq = ++this.seq;
    return record.recordStep({ ...node });
  }

  private saveScenario(): Promise<void> {
    this.state.seq = ++this.seq;
    return record.recordScenario({ ...this.state });
  }
}

function describeFailure(err: unknown): { errorClass: string; message: string } {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure) {
    return { errorClass: cause.type ?? 'error', message: cause.message };
  }
  if (cause instanceof Error) return { errorClass: cause.name, message: cause.message };
  return { errorClass: 'error', message: String(cause) };
}

function summarize(result: unknown, custom?: (r: unknown) => unknown): unknown {
  if (custom) return custom(result);
  if (result === undefined || result === null) return null;
  const json = JSON.stringify(result);
  return json.length <= 2000 ? result : { summary: `${json.slice(0, 2000)}…` };
}
