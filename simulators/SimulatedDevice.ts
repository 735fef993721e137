/**
 * One simulated device with its own MQTT connection, as real hardware would have: it announces
 * itself (meta, then status `online`, both retained) on every connect, leaves `offline` as its
 * will, publishes telemetry at a fixed rate while connected, and reconnects on its own.
 */
import { randomBytes } from 'node:crypto';
import { connect, type ErrorWithReasonCode, type MqttClient } from 'mqtt';
import { ID_PATTERN, deviceTopic, type DeviceMeta, type DeviceStatus, type TopicKind } from '../contract/device';
import type { DeviceProfile, ReadingStepper } from './profiles/profile';
import { createRandom, randomSeed } from './random';
import { TelemetrySchedule } from './TelemetrySchedule';

export type DeviceEvent =
  | { type: 'connected'; deviceId: string; clientId: string; reconnect: boolean }
  | { type: 'disconnected'; deviceId: string }
  /** First failed attempt to reach the broker since the last connect (later retries stay quiet). */
  | { type: 'unreachable'; deviceId: string; reason: string }
  /** The broker turned the credentials or client id down; the device gives up until restarted. */
  | { type: 'refused'; deviceId: string; reason: string };

export interface SimulatedDeviceOptions {
  url: string;
  booth: string;
  password: string;
  deviceId: string;
  profile: DeviceProfile;
  /** Telemetry messages per second, fractional allowed (0.5 = one every 2 s). */
  rate: number;
  /** Seeds the readings; omitted means a fresh random seed. */
  seed?: string | number;
  /** Human name announced in meta; defaults to the profile's name. */
  name?: string;
  /** Base wait between reconnect attempts; each device adds up to as much again in jitter. */
  reconnectPeriodMs?: number;
  keepaliveSeconds?: number;
  onEvent?: (event: DeviceEvent) => void;
}

/** CONNACK codes that retrying cannot fix: bad client id, bad credentials, not authorised (MQTT 3.1.1 and 5). */
const FINAL_REFUSALS = new Set([2, 4, 5, 133, 134, 135]);
/** Other CONNACK refusals (e.g. server unavailable) are retried after this long. */
const REFUSAL_RETRY_MS = 5000;
/** A device whose socket has this much unsent data skips readings, as a real one with a full buffer would. */
const MAX_UNSENT_BYTES = 256 * 1024;
/** stop() never waits longer than this for the broker to take the `offline` status or the disconnect. */
const STOP_TIMEOUT_MS = 3000;

