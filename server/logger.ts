import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs: device-supplied strings go in as fields, so JSON encoding escapes them
 * and a device name with a newline cannot forge a log line.
 */
export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'showfloor' } });
}
