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
