/**
 * The simulated devices: a few MQTT.js connections, each publishing for several devices the way a
 * booth gateway does, QoS 0, paced to an offered rate (or as fast as the broker reads). Timestamps
 * are strictly increasing per device, because InfluxDB keeps one point per series and instant.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import mqtt, { type MqttClient } from 'mqtt';

export interface GatewayLogin {
  booth: string;
  username?: string;
  password?: string;
}

export interface PublishPlan {
  /** Device ids are `${devicePrefix}-g{gateway}-d{device}`, so each run's readings can be counted apart. */
  devicePrefix: string;
  /** Readings per second across the fleet; Infinity publishes as fast as the sockets drain. */
  ratePerSecond: number;
  durationMs: number;
  /**
   * Keeps the fleet at most `max` readings ahead of what a receiver has counted. Without it a flood
   * parks megabytes in loopback socket buffers, and "published" says nothing about throughput.
   */
  inFlightLimit?: { max: number; delivered: () => number };
  signal?: AbortSignal;
}

export interface PublishRun {
  devicePrefix: string;
  offeredPerSecond: number | null;
  published: number;
  durationMs: number;
  achievedPerSecond: number;
  /** Lowest and highest reading timestamp sent, epoch ms: the run's time range in InfluxDB. */
  firstTs: number;
  lastTs: number;
  /** Pauses because a gateway's socket buffer was full: the broker was not reading fast enough. */
  backpressurePauses: number;
  /** Readings the schedule asked for but never sent because the fleet fell too far behind. */
  shortfall: number;
  /** Gateways whose connection closed during the run; their readings stop, so the run is not valid. */
  lostGateways: number;
}

interface DrainableStream {
  writableNeedDrain?: boolean;
  once(event: 'drain', listener: () => void): unknown;
  removeListener(event: 'drain', listener: () => void): unknown;
}

/** How often the pacer wakes up; small enough that readings are not bunched into visible bursts. */
const PACER_TICK_MS = 2;
/** A fleet further behind its schedule than this gives up the difference rather than bursting to catch up. */
const MAX_SCHEDULE_LAG_S = 0.25;
/** Readings per wake-up when flooding; bounded so sockets and timers are still serviced. */
const FLOOD_BATCH = 2000;
const DRAIN_WAIT_MS = 100;

export class GatewayFleet {
  private lost = 0;
  private liveCount = 0;

  private constructor(
    private readonly gateways: { client: MqttClient; booth: string }[],
    readonly devicesPerGateway: number,
  ) {
    for (const gateway of gateways) gateway.client.on('close', () => this.lost++);
  }

  static async connect(url: string, logins: readonly GatewayLogin[], devicesPerGateway: number): Promise<GatewayFleet> {
    const clients: MqttClient[] = [];
    const connecting = Promise.all(
      logins.map(async (login, index) => {
        const client = mqtt.connect(url, {
          ...(login.username !== undefined ? { username: login.username, password: login.password } : {}),
          // The broker binds client ids to the booth: `{booth}-…`.
          clientId: `${login.booth}-gw-${index}-${process.pid}`,
          protocolVersion: 4,
          clean: true,
          reconnectPeriod: 0,
          connectTimeout: 10_000,
          keepalive: 60,
          // A reading that cannot be sent is lost, as on a real gateway, not replayed later.
          queueQoSZero: false,
        });
        clients.push(client);
        await new Promise<void>((resolve, reject) => {
          client.once('connect', () => resolve());
          client.once('error', reject);
          client.once('close', () => reject(new Error(`gateway ${index} closed before CONNACK`)));
        });
        client.on('error', () => undefined);
        return { client, booth: login.booth };
      }),
    );
    try {
      return new GatewayFleet(await connecting, devicesPerGateway);
    } catch (error) {
      // The gateways that did connect would otherwise keep the bench alive.
      await Promise.all(clients.map((client) => client.endAsync(true).catch(() => undefined)));
      throw error;
    }
  }

  get deviceCount(): number {
    return this.gateways.length * this.devicesPerGateway;
  }

