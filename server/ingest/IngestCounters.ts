import type { RejectionReason } from './TelemetryValidator';

/** Totals since start; /api/health and /metrics both read these, so they always agree. */
export class IngestCounters {
  received = 0;
  accepted = 0;
  readonly rejected = new Map<RejectionReason, number>();

  rejection(reason: RejectionReason): void {
    this.rejected.set(reason, (this.rejected.get(reason) ?? 0) + 1);
  }

  rejectedTotal(): number {
    let n = 0;
    for (const count of this.rejected.values()) n += count;
    return n;
  }
}
