/**
 * What the wall knows about the devices it shows, fed by the server's `snapshot` and `frame` events.
 * No DOM here: the model is the part that must stay correct and bounded for days, so it is kept
 * pure and unit-tested, and the view only reads it.
 */
import { metaAsData, ownValue, type DeviceMeta } from '../../contract/device';
import type { DeviceRef, DeviceSummary, Frame, Presence, Snapshot, SnapshotTruncation } from '../../contract/live';
import type { MetricKind } from '../shared/metricKind';
import { fairShare } from './fairShare';
import { ChartSeries } from '../shared/ChartSeries';

export interface MetricState {
  readonly name: string;
  /** Booleans travel as booleans on the live path but as 0/1 in snapshot series. */
  readonly kind: MetricKind;
  readonly series: ChartSeries;
  readonly latest: number | boolean | undefined;
}

export interface DeviceState {
  /** `${booth}/${device}`; ids cannot contain '/', so this never collides. */
  readonly key: string;
  readonly booth: string;
  readonly device: string;
  readonly meta: DeviceMeta;
  readonly presence: Presence;
  /** Server-clock receive time of the newest telemetry, null before any. */
  readonly lastSeen: number | null;
  /** The stale limit the server judges this device by (learned, declared or default); undefined before its first summary. */
  readonly staleAfterMs: number | undefined;
  /** In order of first appearance, so a tile's rows do not jump around. */
  readonly metrics: ReadonlyMap<string, MetricState>;
}

export interface WallModelOptions {
  windowMs: number;
  maxPointsPerSeries?: number;
  /**
   * Devices held at once, over all booths. When full, a new device pushes out the stalest device of
   * the booth holding the most, so each booth keeps its share and one booth's new ids evict only its own.
   */
  maxDevices?: number;
  /** Metric names are device-chosen; without a cap one misbehaving device could grow the page without bound. */
  maxMetricsPerDevice?: number;
}

export interface WallChange {
  /** Devices appeared or went away, so tiles must be created or disposed. */
  readonly membership: boolean;
  /** Keys of devices whose data, meta or presence changed. */
  readonly devices: ReadonlySet<string>;
}

interface MetricRecord {
  name: string;
  kind: MetricKind;
  series: ChartSeries;
  latest: number | boolean | undefined;
  /** Time of `latest`; -Infinity when it came from a summary, which carries no time. */
  latestTs: number;
}

interface DeviceRecord {
  key: string;
  booth: string;
  device: string;
  meta: DeviceMeta;
  presence: Presence;
  lastSeen: number | null;
  staleAfterMs: number | undefined;
  metrics: Map<string, MetricRecord>;
}

export const DEFAULT_MAX_POINTS_PER_SERIES = 600;
export const DEFAULT_MAX_DEVICES = 200;
export const DEFAULT_MAX_METRICS_PER_DEVICE = 12;

export function deviceKey(ref: DeviceRef): string {
  return `${ref.booth}/${ref.device}`;
}

export class WallModel {
  readonly windowMs: number;
  private readonly maxPoints: number;
  private readonly maxDevices: number;
  private readonly maxMetrics: number;
  private readonly records = new Map<string, DeviceRecord>();
  private boothList: readonly { id: string; name: string }[] = [];
  /** Server clock minus page clock: kiosk PCs drift, and ages/windows must match the server's timestamps. */
  private clockOffsetMs = 0;
  private truncated: SnapshotTruncation | null = null;

  constructor(options: WallModelOptions) {
    this.windowMs = options.windowMs;
    this.maxPoints = options.maxPointsPerSeries ?? DEFAULT_MAX_POINTS_PER_SERIES;
    this.maxDevices = options.maxDevices ?? DEFAULT_MAX_DEVICES;
    this.maxMetrics = options.maxMetricsPerDevice ?? DEFAULT_MAX_METRICS_PER_DEVICE;
  }

  get booths(): readonly { id: string; name: string }[] {
    return this.boothList;
  }

