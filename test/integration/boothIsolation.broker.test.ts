/**
 * Issue 9, the broker's part: one booth cannot hurt another through the MQTT broker, and a booth
 * behind one NAT address is not locked out by the limits meant for password guessers. Real Aedes
 * through the test Showfloor, MQTT.js devices and raw MQTT sockets on loopback, where every client
 * shares the address 127.0.0.1 as a booth behind NAT does.
 */
import { connect as connectTcp } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import mqtt, { type MqttClient } from 'mqtt';
import mqttPacket from 'mqtt-packet';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { DEFAULT_SCRYPT_COST, hashPassword } from '../../broker/passwordHash';
import { startShowfloor, type RunningShowfloor } from '../../server/Showfloor';
import { freePorts } from '../support/ports';
import { BOOTH_A, BOOTH_B, connectDevice, startTestShowfloor, testSettings, type TestShowfloor } from '../support/showfloor';
import { waitFor } from '../support/waitFor';

/** Devices of booth A behind one address; the goal is 500 within 30 s of a restart at default settings. */
const NAT_DEVICES = Number(process.env.BOOTH_NAT_DEVICES ?? 500);
const RECONNECT_BOUND_MS = 30_000;

interface RawConnect {
  username?: string;
  password?: string;
  clientId?: string;
  will?: { topic: string; payload: Buffer; qos: 0; retain: boolean };
}

type RawOutcome = { outcome: 'connack'; returnCode: number; ms: number } | { outcome: 'closed'; ms: number };

