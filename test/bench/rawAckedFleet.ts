/**
 * The bench's light load generator for QoS 1 (issue 13's spool step): the same devices, topics,
 * payloads and counting as test/support/ackedFleet.ts, without MQTT.js. Each device is one TCP
 * connection that sends CONNECT (built by mqtt-packet, the library MQTT.js and Aedes use), writes
 * its PUBLISH packets itself, all of one pacer tick in one socket write, and reads PUBACKs by packet
 * identifier. Why: at 40,000 QoS 1 readings/s MQTT.js in the bench process cost about as much CPU
 * per reading as the whole server (its store, a debug call and a nextTick per packet), and bench and
 * server share two cores, so the ladder measured the generator as much as the server.
 *
 * What is judged does not change: a reading counts as acknowledged only when its PUBACK arrived
 * [MQTT-3.4], one sequence per device, and the step counts every seq in InfluxDB.
 */
import { connect, type Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import mqttPacket from 'mqtt-packet';
import { SeqSet, type AckedRun, type AckedRunPlan, type FleetLogin, MAX_IN_FLIGHT_PER_DEVICE, TICK_MS } from '../support/ackedFleet';

/** MQTT control packet types, first byte of the fixed header [MQTT-2.2.1]. */
const CONNACK = 0x20;
const PUBACK = 0x40;
/** PUBLISH, QoS 1, no DUP, no RETAIN [MQTT-3.3.1]. */
const PUBLISH_QOS1 = 0x32;
const PINGREQ = Buffer.from([0xc0, 0x00]);
const DISCONNECT = Buffer.from([0xe0, 0x00]);
const KEEPALIVE_SECONDS = 60;
/** Packet identifiers are 16 bits and never 0 [MQTT-2.3.1-1]. */
const PACKET_IDS = 65_535;
/** Longest payload written: `{"ts":<13 digits>,"seq":<up to 10 digits>}`. */
const MAX_PAYLOAD_BYTES = 48;

class RawDevice {
  readonly acked = new SeqSet();
  nextSeq = 0;
  lastTs = 0;
  inFlight = 0;
  connected = true;
  /** Publishes of the current pacer tick, written together. */
  due = 0;
  private nextPacketId = 1;
  /** The seq each packet identifier carries while it waits for its PUBACK; -1 when free. */
  private readonly seqOfPacket = new Int32Array(PACKET_IDS + 1).fill(-1);
  private readonly topic: Buffer;
  private leftover: Buffer | null = null;
  private readonly pinger: NodeJS.Timeout;

  constructor(
    readonly id: string,
    private readonly socket: Socket,
    booth: string,
  ) {
    this.topic = Buffer.from(`booth/${booth}/${id}/telemetry`);
    socket.on('data', (chunk: Buffer) => this.read(chunk));
    socket.on('close', () => {
      this.connected = false;
      clearInterval(this.pinger);
    });
    socket.on('error', () => undefined);
    // A keepalive of 60 s needs a packet at least that often [MQTT-3.1.2-23]; publishes count, but a settle may be quiet.
    this.pinger = setInterval(() => this.connected && socket.write(PINGREQ), (KEEPALIVE_SECONDS * 1000) / 2).unref();
  }

  static async open(url: URL, login: FleetLogin, id: string): Promise<RawDevice> {
    const socket = connect({ host: url.hostname, port: Number(url.port || 1883), noDelay: true });
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${id}: no CONNACK within 10 s`)), 10_000);
        socket.once('error', reject);
        let received = Buffer.alloc(0);
        const onData = (chunk: Buffer): void => {
          received = Buffer.concat([received, chunk]);
          if (received.length < 4) return;
          socket.off('data', onData);
          clearTimeout(timer);
          socket.off('error', reject);
          // CONNACK: 0x20 0x02 flags returnCode; 0 is accepted [MQTT-3.2.2.3].
          if (received[0] !== CONNACK || received[3] !== 0) reject(new Error(`${id}: CONNACK refused (return code ${received[3]})`));
          else if (received.length > 4) reject(new Error(`${id}: data after CONNACK before any publish`));
          else resolve();
        };
        socket.on('data', onData);
        socket.write(
          mqttPacket.generate({
            cmd: 'connect',
            protocolId: 'MQTT',
            protocolVersion: 4,
            clean: true,
            clientId: id,
            keepalive: KEEPALIVE_SECONDS,
            username: login.booth,
            password: Buffer.from(login.password),
          }),
        );
      });
    } catch (error) {
      socket.destroy();
      throw error;
    }
    return new RawDevice(id, socket, login.booth);
  }

  /** Writes this tick's `due` publishes in one socket write. */
  flush(): void {
    const count = this.due;
    this.due = 0;
    if (count === 0) return;
    const packetBytes = 1 + 4 + 2 + this.topic.length + 2 + MAX_PAYLOAD_BYTES;
    const buffer = Buffer.allocUnsafe(count * packetBytes);
    let at = 0;
    for (let i = 0; i < count; i++) {
      const packetId = this.nextPacketId;
      if (this.seqOfPacket[packetId] !== -1) break; // 65,535 in flight: never with MAX_IN_FLIGHT_PER_DEVICE
      this.nextPacketId = packetId === PACKET_IDS ? 1 : packetId + 1;
      const seq = this.nextSeq++;
      const ts = Math.max(Date.now(), this.lastTs + 1);
      this.lastTs = ts;
      this.seqOfPacket[packetId] = seq;
      this.inFlight++;
      const payload = `{"ts":${ts},"seq":${seq}}`;
      const remaining = 2 + this.topic.length + 2 + payload.length;
      buffer[at++] = PUBLISH_QOS1;
      // Remaining length, 7 bits a byte, low first [MQTT-2.2.3].
      let length = remaining;
      do {
        let byte = length & 0x7f;
        length >>>= 7;
        if (length > 0) byte |= 0x80;
        buffer[at++] = byte;
      } while (length > 0);
      at = buffer.writeUInt16BE(this.topic.length, at);
      at += this.topic.copy(buffer, at);
      at = buffer.writeUInt16BE(packetId, at);
      at += buffer.write(payload, at, 'latin1');
    }
    this.socket.write(buffer.subarray(0, at));
  }

  close(): Promise<void> {
    if (!this.connected) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.socket.destroy(), 2_000);
      this.socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      this.socket.end(DISCONNECT);
    });
  }

  /** PUBACKs (and PINGRESPs, ignored) from the broker, however the stream cuts them. */
  private read(chunk: Buffer): void {
    const data = this.leftover ? Buffer.concat([this.leftover, chunk]) : chunk;
    this.leftover = null;
    let at = 0;
    while (at < data.length) {
      const start = at;
      const type = data[at++]!;
      let remaining = 0;
      let shift = 0;
      let byte = 0x80;
      while ((byte & 0x80) !== 0 && at < data.length) {
        byte = data[at++]!;
        remaining |= (byte & 0x7f) << shift;
        shift += 7;
      }
      if ((byte & 0x80) !== 0 || at + remaining > data.length) {
        this.leftover = data.subarray(start);
        return;
      }
      if (type === PUBACK && remaining === 2) this.acknowledged(data.readUInt16BE(at));
      at += remaining;
    }
  }

  private acknowledged(packetId: number): void {
    const seq = this.seqOfPacket[packetId]!;
    if (seq < 0) return; // not ours, or acknowledged twice: counted once
    this.seqOfPacket[packetId] = -1;
    this.inFlight--;
    this.acked.add(seq);
  }
}

export class RawAckedFleet {
  private constructor(private readonly devices: RawDevice[]) {}

  /** `count` devices `${prefix}-d{i}`, each with its own connection. */
  static async connect(url: string, login: FleetLogin, prefix: string, count: number): Promise<RawAckedFleet> {
    const parsed = new URL(url);
    const devices: RawDevice[] = [];
    try {
      for (let i = 0; i < count; i++) devices.push(await RawDevice.open(parsed, login, `${prefix}-d${i}`));
    } catch (error) {
      await Promise.all(devices.map((d) => d.close()));
      throw error;
    }
    return new RawAckedFleet(devices);
  }

  get acked(): number {
    return this.devices.reduce((sum, d) => sum + d.acked.size, 0);
  }

  get published(): number {
    return this.devices.reduce((sum, d) => sum + d.nextSeq, 0);
  }

  /** The same pacing as AckedFleet.run: the schedule's readings go round the devices; a device at its in-flight bound skips. */
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
        if (!device.connected || device.inFlight + device.due >= MAX_IN_FLIGHT_PER_DEVICE) {
          skipped++;
          continue;
        }
        device.due++;
      }
      for (const device of this.devices) device.flush();
      await delay(TICK_MS);
    }
    return { published: this.published - publishedBefore, acked: this.acked - ackedBefore, skipped, durationMs: Date.now() - startedAt };
  }

  /** Resolves once nothing is in flight on a live connection, or after `timeoutMs`. */
  async settle(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && this.devices.some((d) => d.connected && d.inFlight > 0)) await delay(20);
  }

  async close(): Promise<void> {
    await Promise.all(this.devices.map((d) => d.close()));
  }
}
