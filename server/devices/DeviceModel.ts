/**
 * The server's one record per device: identity, meta, presence, rates, rejections, recent payloads
 * and the live window of its readings. The live directory (server/live/DeviceDirectory.ts: the
 * window and its budgets) and the console's health tracker (server/console/DeviceHealthTracker.ts:
 * connections and presence changes) are views that write their parts of the same record, so a
 * device is evicted once, from everything, and every reader judges its presence from the same facts
 * with the one rule in contract/presence.ts.
 *
 * Bounded per booth (DevicesPerBooth): least recently heard out first, so a device inventing ids
 * cannot grow memory. Whoever hangs something off a device (live-window bytes, alarms) is told
 * when it is evicted, in the same step.
 */
import type { HealthChange, RejectionSample } from '../../contract/console';
import type { DeviceMeta, ReadingValues } from '../../contract/device';
import {
  assessPresence,
  staleAfterMs,
  type DeviceState,
  type IntervalSource,
  type Presence,
  type PresenceReason,
  type PresenceVerdict,
} from '../../contract/presence';
import type { RejectionReason } from '../ingest/TelemetryValidator';
import { RAW_MOUNT_SEGMENT, type AdapterName } from '../adapters/DeviceAdapter';
import { DEFAULT_INTERVAL_RULES, IntervalLearner, type IntervalRules } from '../console/IntervalLearner';
import { DevicesPerBooth } from './DevicesPerBooth';
import type { LiveWindowSeries } from '../live/LiveWindowSeries';
import { PerSecondWindow } from '../stats/PerSecondWindow';

export interface LastRejection {
  reason: RejectionReason;
  detail: string;
  at: number;
}

export interface ConnectionInfo {
  connectionId: number;
  clientId: string;
  address: string | null;
  openedAt: number;
}

export interface KeptPayload {
  ts: number;
  topic: string;
  bytes: Buffer;
  totalBytes: number;
}

/** The path a device's message came through: `native` for the contract topics, else the adapter that read it. */
export type IngestPath = AdapterName | 'native';

/** The path and topic of a device's last message (issue 11). The last only, so it cannot grow with traffic. */
export interface HeardThrough {
  path: IngestPath;
  /** The device's own topic: the mount (`booth/{id}/raw/`) taken off, so a technician sees what the device was configured with. */
  topic: string;
  at: number;
}

export interface DeviceRecord {
  booth: string;
  device: string;
  meta: DeviceMeta;
  /** The last presence event (online/offline/unknown); whether the device is stale is the rule's to say. */
  presence: Presence;
  /** Receive time of the last accepted reading (or the time of the newest restored one); the rule's clock. */
  lastSeen: number | null;
  /** Receive time of the last message of any kind, accepted or not, or of its connection. */
  lastHeard: number | null;

  // The live window (written by the DeviceDirectory).
  latest: ReadingValues;
  series: Map<string, LiveWindowSeries>;
  accepted: number;
  /** The newest rejection with the validator's detail, for /api/devices. */
  lastRejection: LastRejection | null;

  // Rates and the learned interval (written with every accepted reading).
  readings: PerSecondWindow;
  learner: IntervalLearner;

  // Rejections and payloads (written by the health tracker, which sees every message).
  rejected: Map<string, number>;
  rejectedTotal: number;
  /** Oldest first; newest last. */
  rejections: RejectionSample[];
  payloads: KeptPayload[];

  // Presence as recorded for the console's timeline and the alarms (written by the health tracker).
  /** The rule's verdict when it last changed; an empty timeline marks a record that has had none yet. */
  state: DeviceState;
  stateSince: number;
  stateReason: PresenceReason;
  timeline: HealthChange[];
  /** The connection the device last spoke through, while it is open. */
  connection: ConnectionInfo | null;
  lastAddress: string | null;
  connectionsSeen: number;
  battery: number | null;
  signal: number | null;
  /** The adapter and topic of its last message, accepted or not; null before any message. */
  heardThrough: HeardThrough | null;

  /**
   * What of its identity (meta, metric order) was last written to storage (server/store/DeviceIdentityLog.ts),
   * so a reading costs two comparisons, not a serialisation, to know nothing needs writing.
   */
  storedIdentity: { meta: DeviceMeta; metrics: number } | null;
}

export interface StaleLimit {
  ms: number;
  source: IntervalSource;
}

export type EvictionListener = (record: DeviceRecord) => void;
export type ReadingListener = (record: DeviceRecord, at: number) => void;

export class DeviceModel {
  private readonly devices: DevicesPerBooth<DeviceRecord>;
  private readonly evictionListeners: EvictionListener[] = [];
  private readonly readingListeners: ReadingListener[] = [];
  private readonly forgottenListeners: EvictionListener[] = [];

  constructor(
    readonly maxDevicesPerBooth: number,
    private readonly intervalRules: IntervalRules = DEFAULT_INTERVAL_RULES,
  ) {
    this.devices = new DevicesPerBooth(maxDevicesPerBooth, (record) => {
      for (const listener of this.evictionListeners) listener(record);
    });
  }

  /** Told when a device is forgotten (its booth past maxDevicesPerBooth), so what hangs off it can go too. */
  onEvicted(listener: EvictionListener): void {
    this.evictionListeners.push(listener);
  }

