/**
 * The simulated devices: a few MQTT.js connections, each publishing for several devices the way a
 * booth gateway does, QoS 0, paced to an offered rate (or as fast as the broker reads). Timestamps
 * are strictly increasing per device, because InfluxDB keeps one point per series and instant.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import mqtt, { type MqttClient } from 'mqtt';
import sparkplugPayload from 'sparkplug-payload';

/**
 * What the fleet's devices speak (issue 11's adapter step): the native contract
 * (`booth/{id}/{device}/telemetry`, flat JSON), a stock Tasmota's SENSOR telemetry on its own topic,
 * or a Sparkplug B edge node's DDATA on its own topic. The last two go through the broker's mount
 * (`booth/{id}/raw/…`) and the booth's adapters, as a real device would.
 */
export type PayloadShape = 'native' | 'tasmota' | 'sparkplug';

/** The field each shape's temperature is stored under: what the phase counts in InfluxDB. */
export const COUNTED_FIELD: Record<PayloadShape, string> = {
  native: 'temperature',
  // `SI7021.Temperature` flattened by the Tasmota adapter (server/adapters/deviceNames.ts mappedMetricName).
  tasmota: 'si7021_temperature',
  sparkplug: 'temperature',
};

const SPARKPLUG_GROUP = 'bench';
/**
 * Device d of an edge node announces temperature as alias 2d+1 and humidity as 2d+2: aliases are
 * unique across the whole edge node, its devices included ([tck-id-payloads-alias-uniqueness]).
 */
const sparkplugAlias = (device: number, metric: 'temperature' | 'humidity'): number => 2 * device + (metric === 'temperature' ? 1 : 2);

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
  /** Native when absent. A Sparkplug run needs `sparkplugBirth` with the same prefix first. */
  shape?: PayloadShape;
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
  /** Each gateway is one Sparkplug edge node: its `seq`, 0–255, shared by every message it sends. */
  private readonly sparkplugSeq: Uint8Array;

  private constructor(
    private readonly gateways: { client: MqttClient; booth: string }[],
    readonly devicesPerGateway: number,
  ) {
    for (const gateway of gateways) gateway.client.on('close', () => this.lost++);
    this.sparkplugSeq = new Uint8Array(gateways.length);
  }

  /**
   * Sparkplug B sessions for `devicePrefix`: per gateway an NBIRTH (edge node `${prefix}-g{n}`, with
   * its bdSeq) and a DBIRTH per device declaring `temperature` and `humidity` with aliases, so DDATA
   * carries aliases only as Tahu's edge nodes send it ([tck-id-payloads-alias-birth-requirement],
   * [tck-id-payloads-alias-data-cmd-requirement]). The BIRTH values are null (is_null), so births
   * store no readings and the phase counts DDATA alone. Returns the publishes sent.
   */
  sparkplugBirth(devicePrefix: string): number {
    const codec = sparkplugCodec();
    const now = Date.now();
    let sent = 0;
    for (const [index, gateway] of this.gateways.entries()) {
      const edge = `${devicePrefix}-g${index}`;
      this.sparkplugSeq[index] = 0;
      const nbirth = codec.encodePayload({ timestamp: now, seq: this.nextSeq(index), metrics: [{ name: 'bdSeq', type: 'Int64', value: 0 }] });
      gateway.client.publish(`spBv1.0/${SPARKPLUG_GROUP}/NBIRTH/${edge}`, Buffer.from(nbirth));
      sent++;
      for (let device = 0; device < this.devicesPerGateway; device++) {
        const dbirth = codec.encodePayload({
          timestamp: now,
          seq: this.nextSeq(index),
          metrics: (['temperature', 'humidity'] as const).map((name) => ({
            name,
            alias: sparkplugAlias(device, name),
            type: 'Double' as const,
            value: null,
            isNull: true,
          })),
        });
        gateway.client.publish(`spBv1.0/${SPARKPLUG_GROUP}/DBIRTH/${edge}/d${device}`, Buffer.from(dbirth));
        sent++;
      }
    }
    return sent;
  }

  private nextSeq(gateway: number): number {
    const seq = this.sparkplugSeq[gateway]!;
    this.sparkplugSeq[gateway] = (seq + 1) % 256;
    return seq;
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
    const shape = plan.shape ?? 'native';
    const codec = shape === 'sparkplug' ? sparkplugCodec() : null;
    // Device d belongs to gateway d % gatewayCount, so consecutive readings spread over all sockets.
    const topics = Array.from({ length: deviceCount }, (_, d) => {
      const gateway = d % gatewayCount;
      const device = Math.floor(d / gatewayCount);
      switch (shape) {
        case 'native':
          return `booth/${this.gateways[gateway]!.booth}/${plan.devicePrefix}-g${gateway}-d${device}/telemetry`;
        case 'tasmota':
          // The device's own topic; the broker mounts it at booth/{id}/raw/tele/…/SENSOR.
          return `tele/${plan.devicePrefix}-g${gateway}-d${device}/SENSOR`;
        case 'sparkplug':
          return `spBv1.0/${SPARKPLUG_GROUP}/DDATA/${plan.devicePrefix}-g${gateway}/d${device}`;
      }
    });
    const payloadOf = (gatewayIndex: number, deviceIndex: number, ts: number, temperature: number, humidity: number): string | Buffer => {
      switch (shape) {
        case 'native':
          return `{"ts":${ts},"temperature":${temperature},"humidity":${humidity}}`;
        case 'tasmota':
          // tele/<topic>/SENSOR as Tasmota sends it (https://tasmota.github.io/docs/MQTT/, "tele" examples),
          // with the zone SetOption52 adds and milliseconds: one point per reading, since InfluxDB
          // keeps one per series and instant and a bare `Time` would fall back to the receive time.
          return `{"Time":"${new Date(ts).toISOString()}","SI7021":{"Temperature":${temperature},"Humidity":${humidity},"DewPoint":10.2},"TempUnit":"C"}`;
        case 'sparkplug':
          return Buffer.from(
            codec!.encodePayload({
              timestamp: ts,
              seq: this.nextSeq(gatewayIndex),
              metrics: [
                { alias: sparkplugAlias(deviceIndex, 'temperature'), type: 'Double', value: temperature },
                { alias: sparkplugAlias(deviceIndex, 'humidity'), type: 'Double', value: humidity },
              ],
            }),
          );
      }
    };
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
        const gatewayIndex = cursor % gatewayCount;
        const gateway = this.gateways[gatewayIndex]!;
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
        gateway.client.publish(topics[cursor]!, payloadOf(gatewayIndex, Math.floor(cursor / gatewayCount), ts, 20 + reading / 100, 40 + (reading % 200) / 10));
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

function sparkplugCodec(): NonNullable<ReturnType<typeof sparkplugPayload.get>> {
  const codec = sparkplugPayload.get('spBv1.0');
  if (!codec) throw new Error('sparkplug-payload has no spBv1.0 codec');
  return codec;
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
