/**
 * Devices that publish QoS 1 readings carrying a per-device sequence number (`seq`) and remember
 * which ones the broker acknowledged (issue 13's proofs: spoolCrash.test.ts, `npm run soak:outage`,
 * the bench's `spool` step). One MQTT.js connection per device, as stock devices connect; MQTT.js
 * calls a QoS 1 publish's callback without an error only on its PUBACK.
 *
 * Timestamps are strictly increasing per device (ms), so each seq is one InfluxDB point, and a
 * replayed duplicate overwrites it (same series and instant) rather than adding a second one.
 */
import { setTimeout as delay } from 'node:timers/promises';
import mqtt, { type MqttClient } from 'mqtt';

export interface FleetLogin {
  booth: string;
  password: string;
}

export interface AckedRunPlan {
  /** Readings per second across the fleet. */
  ratePerSecond: number;
  /** Stops after this long, or when `signal` aborts, whichever comes first. */
  durationMs: number;
  signal?: AbortSignal;
}

export interface AckedRun {
  published: number;
  acked: number;
  /** Readings the schedule asked for and the fleet did not send: a device at its in-flight bound, or disconnected. */
  skipped: number;
  durationMs: number;
}

/** The pacer's wake-up interval. */
export const TICK_MS = 5;
/**
 * Unacknowledged publishes per device before it skips readings: MQTT.js keeps each one until its
 * PUBACK, and does not bound that itself. A real device's buffer is as finite.
 */
export const MAX_IN_FLIGHT_PER_DEVICE = 2000;

/** Which seqs of one device were acknowledged: a bitset grown on demand (a soak acknowledges millions). */
export class SeqSet {
  private bits = new Uint8Array(1024);
  size = 0;

  add(seq: number): void {
    const byte = seq >> 3;
    if (byte >= this.bits.length) {
      const grown = new Uint8Array(Math.max(this.bits.length * 2, byte + 1));
      grown.set(this.bits);
      this.bits = grown;
    }
    const mask = 1 << (seq & 7);
    if ((this.bits[byte]! & mask) === 0) {
      this.bits[byte]! |= mask;
      this.size++;
    }
  }

  has(seq: number): boolean {
    const byte = seq >> 3;
    return byte < this.bits.length && (this.bits[byte]! & (1 << (seq & 7))) !== 0;
  }
}

export interface FleetDevice {
  id: string;
  client: MqttClient;
  /** The next seq to publish: seqs 0 … nextSeq-1 were published. */
  nextSeq: number;
  lastTs: number;
  inFlight: number;
  acked: SeqSet;
}

export class AckedFleet {
  private constructor(
    readonly booth: string,
    readonly devices: FleetDevice[],
  ) {}

  /** `count` devices `${prefix}-d{i}`, each with its own connection. */
  static async connect(url: string, login: FleetLogin, prefix: string, count: number): Promise<AckedFleet> {
    const devices: FleetDevice[] = [];
    try {
      for (let i = 0; i < count; i++) {
        const id = `${prefix}-d${i}`;
        const client = await mqtt.connectAsync(url, {
          username: login.booth,
          password: login.password,
          clientId: id,
          protocolVersion: 4,
          clean: true,
          reconnectPeriod: 0,
          connectTimeout: 10_000,
          keepalive: 60,
        });
        client.on('error', () => undefined);
        devices.push({ id, client, nextSeq: 0, lastTs: 0, inFlight: 0, acked: new SeqSet() });
      }
    } catch (error) {
      await Promise.all(devices.map((d) => d.client.endAsync(true).catch(() => undefined)));
      throw error;
    }
    return new AckedFleet(login.booth, devices);
  }

  get acked(): number {
    return this.devices.reduce((sum, d) => sum + d.acked.size, 0);
  }

  get published(): number {
    return this.devices.reduce((sum, d) => sum + d.nextSeq, 0);
  }

  /** Readings published and not (yet) acknowledged, over the fleet. */
  get inFlight(): number {
    return this.devices.reduce((sum, d) => sum + d.inFlight, 0);
  }