  get size(): number {
    return this.records.size;
  }

  devices(): IterableIterator<DeviceState> {
    return this.records.values();
  }

  device(key: string): DeviceState | undefined {
    return this.records.get(key);
  }

  /**
   * A device a dashboard panel names: only in the panel's `booth`, or without one, only when the
   * wall shows a single booth. Never "the first booth that has it": on a wall of several booths,
   * booth A could then publish booth B's device id and take over B's panel (issue 9). The server
   * requires `booth` on such panels when it has several booths (server/wall/dashboardFile.ts).
   */
  find(device: string, booth?: string): DeviceState | undefined {
    if (booth !== undefined) return this.records.get(deviceKey({ booth, device }));
    const only = this.boothList.length === 1 ? this.boothList[0] : undefined;
    return only ? this.records.get(deviceKey({ booth: only.id, device })) : undefined;
  }

  serverNow(localNow: number = Date.now()): number {
    return localNow + this.clockOffsetMs;
  }

  /**
   * The server's view is authoritative (it may have restarted), so nothing held before survives the
   * first chunk of a snapshot; later chunks add to it (contract/live.ts, Snapshot). Frames applied
   * between chunks stay: a later chunk's points merge by timestamp and its summary is never older.
   */
  applySnapshot(snapshot: Snapshot, receivedAt: number = Date.now()): WallChange {
    this.clockOffsetMs = snapshot.serverTime - receivedAt;
    const first = (snapshot.chunk ?? 0) === 0;
    if (first) {
      this.records.clear();
      this.boothList = snapshot.booths.map((b) => ({ id: b.id, name: b.name }));
      this.truncated = null;
    }
    if (snapshot.final !== false) this.truncated = snapshot.truncated ?? null;
    const minTs = snapshot.serverTime - this.windowMs;
    const changed = new Set<string>();
    let membership = first;

    // The server sends the devices it would keep first, so past the page's own limit the rest wait for frames.
    const newestFirst = [...snapshot.devices].sort((a, b) => recency(b.lastSeen) - recency(a.lastSeen));
    for (const window of fairShare(newestFirst, this.maxDevices, (d) => d.booth)) {
      let record = this.records.get(deviceKey(window));
      if (!record) {
        if (this.records.size >= this.maxDevices) {
          // Later chunks carry each booth's older devices: one takes a place only from a booth that
          // holds more than its own (the fair share), never from its own booth's newer devices.
          if (!this.holdsFewerThanMost(window.booth)) continue;
          this.evictForBooth(window.booth);
        }
        record = this.createRecord(window);
        membership = true;
      }
      changed.add(record.key);
      this.applySummary(record, window);
      for (const column of window.series) {
        const metric = this.metricFor(record, column.metric);
        if (!metric) continue;
        for (const [ts, value] of ascendingPoints(column.ts, column.values)) {
          if (metric.series.append(ts, value) && ts >= metric.latestTs) {
            metric.latestTs = ts;
            // The summary's `latest` keeps the true type; only fall back to the series value without one.
            if (metric.latest === undefined) metric.latest = metric.kind === 'boolean' ? value !== 0 : value;
          }
        }
        metric.series.trimBefore(minTs);
      }
    }
    // A device of an earlier chunk may have given its place to a fairer one; the view must not look for it.
    for (const key of changed) if (!this.records.has(key)) changed.delete(key);
    return { membership, devices: changed };
  }

  private holdsFewerThanMost(booth: string): boolean {
    const counts = this.devicesPerBooth();
    return (counts.get(booth) ?? 0) < Math.max(0, ...counts.values());
  }

  /** What the last complete snapshot left out to stay under the server's size cap; null when nothing. */
  get snapshotTruncated(): SnapshotTruncation | null {
    return this.truncated !== null && (this.truncated.points > 0 || this.truncated.devices > 0) ? this.truncated : null;
  }

