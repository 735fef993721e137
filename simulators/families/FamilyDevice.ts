/**
 * A simulated stock device of one family (Tasmota, Shelly, ESPHome, Sparkplug B): its own client id,
 * its own topics, its own will, and its family's payloads, byte for byte as the family documents them.
 * The connection lifecycle is SimulatedDevice's (reconnect with jitter, give up on a final CONNACK
 * refusal, say goodbye on stop); what a family says and when lives in its WireFormat.
 */
import { connect, type ErrorWithReasonCode, type IClientOptions, type MqttClient } from 'mqtt';
import type { DeviceEvent } from '../SimulatedDevice';

/** What a family publishes: the device hands it a way to publish and the time. */
export interface WirePublisher {
  publish(topic: string, payload: string | Buffer, options?: { retain?: boolean; qos?: 0 | 1 }): void;
}

export interface WireWill {
  topic: string;
  payload: Buffer;
  retain: boolean;
  qos: 0 | 1;
}

export interface WireFormat {
  /** The client id the stock firmware uses (DVES_%06X, shellyplus1pm-<mac>, the node name, …). */
  readonly clientId: string;
  /** MQTT 3.1.1 unless the family says otherwise (Sparkplug B requires 3.1.1 with clean session). */
  readonly protocolVersion?: 4 | 5;
  /** Clean session unless the family's default says otherwise (ESPHome: clean_session false). */
  readonly clean?: boolean;
  /** Built per connect: Sparkplug's NDEATH carries a bdSeq that changes with each connection. Undefined: the device is set up without one. */
  will(): WireWill | undefined;
  /** Topics to subscribe after connecting (commands the device answers). */
  subscriptions?(): string[];
  /** Birth: what the firmware sends right after CONNACK. */
  onConnect(out: WirePublisher, now: number): void;
  /** One telemetry period. */
  onPeriod(out: WirePublisher, now: number): void;
  /** A message on one of the subscriptions. */
  onMessage?(out: WirePublisher, topic: string, payload: Buffer, now: number): void;
  /** What the device says before a clean disconnect, which fires no will (e.g. Tasmota's `Offline`). */
  goodbye?(): { topic: string; payload: string | Buffer; retain: boolean };
}

export interface FamilyDeviceOptions {
  url: string;
  booth: string;
  password: string;
  /** Shown in logs; the id Showfloor gives the device comes from the family's topics. */
  deviceId: string;
  wire: WireFormat;
  /** Telemetry period (Tasmota's TelePeriod, ESPHome's update_interval, …). */
  periodMs: number;
  reconnectPeriodMs?: number;
  keepaliveSeconds?: number;
  onEvent?: (event: DeviceEvent) => void;
}

