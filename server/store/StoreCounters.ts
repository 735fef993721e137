/**
 * What happened to every line handed to the store. `pending` is derived, not tracked, so it can
 * never drift: accepted − written − dropped.
 */
export class StoreCounters {
  accepted = 0;
  written = 0;
  dropped = 0;
  writeFailures = 0;

  linesAccepted(n: number): void {
    this.accepted += n;
  }
  linesWritten(n: number): void {
    this.written += n;
  }
  linesDropped(n: number): void {
    this.dropped += n;
  }
  writeFailure(): void {
    this.writeFailures++;
  }
  pendingLines(): number {
    return Math.max(0, this.accepted - this.written - this.dropped);
  }
}
