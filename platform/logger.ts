import pino from 'pino';

export function createLogger(level: string) {
  return pino({ level, base: { service: 'billing' }, redact: ['*.token', '*.secret', '*.password', 'authorization'] });
}
export type Logger = ReturnType<typeof createLogger>;
