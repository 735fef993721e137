/**
 * Runs a request again and again, never two at once: the next one is scheduled only when the last
 * has settled, so a slow server is not buried under overlapping requests. After a failure it waits
 * longer each time (doubling, capped), and back to the normal interval after the first success.
 */
export type PollTask = (signal: AbortSignal) => Promise<void>;

export interface PollOutcome {
  readonly ok: boolean;
  readonly error: unknown;
  /** Consecutive failures so far, 0 after a success. */
  readonly failures: number;
  /** When the next run starts, ms from now. */
  readonly nextInMs: number;
}

export interface PollerOptions {
  readonly intervalMs: number;
  /** Longest wait between attempts while failing. Default 30 s. */
  readonly maxBackoffMs?: number;
  readonly onOutcome?: (outcome: PollOutcome) => void;
}

/** The wait after `failures` failures in a row: the interval, doubled per failure, capped. */
export function backoffDelay(intervalMs: number, failures: number, maxBackoffMs: number): number {
  if (failures <= 0) return intervalMs;
  return Math.min(maxBackoffMs, intervalMs * 2 ** Math.min(failures, 20));
}

export class Poller {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private inFlight: AbortController | null = null;
  private running = false;
  private again = false;
  private failures = 0;
  /** Bumped by stop(): a request that settles after it must not schedule another. */
  private generation = 0;

  constructor(
    private readonly task: PollTask,
    private readonly options: PollerOptions,
  ) {}

  get active(): boolean {
    return this.running;
  }

  /** Runs at once, then every interval. Starting a running poller does nothing. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.failures = 0;
    void this.run();
  }

  /** Cancels the request in flight and the next one. */
  stop(): void {
    this.running = false;
    this.generation++;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.inFlight?.abort();
    this.inFlight = null;
    this.again = false;
  }

  /** Runs now (or right after the request in flight), e.g. after the user changed something. */
  refresh(): void {
    if (!this.running) return;
    if (this.inFlight) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    void this.run();
  }

  private async run(): Promise<void> {
    const generation = this.generation;
    const controller = new AbortController();
    this.inFlight = controller;
    this.timer = undefined;
    let ok = true;
    let error: unknown = null;
    try {
      await this.task(controller.signal);
    } catch (caught) {
      ok = false;
      error = caught;
    }
    if (generation !== this.generation || !this.running) return;
    this.inFlight = null;
    this.failures = ok ? 0 : this.failures + 1;
    const nextInMs = this.again ? 0 : backoffDelay(this.options.intervalMs, this.failures, this.options.maxBackoffMs ?? 30_000);
    this.again = false;
    this.options.onOutcome?.({ ok, error, failures: this.failures, nextInMs });
    // onOutcome may have stopped this poller (a 401 sends the console back to its login).
    if (generation !== this.generation || !this.running) return;
    this.timer = setTimeout(() => void this.run(), nextInMs);
  }
}