  /** Told when a technician forgot a device (after what hangs off it was freed), so walls can drop it. */
  onForgotten(listener: EvictionListener): void {
    this.forgottenListeners.push(listener);
  }

  /**
   * Removes a device on purpose (the console's Forget): everything hanging off it goes as on an
   * eviction, then the forgotten-listeners hear of it. A device that publishes again is new.
   */
  forget(booth: string, device: string): DeviceRecord | undefined {
    const record = this.devices.delete(booth, device);
    if (record) for (const listener of this.forgottenListeners) listener(record);
    return record;
  }

  /**
   * Puts the record's metrics (its live window and latest values) in `order`, the rest after in
   * their present order: walls list a device's metrics in this order, and after a restart the
   * window is refilled from storage in column order, not in the order the device first sent them.
   */
  orderMetrics(record: DeviceRecord, order: readonly string[]): void {
    const rank = new Map(order.map((name, i) => [name, i]));
    const byRank = (a: string, b: string) => (rank.get(a) ?? order.length) - (rank.get(b) ?? order.length);
    const names = [...record.series.keys()].sort(byRank);
    record.series = new Map(names.map((name) => [name, record.series.get(name)!]));
    const latest = Object.create(null) as ReadingValues;
    for (const name of Object.keys(record.latest).sort(byRank)) latest[name] = record.latest[name]!;
    record.latest = latest;
  }

  /**
   * Told of an accepted reading before it updates the record, so what the rule said up to it can be
   * recorded: a device that went quiet past its limit was stale, even if no tick saw it before it spoke again.
   */
  beforeReading(listener: ReadingListener): void {
    this.readingListeners.push(listener);
  }

  get evictedDevices(): number {
    return this.devices.evicted;
  }

  get size(): number {
    return this.devices.size;
  }

  get(booth: string, device: string): DeviceRecord | undefined {
    return this.devices.get(booth, device);
  }

  records(booths?: ReadonlySet<string>): IterableIterator<DeviceRecord> {
    return this.devices.values(booths);
  }

  /** Finds or creates a record and marks it most recently heard. */
  touch(booth: string, device: string): DeviceRecord {
    return this.devices.touch(booth, device, () => this.create(booth, device));
  }

  /** An accepted reading received at `at`: its rate, its interval and the rule's clock. Returns whether the stale limit changed. */
  reading(record: DeviceRecord, at: number): boolean {
    for (const listener of this.readingListeners) listener(record, at);
    const before = this.staleLimit(record).ms;
    record.readings.add(at);
    record.learner.arrival(at);
    if (record.lastSeen === null || at > record.lastSeen) record.lastSeen = at;
    return this.staleLimit(record).ms !== before;
  }

  /**
   * A message for this device came through `path` on `mountedTopic` (the topic as ingest saw it,
   * `booth/{id}/raw/…` for a foreign one). Replaces the last one: one entry per device.
   */
  heardThrough(record: DeviceRecord, path: IngestPath, mountedTopic: string, at: number): void {
    // As AdapterRouter's rawTopicOf, without importing every adapter into the model.
    const mount = `booth/${record.booth}/${RAW_MOUNT_SEGMENT}/`;
    const topic = mountedTopic.startsWith(mount) && mountedTopic.length > mount.length ? mountedTopic.slice(mount.length) : mountedTopic;
    const last = record.heardThrough;
    // The same path and topic every publish: no new object on the hot path.
    if (last !== null && last.path === path && last.topic === topic) last.at = at;
    else record.heardThrough = { path, topic, at };
  }

  /** The device's stale limit: from its meta when it says its interval, else learned from its readings, else the default. */
  staleLimit(record: DeviceRecord): StaleLimit {
    if (record.meta.intervalMs !== undefined) return { ms: staleAfterMs(record.meta.intervalMs, this.intervalRules), source: 'meta' };
    const learned = record.learner.staleAfterMs();
    return learned === null ? { ms: staleAfterMs(null, this.intervalRules), source: 'default' } : { ms: learned, source: 'learned' };
  }

  /** The one presence rule (contract/presence.ts) applied to what this record knows. */
  presenceOf(record: DeviceRecord, now: number): PresenceVerdict {
    return assessPresence({ presence: record.presence, lastSeen: record.lastSeen, staleAfterMs: this.staleLimit(record).ms }, now);
  }

  private create(booth: string, device: string): DeviceRecord {
    const now = Date.now();
    return {
      booth,
      device,
      meta: {},
      presence: { state: 'unknown', since: now, reason: 'server-start' },
      lastSeen: null,
      lastHeard: null,
      latest: Object.create(null) as ReadingValues,
      series: new Map(),
      accepted: 0,
      lastRejection: null,
      readings: new PerSecondWindow(60),
      learner: new IntervalLearner(this.intervalRules),
      rejected: new Map(),
      rejectedTotal: 0,
      rejections: [],
      payloads: [],
      state: 'stale',
      stateSince: now,
      stateReason: 'server-start',
      timeline: [],
      connection: null,
      lastAddress: null,
      connectionsSeen: 0,
      battery: null,
      signal: null,
      heardThrough: null,
      storedIdentity: null,
    };
  }
}