/** Sends one CONNECT over a raw socket: the CONNACK's return code, or 'closed' when the socket was cut first; ms from CONNECT to answer. */
function rawConnect(port: number, fields: RawConnect = {}): Promise<RawOutcome> {
  return new Promise((resolve) => {
    const socket = connectTcp(port, '127.0.0.1');
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    let sentAt = 0;
    const finish = (outcome: RawOutcome) => {
      socket.destroy();
      resolve(outcome);
    };
    socket.on('error', () => undefined);
    socket.on('data', (data) => parser.parse(data));
    parser.on('packet', (packet) => {
      if (packet.cmd === 'connack') finish({ outcome: 'connack', returnCode: packet.returnCode ?? -1, ms: performance.now() - sentAt });
    });
    socket.on('close', () => finish({ outcome: 'closed', ms: performance.now() - sentAt }));
    socket.on('connect', () => {
      sentAt = performance.now();
      socket.write(
        mqttPacket.generate({
          cmd: 'connect',
          protocolId: 'MQTT',
          protocolVersion: 4,
          clean: true,
          clientId: fields.clientId ?? `${BOOTH_A.id}-raw-${Math.random().toString(16).slice(2, 10)}`,
          keepalive: 30,
          username: fields.username ?? BOOTH_A.id,
          password: Buffer.from(fields.password ?? BOOTH_A.password),
          ...(fields.will ? { will: fields.will } : {}),
        }),
      );
    });
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function readingsStored(showfloor: RunningShowfloor, booth: string, device: string): number {
  const record = showfloor.state.directory.get(booth, device);
  return record ? (showfloor.state.directory.window(record, 0).find((s) => s.metric === 'n')?.ts.length ?? 0) : 0;
}

describe('a booth behind one address', () => {
  let first: TestShowfloor | undefined;
  let second: TestShowfloor | undefined;
  const devices: MqttClient[] = [];

  afterAll(async () => {
    for (const device of devices) device.end(true);
    await first?.close();
    await second?.close();
  });

  it(`gets all ${NAT_DEVICES} devices back within ${RECONNECT_BOUND_MS / 1000} s of a restart at default settings, while a password guesser from its address is refused at the same pace`, async () => {
    const [httpPort, mqttPort] = (await freePorts(2)) as [number, number];
    first = await startTestShowfloor({ httpPort, mqttPort });
    let connects = 0;
    for (let i = 0; i < NAT_DEVICES; i++) {
      // As devices ship: MQTT.js retries a refused connection every second, without backoff.
      const device = mqtt.connect(first.mqttUrl, {
        username: BOOTH_A.id,
        password: BOOTH_A.password,
        clientId: `${BOOTH_A.id}-nat-${i}`,
        reconnectPeriod: 1000,
        connectTimeout: 30_000,
        keepalive: 60,
      });
      device.on('error', () => undefined); // refusals at the door are retried
      device.on('connect', () => connects++);
      devices.push(device);
    }
    await waitFor(() => connects === NAT_DEVICES, { what: `${NAT_DEVICES} devices connected at the first start`, timeoutMs: RECONNECT_BOUND_MS });

    await first.close();
    await waitFor(() => devices.every((d) => !d.connected), { what: 'every device saw the server go' });
    connects = 0;
    second = await startTestShowfloor({ httpPort, mqttPort });
    const restartedAt = performance.now();
    await waitFor(() => connects === NAT_DEVICES, {
      what: `${NAT_DEVICES} devices back after the restart`,
      timeoutMs: RECONNECT_BOUND_MS + 5000,
      intervalMs: 20,
    });
    const reconnectMs = performance.now() - restartedAt;
    console.info(`[boothIsolation.broker] ${NAT_DEVICES} devices of one booth behind one address reconnected in ${Math.round(reconnectMs)} ms after a restart`);
    expect(reconnectMs).toBeLessThan(RECONNECT_BOUND_MS);
    expect(second.broker.connectedClients).toBe(NAT_DEVICES);
    expect(second.broker.boothConnections(BOOTH_A.id)).toBe(NAT_DEVICES);
    // Nothing of booth A's own budget was exceeded on the way.
    expect(second.state.budgetRefusals.forBooth(BOOTH_A.id).get('booth-connections-budget')).toBeUndefined();

    // The 500 given-back attempts do not fill the bucket beyond its burst: a guesser from the same
    // address gets the burst of 40 and then 20 a second, as before. Wait for a full bucket first.
    await delay(2100);
    const startedAt = performance.now();
    const guesses = await Promise.all(Array.from({ length: 150 }, (_, i) => rawConnect(second!.mqttPort, { password: `guess-${i}` })));
    const elapsedSeconds = (performance.now() - startedAt) / 1000;
    const answered = guesses.filter((g) => g.outcome === 'connack' && g.returnCode === 4).length;
    expect(answered + guesses.filter((g) => g.outcome === 'closed').length).toBe(150);
    expect(answered).toBeGreaterThanOrEqual(40);
    expect(answered).toBeLessThanOrEqual(40 + Math.ceil(20 * elapsedSeconds) + 1);
    // The devices were not disturbed by the guesses.
    expect(second.broker.connectedClients).toBe(NAT_DEVICES);
  }, 120_000);
});

describe('a booth over its connection budget', () => {
  let showfloor: TestShowfloor;
  beforeAll(async () => {
    showfloor = await startTestShowfloor({ yaml: 'budgets:\n  maxConnectionsPerBooth: 3\n' });
  });
  afterAll(async () => {
    await showfloor?.close();
  });

  it('is refused with CONNACK 5, counted against the booth, while another booth from the same address connects', async () => {
    const own: MqttClient[] = [];
    for (let i = 0; i < 3; i++) own.push(await connectDevice(showfloor.mqttUrl, BOOTH_A));
    onTestFinished(() => {
      for (const d of own) d.end(true);
    });
    expect(await rawConnect(showfloor.mqttPort)).toMatchObject({ outcome: 'connack', returnCode: 5 });
    expect(showfloor.state.budgetRefusals.forBooth(BOOTH_A.id).get('booth-connections-budget')).toBe(1);
    expect(showfloor.state.brokerRefusals.get('booth-connections-budget')).toBe(1);

    const other = await connectDevice(showfloor.mqttUrl, BOOTH_B);
    other.end(true);
    // A device reconnecting under its own client id (its old connection not yet seen to drop) takes it over even at the budget.
    const takeover = await rawConnect(showfloor.mqttPort, { clientId: own[0]!.options.clientId! });
    expect(takeover).toMatchObject({ outcome: 'connack', returnCode: 0 });
    await waitFor(() => !own[0]!.connected, { what: 'the old connection taken over' });
    expect(showfloor.state.budgetRefusals.forBooth(BOOTH_A.id).get('booth-connections-budget')).toBe(1);
    // The taken-over connection and the raw one are gone: two of three places held, one free.
    await waitFor(() => showfloor.broker.boothConnections(BOOTH_A.id) === 2, { what: 'the taken-over and the raw connection gone' });
    own.push(await connectDevice(showfloor.mqttUrl, BOOTH_A));
    expect(await rawConnect(showfloor.mqttPort)).toMatchObject({ outcome: 'connack', returnCode: 5 });
    expect(showfloor.state.budgetRefusals.forBooth(BOOTH_A.id).get('booth-connections-budget')).toBe(2);
    // A closed connection gives its place back.
    own.pop()!.end(true);
    await waitFor(() => showfloor.broker.boothConnections(BOOTH_A.id) === 2, { what: 'a device of booth A gone' });
    expect(await rawConnect(showfloor.mqttPort)).toMatchObject({ outcome: 'connack', returnCode: 0 });
    expect(showfloor.state.budgetRefusals.forBooth(BOOTH_B.id).size).toBe(0);
  });
});

describe('readings per second per booth', () => {
  const BOOTH_RATE = 500;
  let showfloor: TestShowfloor;
  beforeAll(async () => {
    showfloor = await startTestShowfloor({ yaml: `budgets:\n  readingsPerSecondPerBooth: ${BOOTH_RATE}\n` });
  });
  afterAll(async () => {
    await showfloor?.close();
  });

  it("drops booth A's flood beyond its booth rate, counted against A, while booth B's QoS 1 readings are acknowledged within a bound and all accepted", async () => {
    const flooder = await connectDevice(showfloor.mqttUrl, BOOTH_A);
    const steady = await connectDevice(showfloor.mqttUrl, BOOTH_B);
    onTestFinished(() => {
      flooder.end(true);
      steady.end(true);
    });

    // 20 devices share the flood, so no device passes its own limit (1000/s): only the booth's catches it.
    const FLOOD = 8000;
    const now = Date.now();
    let flooding = true;
    const flood = (async () => {
      for (let i = 0; i < FLOOD; i++) {
        flooder.publish(`booth/booth-a/flood-${i % 20}/telemetry`, JSON.stringify({ n: i, ts: now - 60_000 + (i % 400) }));
        if (i % 200 === 199) await new Promise((resolve) => setImmediate(resolve)); // let the broker run
      }
      flooding = false;
    })();

    const B_READINGS = 60;
    const ackMs: number[] = [];
    for (let i = 0; i < B_READINGS; i++) {
      const sentAt = performance.now();
      await steady.publishAsync('booth/booth-b/steady-01/telemetry', JSON.stringify({ n: i, ts: now - 200_000 + i * 2000 }), { qos: 1 });
      ackMs.push(performance.now() - sentAt);
    }
    await flood;
    expect(flooding).toBe(false);

    const refusedA = () => showfloor.state.budgetRefusals.forBooth(BOOTH_A.id).get('booth-rate-limited') ?? 0;
    // Every message of the flood was either accepted or refused by the booth's budget.
    await waitFor(() => showfloor.state.ingest.accepted + refusedA() === FLOOD + B_READINGS, { what: 'the flood processed', timeoutMs: 20_000 });
    const acceptedA = FLOOD - refusedA();
    expect(refusedA()).toBeGreaterThan(0);
    // The booth's burst (one second's worth) plus its rate for however long the flood took; generous.
    expect(acceptedA).toBeLessThanOrEqual(BOOTH_RATE * 4);
    expect(showfloor.state.brokerRefusals.get('booth-rate-limited')).toBe(refusedA());
    expect(showfloor.state.brokerRefusals.get('rate-limited')).toBeUndefined();

    // Booth B: nothing refused, every reading accepted, every acknowledgement within a bound.
    expect(showfloor.state.budgetRefusals.forBooth(BOOTH_B.id).size).toBe(0);
    await waitFor(() => readingsStored(showfloor, BOOTH_B.id, 'steady-01') === B_READINGS, { what: "all of booth B's readings in the live window" });
    expect(Math.max(...ackMs)).toBeLessThan(2000);
  }, 60_000);
});

describe('retained bytes per booth', () => {
  let showfloor: TestShowfloor;
  beforeAll(async () => {
    showfloor = await startTestShowfloor({ yaml: 'budgets:\n  maxRetainedBytesPerBooth: 1024\n' });
  });
  afterAll(async () => {
    await showfloor?.close();
  });

  it('retains up to the bytes budget, drops the retain flag past it but delivers the message, and gives bytes back on replace and clear', async () => {
    const device = await connectDevice(showfloor.mqttUrl, BOOTH_A);
    const live = await connectDevice(showfloor.mqttUrl, BOOTH_A);
    const other = await connectDevice(showfloor.mqttUrl, BOOTH_B);
    onTestFinished(() => {
      for (const d of [device, live, other]) d.end(true);
    });
    const delivered: string[] = [];
    live.on('message', (topic) => delivered.push(topic));
    await live.subscribeAsync('booth/booth-a/+/meta', { qos: 1 });

    // 24 bytes of topic and 276 of payload: 300 bytes each, so three fit in 1024 and the fourth does not.
    const meta = (i: number, bytes = 276) => JSON.stringify({ name: `Device ${i}`, pad: 'x'.repeat(bytes - `{"name":"Device ${i}","pad":""}`.length) });
    for (let i = 0; i < 10; i++) await device.publishAsync(`booth/booth-a/dev-${i}/meta`, meta(i), { qos: 1, retain: true });
    expect(showfloor.state.budgetRefusals.forBooth(BOOTH_A.id).get('retained-bytes-budget')).toBe(7);
    expect(showfloor.state.brokerRefusals.get('retain-dropped')).toBe(7);
    expect(showfloor.broker.retainedTopicCount(BOOTH_A.id)).toBe(3);
    expect(showfloor.broker.retainedBytes(BOOTH_A.id)).toBe(900);
    // Dropping the retain flag still delivers the message.
    await waitFor(() => delivered.length === 10, { what: 'all ten metas delivered live' });

    // Replacing gives the old bytes back: a smaller meta for dev-0 makes room for dev-3's.
    await device.publishAsync('booth/booth-a/dev-0/meta', meta(0, 76), { qos: 1, retain: true });
    expect(showfloor.broker.retainedBytes(BOOTH_A.id)).toBe(700);
    await device.publishAsync('booth/booth-a/dev-3/meta', meta(3), { qos: 1, retain: true });
    expect(showfloor.broker.retainedBytes(BOOTH_A.id)).toBe(1000);
    // A replacement that would not fit is not retained, and the old message keeps its bytes.
    await device.publishAsync('booth/booth-a/dev-0/meta', meta(0, 276), { qos: 1, retain: true });
    expect(showfloor.broker.retainedBytes(BOOTH_A.id)).toBe(1000);
    // Clearing gives its bytes back.
    await device.publishAsync('booth/booth-a/dev-1/meta', '', { qos: 1, retain: true });
    expect(showfloor.broker.retainedBytes(BOOTH_A.id)).toBe(700);

    // Booth B, meanwhile, retains as before, and a new subscriber of booth A sees exactly what was kept.
    await other.publishAsync('booth/booth-b/dev-0/meta', meta(0), { qos: 1, retain: true });
    expect(showfloor.broker.retainedBytes(BOOTH_B.id)).toBe(300);
    expect(showfloor.state.budgetRefusals.forBooth(BOOTH_B.id).size).toBe(0);
    const reader = await connectDevice(showfloor.mqttUrl, BOOTH_A);
    onTestFinished(() => {
      reader.end(true);
    });
    const retained = new Map<string, number>();
    reader.on('message', (topic, payload, packet) => {
      if (packet.retain) retained.set(topic, payload.length);
    });
    await reader.subscribeAsync('booth/booth-a/#', { qos: 1 });
    await waitFor(() => retained.size === 3, { what: 'three retained metas' });
    expect([...retained.keys()].sort()).toEqual(['booth/booth-a/dev-0/meta', 'booth/booth-a/dev-2/meta', 'booth/booth-a/dev-3/meta']);
    expect(retained.get('booth/booth-a/dev-0/meta')).toBe(76);
  });
});

describe('unknown users', () => {
  let showfloor: RunningShowfloor;
  beforeAll(async () => {
    // At the production cost, so the difference the attack measured (60 ms against 1.6 ms) shows.
    const settings = testSettings({ booths: [BOOTH_A] });
    settings.file.booths[0]!.passwordHash = await hashPassword(BOOTH_A.password, DEFAULT_SCRYPT_COST);
    showfloor = await startShowfloor(settings, pino({ level: 'silent' }));
  });
  afterAll(async () => {
    await showfloor?.close();
  });

  it('are refused as slowly as a wrong password for a real booth, with the same answer', async () => {
    const port = showfloor.mqttPort!;
    const wrong: number[] = [];
    const unknown: number[] = [];
    // Interleaved, one at a time, each with a password never tried before, so no remembered outcome answers.
    for (let i = 0; i < 9; i++) {
      const w = await rawConnect(port, { username: BOOTH_A.id, clientId: `${BOOTH_A.id}-probe-${i}`, password: `wrong-${i}` });
      const u = await rawConnect(port, { username: `nobody-${i}`, clientId: `nobody-${i}-probe`, password: `wrong-${i}` });
      expect(w).toMatchObject({ outcome: 'connack', returnCode: 4 });
      expect(u).toMatchObject({ outcome: 'connack', returnCode: 4 });
      wrong.push(w.ms);
      unknown.push(u.ms);
    }
    const ratio = median(unknown) / median(wrong);
    console.info(`[boothIsolation.broker] median refusal: wrong password ${median(wrong).toFixed(1)} ms, unknown user ${median(unknown).toFixed(1)} ms`);
    expect(ratio).toBeGreaterThan(0.6);
    expect(ratio).toBeLessThan(1 / 0.6);

    // Client ids are the devices' own (issue 11): one that names no booth is a booth's with its
    // password, and a stranger's is answered as a wrong password, never with a client-id answer.
    expect(await rawConnect(port, { username: BOOTH_A.id, clientId: 'elsewhere-1' })).toMatchObject({ outcome: 'connack', returnCode: 0 });
    expect(await rawConnect(port, { username: 'nobody', clientId: 'elsewhere-1' })).toMatchObject({ outcome: 'connack', returnCode: 4 });
  }, 60_000);
});

describe('client ids and wills', () => {
  let showfloor: TestShowfloor;
  beforeAll(async () => {
    showfloor = await startTestShowfloor({ booths: [BOOTH_A] });
  });
  afterAll(async () => {
    await showfloor?.close();
  });

  it('refuses a client id longer than 128 bytes with CONNACK 2 and counts it; 128 bytes are accepted', async () => {
    const longId = `${BOOTH_A.id}-${'x'.repeat(305 - BOOTH_A.id.length - 1)}`;
    expect(longId).toHaveLength(305);
    expect(await rawConnect(showfloor.mqttPort, { clientId: longId })).toMatchObject({ outcome: 'connack', returnCode: 2 });
    expect(showfloor.state.brokerRefusals.get('client-id-too-long')).toBe(1);
    const longest = `${BOOTH_A.id}-${'x'.repeat(128 - BOOTH_A.id.length - 1)}`;
    expect(await rawConnect(showfloor.mqttPort, { clientId: longest })).toMatchObject({ outcome: 'connack', returnCode: 0 });
  });

  it('refuses a will whose topic holds a wildcard with CONNACK 5 and counts it; a will topic name is accepted', async () => {
    const will = (topic: string) => ({ topic, payload: Buffer.from('offline'), qos: 0 as const, retain: true });
    expect(await rawConnect(showfloor.mqttPort, { will: will('booth/booth-a/+/status') })).toMatchObject({ outcome: 'connack', returnCode: 5 });
    expect(await rawConnect(showfloor.mqttPort, { will: will('booth/booth-a/#') })).toMatchObject({ outcome: 'connack', returnCode: 5 });
    expect(showfloor.state.brokerRefusals.get('invalid-will-topic')).toBe(2);
    expect(await rawConnect(showfloor.mqttPort, { will: will('booth/booth-a/dev-1/status') })).toMatchObject({ outcome: 'connack', returnCode: 0 });
  });
});
