/**
 * Issue 13, the broker's part: no PUBACK (QoS 1) or PUBREC (QoS 2) leaves before the reading it
 * answers was handed to the sink and the sink's durable() resolved. Real Aedes through
 * ShowfloorBroker on a free loopback port; the sink's durable() is held by the test; the publisher
 * is a raw MQTT socket (mqtt-packet), so every acknowledgement is seen as it arrives.
 *
 * "Not seen yet" is asserted after the broker has demonstrably served other work since the publish:
 * a PINGREQ/PINGRESP round trip on a second connection, and the sink already holding the reading.
 */
import { connect as connectTcp, type Socket } from 'node:net';
import mqtt, { type MqttClient } from 'mqtt';
import mqttPacket, { type Packet } from 'mqtt-packet';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BrokerSink, DevicePublish } from '../../broker/brokerEvents';
import { ShowfloorBroker } from '../../broker/ShowfloorBroker';
import { BOOTH_A, testSettings } from '../support/showfloor';
import { waitFor } from '../support/waitFor';

/** One durable() call and what the sink held when it was made. */
interface DurableCall {
  readingsBefore: number;
  resolve: () => void;
  reject: (error: Error) => void;
}

/** A sink whose durability the test decides, call by call. */
class HeldSink implements BrokerSink {
  readonly readings: DevicePublish[] = [];
  readonly durableCalls: DurableCall[] = [];

  devicePublish(message: DevicePublish): void {
    this.readings.push(message);
  }

  connectionClosed(): void {}

  durable(): Promise<void> {
    return new Promise((resolve, reject) => this.durableCalls.push({ readingsBefore: this.readings.length, resolve, reject }));
  }

  reset(): void {
    for (const call of this.durableCalls) call.resolve();
    this.readings.length = 0;
    this.durableCalls.length = 0;
  }
}

/** A device speaking MQTT 3.1.1 packet by packet; what the broker sends back is kept in arrival order. */
class RawDevice {
  readonly received: Packet[] = [];
  private constructor(private readonly socket: Socket) {}

  static async connect(port: number, clientId: string, extra: Partial<mqttPacket.IConnectPacket> = {}): Promise<RawDevice> {
    const socket = connectTcp(port, '127.0.0.1');
    const device = new RawDevice(socket);
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    parser.on('packet', (packet) => device.received.push(packet));
    socket.on('data', (data) => parser.parse(data));
    socket.on('error', () => undefined);
    device.send({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 4,
      clean: true,
      clientId,
      keepalive: 60,
      username: BOOTH_A.id,
      password: Buffer.from(BOOTH_A.password),
      ...extra,
    });
    await waitFor(() => device.received.some((p) => p.cmd === 'connack' && p.returnCode === 0));
    return device;
  }

  /** Several packets in one write, so Aedes parses them from one socket chunk. */
  send(...packets: Packet[]): void {
    this.socket.write(Buffer.concat(packets.map((p) => mqttPacket.generate(p))));
  }

  acks(cmd: 'puback' | 'pubrec'): number[] {
    return this.received.flatMap((p) => (p.cmd === cmd && p.messageId !== undefined ? [p.messageId] : []));
  }

  /** Cut the connection without DISCONNECT, so a will is published. */
  drop(): void {
    this.socket.destroy();
  }

  end(): void {
    this.socket.end();
  }
}

function reading(device: string, seq: number, qos: 0 | 1 | 2, messageId?: number, retain = false): mqttPacket.IPublishPacket {
  return {
    cmd: 'publish',
    topic: `booth/${BOOTH_A.id}/${device}/telemetry`,
    payload: Buffer.from(JSON.stringify({ ts: Date.now(), values: { seq } })),
    qos,
    ...(messageId !== undefined ? { messageId } : {}),
    retain,
    dup: false,
  };
}

const sink = new HeldSink();
let broker: ShowfloorBroker;
let port: number;
/** The second connection whose round trip shows the broker has moved on. */
let bystander: RawDevice;
const open: RawDevice[] = [];

/** A PINGREQ/PINGRESP round trip on another connection: every event the broker had queued before it was served. */
async function brokerServedOthers(): Promise<void> {
  const before = bystander.received.filter((p) => p.cmd === 'pingresp').length;
  bystander.send({ cmd: 'pingreq' });
  await waitFor(() => bystander.received.filter((p) => p.cmd === 'pingresp').length > before);
}

