/**
 * What the server knows about each device right now: meta, presence, latest values, the recent
 * window of every metric, and what it got wrong. Bounded per booth, least recently heard first
 * out, so a device inventing ids cannot grow memory.
 */
import type { DeviceMeta, ReadingValues } from '../../contract/device';
import type { DeviceSummary, Presence, PresenceReason, PresenceState, SeriesWindow } from '../../contract/live';
import type { RejectionReason } from '../ingest/TelemetryValidator';
import { DevicesPerBooth } from './DevicesPerBooth';
import { SeriesBuffer } from './SeriesBuffer';

export interface DirectoryLimits {
  windowMs: number;
  maxPointsPerSeries: number;
  maxDevicesPerBooth: number;
  maxSeriesPerDevice: number;
}

export interface LastRejection {
  reason: RejectionReason;
  detail: string;
  at: number;
}

export interface DeviceRecord {
  booth: string;
  device: string;
  meta: DeviceMeta;
  presence: Presence;
  lastSeen: number | null;
  latest: ReadingValues;
  series: Map<string, SeriesBuffer>;
  accepted: number;
  rejections: Map<RejectionReason, number>;
  lastRejection: LastRejection | null;
}

export class DeviceDirectory {
  private readonly devices: DevicesPerBooth<DeviceRecord>;
  /** Rejections that name no valid device (bad topic or id), per authenticated booth. */
  private readonly unattributed = new Map<string, Map<RejectionReason, number>>();
  droppedSeries = 0;

  constructor(readonly limits: DirectoryLimits) {
    this.devices = new DevicesPerBooth(limits.maxDevicesPerBooth);
  }

  get evictedDevices(): number {
    return this.devices.evicted;
  }

  get(booth: string, device: string): DeviceRecord | undefined {
    return this.devices.get(booth, device);
  }

  get size(): number {
    return this.devices.size;
  }

  records(booths?: ReadonlySet<string>): IterableIterator<DeviceRecord> {
    return this.devices.values(booths);
  }

  /** Stores a reading; returns the record and whether this reading brought the device online. */
  recordTelemetry(booth: string, device: string, ts: number, values: ReadingValues, receivedAt: number): { record: DeviceRecord; cameOnline: boolean } {
    const record = this.restoreReadings(booth, device, ts, values);
    record.lastSeen = receivedAt;
    record.accepted++;
    const cameOnline = record.presence.state !== 'online';
    if (cameOnline) record.presence = { state: 'online', since: receivedAt, reason: 'telemetry' };
    return { record, cameOnline };
  }

  /**
   * Fills the window and latest values without saying anything about the device itself: for
   * readings restored from storage after a restart, which are history, not a sign of life.
   */
  restoreReadings(booth: string, device: string, ts: number, values: ReadingValues): DeviceRecord {
    const record = this.touch(booth, device);
    for (const metric in values) {
      let series = record.series.get(metric);
      if (!series) {
        // `latest` follows the same bound, so a device inventing metric names cannot grow it either.
        if (record.series.size >= this.limits.maxSeriesPerDevice) {
          this.droppedSeries++;
          continue;
        }
        series = new SeriesBuffer(this.limits.maxPointsPerSeries, Math.max(1, Math.floor(this.limits.windowMs / this.limits.maxPointsPerSeries)));
        record.series.set(metric, series);
      }
      const value = values[metric] as number | boolean;
      record.latest[metric] = value;
      series.push(ts, typeof value === 'boolean' ? Number(value) : value);
    }
    if (record.lastSeen === null || ts > record.lastSeen) record.lastSeen = ts;
    return record;
  }

  recordMeta(booth: string, device: string, meta: DeviceMeta): DeviceRecord {
    const record = this.touch(booth, device);
    record.meta = meta;
    return record;
  }

  /** Returns true when the state actually changed. */
  setPresence(booth: string, device: string, state: PresenceState, reason: PresenceReason, at: number): boolean {
    const record = this.touch(booth, device);
    if (record.presence.state === state) return false;
    record.presence = { state, since: at, reason };
    return true;
  }

  recordRejection(booth: string, device: string | null, reason: RejectionReason, detail: string, at: number): void {
    if (device === null) {
      let counts = this.unattributed.get(booth);
      if (!counts) this.unattributed.set(booth, (counts = new Map()));
      counts.set(reason, (counts.get(reason) ?? 0) + 1);
      return;
    }
    const record = this.touch(booth, device);
    record.rejections.set(reason, (record.rejections.get(reason) ?? 0) + 1);
    record.lastRejection = { reason, detail, at };
  }

  unattributedRejections(booth: string): Record<string, number> {
    return Object.fromEntries(this.unattributed.get(booth) ?? []);
  }

  summary(record: DeviceRecord): DeviceSummary {
    return {
      booth: record.booth,
      device: record.device,
      meta: record.meta,
      presence: record.presence,
      lastSeen: record.lastSeen,
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

  /** Finds or creates a record and marks it most recently heard. */
  private touch(booth: string, device: string): DeviceRecord {
    return this.devices.touch(booth, device, () => ({
      booth,
      device,
      meta: {},
      presence: { state: 'unknown', since: Date.now(), reason: 'server-start' },
      lastSeen: null,
      latest: Object.create(null) as ReadingValues,
      series: new Map(),
      accepted: 0,
      rejections: new Map(),
      lastRejection: null,
    }));
  }
}
