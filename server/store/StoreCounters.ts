import type { InfluxRefusalReason } from './influxRefusal';

/**
 * What happened to every line handed to the store. `pending` is derived, not tracked, so it can
 * never drift: accepted − written − dropped.
 */
export class StoreCounters {
  accepted = 0;
  written = 0;
  dropped = 0;
  writeFailures = 0;
  /**
   * Readings an earlier run left in the spool (issue 13), found at start-up: they are part of
   * `accepted` too, so `pending` covers the replay until InfluxDB confirms it.
   */
  replayed = 0;
  /** Lines InfluxDB refused (HTTP 400), by its reason; each is also in `dropped`. Bounded by the reasons. */
  readonly refused = new Map<InfluxRefusalReason, number>();

  linesAccepted(n: number): void {
    this.accepted += n;
  }
  linesWritten(n: number): void {
    this.written += n;
  }
  linesDropped(n: number): void {
    this.dropped += n;
  }
  /** A line InfluxDB refused: given up on for good (resending it would be refused again). */
  lineRefused(reason: InfluxRefusalReason): void {
    this.dropped++;
    this.refused.set(reason, (this.refused.get(reason) ?? 0) + 1);
  }
  writeFailure(): void {
    this.writeFailures++;
  }
  pendingLines(): number {
    return Math.max(0, this.accepted - this.written - this.dropped);
  }
}