  applyFrame(frame: Frame, receivedAt: number = Date.now()): WallChange {
    this.clockOffsetMs = frame.serverTime - receivedAt;
    const changed = new Set<string>();
    let membership = false;

    // Forgotten by a technician: the tile goes now, not when the page reloads.
    for (const device of Array.isArray(frame.forgotten) ? frame.forgotten : []) {
      if (typeof device === 'string' && this.records.delete(deviceKey({ booth: frame.booth, device }))) membership = true;
    }

    for (const summary of frame.devices) {
      const { record, created } = this.recordFor(summary);
      membership ||= created;
      this.applySummary(record, summary);
      changed.add(record.key);
    }

    for (const reading of frame.readings) {
      const { record, created } = this.recordFor(reading);
      membership ||= created;
      let fresh = false;
      for (const [name, raw] of entriesOf(reading.values)) {
        const value = numericValue(raw);
        if (value === undefined) continue;
        const metric = this.metricFor(record, name);
        if (!metric) continue;
        if (typeof raw === 'boolean') metric.kind = 'boolean';
        if (metric.series.append(reading.ts, value)) fresh = true;
        if (reading.ts >= metric.latestTs) {
          metric.latest = typeof raw === 'boolean' ? raw : value;
          metric.latestTs = reading.ts;
        }
      }
      if (fresh) {
        // A reading reached the page within one tick of arriving at the server, so the frame
        // time is its receive time give or take ~200 ms; repeats must not make a device look alive.
        record.lastSeen = Math.max(record.lastSeen ?? -Infinity, frame.serverTime);
        changed.add(record.key);
      }
    }

    const minTs = frame.serverTime - this.windowMs;
    for (const key of changed) {
      const record = this.records.get(key);
      if (record) for (const metric of record.metrics.values()) metric.series.trimBefore(minTs);
    }
    // An evicted device may have changed earlier in this frame; the view must not look for it.
    for (const key of changed) if (!this.records.has(key)) changed.delete(key);
    return { membership, devices: changed };
  }

  /** Silent devices get no frames, so their old points are dropped here, on the page's own tick. */
  trimToWindow(serverNow: number): void {
    const minTs = serverNow - this.windowMs;
    for (const record of this.records.values()) {
      for (const metric of record.metrics.values()) metric.series.trimBefore(minTs);
    }
  }

  private recordFor(ref: DeviceRef): { record: DeviceRecord; created: boolean } {
    const existing = this.records.get(deviceKey(ref));
    if (existing) return { record: existing, created: false };
    if (this.records.size >= this.maxDevices) this.evictForBooth(ref.booth);
    return { record: this.createRecord(ref), created: true };
  }

  private createRecord(ref: DeviceRef): DeviceRecord {
    const record: DeviceRecord = {
      key: deviceKey(ref),
      booth: ref.booth,
      device: ref.device,
      meta: {},
      presence: { state: 'unknown', since: 0, reason: 'server-start' },
      lastSeen: null,
      staleAfterMs: undefined,
      metrics: new Map(),
    };
    this.records.set(record.key, record);
    return record;
  }

  /**
   * Room for one device of `booth`, taken from the booth holding the most devices (`booth` itself
   * on a tie): a booth flooding new ids churns through its own devices and never reaches another
   * booth's, which keeps at least an equal share (issue 9). Within the victim booth, the stalest goes.
   */
  private evictForBooth(booth: string): void {
    const counts = new Map<string, number>();
    for (const record of this.records.values()) counts.set(record.booth, (counts.get(record.booth) ?? 0) + 1);
    const most = Math.max(0, ...counts.values());
    // Among booths holding equally many, the one with the stalest device gives it up.
    const victims = (counts.get(booth) ?? 0) === most ? new Set([booth]) : new Set([...counts].filter(([, n]) => n === most).map(([b]) => b));
    let stalest: DeviceRecord | undefined;
    for (const record of this.records.values()) {
      if (!victims.has(record.booth)) continue;
      if (!stalest || recency(record.lastSeen) < recency(stalest.lastSeen)) stalest = record;
    }
    if (stalest) this.records.delete(stalest.key);
  }

