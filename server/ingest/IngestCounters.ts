import type { AdapterName } from '../adapters/DeviceAdapter';
import type { RejectionReason } from './TelemetryValidator';

/** Totals since start; /api/health and /metrics both read these, so they always agree. */
export class IngestCounters {
  received = 0;
  accepted = 0;
  readonly rejected = new Map<RejectionReason, number>();
  /** Rejections of publishes on a booth's mount, per adapter (`none`: no adapter claimed the topic) and reason; also counted in `rejected`. */
  readonly adapterRejected = new Map<AdapterName | 'none', Map<RejectionReason, number>>();

  rejection(reason: RejectionReason): void {
    this.rejected.set(reason, (this.rejected.get(reason) ?? 0) + 1);
  }

  adapterRejection(adapter: AdapterName | null, reason: RejectionReason): void {
    const key = adapter ?? 'none';
    let counts = this.adapterRejected.get(key);
    if (!counts) this.adapterRejected.set(key, (counts = new Map<RejectionReason, number>()));
    counts.set(reason, (counts.get(reason) ?? 0) + 1);
  }

  rejectedTotal(): number {
    let n = 0;
    for (const count of this.rejected.values()) n += count;
    return n;
  }
}
