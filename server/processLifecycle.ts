import type { Logger } from './logger';

/** A signal this soon after the first is the same Ctrl-C delivered twice (terminal and tsx), not a second press. */
const DUPLICATE_SIGNAL_MS = 1500;

/**
 * SIGINT/SIGTERM/SIGHUP: flush what is held and exit 0. A second signal exits at once, for the
 * operator who really means it.
 */
export function closeOnSignals(close: () => Promise<void>, log: Logger): void {
  let stoppingSince: number | undefined;
  const stop = (signal: NodeJS.Signals): void => {
    if (stoppingSince !== undefined) {
      if (Date.now() - stoppingSince < DUPLICATE_SIGNAL_MS) return;
      log.warn({ signal }, 'second signal: exiting without waiting');
      process.exit(1);
    }
    stoppingSince = Date.now();
    log.info({ signal }, 'stopping: flushing buffered readings');
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: (error as Error).message }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // A closed terminal sends SIGHUP; the demo's readings and influxd deserve the same clean stop.
  process.on('SIGHUP', stop);
}

/** How long a fatal error waits for close() to flush before giving up on it. */
export const FATAL_CLOSE_TIMEOUT_MS = 10_000;

export interface FatalErrorOptions {
  closeTimeoutMs?: number;
  /** Injectable for tests; process.exit otherwise. */
  exit?: (code: number) => void;
}

/**
 * The last resort, for a bug nothing caught: an exception thrown from a callback or a promise nobody
 * awaited leaves the process in a state no code was written for, so it must not carry on serving.
 * Logs what happened, tries to flush what is held (buffered readings to InfluxDB) within a bounded
 * time, and exits 1 so a supervisor restarts it (examples/showfloor.service: systemd, Restart=on-failure).
 * Node's own default would exit at once without the flush, and without a line in the service's log.
 */
export function exitOnFatalErrors(close: () => Promise<void>, log: Logger, options: FatalErrorOptions = {}): void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const closeTimeoutMs = options.closeTimeoutMs ?? FATAL_CLOSE_TIMEOUT_MS;
  let failing = false;
  const fatal = (kind: 'uncaughtException' | 'unhandledRejection', error: unknown): void => {
    const err = error instanceof Error ? { message: error.message, stack: error.stack } : { message: String(error) };
    log.fatal({ kind, err }, 'fatal error: flushing, then exiting with code 1 for the supervisor to restart');
    // A second failure while closing (often caused by the first) must not wait for the first close.
    if (failing) return exit(1);
    failing = true;
    // Even if close() hangs, the process ends non-zero; the timer keeps the loop alive until then.
    process.exitCode = 1;
    const timer = setTimeout(() => {
      log.error({ closeTimeoutMs }, 'close did not finish in time after a fatal error: exiting without it');
      exit(1);
    }, closeTimeoutMs);
    close().then(
      () => {
        clearTimeout(timer);
        exit(1);
      },
      (closeError: unknown) => {
        clearTimeout(timer);
        log.error({ err: (closeError as Error).message }, 'error while closing after a fatal error');
        exit(1);
      },
    );
  };
  process.on('uncaughtException', (error) => fatal('uncaughtException', error));
  process.on('unhandledRejection', (reason) => fatal('unhandledRejection', reason));
}