/** `${booth}-${device}-${suffix}`: the broker ties client ids to the booth they log in to. */
export function clientIdFor(booth: string, deviceId: string, suffix: string = randomBytes(3).toString('hex')): string {
  return `${booth}-${deviceId}-${suffix}`;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export class SimulatedDevice {
  readonly booth: string;
  readonly deviceId: string;
  readonly clientId: string;
  readonly meta: DeviceMeta;

  private readonly options: SimulatedDeviceOptions;
  private readonly stepper: ReadingStepper;
  private readonly schedule: TelemetrySchedule;
  private readonly telemetryTopic: string;
  private client: MqttClient | undefined;
  private timer: NodeJS.Timeout | undefined;
  private refusalRetry: NodeJS.Timeout | undefined;
  private online = false;
  private everConnected = false;
  private outageReported = false;
  private stopping: Promise<void> | undefined;
  private sentCount = 0;
  private droppedCount = 0;
  private readonly firstConnect: Promise<void>;
  private settleFirstConnect: { resolve: () => void; reject: (error: Error) => void };

  constructor(options: SimulatedDeviceOptions) {
    if (!ID_PATTERN.test(options.booth)) throw new RangeError(`booth id ${JSON.stringify(options.booth)} does not match ID_PATTERN`);
    if (!ID_PATTERN.test(options.deviceId)) {
      throw new RangeError(`device id ${JSON.stringify(options.deviceId)} does not match ID_PATTERN`);
    }
    this.options = options;
    this.booth = options.booth;
    this.deviceId = options.deviceId;
    this.clientId = clientIdFor(options.booth, options.deviceId);
    this.schedule = new TelemetrySchedule(options.rate, Date.now());
    this.meta = {
      ...options.profile.meta,
      name: options.name ?? options.profile.meta.name,
      intervalMs: Math.max(1, Math.round(this.schedule.intervalMs)),
    };
    this.stepper = options.profile.create(createRandom(options.seed ?? randomSeed()), Date.now());
    this.telemetryTopic = this.topic('telemetry');

    let settle!: typeof this.settleFirstConnect;
    this.firstConnect = new Promise<void>((resolve, reject) => {
      settle = { resolve, reject };
    });
    // Nobody may be waiting for the first connect; a refusal must not become an unhandled rejection.
    this.firstConnect.catch(() => {});
    this.settleFirstConnect = settle;
  }

  /** Telemetry messages handed to a live connection so far (what a benchmark compares with what got stored). */
  get sent(): number {
    return this.sentCount;
  }

  /** Readings skipped because the connection could not keep up. */
  get dropped(): number {
    return this.droppedCount;
  }

  get connected(): boolean {
    return this.online;
  }

  topic(kind: TopicKind): string {
    return deviceTopic(this.booth, this.deviceId, kind);
  }

  /** Opens the connection; returns at once, the device keeps (re)connecting in the background. */
  start(): this {
    if (this.client || this.stopping) return this;
    const reconnectPeriod = this.options.reconnectPeriodMs ?? 1000;
    const client = connect(this.options.url, {
      clientId: this.clientId,
      username: this.booth,
      password: this.options.password,
      keepalive: this.options.keepaliveSeconds ?? 30,
      // Jitter keeps a booth full of devices from hammering a restarted broker in lockstep.
      reconnectPeriod: Math.round(reconnectPeriod * (1 + Math.random())),
      // Telemetry is QoS 0 and fresh data beats old data, so nothing piles up while offline.
      queueQoSZero: false,
      will: { topic: this.topic('status'), payload: Buffer.from('offline' satisfies DeviceStatus), qos: 1, retain: true },
    });
    this.client = client;
    client.on('connect', () => this.onConnect(client));
    client.on('close', () => this.onClose());
    client.on('error', (error) => this.onError(client, error));
    return this;
  }

  /** Resolves once the device has connected at least once; rejects if the broker refuses it or on timeout. */
  whenConnected(timeoutMs = 10_000): Promise<void> {
    return withTimeout(this.firstConnect, timeoutMs).catch((error: Error) => {
      throw new Error(`${this.deviceId}: not connected: ${error.message}`);
    });
  }

  /** Says `offline` (retained), disconnects cleanly and stops reconnecting. Safe to call more than once. */
  stop(): Promise<void> {
    this.stopping ??= this.shutDown();
    return this.stopping;
  }

  private async shutDown(): Promise<void> {
    this.stopTelemetry();
    clearTimeout(this.refusalRetry);
    this.settleFirstConnect.reject(new Error('stopped'));
    const client = this.client;
    if (!client) return;
    // A clean disconnect does not fire the will, so the device says goodbye itself.
    if (client.connected) {
      await withTimeout(this.publishStatus(client, 'offline'), STOP_TIMEOUT_MS).catch(() => {});
    }
    // Mid-handshake there is nothing to say goodbye on, and a graceful end would let the handshake finish.
    await withTimeout(client.endAsync(!client.connected), STOP_TIMEOUT_MS).catch(() => client.end(true));
    this.online = false;
  }

  private onConnect(client: MqttClient): void {
    if (this.stopping) return;
    clearTimeout(this.refusalRetry);
    const reconnect = this.everConnected;
    this.online = true;
    this.everConnected = true;
    this.outageReported = false;
    // Meta first, so whoever sees the device come online already knows what it is.
    client.publish(this.topic('meta'), JSON.stringify(this.meta), { qos: 1, retain: true });
    void this.publishStatus(client, 'online').catch(() => {});
    this.settleFirstConnect.resolve();
    this.emit({ type: 'connected', deviceId: this.deviceId, clientId: this.clientId, reconnect });
    // Spread devices over one interval so a booth does not publish in lockstep.
    this.schedule.restart(Date.now() + Math.random() * Math.min(this.schedule.intervalMs, 1000));
    this.stopTelemetry();
    this.timer = setTimeout(this.tick, this.schedule.delayAfter(Date.now()));
  }

  private onClose(): void {
    this.stopTelemetry();
    if (!this.online) return;
    this.online = false;
    if (this.stopping) return;
    this.outageReported = true;
    this.emit({ type: 'disconnected', deviceId: this.deviceId });
  }

  private onError(client: MqttClient, error: Error): void {
    const code = (error as Partial<ErrorWithReasonCode>).code;
    if (typeof code === 'number') {
      // A CONNACK refusal: MQTT.js stops reconnecting by itself after one.
      if (FINAL_REFUSALS.has(code)) {
        this.settleFirstConnect.reject(error);
        this.emit({ type: 'refused', deviceId: this.deviceId, reason: error.message });
        return;
      }
      clearTimeout(this.refusalRetry);
      this.refusalRetry = setTimeout(() => {
        if (!this.stopping) client.reconnect();
      }, REFUSAL_RETRY_MS);
    }
    // Errors on a live connection are followed by `close`, which reports the disconnect.
    if (this.online || this.outageReported || this.stopping) return;
    this.outageReported = true;
    this.emit({ type: 'unreachable', deviceId: this.deviceId, reason: error.message });
  }

  private readonly tick = (): void => {
    this.timer = undefined;
    const client = this.client;
    if (!client?.connected || this.stopping) return;
    const backlogged = (client.stream?.writableLength ?? 0) > MAX_UNSENT_BYTES;
    for (const ts of this.schedule.due(Date.now())) {
      if (backlogged) {
        this.droppedCount += 1;
        continue;
      }
      const values = this.stepper.next(ts);
      client.publish(this.telemetryTopic, JSON.stringify({ ...values, ts }), { qos: 0 });
      this.sentCount += 1;
    }
    this.timer = setTimeout(this.tick, this.schedule.delayAfter(Date.now()));
  };

  private stopTelemetry(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private publishStatus(client: MqttClient, status: DeviceStatus): Promise<unknown> {
    return client.publishAsync(this.topic('status'), status, { qos: 1, retain: true });
  }

  private emit(event: DeviceEvent): void {
    this.options.onEvent?.(event);
  }
}
