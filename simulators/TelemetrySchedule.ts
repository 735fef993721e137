/**
 * When a device's readings are due. Readings are timestamped on an ideal grid
 * (start + n / rate), so timer jitter never bunches or skips them, and high rates are served
 * in batches per timer tick instead of one timer per reading.
 */

/**
 * Every reading carries a distinct epoch-ms `ts`, and storage keys points by time,
 * so a single device cannot usefully publish faster than once per millisecond.
 */
export const MAX_RATE_PER_DEVICE = 1000;
/** Shortest timer period; at higher rates each tick publishes a batch. */
export const MIN_TICK_MS = 50;
/** A stall longer than this (event loop blocked, laptop asleep) is skipped instead of replayed as a burst. */
export const MAX_LAG_MS = 1000;

export class TelemetrySchedule {
  readonly intervalMs: number;
  private anchorMs: number;
  private index = 0;
  private lastTs = -Infinity;

  /** @param rate readings per second, in (0, MAX_RATE_PER_DEVICE] */
  constructor(rate: number, firstDueMs: number) {
    if (!(Number.isFinite(rate) && rate > 0 && rate <= MAX_RATE_PER_DEVICE)) {
      throw new RangeError(`rate must be a number in (0, ${MAX_RATE_PER_DEVICE}] readings per second, got ${rate}`);
    }
    this.intervalMs = 1000 / rate;
    this.anchorMs = firstDueMs;
  }

  /** Starts the grid again, e.g. after a reconnect: nothing from the offline period is owed. */
  restart(firstDueMs: number): void {
    this.anchorMs = firstDueMs;
    this.index = 0;
  }

  /** Timestamps (epoch ms, strictly increasing across calls) of the readings due by `now`. */
  due(now: number): number[] {
    if (now - this.nextDueMs() > MAX_LAG_MS) this.restart(now);
    const timestamps: number[] = [];
    // 1 ms of slack: timers may fire a hair early relative to Date.now().
    while (this.nextDueMs() <= now + 1) {
      const ts = Math.max(Math.floor(this.nextDueMs()), this.lastTs + 1);
      timestamps.push(ts);
      this.lastTs = ts;
      this.index += 1;
    }
    return timestamps;
  }

  /** How long to wait after calling due() at `now` before calling it again. */
  delayAfter(now: number): number {
    const untilNext = Math.ceil(this.nextDueMs() - now);
    return Math.max(untilNext, this.intervalMs < MIN_TICK_MS ? MIN_TICK_MS : 1);
  }

  private nextDueMs(): number {
    return this.anchorMs + this.index * this.intervalMs;
  }
}
