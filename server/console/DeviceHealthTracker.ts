/**
 * Presence events and their record: fed one way by the broker's connection events and by ingest's
 * verdicts, it writes each device's presence (online/offline, with the reason) into the one device
 * model (server/devices/DeviceModel.ts), and records every change of the rule's verdict
 * (contract/presence.ts: online, stale, offline) with its reason and time, for the console's
 * timeline, the device_status log and the alarms. Also keeps what a technician asks about one
 * device: its connection, rejections and last payloads. A view of the model: the model owns the
 * records and their per-booth bound.
 */
import type { ConnectionClosed, ConnectionOpened, DevicePublish } from '../../broker/brokerEvents';
import type { HealthChange, HealthChangeReason, HealthState, RejectionSample } from '../../contract/console';
import { deviceTopic, type DeviceMeta, type ReadingValues } from '../../contract/device';
import type { IngestObserver } from '../ingest/Ingest';
import type { DeviceMessage, Rejection } from '../ingest/TelemetryValidator';
import type { AdapterName } from '../adapters/DeviceAdapter';
import { DeviceModel, type ConnectionInfo, type DeviceRecord, type StaleLimit } from '../devices/DeviceModel';
import { DEFAULT_INTERVAL_RULES, type IntervalRules } from './IntervalLearner';
import { keepPayloadBytes, payloadSample } from './payloadSample';

export interface PresenceChange extends HealthChange {
  booth: string;
  device: string;
  previous: HealthState;
}

export interface TrackerLimits {
  maxDevicesPerBooth: number;
  /** Raw payloads and rejections kept per device, newest replacing oldest. */
  recentPayloads: number;
  recentRejections: number;
  /** Presence changes kept in memory per device (InfluxDB keeps them all). */
  timelineLength: number;
  /**
   * Client ids whose devices are remembered per booth, so a reconnect can mark them online before
   * they publish. Per booth: a booth cycling fresh client ids must not make another booth's
   * devices forgotten.
   */
  rememberedClients: number;
  intervalRules: IntervalRules;
}

/** Presence changes kept per device and shown in its timeline. */
export const TIMELINE_LENGTH = 50;

export const DEFAULT_TRACKER_LIMITS: TrackerLimits = {
  maxDevicesPerBooth: 500,
  recentPayloads: 20,
  recentRejections: 20,
  timelineLength: TIMELINE_LENGTH,
  rememberedClients: 10_000,
  intervalRules: DEFAULT_INTERVAL_RULES,
};

/** Open connections tracked; a broker that never reported closes could otherwise grow this. */
const MAX_OPEN_CONNECTIONS = 100_000;

/** Metric names devices commonly use for their battery (percent) and radio signal (dBm). */
const BATTERY_METRICS = ['battery', 'battery_pct', 'battery_percent', 'battery_soc', 'battery_level', 'soc'];
const SIGNAL_METRICS = ['rssi', 'signal', 'signal_dbm', 'wifi_rssi', 'rssi_dbm'];

export type { ConnectionInfo, KeptPayload } from '../devices/DeviceModel';
/** The console's part of a device's one record. */
export type DeviceHealthRecord = DeviceRecord;
export type ExpectedInterval = StaleLimit;

type ChangeListener = (change: PresenceChange) => void;

export class DeviceHealthTracker implements IngestObserver {
  readonly model: DeviceModel;
  private readonly openConnections = new Map<number, ConnectionInfo>();
  /** Per booth, the devices each client id spoke for when it last closed, least recently closed first. */
  private readonly clientDevices = new Map<string, Map<string, string[]>>();
  private readonly listeners: ChangeListener[] = [];
  private readonly evictionListeners: ((booth: string, device: string) => void)[] = [];

  constructor(
    private readonly limits: TrackerLimits = DEFAULT_TRACKER_LIMITS,
    /** Shared with the live directory in a running server; its own otherwise (unit tests). */
    model?: DeviceModel,
  ) {
    this.model = model ?? new DeviceModel(limits.maxDevicesPerBooth, limits.intervalRules);
    this.model.onEvicted((record) => {
      for (const listener of this.evictionListeners) listener(record.booth, record.device);
    });
    this.model.beforeReading((record, at) => this.settle(record, at));
    // A forgotten device is new when it publishes again; a reconnect of a client that once spoke
    // for it must not bring it back (online, then stale, then alarmed) without a word from it.
    this.model.onForgotten((record) => this.dropFromClients(record.booth, record.device));
  }

  /** Takes `device` out of every client's remembered list in its booth. */
  private dropFromClients(booth: string, device: string): void {
    const clients = this.clientDevices.get(booth);
    if (!clients) return;
    for (const [clientId, devices] of clients) {
      if (!devices.includes(device)) continue;
      const rest = devices.filter((d) => d !== device);
      if (rest.length > 0) clients.set(clientId, rest);
      else clients.delete(clientId);
    }
  }