async function device(clientId: string, extra: Partial<mqttPacket.IConnectPacket> = {}): Promise<RawDevice> {
  const d = await RawDevice.connect(port, clientId, extra);
  open.push(d);
  return d;
}

beforeAll(async () => {
  // Two readings a second per device: the rate limit is hit within one test.
  const { file } = testSettings({ booths: [BOOTH_A], yaml: 'mqtt:\n  messagesPerSecondPerDevice: 2\n' });
  broker = await ShowfloorBroker.start({
    booths: file.booths,
    maxPacketBytes: file.mqtt.maxPacketBytes,
    maxRetainedTopicsPerBooth: 100,
    limits: file.mqtt,
    budgets: file.budgets,
    sink,
  });
  port = await broker.listenTcp(0, '127.0.0.1');
  bystander = await RawDevice.connect(port, 'bystander');
});

afterEach(() => {
  for (const d of open.splice(0)) d.end();
  sink.reset();
});

afterAll(async () => {
  bystander.end();
  await broker.close();
});

describe('QoS 1', () => {
  it('sends no PUBACK before the reading is in the sink and durable, and sends it right after', async () => {
    const d = await device('dev-1');
    d.send(reading('dev-1', 1, 1, 7));
    const call = await waitFor(() => sink.durableCalls[0]);
    // durable() was asked after the sink had the reading, so it covers it.
    expect(call.readingsBefore).toBe(1);
    expect(sink.readings[0]?.topic).toBe(`booth/${BOOTH_A.id}/dev-1/telemetry`);
    await brokerServedOthers();
    expect(d.acks('puback')).toEqual([]);

    call.resolve();
    await waitFor(() => d.acks('puback').length === 1);
    expect(d.acks('puback')).toEqual([7]);
  });

  it('acknowledges in the order the publishes arrived, whatever order durability comes in [MQTT-4.6.0-2]', async () => {
    const d = await device('dev-2');
    d.send(reading('dev-2', 1, 1, 1), reading('dev-2', 2, 1, 2));
    await waitFor(() => sink.durableCalls.length === 2);
    expect(sink.readings.map((r) => JSON.parse(r.payload.toString()) as { values: { seq: number } }).map((r) => r.values.seq)).toEqual([1, 2]);

    sink.durableCalls[1]!.resolve();
    await brokerServedOthers();
    expect(d.acks('puback')).toEqual([]);

    sink.durableCalls[0]!.resolve();
    await waitFor(() => d.acks('puback').length === 2);
    expect(d.acks('puback')).toEqual([1, 2]);
  });

  it('acknowledges anyway when durability fails (a spool disk error), and the connection stays up', async () => {
    const d = await device('dev-3');
    d.send(reading('dev-3', 1, 1, 3));
    const call = await waitFor(() => sink.durableCalls[0]);
    call.reject(new Error('ENOSPC'));
    await waitFor(() => d.acks('puback').length === 1);
    d.send(reading('dev-3', 2, 1, 4));
    const second = await waitFor(() => sink.durableCalls[1]);
    second.resolve();
    await waitFor(() => d.acks('puback').length === 2);
    expect(d.acks('puback')).toEqual([3, 4]);
  });

  it('forwards and retains only after the hold, exactly as before', async () => {
    const subscriber: MqttClient = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
      username: BOOTH_A.id,
      password: BOOTH_A.password,
      clientId: 'subscriber',
      reconnectPeriod: 0,
    });
    try {
      const messages: { topic: string; retain: boolean }[] = [];
      subscriber.on('message', (topic, _payload, packet) => messages.push({ topic, retain: packet.retain }));
      await subscriber.subscribeAsync('dev-4/#', { qos: 1 });
      const d = await device('dev-4');
      // The mount: a device's topic outside booth/{id}/ arrives as booth/{id}/raw/… and is delivered back as sent.
      d.send({ ...reading('dev-4', 1, 1, 5, true), topic: 'dev-4/state' });
      const call = await waitFor(() => sink.durableCalls[0]);
      await brokerServedOthers();
      expect(messages).toEqual([]);
      call.resolve();
      await waitFor(() => messages.length === 1);
      expect(messages[0]).toEqual({ topic: 'dev-4/state', retain: false });
      expect(broker.retainedTopicCount(BOOTH_A.id)).toBe(1);

      // A new subscriber gets the retained message: Aedes stored it after the PUBACK.
      const late = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
        username: BOOTH_A.id,
        password: BOOTH_A.password,
        clientId: 'late',
        reconnectPeriod: 0,
      });
      const retained: boolean[] = [];
      late.on('message', (_topic, _payload, packet) => retained.push(packet.retain));
      await late.subscribeAsync('dev-4/#', { qos: 1 });
      await waitFor(() => retained.length === 1);
      expect(retained).toEqual([true]);
      await late.endAsync();
    } finally {
      await subscriber.endAsync();
    }
  });

  it('acknowledges a rate-limited publish in its turn, and it reaches neither the sink nor a subscriber', async () => {
    const subscriber = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
      username: BOOTH_A.id,
      password: BOOTH_A.password,
      clientId: 'watcher',
      reconnectPeriod: 0,
    });
    try {
      const seen: number[] = [];
      subscriber.on('message', (_topic, payload) => seen.push((JSON.parse(payload.toString()) as { values: { seq: number } }).values.seq));
      await subscriber.subscribeAsync(`booth/${BOOTH_A.id}/dev-5/#`, { qos: 1 });
      const d = await device('dev-5');
      // Two a second: the third and fourth are declined at admit.
      d.send(reading('dev-5', 1, 1, 11), reading('dev-5', 2, 1, 12), reading('dev-5', 3, 1, 13), reading('dev-5', 4, 1, 14));
      await waitFor(() => sink.durableCalls.length === 2);
      await brokerServedOthers();
      // The declined ones wait their turn behind the held ones [MQTT-4.6.0-2].
      expect(d.acks('puback')).toEqual([]);
      for (const call of sink.durableCalls) call.resolve();
      await waitFor(() => d.acks('puback').length === 4);
      expect(d.acks('puback')).toEqual([11, 12, 13, 14]);
      await waitFor(() => seen.length === 2);
      await brokerServedOthers();
      expect(seen).toEqual([1, 2]);
      expect(sink.readings).toHaveLength(2);
      expect(sink.durableCalls).toHaveLength(2);
    } finally {
      await subscriber.endAsync();
    }
  });
});

