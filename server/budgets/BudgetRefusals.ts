/**
 * What each booth's budgets refused, by reason: one place that every per-booth protection counts
 * into (broker, ingest, live window, alarms, storage), so the console and /metrics show a booth at
 * its limits without asking each part. Keyed by configured booth ids only, so it is bounded by the
 * settings file, never by traffic.
 */
export type BudgetRefusalReason =
  /** A device past live.maxDevicesPerBooth pushed out the booth's least recently heard device. */
  | 'device-evicted'
  /** A new series past budgets.maxSeriesPerBooth or live.maxSeriesPerDevice. */
  | 'series-budget'
  /** A point past budgets.maxLiveWindowBytesPerBooth. */
  | 'live-window-bytes'
  /** An alarm raise past budgets.maxOpenAlarmsPerBooth. */
  | 'open-alarms-budget'
  /** A retained message past budgets.maxRetainedBytesPerBooth (delivered, not retained). */
  | 'retained-bytes-budget'
  /** A message past budgets.readingsPerSecondPerBooth. */
  | 'booth-rate-limited'
  /** A connection past budgets.maxConnectionsPerBooth. */
  | 'booth-connections-budget'
  /** A reading of a device past budgets.maxStoredDevicesPerBooth (live, not stored). */
  | 'stored-devices-budget'
  /** A line InfluxDB refused (partial write), counted against its booth. */
  | 'influx-refused-line'
  /** A value left out of the booth's live frame past live.maxFrameReadingsPerBooth / maxFrameBytesPerBooth (stored, not shown live). */
  | 'live-frame-budget'
  /** A frame of the booth not sent to one wall whose output was backing up while the booth took more than its share of it. */
  | 'wall-frame-skipped';

export class BudgetRefusals {
  private readonly counts = new Map<string, Map<BudgetRefusalReason, number>>();

  constructor(booths: readonly string[]) {
    for (const booth of booths) this.counts.set(booth, new Map());
  }

  /** Counts against a configured booth; an unknown booth id (never expected) is ignored rather than grown. */
  count(booth: string, reason: BudgetRefusalReason, n = 1): void {
    const counts = this.counts.get(booth);
    if (counts) counts.set(reason, (counts.get(reason) ?? 0) + n);
  }

  forBooth(booth: string): ReadonlyMap<BudgetRefusalReason, number> {
    return this.counts.get(booth) ?? new Map();
  }

  /** Every booth with its counts, for /metrics and the console. */
  entries(): IterableIterator<[string, ReadonlyMap<BudgetRefusalReason, number>]> {
    return this.counts.entries();
  }
}