  async run(plan: AckedRunPlan): Promise<AckedRun> {
    const startedAt = Date.now();
    const publishedBefore = this.published;
    const ackedBefore = this.acked;
    let due = 0;
    let skipped = 0;
    let cursor = 0;
    let scheduled = 0;
    while (Date.now() - startedAt < plan.durationMs && !plan.signal?.aborted) {
      const target = Math.floor((plan.ratePerSecond * (Date.now() - startedAt)) / 1000);
      due += target - scheduled;
      scheduled = target;
      for (; due > 0; due--) {
        const device = this.devices[cursor]!;
        cursor = (cursor + 1) % this.devices.length;
        if (!device.client.connected || device.inFlight >= MAX_IN_FLIGHT_PER_DEVICE) {
          skipped++;
          continue;
        }
        this.publish(device);
      }
      await delay(TICK_MS);
    }
    return { published: this.published - publishedBefore, acked: this.acked - ackedBefore, skipped, durationMs: Date.now() - startedAt };
  }

  /** Resolves once nothing is in flight on a live connection, or after `timeoutMs`. */
  async settle(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && this.devices.some((d) => d.client.connected && d.inFlight > 0)) await delay(20);
  }

  async close(): Promise<void> {
    await Promise.all(this.devices.map((d) => d.client.endAsync(true).catch(() => undefined)));
  }

  private publish(device: FleetDevice): void {
    const seq = device.nextSeq++;
    const ts = Math.max(Date.now(), device.lastTs + 1);
    device.lastTs = ts;
    device.inFlight++;
    device.client.publish(`booth/${this.booth}/${device.id}/telemetry`, `{"ts":${ts},"seq":${seq}}`, { qos: 1 }, (error) => {
      device.inFlight--;
      if (!error) device.acked.add(seq);
    });
  }
}

/** What InfluxDB holds of one device's seqs, against what was acknowledged. */
export interface DeviceTally {
  device: string;
  acked: number;
  /** Acknowledged seqs InfluxDB does not hold. */
  lost: number;
  /** Points stored for this device, and distinct seqs among them: equal when every seq is there once. */
  points: number;
  distinctSeqs: number;
}

/** Runs InfluxQL on a 1.x server; rows of every series of the first statement. */
type InfluxQuery = (statement: string) => Promise<unknown[][]>;

export function influxQuery(url: string, database: string): InfluxQuery {
  return async (statement) => {
    const params = new URLSearchParams({ db: database, epoch: 'ms', q: statement });
    const response = await fetch(`${url}/query?${params.toString()}`, { signal: AbortSignal.timeout(60_000) });
    const body = (await response.json()) as unknown;
    const results = (body as { results?: { error?: string; series?: { values?: unknown[][] }[] }[] }).results;
    const error = (body as { error?: string }).error ?? results?.[0]?.error;
    if (!response.ok || error) throw new Error(`InfluxQL ${statement}: ${error ?? `HTTP ${response.status}`}`);
    return (results?.[0]?.series ?? []).flatMap((s) => s.values ?? []);
  };
}

/** Seqs per query window: keeps each answer a few MB however long the run. */
const SEQ_WINDOW = 50_000;

/** Per device: acknowledged seqs missing from InfluxDB, and whether any seq is stored more than once. */
export async function tallyDevices(query: InfluxQuery, fleet: AckedFleet): Promise<DeviceTally[]> {
  const tallies: DeviceTally[] = [];
  for (const device of fleet.devices) {
    const seen = new Uint32Array(device.nextSeq);
    let points = 0;
    for (let from = 0; from < device.nextSeq; from += SEQ_WINDOW) {
      const rows = await query(`SELECT "seq" FROM "telemetry" WHERE "device" = '${device.id}' AND "seq" >= ${from} AND "seq" < ${from + SEQ_WINDOW}`);
      for (const row of rows) {
        const seq = row[1];
        if (typeof seq !== 'number' || seq < 0 || seq >= seen.length) continue;
        seen[seq]!++;
        points++;
      }
    }
    let lost = 0;
    let distinctSeqs = 0;
    for (let seq = 0; seq < device.nextSeq; seq++) {
      if (seen[seq]! > 0) distinctSeqs++;
      if (device.acked.has(seq) && seen[seq] === 0) lost++;
    }
    tallies.push({ device: device.id, acked: device.acked.size, lost, points, distinctSeqs });
  }
  return tallies;
}