const FINAL_REFUSALS = new Set([2, 4, 5, 133, 134, 135]);
const STOP_TIMEOUT_MS = 3000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export class FamilyDevice {
  readonly booth: string;
  readonly deviceId: string;
  readonly clientId: string;
  readonly wire: WireFormat;

  private readonly options: FamilyDeviceOptions;
  private client: MqttClient | undefined;
  private timer: NodeJS.Timeout | undefined;
  private online = false;
  private everConnected = false;
  private outageReported = false;
  private stopping: Promise<void> | undefined;
  private sentCount = 0;
  private connectCount = 0;
  private readonly firstConnect: Promise<void>;
  private settleFirstConnect!: { resolve: () => void; reject: (error: Error) => void };

  constructor(options: FamilyDeviceOptions) {
    if (!(Number.isFinite(options.periodMs) && options.periodMs >= 100)) throw new RangeError(`periodMs must be at least 100, got ${options.periodMs}`);
    this.options = options;
    this.booth = options.booth;
    this.deviceId = options.deviceId;
    this.wire = options.wire;
    this.clientId = options.wire.clientId;
    this.firstConnect = new Promise<void>((resolve, reject) => {
      this.settleFirstConnect = { resolve, reject };
    });
    this.firstConnect.catch(() => {});
  }

  /** Publishes handed to a live connection so far. */
  get sent(): number {
    return this.sentCount;
  }

  get connected(): boolean {
    return this.online;
  }

  /** How many times the device has connected (each one a birth). */
  get connects(): number {
    return this.connectCount;
  }

  start(): this {
    if (this.client || this.stopping) return this;
    const reconnectPeriod = this.options.reconnectPeriodMs ?? 1000;
    const clientOptions: IClientOptions = {
      clientId: this.clientId,
      username: this.booth,
      password: this.options.password,
      protocolVersion: this.wire.protocolVersion ?? 4,
      clean: this.wire.clean ?? true,
      keepalive: this.options.keepaliveSeconds ?? 30,
      reconnectPeriod: Math.round(reconnectPeriod * (1 + Math.random())),
      queueQoSZero: false,
    };
    const will = this.wire.will();
    if (will) clientOptions.will = will;
    const client = connect(this.options.url, clientOptions);
    this.client = client;
    client.on('connect', () => this.onConnect(client));
    // Each connect carries a fresh will (Sparkplug's bdSeq): MQTT.js builds CONNECT from client.options after 'reconnect'.
    client.on('reconnect', () => {
      const next = this.wire.will();
      if (next) client.options.will = next;
    });
    client.on('close', () => this.onClose());
    client.on('error', (error) => this.onError(error));
    client.on('message', (topic, payload) => {
      if (this.stopping) return;
      this.wire.onMessage?.(this.publisher(client), topic, payload, Date.now());
    });
    return this;
  }

  whenConnected(timeoutMs = 10_000): Promise<void> {
    return withTimeout(this.firstConnect, timeoutMs).catch((error: Error) => {
      throw new Error(`${this.deviceId}: not connected: ${error.message}`);
    });
  }

  /** Cuts the TCP connection without DISCONNECT, as a pulled plug would: the broker publishes the will. */
  pullPlug(): void {
    this.stopPeriod();
    this.stopping ??= Promise.resolve();
    this.online = false;
    this.client?.stream.destroy();
    this.client?.end(true);
  }

  stop(): Promise<void> {
    this.stopping ??= this.shutDown();
    return this.stopping;
  }

  private async shutDown(): Promise<void> {
    this.stopPeriod();
    this.settleFirstConnect.reject(new Error('stopped'));
    const client = this.client;
    if (!client) return;
    const goodbye = this.wire.goodbye?.();
    if (client.connected && goodbye) {
      await withTimeout(client.publishAsync(goodbye.topic, goodbye.payload, { qos: 1, retain: goodbye.retain }), STOP_TIMEOUT_MS).catch(() => {});
    }
    await withTimeout(client.endAsync(!client.connected), STOP_TIMEOUT_MS).catch(() => client.end(true));
    this.online = false;
  }

  private publisher(client: MqttClient): WirePublisher {
    return {
      publish: (topic, payload, options = {}) => {
        if (!client.connected) return;
        client.publish(topic, payload, { qos: options.qos ?? 0, retain: options.retain ?? false });
        this.sentCount += 1;
      },
    };
  }

  private onConnect(client: MqttClient): void {
    if (this.stopping) return;
    const reconnect = this.everConnected;
    this.online = true;
    this.everConnected = true;
    this.outageReported = false;
    this.connectCount += 1;
    const subscriptions = this.wire.subscriptions?.() ?? [];
    const out = this.publisher(client);
    const birth = () => {
      if (this.stopping || !client.connected) return;
      this.wire.onConnect(out, Date.now());
      this.settleFirstConnect.resolve();
      this.emit({ type: 'connected', deviceId: this.deviceId, clientId: this.clientId, reconnect });
      this.stopPeriod();
      this.timer = setInterval(() => {
        if (client.connected && !this.stopping) this.wire.onPeriod(out, Date.now());
      }, this.options.periodMs);
    };
    // Subscribed before the birth, so a command answering the birth is not missed.
    if (subscriptions.length > 0) client.subscribe(subscriptions, { qos: 0 }, () => birth());
    else birth();
  }

  private onClose(): void {
    this.stopPeriod();
    if (!this.online) return;
    this.online = false;
    if (this.stopping) return;
    this.outageReported = true;
    this.emit({ type: 'disconnected', deviceId: this.deviceId });
  }

  private onError(error: Error): void {
    const code = (error as Partial<ErrorWithReasonCode>).code;
    if (typeof code === 'number' && FINAL_REFUSALS.has(code)) {
      this.settleFirstConnect.reject(error);
      this.emit({ type: 'refused', deviceId: this.deviceId, reason: error.message });
      return;
    }
    if (this.online || this.outageReported || this.stopping) return;
    this.outageReported = true;
    this.emit({ type: 'unreachable', deviceId: this.deviceId, reason: error.message });
  }

  private stopPeriod(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private emit(event: DeviceEvent): void {
    this.options.onEvent?.(event);
  }
}
