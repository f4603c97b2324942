import { AppError } from '../../domain/errors';

/** `not_found` (404) for a staff route's missing record, worded like the API's own (api/errors.ts notFound). */
export const notFound = (what: string, id: string | number) => new AppError('not_found', `${what} ${id} does not exist`);

/** §4.1: a running operation on a license refuses every other change (mutating requests are not queued). */
export function refuseInProgress(status: string): void {
  if (status === 'in_progress') throw new AppError('OPERATION_IN_PROGRESS', 'an operation on this license is running');
}

/** §4.1 as staff operations apply it: nothing while an operation runs; deleted and superseded licenses are history. */
export function refuseBusyOrEnded(status: string): void {
  refuseInProgress(status);
  if (status === 'deleted' || status === 'superseded') throw new AppError('entitlement_status', `the license is ${status}`);
}