  /** Devices held per booth, for the console of a wall and for tests of the fair share. */
  devicesPerBooth(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const record of this.records.values()) counts.set(record.booth, (counts.get(record.booth) ?? 0) + 1);
    return counts;
  }

  private applySummary(record: DeviceRecord, summary: DeviceSummary): void {
    // Copied into null-prototype tables: JSON made them plain objects again, where a metric called
    // "constructor" would find Object's constructor as its unit (issue 9).
    record.meta = metaAsData(summary.meta);
    record.presence = summary.presence;
    record.staleAfterMs = summary.staleAfterMs;
    if (summary.lastSeen !== null) record.lastSeen = Math.max(record.lastSeen ?? -Infinity, summary.lastSeen);
    for (const [name, raw] of entriesOf(summary.latest)) {
      const value = numericValue(raw);
      if (value === undefined) continue;
      const metric = this.metricFor(record, name);
      if (!metric) continue;
      if (typeof raw === 'boolean') metric.kind = 'boolean';
      metric.latest = typeof raw === 'boolean' ? raw : value;
    }
    orderByDisplay(record);
  }

  private metricFor(record: DeviceRecord, name: string): MetricRecord | undefined {
    const existing = record.metrics.get(name);
    if (existing) return existing;
    if (record.metrics.size >= this.maxMetrics) return undefined;
    const metric: MetricRecord = {
      name,
      kind: 'number',
      series: new ChartSeries(this.maxPoints),
      latest: undefined,
      latestTs: -Infinity,
    };
    record.metrics.set(name, metric);
    return metric;
  }
}

/**
 * Metrics with a `display.order` in the device's meta first, lower first; the rest after, in the
 * order they were first seen (the server keeps that order across restarts). Stable, and a no-op
 * for a device that declares no order.
 */
function orderByDisplay(record: DeviceRecord): void {
  const display = record.meta.display;
  if (display === undefined) return;
  const orderOf = (name: string): number => {
    const order = ownValue<unknown>(ownValue<unknown>(display, name) as Record<string, unknown> | undefined, 'order');
    return typeof order === 'number' && Number.isFinite(order) ? order : Infinity;
  };
  const names = [...record.metrics.keys()];
  const sorted = names
    .map((name, index) => ({ name, index, order: orderOf(name) }))
    .sort((a, b) => (a.order === b.order ? a.index - b.index : a.order < b.order ? -1 : 1))
    .map((entry) => entry.name);
  if (sorted.every((name, i) => name === names[i])) return;
  record.metrics = new Map(sorted.map((name) => [name, record.metrics.get(name)!]));
}

/** Own entries of a name-keyed table from the wire; anything that is not an object has none. */
function entriesOf(table: unknown): [string, unknown][] {
  return typeof table === 'object' && table !== null ? Object.entries(table) : [];
}

function recency(lastSeen: number | null): number {
  return lastSeen ?? -Infinity;
}

/** Device data is untrusted even after server validation: anything not a finite number or boolean is ignored. */
function numericValue(raw: unknown): number | undefined {
  if (typeof raw === 'boolean') return raw ? 1 : 0;
  if (typeof raw === 'number' && Number.isFinite(raw)) return raw;
  return undefined;
}

/** The contract does not promise order within a column; appending needs ascending time. */
function ascendingPoints(ts: readonly number[], values: readonly number[]): [number, number][] {
  const points: [number, number][] = [];
  const count = Math.min(ts.length, values.length);
  let sorted = true;
  for (let i = 0; i < count; i++) {
    const t = ts[i];
    const v = values[i];
    if (t === undefined || v === undefined) continue;
    const previous = points[points.length - 1];
    if (previous && t < previous[0]) sorted = false;
    points.push([t, v]);
  }
  if (!sorted) points.sort((a, b) => a[0] - b[0]);
  return points;
}
