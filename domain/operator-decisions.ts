/**
 * What an operator may decide about a task, a manual operation or a scenario, by its status: the API refuses
 * anything else, and the operator UI offers only these (one rule for both).
 */

/** Spec 01 §17: only a failed task runs again. */
export const canRunTask = (status: string) => status === 'failed';

/** Decision 10: a queued or failed task can be cancelled; a running one cannot. */
export const canCancelTask = (status: string) => status === 'failed' || status === 'queued';

/** A manual operation is approved or rejected once, while it is pending. */
export const canDecideManualOperation = (status: string) => status === 'pending';

/** A scenario takes step decisions (retry, skip, cancel) while it has not finished. */
export const scenarioTakesDecisions = (status: string) => status === 'waiting' || status === 'running';
