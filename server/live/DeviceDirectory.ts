/**
 * The live window of every device: its latest values and the recent window of every metric, kept
 * in the device's record of the one device model (server/devices/DeviceModel.ts), plus what it got
 * wrong. A view: the model owns the records and their per-booth bound, and tells this directory
 * when it evicts one so the booth gets the series' bytes back.
 *
 * Each booth also has a budget of series and of live-window bytes (allocated capacity, 16 bytes a
 * point). Past them a booth's new series is refused (counted 'series-budget' or
 * 'live-window-bytes', and neither its window nor its latest value is kept), and its existing
 * series stop growing: they keep taking readings within what they already hold, each new point
 * pushing out that series' oldest (counted 'live-window-bytes'). So a booth at its budget still
 * shows its newest values, over a shorter window. Evicting a device frees its series and bytes.
 * Every count is against the booth that caused it; another booth is never touched.
 */
import type { DeviceMeta, ReadingValues } from '../../contract/device';
import type { DeviceSummary, SeriesWindow } from '../../contract/live';
import type { BudgetRefusals } from '../budgets/BudgetRefusals';
import type { RejectionReason } from '../ingest/TelemetryValidator';
import { DeviceModel, type DeviceRecord } from '../devices/DeviceModel';
import { BYTES_PER_POINT, INITIAL_POINTS, LiveWindowSeries } from './LiveWindowSeries';

export interface DirectoryLimits {
  windowMs: number;
  maxPointsPerSeries: number;
  maxDevicesPerBooth: number;
  maxSeriesPerDevice: number;
  /** budgets.maxSeriesPerBooth; unbounded when absent. */
  maxSeriesPerBooth?: number;
  /** budgets.maxLiveWindowBytesPerBooth, allocated capacity at 16 bytes a point; unbounded when absent. */
  maxLiveWindowBytesPerBooth?: number;
}

/** What one booth's live window holds against its budget. */
export interface BoothUsage {
  series: number;
  /** Allocated, not filled: what the memory actually costs. */
  liveWindowBytes: number;
}

export type { DeviceRecord } from '../devices/DeviceModel';

export class DeviceDirectory {
  readonly model: DeviceModel;
  /** Rejections that name no valid device (bad topic or id), per authenticated booth. */
  private readonly unattributed = new Map<string, Map<RejectionReason, number>>();
  /** Per booth that has had a device; booths are authenticated ids, so this is bounded by the settings. */
  private readonly usage = new Map<string, BoothUsage>();
  private readonly maxSeriesPerBooth: number;
  private readonly maxBytesPerBooth: number;
  droppedSeries = 0;

  constructor(
    readonly limits: DirectoryLimits,
    private readonly refusals?: BudgetRefusals,
    /** Shared with the console's health tracker in a running server; its own otherwise (unit tests). */
    model?: DeviceModel,
  ) {
    this.maxSeriesPerBooth = limits.maxSeriesPerBooth ?? Infinity;
    this.maxBytesPerBooth = limits.maxLiveWindowBytesPerBooth ?? Infinity;
    this.model = model ?? new DeviceModel(limits.maxDevicesPerBooth);
    this.model.onEvicted((record) => this.evicted(record));
  }

  /** Series and allocated live-window bytes of one booth. */
  boothUsage(booth: string): BoothUsage {
    const usage = this.usage.get(booth);
    return usage ? { ...usage } : { series: 0, liveWindowBytes: 0 };
  }

  get evictedDevices(): number {
    return this.model.evictedDevices;
  }

  get(booth: string, device: string): DeviceRecord | undefined {
    return this.model.get(booth, device);
  }

  get size(): number {
    return this.model.size;
  }

  records(booths?: ReadonlySet<string>): IterableIterator<DeviceRecord> {
    return this.model.records(booths);
  }

  /**
   * Stores a reading; returns the record and whether what a wall shows of the device changed beyond
   * the reading itself: it came online, or its stale limit moved (the wall judges with the same one).
   */
  recordTelemetry(
    booth: string,
    device: string,
    ts: number,
    values: ReadingValues,
    receivedAt: number,
  ): { record: DeviceRecord; cameOnline: boolean; summaryChanged: boolean } {
    const record = this.touch(booth, device);
    // First, while the record still says when the device was last alive.
    const limitMoved = this.model.reading(record, receivedAt);
    this.fill(record, ts, values);
    record.lastSeen = receivedAt;
    record.accepted++;
    const cameOnline = record.presence.state !== 'online';
    if (cameOnline) record.presence = { state: 'online', since: receivedAt, reason: 'telemetry' };
    return { record, cameOnline, summaryChanged: cameOnline || limitMoved };
  }