describe('QoS 2', () => {
  it('sends no PUBREC before the reading is in the sink and durable', async () => {
    const d = await device('dev-6');
    d.send(reading('dev-6', 1, 2, 21));
    const call = await waitFor(() => sink.durableCalls[0]);
    expect(call.readingsBefore).toBe(1);
    await brokerServedOthers();
    expect(d.acks('pubrec')).toEqual([]);
    call.resolve();
    await waitFor(() => d.acks('pubrec').length === 1);
    expect(d.acks('pubrec')).toEqual([21]);
    d.send({ cmd: 'pubrel', messageId: 21 });
    await waitFor(() => d.received.some((p) => p.cmd === 'pubcomp'));
  });
});

describe('not held', () => {
  it('QoS 0 reaches the sink without waiting for durability', async () => {
    const d = await device('dev-7');
    d.send(reading('dev-7', 1, 0));
    await waitFor(() => sink.readings.length === 1);
    expect(sink.durableCalls).toEqual([]);
  });

  it('QoS 0 and QoS 1 of one chunk reach the sink in the order they arrived (a retained QoS 0 state, then a QoS 1 reading)', async () => {
    const d = await device('dev-9');
    // A device id each: the per-device rate limit would otherwise decline the later ones.
    d.send(reading('dev-9a', 1, 0, undefined, true), reading('dev-9b', 2, 1, 9), reading('dev-9c', 3, 0, undefined, true), reading('dev-9d', 4, 1, 10));
    // Durability comes as soon as it is asked for: the order under test is the sink's, not the acknowledgements'.
    await waitFor(() => {
      for (const call of sink.durableCalls) call.resolve();
      return sink.readings.length === 4 && d.acks('puback').length === 2;
    });
    expect(sink.readings.map((r) => (JSON.parse(r.payload.toString()) as { values: { seq: number } }).values.seq)).toEqual([1, 2, 3, 4]);
  });

  it('a QoS 1 will reaches the sink without waiting for durability', async () => {
    const d = await device('dev-8', { will: { topic: `booth/${BOOTH_A.id}/dev-8/status`, payload: Buffer.from('{"online":false}'), qos: 1, retain: false } });
    d.drop();
    await waitFor(() => sink.readings.some((r) => r.fromWill));
    expect(sink.durableCalls).toEqual([]);
  });
});