  /** Told when a device is forgotten (its booth past maxDevicesPerBooth), so what hangs off it can go too. */
  onEvicted(listener: (booth: string, device: string) => void): void {
    this.evictionListeners.push(listener);
  }

  get evictedDevices(): number {
    return this.model.evictedDevices;
  }

  onChange(listener: ChangeListener): void {
    this.listeners.push(listener);
  }

  get(booth: string, device: string): DeviceHealthRecord | undefined {
    return this.model.get(booth, device);
  }

  records(): IterableIterator<DeviceHealthRecord> {
    return this.model.records();
  }

  get size(): number {
    return this.model.size;
  }

  expectedInterval(record: DeviceHealthRecord): ExpectedInterval {
    return this.model.staleLimit(record);
  }

  connectionOpened(event: ConnectionOpened, at: number): void {
    const info: ConnectionInfo = { connectionId: event.connectionId, clientId: event.clientId, address: event.address, openedAt: at };
    this.openConnections.set(event.connectionId, info);
    if (this.openConnections.size > MAX_OPEN_CONNECTIONS) this.openConnections.delete(this.openConnections.keys().next().value!);
    // A device that reconnects under the same client id is back as soon as the broker lets it in.
    // Only devices the model still holds: one forgotten or evicted since is new when it speaks itself.
    for (const device of this.clientDevices.get(event.booth)?.get(event.clientId) ?? []) {
      const record = this.get(event.booth, device);
      if (record) this.associate(record, info, at, true);
    }
  }

  connectionClosed(event: ConnectionClosed, at: number): void {
    this.openConnections.delete(event.connectionId);
    // The broker's list of what the connection spoke for still names devices forgotten since.
    const known = event.devices.filter((device) => this.get(event.booth, device) !== undefined);
    if (known.length > 0) {
      let clients = this.clientDevices.get(event.booth);
      if (!clients) this.clientDevices.set(event.booth, (clients = new Map<string, string[]>()));
      clients.delete(event.clientId);
      clients.set(event.clientId, known);
      if (clients.size > this.limits.rememberedClients) clients.delete(clients.keys().next().value!);
    }
    for (const device of event.devices) {
      const record = this.get(event.booth, device);
      // Another connection (a reconnect that took over, a second gateway) speaks for it now.
      if (!record || record.connection?.connectionId !== event.connectionId) continue;
      record.connection = null;
      // A will for this device says more than "the connection broke"; a keepalive timeout says more than the will.
      const willForDevice = event.willTopic === deviceTopic(event.booth, device, 'status');
      const reason: HealthChangeReason = event.reason === 'connection-lost' && willForDevice ? 'will' : event.reason;
      this.event(record, 'offline', reason, at);
    }
  }

  message(publish: DevicePublish, verdict: DeviceMessage | Rejection, at: number, adapter: AdapterName | null = null): void {
    const device = verdict.device;
    if (device === null) return; // names no valid device: counted per booth by the directory
    const record = this.touch(publish.booth, device);
    record.lastHeard = at;
    const path = adapter ?? 'native';
    this.model.heardThrough(record, path, publish.topic, at);
    this.keepPayload(record, publish, at);
    const saysOffline = verdict.kind === 'status' && verdict.status === 'offline';
    if (!publish.fromWill && record.connection?.connectionId !== publish.connectionId) {
      const info = this.openConnections.get(publish.connectionId) ?? {
        connectionId: publish.connectionId,
        clientId: publish.clientId,
        address: null,
        openedAt: at,
      };
      this.associate(record, info, at, !saysOffline);
    }
    switch (verdict.kind) {
      case 'rejected':
        this.keepRejection(record, verdict.reason, publish.payload, at, path);
        return;
      case 'telemetry':
        // Its rate and learned interval are the live directory's to record (DeviceModel.reading), once per reading.
        if (record.lastSeen === null || at > record.lastSeen) record.lastSeen = at;
        this.pickBatteryAndSignal(record, verdict.values);
        if (record.state !== 'online') this.event(record, 'online', 'telemetry', at);
        return;
      case 'status': {
        if (verdict.status === 'online') {
          if (record.state !== 'online') this.event(record, 'online', 'status', at);
          return;
        }
        const reason: HealthChangeReason = !publish.fromWill ? 'status' : publish.keepaliveTimedOut ? 'keepalive-timeout' : 'will';
        this.event(record, 'offline', reason, at);
        return;
      }
      case 'meta':
        record.meta = verdict.meta;
        return;
    }
  }