  /**
   * Fills the window and latest values without saying anything about the device itself: for
   * readings restored from storage after a restart, which are history, not a sign of life.
   */
  restoreReadings(booth: string, device: string, ts: number, values: ReadingValues): DeviceRecord {
    const record = this.touch(booth, device);
    this.fill(record, ts, values);
    return record;
  }

  /** Puts one reading into the record's window and latest values, within the booth's budgets. */
  private fill(record: DeviceRecord, ts: number, values: ReadingValues): void {
    const { booth } = record;
    const usage = this.usageOf(booth);
    const grant = (bytes: number) => {
      if (usage.liveWindowBytes + bytes > this.maxBytesPerBooth) return false;
      usage.liveWindowBytes += bytes;
      return true;
    };
    for (const metric in values) {
      let series = record.series.get(metric);
      if (!series) {
        // `latest` follows the same bounds, so a device inventing metric names cannot grow it either.
        series = this.newSeries(booth, record, usage);
        if (!series) continue;
        record.series.set(metric, series);
      }
      const value = values[metric] as number | boolean;
      record.latest[metric] = value;
      if (series.push(ts, typeof value === 'boolean' ? Number(value) : value, grant) === 'squeezed') this.refusals?.count(booth, 'live-window-bytes');
    }
    if (record.lastSeen === null || ts > record.lastSeen) record.lastSeen = ts;
  }

  recordMeta(booth: string, device: string, meta: DeviceMeta): DeviceRecord {
    const record = this.touch(booth, device);
    record.meta = meta;
    return record;
  }

  /** Counts a rejection that names no device per booth; one that does is counted on its record by the health tracker, which sees every message. */
  recordRejection(booth: string, device: string | null, reason: RejectionReason, detail: string, at: number): void {
    if (device === null) {
      let counts = this.unattributed.get(booth);
      if (!counts) this.unattributed.set(booth, (counts = new Map<RejectionReason, number>()));
      counts.set(reason, (counts.get(reason) ?? 0) + 1);
      return;
    }
    this.touch(booth, device).lastRejection = { reason, detail, at };
  }

  unattributedRejections(booth: string): Record<string, number> {
    return Object.fromEntries(this.unattributed.get(booth) ?? []);
  }

  summary(record: DeviceRecord): DeviceSummary {
    const limit = this.model.staleLimit(record);
    return {
      booth: record.booth,
      device: record.device,
      meta: record.meta,
      presence: record.presence,
      lastSeen: record.lastSeen,
      staleAfterMs: limit.ms,
      intervalSource: limit.source,
      latest: { ...record.latest },
    };
  }

  window(record: DeviceRecord, since: number): SeriesWindow[] {
    const windows: SeriesWindow[] = [];
    for (const [metric, series] of record.series) {
      const { ts, values } = series.since(since);
      if (ts.length > 0) windows.push({ metric, ts, values });
    }
    return windows;
  }

  /** A series for a new metric of `record`, or undefined (counted) when a bound or the booth's budget says no. */
  private newSeries(booth: string, record: DeviceRecord, usage: BoothUsage): LiveWindowSeries | undefined {
    if (record.series.size >= this.limits.maxSeriesPerDevice || usage.series >= this.maxSeriesPerBooth) {
      this.droppedSeries++;
      this.refusals?.count(booth, 'series-budget');
      return undefined;
    }
    const initialPoints = Math.min(INITIAL_POINTS, this.limits.maxPointsPerSeries);
    if (usage.liveWindowBytes + initialPoints * BYTES_PER_POINT > this.maxBytesPerBooth) {
      this.refusals?.count(booth, 'live-window-bytes');
      return undefined;
    }
    const series = new LiveWindowSeries(
      this.limits.maxPointsPerSeries,
      Math.max(1, Math.floor(this.limits.windowMs / this.limits.maxPointsPerSeries)),
      initialPoints,
    );
    usage.series++;
    usage.liveWindowBytes += series.allocatedBytes;
    return series;
  }

  private usageOf(booth: string): BoothUsage {
    let usage = this.usage.get(booth);
    if (!usage) this.usage.set(booth, (usage = { series: 0, liveWindowBytes: 0 }));
    return usage;
  }

  /** An evicted device's series go with it, and its booth gets their bytes back. */
  private evicted(record: DeviceRecord): void {
    const usage = this.usageOf(record.booth);
    for (const series of record.series.values()) {
      usage.series--;
      usage.liveWindowBytes -= series.allocatedBytes;
    }
    this.refusals?.count(record.booth, 'device-evicted');
  }

  /** Finds or creates a record and marks it most recently heard. */
  private touch(booth: string, device: string): DeviceRecord {
    return this.model.touch(booth, device);
  }
}
