import pino, { type DestinationStream } from 'pino';

/**
 * JSON lines on stdout (or `destination`: tests capture them in memory). Request lines carry `requestId`,
 * activity lines `requestId` and `workflowId`; tokens, secrets, passwords and authorization headers are
 * redacted wherever an object holding them is logged.
 */
export function createLogger(level: string, destination?: DestinationStream) {
  const options = { level, base: { service: 'billing' }, redact: ['*.token', '*.secret', '*.password', 'authorization', '*.authorization'] };
  return destination ? pino(options, destination) : pino(options);
}
export type Logger = ReturnType<typeof createLogger>;