  /**
   * Records what the presence rule says now where it differs from the last recorded verdict: an
   * online device quiet past its stale limit becomes stale. Called every second.
   */
  tick(now: number): void {
    for (const record of this.records()) this.settle(record, now);
  }

  /** Records the rule's verdict at `now` if it differs from the last one recorded; a stale device is recorded stale from when it became so. */
  private settle(record: DeviceHealthRecord, now: number): void {
    if (record.timeline.length === 0) return; // nothing recorded yet: its first change comes from an event or restore()
    const verdict = this.model.presenceOf(record, now);
    if (verdict.state !== record.state) this.change(record, verdict.state, verdict.reason, verdict.state === 'stale' ? Math.min(now, verdict.since) : now);
  }

  /**
   * After a restart: a device last seen offline stays offline with its old reason and time; any
   * other is judged by the rule from what the live window restored (stale without it) until it is
   * heard, which is a change worth recording.
   */
  restore(booth: string, device: string, last: HealthChange | null, meta: DeviceMeta, at: number): void {
    const existing = this.get(booth, device);
    if (existing && existing.timeline.length > 0) return;
    const record = this.touch(booth, device);
    if (Object.keys(record.meta).length === 0) record.meta = meta;
    if (last?.state === 'offline') {
      record.state = 'offline';
      record.stateSince = last.ts;
      record.stateReason = last.reason;
      record.presence = { state: 'offline', since: last.ts, reason: last.reason };
      record.timeline.push(last);
      return;
    }
    const verdict = this.model.presenceOf(record, at);
    this.change(record, verdict.state, verdict.reason, at);
  }

  private associate(record: DeviceHealthRecord, info: ConnectionInfo, at: number, comesOnline: boolean): void {
    // Ids grow with every connection: the newer of two open connections keeps the device, so a
    // device heard through two at once is not counted as reconnecting on every message.
    if (record.connection && record.connection.connectionId >= info.connectionId) return;
    record.connection = info;
    record.connectionsSeen++;
    if (info.address !== null) record.lastAddress = info.address;
    if (record.lastHeard === null || record.lastHeard < at) record.lastHeard = at;
    if (comesOnline && record.state !== 'online') this.event(record, 'online', 'connect', at);
  }

  /** A presence event (a connection, a status, a reading, a will): written to the model, and recorded if it changes the state. */
  private event(record: DeviceHealthRecord, state: 'online' | 'offline', reason: HealthChangeReason, at: number): void {
    // Also when only the recorded state differs (stale, back online by the same kind of event): the API's 'since' must match the console's.
    if (record.state !== state || record.presence.state !== state || record.presence.reason !== reason) record.presence = { state, since: at, reason };
    this.change(record, state, reason, at);
  }

  /** Records a change of the rule's verdict for the timeline, the device_status log and the alarms. */
  private change(record: DeviceHealthRecord, state: HealthState, reason: HealthChangeReason, at: number): void {
    if (record.state === state && record.timeline.length > 0) return;
    const previous = record.state;
    record.state = state;
    record.stateSince = at;
    record.stateReason = reason;
    const change: HealthChange = { ts: at, state, reason };
    record.timeline.push(change);
    if (record.timeline.length > this.limits.timelineLength) record.timeline.shift();
    for (const listener of this.listeners) listener({ ...change, booth: record.booth, device: record.device, previous });
  }

  private keepPayload(record: DeviceHealthRecord, publish: DevicePublish, at: number): void {
    record.payloads.push({ ts: at, topic: publish.topic, bytes: keepPayloadBytes(publish.payload), totalBytes: publish.payload.length });
    if (record.payloads.length > this.limits.recentPayloads) record.payloads.shift();
  }

  private keepRejection(record: DeviceHealthRecord, reason: string, payload: Buffer, at: number, adapter: string): void {
    record.rejected.set(reason, (record.rejected.get(reason) ?? 0) + 1);
    record.rejectedTotal++;
    const sample: RejectionSample = { ts: at, reason, adapter, sample: payloadSample(keepPayloadBytes(payload), payload.length) };
    record.rejections.push(sample);
    if (record.rejections.length > this.limits.recentRejections) record.rejections.shift();
  }

  private pickBatteryAndSignal(record: DeviceHealthRecord, values: ReadingValues): void {
    const battery = firstNumber(values, BATTERY_METRICS);
    if (battery !== null) record.battery = battery;
    const signal = firstNumber(values, SIGNAL_METRICS);
    if (signal !== null) record.signal = signal;
  }

  /** Finds or creates a record and marks it most recently heard. */
  private touch(booth: string, device: string): DeviceHealthRecord {
    return this.model.touch(booth, device);
  }
}

function firstNumber(values: ReadingValues, names: readonly string[]): number | null {
  for (const name of names) {
    const value = values[name];
    if (typeof value === 'number') return value;
  }
  return null;
}