  /** Readings published so far by the run in progress; read by samplers while it runs. */
  get publishedInCurrentRun(): number {
    return this.liveCount;
  }

  async run(plan: PublishPlan): Promise<PublishRun> {
    const gatewayCount = this.gateways.length;
    const deviceCount = this.deviceCount;
    // Device d belongs to gateway d % gatewayCount, so consecutive readings spread over all sockets.
    const topics = Array.from({ length: deviceCount }, (_, d) => {
      const gateway = d % gatewayCount;
      const device = Math.floor(d / gatewayCount);
      return `booth/${this.gateways[gateway]!.booth}/${plan.devicePrefix}-g${gateway}-d${device}/telemetry`;
    });
    const lastTs = new Float64Array(deviceCount);
    const flooding = !Number.isFinite(plan.ratePerSecond);
    const lostAtStart = this.lost;
    let published = 0;
    let shortfall = 0;
    let backpressurePauses = 0;
    let cursor = 0;
    let firstTs = Number.POSITIVE_INFINITY;
    let maxTs = 0;
    this.liveCount = 0;

    const startedAt = performance.now();
    for (;;) {
      const elapsedMs = performance.now() - startedAt;
      if (elapsedMs >= plan.durationMs || plan.signal?.aborted) break;
      let due: number;
      if (flooding) {
        due = FLOOD_BATCH;
      } else {
        due = Math.floor((plan.ratePerSecond * elapsedMs) / 1000) - published - shortfall;
        const maxLag = Math.ceil(plan.ratePerSecond * MAX_SCHEDULE_LAG_S);
        if (due > maxLag) {
          shortfall += due - maxLag;
          due = maxLag;
        }
      }
      if (plan.inFlightLimit) {
        const room = plan.inFlightLimit.max - (published - plan.inFlightLimit.delivered());
        if (room <= 0) {
          await delay(1);
          continue;
        }
        due = Math.min(due, room);
      }
      const now = Date.now();
      let blockedOn: DrainableStream | undefined;
      for (let i = 0; i < due; i++) {
        const gateway = this.gateways[cursor % gatewayCount]!;
        const stream = gateway.client.stream as unknown as DrainableStream;
        if (stream.writableNeedDrain) {
          blockedOn = stream;
          break;
        }
        if (!gateway.client.connected) {
          // The run is already invalid (lostGateways); skip the device rather than stall the others.
          cursor = (cursor + 1) % deviceCount;
          continue;
        }
        const ts = Math.max(now, lastTs[cursor]! + 1);
        lastTs[cursor] = ts;
        if (ts < firstTs) firstTs = ts;
        if (ts > maxTs) maxTs = ts;
        const reading = published % 1000;
        gateway.client.publish(topics[cursor]!, `{"ts":${ts},"temperature":${20 + reading / 100},"humidity":${40 + (reading % 200) / 10}}`);
        published++;
        this.liveCount = published;
        cursor = (cursor + 1) % deviceCount;
      }
      if (blockedOn) {
        backpressurePauses++;
        await waitForDrain(blockedOn, DRAIN_WAIT_MS);
      } else if (flooding) {
        await new Promise<void>((resolve) => setImmediate(resolve));
      } else {
        await delay(PACER_TICK_MS);
      }
    }
    const durationMs = performance.now() - startedAt;
    return {
      devicePrefix: plan.devicePrefix,
      offeredPerSecond: flooding ? null : plan.ratePerSecond,
      published,
      durationMs: Math.round(durationMs),
      achievedPerSecond: Math.round((published * 1000) / durationMs),
      firstTs: published > 0 ? firstTs : 0,
      lastTs: maxTs,
      backpressurePauses,
      shortfall,
      lostGateways: this.lost - lostAtStart,
    };
  }

  async close(): Promise<void> {
    await Promise.all(this.gateways.map(({ client }) => client.endAsync(true).catch(() => undefined)));
  }
}

function waitForDrain(stream: DrainableStream, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      stream.removeListener('drain', done);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    stream.once('drain', done);
  });
}
