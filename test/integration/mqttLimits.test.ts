/**
 * The broker's limits against a real Aedes on loopback: connections per address and connection
 * attempts per second refused at accept time (TCP and WebSocket), a flooding device's excess dropped
 * while its connection stays up, keepalives outside the limit and too many QoS 2 messages in flight
 * refused, persistent sessions and their queues bounded. Each refusal is counted in /api/health. Loopback clients share one address, so each
 * block sets its own low limits.
 */
import { connect as connectTcp, type Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import mqtt, { type MqttClient } from 'mqtt';
import mqttPacket from 'mqtt-packet';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { WebSocket } from 'ws';
import { BOOTH_A, connectDevice, getJson, startTestShowfloor, tryConnectDevice } from '../support/showfloor';
import { waitFor, waitForEvent } from '../support/waitFor';
import type { CountsByReason, PublicHealth } from '../support/publicApi';

type Showfloor = Awaited<ReturnType<typeof startTestShowfloor>>;
type RawOutcome = { socket: Socket } & ({ outcome: 'connack'; returnCode: number } | { outcome: 'closed' });

/** Sends a CONNECT over a raw socket and reports whether a CONNACK came back or the socket was closed first. */
function rawConnect(port: number, fields: { clientId?: string; password?: string; keepalive?: number } = {}): Promise<RawOutcome> {
  return new Promise((resolve) => {
    const socket = connectTcp(port, '127.0.0.1');
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    socket.on('error', () => undefined);
    socket.on('data', (data) => parser.parse(data));
    parser.on('packet', (packet) => {
      if (packet.cmd === 'connack') resolve({ socket, outcome: 'connack', returnCode: packet.returnCode ?? -1 });
    });
    socket.on('close', () => resolve({ socket, outcome: 'closed' }));
    socket.on('connect', () =>
      socket.write(
        mqttPacket.generate({
          cmd: 'connect',
          protocolId: 'MQTT',
          protocolVersion: 4,
          clean: true,
          clientId: fields.clientId ?? `${BOOTH_A.id}-raw-${Math.random().toString(16).slice(2, 10)}`,
          keepalive: fields.keepalive ?? 30,
          username: BOOTH_A.id,
          password: Buffer.from(fields.password ?? BOOTH_A.password),
        }),
      ),
    );
  });
}

async function refusals(showfloor: Showfloor): Promise<CountsByReason> {
  return (await getJson<PublicHealth>(`${showfloor.httpUrl}/api/health`)).body.broker.refusals;
}

describe('connections per client address', () => {
  let showfloor: Showfloor;
  beforeAll(async () => {
    showfloor = await startTestShowfloor({ booths: [BOOTH_A], yaml: 'mqtt:\n  maxConnectionsPerAddress: 3\n' });
  });
  afterAll(async () => {
    await showfloor?.close();
  });

  it('destroys the connection past the limit of unauthenticated connections at accept, over TCP and WebSocket, and frees a place on close and on authentication', async () => {
    // Three connections that never send CONNECT hold the address's three places.
    const silent = await Promise.all(
      [1, 2, 3].map(
        () =>
          new Promise<Socket>((resolve, reject) => {
            const socket = connectTcp(showfloor.mqttPort, '127.0.0.1', () => resolve(socket));
            socket.once('error', reject);
          }),
      ),
    );
    onTestFinished(() => silent.forEach((socket) => socket.destroy())); // even when an expectation fails

    const tcp = await rawConnect(showfloor.mqttPort);
    expect(tcp.outcome).toBe('closed');

    const ws = mqtt.connect(`ws://127.0.0.1:${showfloor.httpPort}/mqtt`, {
      username: BOOTH_A.id,
      password: BOOTH_A.password,
      clientId: `${BOOTH_A.id}-ws`,
      reconnectPeriod: 0,
      connectTimeout: 5000,
    });
    ws.on('error', () => undefined); // the refused upgrade is a socket hang up
    await waitForEvent(ws, 'close', { timeoutMs: 5000, rejectOnError: false });
    expect(ws.connected).toBe(false);
    ws.end(true);

    await waitFor(async () => (await refusals(showfloor))['too-many-connections'] === 2, { what: 'two too-many-connections refusals' });
    // The refused connections never reached Aedes.
    expect(showfloor.broker.connectedClients).toBe(0);

    silent[0]!.destroy();
    await waitFor(async () => (await tryConnectDevice(showfloor.mqttUrl, BOOTH_A)) === 'connected', { what: 'a place freed by the closed connection' });
    // A device that authenticated counts against its booth, not the address: one after another, more than three get in.
    const devices = [];
    for (let i = 0; i < 4; i++) devices.push(await connectDevice(showfloor.mqttUrl, BOOTH_A));
    expect(showfloor.broker.connectedClients).toBe(4);
    devices.forEach((device) => device.end(true));
  });
});

describe('connection attempts per second per client address', () => {
  let showfloor: Showfloor;
  beforeAll(async () => {
    showfloor = await startTestShowfloor({ booths: [BOOTH_A], yaml: 'mqtt:\n  connectionAttemptsPerSecond: 5\n  connectionAttemptBurst: 5\n' });
  });
  afterAll(async () => {
    await showfloor?.close();
  });

  it('refuses most of a burst of wrong passwords, and a device connecting after the window still gets in', async () => {
    const attempts = await Promise.all(Array.from({ length: 50 }, (_, i) => rawConnect(showfloor.mqttPort, { password: `wrong-password-${i}` })));
    for (const attempt of attempts) attempt.socket.destroy();
    const answeredBadCredentials = attempts.filter((a) => a.outcome === 'connack' && a.returnCode === 4).length;
    const cutAtAccept = attempts.filter((a) => a.outcome === 'closed').length;
    expect(answeredBadCredentials + cutAtAccept).toBe(50);
    // The burst of 5, plus whatever refilled while the 50 were being opened.
    expect(answeredBadCredentials).toBeGreaterThanOrEqual(5);
    expect(answeredBadCredentials).toBeLessThanOrEqual(10);

    const counted = await refusals(showfloor);
    expect(counted['connection-rate-limited']).toBe(cutAtAccept);
    expect(counted['bad-credentials']).toBe(answeredBadCredentials);

    await delay(1100); // a second refills the burst of 5
    const device = await connectDevice(showfloor.mqttUrl, BOOTH_A);
    await device.publishAsync('booth/booth-a/guarded/telemetry', '{"t": 1}', { qos: 1 });
    await waitFor(async () => (await getJson<PublicHealth>(`${showfloor.httpUrl}/api/health`)).body.counters.accepted === 1, { what: 'the reading accepted' });
    device.end(true);
  });
});

describe('messages per second per device', () => {
  let showfloor: Showfloor;
  beforeAll(async () => {
    showfloor = await startTestShowfloor({ booths: [BOOTH_A], yaml: 'mqtt:\n  messagesPerSecondPerDevice: 100\n' });
  });
  afterAll(async () => {
    await showfloor?.close();
  });

  it('drops and counts a flood beyond the limit, acknowledges it, and keeps the connection up', async () => {
    const device = await connectDevice(showfloor.mqttUrl, BOOTH_A);
    const started = Date.now();
    for (let i = 0; i < 4999; i++) device.publish('booth/booth-a/flood/telemetry', `{"n": ${i}}`, { qos: 0 });
    // QoS 1 last: its PUBACK proves the flood was handled and a dropped publish is still acknowledged.
    await device.publishAsync('booth/booth-a/flood/telemetry', '{"n": 4999}', { qos: 1 });
    const elapsedSeconds = (Date.now() - started) / 1000;

    const health = await waitFor(
      async () => {
        const body = (await getJson<PublicHealth>(`${showfloor.httpUrl}/api/health`)).body;
        return body.counters.received + (body.broker.refusals['rate-limited'] ?? 0) === 5000 && body;
      },
      { what: 'every publish either received or counted as rate-limited' },
    );
    expect(health.counters.received).toBeGreaterThanOrEqual(100);
    expect(health.counters.received).toBeLessThanOrEqual(100 + Math.ceil(100 * elapsedSeconds) + 1);
    expect(health.broker.refusals['rate-limited']).toBeGreaterThan(4000);
    expect(health.status).toBe('ok');

    expect(device.connected).toBe(true);
    await delay(200); // about 20 tokens back
    await device.publishAsync('booth/booth-a/flood/telemetry', '{"n": 5000}', { qos: 1 });
    await waitFor(async () => (await getJson<PublicHealth>(`${showfloor.httpUrl}/api/health`)).body.counters.received === health.counters.received + 1, {
      what: 'the publish after the flood received',
    });
    // Another device of the same booth is not held back by the flooding one.
    await device.publishAsync('booth/booth-a/quiet/telemetry', '{"n": 1}', { qos: 1 });
    await waitFor(async () => (await getJson<PublicHealth>(`${showfloor.httpUrl}/api/health`)).body.counters.received === health.counters.received + 2, {
      what: 'the other device received',
    });
    device.end(true);
  });
});

describe('messages over the rate limit', () => {
  let showfloor: Showfloor;
  beforeAll(async () => {
    showfloor = await startTestShowfloor({ booths: [BOOTH_A], yaml: 'mqtt:\n  messagesPerSecondPerDevice: 100\n' });
  });
  afterAll(async () => {
    await showfloor?.close();
  });

  it('reach no subscriber in the same booth: it receives only what was accepted', async () => {
    const subscriber = await connectDevice(showfloor.mqttUrl, BOOTH_A);
    const device = await connectDevice(showfloor.mqttUrl, BOOTH_A);
    onTestFinished(() => [subscriber, device].forEach((client) => client.end(true)));
    let forwardedFlood = 0;
    let sentinelSeen = false;
    subscriber.on('message', (topic) => {
      if (topic === 'booth/booth-a/flood/telemetry') forwardedFlood++;
      if (topic === 'booth/booth-a/sentinel/telemetry') sentinelSeen = true;
    });
    await subscriber.subscribeAsync('booth/booth-a/#', { qos: 0 });

    for (let i = 0; i < 4999; i++) device.publish('booth/booth-a/flood/telemetry', `{"n": ${i}}`, { qos: 0 });
    await device.publishAsync('booth/booth-a/flood/telemetry', '{"n": 4999}', { qos: 1 });
    const health = await waitFor(
      async () => {
        const body = (await getJson<PublicHealth>(`${showfloor.httpUrl}/api/health`)).body;
        return body.counters.received + (body.broker.refusals['rate-limited'] ?? 0) === 5000 && body;
      },
      { what: 'every publish either received or counted as rate-limited' },
    );
    expect(health.broker.refusals['rate-limited']).toBeGreaterThan(4000);

    // Another device (its own budget) on the same connection: Aedes writes a message to subscribers
    // before it reports it, so once this arrives every forwarded flood message has arrived too.
    await device.publishAsync('booth/booth-a/sentinel/telemetry', '{"n": 1}', { qos: 1 });
    await waitFor(() => sentinelSeen, { what: 'the sentinel message at the subscriber' });
    expect(forwardedFlood).toBe(health.counters.received);
  });

  it('do not replace a retained message', async () => {
    const device = await connectDevice(showfloor.mqttUrl, BOOTH_A);
    onTestFinished(() => void device.end(true));
    await device.publishAsync('booth/booth-a/retained/status', 'online', { qos: 1, retain: true });
    // Spends the device's budget, so the retained offline below is dropped.
    for (let i = 0; i < 500; i++) device.publish('booth/booth-a/retained/telemetry', '{"n": 1}', { qos: 0 });
    await device.publishAsync('booth/booth-a/retained/status', 'offline', { qos: 1, retain: true });

    const reader = await connectDevice(showfloor.mqttUrl, BOOTH_A);
    onTestFinished(() => void reader.end(true));
    const retained = waitForEvent<[string, Buffer]>(reader, 'message', { filter: (topic) => topic === 'booth/booth-a/retained/status' });
    await reader.subscribeAsync('booth/booth-a/retained/status', { qos: 0 });
    const [, payload] = await retained;
    expect(payload.toString()).toBe('online');
  });
});

describe('subscriptions per client', () => {
  let showfloor: Showfloor;
  beforeAll(async () => {
    showfloor = await startTestShowfloor({ booths: [BOOTH_A], yaml: 'mqtt:\n  maxSubscriptionsPerClient: 3\n' });
  });
  afterAll(async () => {
    await showfloor?.close();
  });
  const filter = (n: number) => `booth/booth-a/d${n}/#`;
  /** The SUBACK return codes; MQTT.js rejects when any filter is refused, with the SUBACK attached. */
  const grantedCodes = (client: MqttClient, filters: string | string[]): Promise<number[]> =>
    client.subscribeAsync(filters, { qos: 0 }).then(
      (grants) => grants.map((grant) => grant.qos),
      (error: { packet?: { granted: number[] } }) => {
        if (!error.packet) throw error;
        return error.packet.granted;
      },
    );

  it('grants up to the limit, answers 0x80 past it and counts it, and frees a place on unsubscribe', async () => {
    const client = await connectDevice(showfloor.mqttUrl, BOOTH_A);
    onTestFinished(() => void client.end(true));
    expect(await grantedCodes(client, [filter(1), filter(2), filter(3)])).toEqual([0, 0, 0]);
    // Subscribing again to a held filter takes no new place; a fourth filter does not fit.
    expect(await grantedCodes(client, [filter(1), filter(4)])).toEqual([0, 128]);
    expect(client.connected).toBe(true);
    expect((await refusals(showfloor))['too-many-subscriptions']).toBe(1);
    const metrics = await (await fetch(`${showfloor.httpUrl}/metrics`)).text();
    expect(metrics).toContain('showfloor_mqtt_refusals_total{reason="too-many-subscriptions"} 1');

    await client.unsubscribeAsync(filter(2));
    expect(await grantedCodes(client, filter(4))).toEqual([0]);
    // The granted subscription is real: a message on it arrives.
    const delivered = waitForEvent<[string]>(client, 'message', { filter: (topic) => topic === 'booth/booth-a/d4/telemetry' });
    await client.publishAsync('booth/booth-a/d4/telemetry', '{"x": 1}', { qos: 1 });
    await delivered;
    expect((await refusals(showfloor))['too-many-subscriptions']).toBe(1);
  });

  it('counts the subscriptions a persistent session brings back against the limit', async () => {
    const clientId = `${BOOTH_A.id}-persistent`;
    const first = await connectDevice(showfloor.mqttUrl, BOOTH_A, { clientId, clean: false });
    await first.subscribeAsync([filter(1), filter(2), filter(3)], { qos: 1 });
    await first.endAsync();
    const again = await connectDevice(showfloor.mqttUrl, BOOTH_A, { clientId, clean: false });
    onTestFinished(() => void again.end(true));
    const refusedBefore = (await refusals(showfloor))['too-many-subscriptions'] ?? 0;
    expect(await grantedCodes(again, filter(9))).toEqual([128]);
    expect((await refusals(showfloor))['too-many-subscriptions']).toBe(refusedBefore + 1);
  });

  it('forgets the subscriptions of a connection that closes, cleanly or not', async () => {
    await waitFor(() => showfloor.broker.connectedClients === 0, { what: 'earlier clients gone' });
    const clients = await Promise.all([1, 2, 3, 4].map(() => connectDevice(showfloor.mqttUrl, BOOTH_A)));
    await Promise.all(clients.map((client) => client.subscribeAsync([filter(1), filter(2), filter(3)], { qos: 0 })));
    expect(showfloor.broker.clientsHoldingSubscriptions).toBe(4);

    await clients[0]!.endAsync(); // DISCONNECT
    clients[1]!.end(true); // socket closed without DISCONNECT
    (clients[2]!.stream as { destroy(): void }).destroy();
    await waitFor(() => showfloor.broker.clientsHoldingSubscriptions === 1, { what: 'three closed connections forgotten' });
    clients[3]!.end(true);
    await waitFor(() => showfloor.broker.clientsHoldingSubscriptions === 0, { what: 'every connection forgotten' });

    // A new connection with a reused id starts with every place free.
    const reused = await connectDevice(showfloor.mqttUrl, BOOTH_A, { clientId: clients[0]!.options.clientId! });
    onTestFinished(() => void reused.end(true));
    expect(await grantedCodes(reused, [filter(1), filter(2), filter(3)])).toEqual([0, 0, 0]);
  });
});

describe('WebSocket message size', () => {
  let showfloor: Showfloor;
  beforeAll(async () => {
    showfloor = await startTestShowfloor({ booths: [BOOTH_A] });
  });
  afterAll(async () => {
    await showfloor?.close();
  });

  it('closes a WebSocket whose message is larger than mqtt.maxPacketBytes before assembling it', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${showfloor.httpPort}/mqtt`, ['mqtt']);
    ws.on('error', () => undefined);
    await waitForEvent(ws, 'open');
    const closed = waitForEvent<[number]>(ws, 'close', { rejectOnError: false });
    // Zeros announce no large MQTT packet: only the message size can catch this.
    ws.send(Buffer.alloc(1024 * 1024));
    const [code] = await closed;
    expect(code).toBe(1009); // message too big
    expect((await refusals(showfloor))['packet-too-large']).toBe(1);
  });
});

describe('keepalive and QoS 2 in-flight limits', () => {
  let showfloor: Showfloor;
  beforeAll(async () => {
    // keepaliveLimitSeconds stays at its default (300).
    showfloor = await startTestShowfloor({ booths: [BOOTH_A], yaml: 'mqtt:\n  maxInflightQos2: 3\n' });
  });
  afterAll(async () => {
    await showfloor?.close();
  });

  it('answers keepalive 0 and keepalive above the limit with CONNACK 6, and accepts one within it', async () => {
    const none = await rawConnect(showfloor.mqttPort, { keepalive: 0 });
    const tooLong = await rawConnect(showfloor.mqttPort, { keepalive: 301 });
    const fine = await rawConnect(showfloor.mqttPort, { keepalive: 300 });
    for (const attempt of [none, tooLong, fine]) attempt.socket.destroy();
    expect(none).toMatchObject({ outcome: 'connack', returnCode: 6 });
    expect(tooLong).toMatchObject({ outcome: 'connack', returnCode: 6 });
    expect(fine).toMatchObject({ outcome: 'connack', returnCode: 0 });
    expect((await refusals(showfloor))['keepalive-refused']).toBe(2);
  });

  it('closes a connection that holds more QoS 2 publishes than the limit without releasing them', async () => {
    const connected = await rawConnect(showfloor.mqttPort);
    expect(connected).toMatchObject({ outcome: 'connack', returnCode: 0 });
    const closed = waitForEvent(connected.socket, 'close', { rejectOnError: false, timeoutMs: 5000 });
    for (let messageId = 1; messageId <= 4; messageId++) {
      // PUBREC comes back; PUBREL is never sent, so each stays in flight.
      connected.socket.write(
        mqttPacket.generate({
          cmd: 'publish',
          topic: 'booth/booth-a/q2/telemetry',
          payload: Buffer.from('{"a": 1}'),
          qos: 2,
          messageId,
          retain: false,
          dup: false,
        }),
      );
    }
    await closed;
    await waitFor(async () => (await refusals(showfloor))['too-many-inflight'] === 1, { what: 'the too-many-inflight refusal counted' });
    expect((await getJson<PublicHealth>(`${showfloor.httpUrl}/api/health`)).body.status).toBe('ok');
  });
});

describe('persistent sessions', () => {
  let showfloor: Showfloor;
  beforeAll(async () => {
    showfloor = await startTestShowfloor({ booths: [BOOTH_A], yaml: 'mqtt:\n  maxQueuedMessagesPerSession: 5\n  maxPersistentSessionsPerBooth: 3\n' });
  });
  afterAll(async () => {
    await showfloor?.close();
  });
  const topic = 'booth/booth-a/queued/telemetry';

  it('keeps at most the limit of messages for an offline session, drops the newer ones and counts them', async () => {
    const clientId = `${BOOTH_A.id}-offline-reader`;
    const reader = await connectDevice(showfloor.mqttUrl, BOOTH_A, { clientId, clean: false });
    await reader.subscribeAsync(topic, { qos: 1 });
    await reader.endAsync();
    const publisher = await connectDevice(showfloor.mqttUrl, BOOTH_A);
    onTestFinished(() => void publisher.end(true));
    for (let n = 1; n <= 8; n++) await publisher.publishAsync(topic, `{"n": ${n}}`, { qos: 1 });
    await waitFor(async () => (await refusals(showfloor))['session-queue-full'] === 3, { what: 'three messages dropped for the offline session' });
    expect(showfloor.broker.queuedMessagesFor(BOOTH_A.id, clientId)).toBe(5);

    // Listening before the CONNACK: the queue is sent right after it.
    const back = mqtt.connect(showfloor.mqttUrl, { username: BOOTH_A.id, password: BOOTH_A.password, clientId, clean: false, reconnectPeriod: 0 });
    onTestFinished(() => void back.end(true));
    const received: (number | string)[] = [];
    back.on('message', (_topic, payload) => received.push((JSON.parse(payload.toString()) as { n: number | string }).n));
    await waitFor(() => received.length === 5, { what: 'the five stored messages' });
    // A live message after the queue shows that nothing else was stored: it arrives sixth.
    await publisher.publishAsync(topic, '{"n": "live"}', { qos: 1 });
    await waitFor(() => received.length === 6, { what: 'the live message' });
    expect(received).toEqual([1, 2, 3, 4, 5, 'live']);
    await waitFor(() => showfloor.broker.queuedMessagesFor(BOOTH_A.id, clientId) === 0, { what: 'every delivered message acknowledged and freed' });
    expect((await refusals(showfloor))['session-queue-full']).toBe(3);
    const metrics = await (await fetch(`${showfloor.httpUrl}/metrics`)).text();
    expect(metrics).toContain('showfloor_mqtt_refusals_total{reason="session-queue-full"} 3');
    // Ending the session (clean: true) leaves room for another test's sessions.
    await back.endAsync();
    expect(await tryConnectDevice(showfloor.mqttUrl, BOOTH_A, { clientId, clean: true })).toBe('connected');
  });

  it('refuses a new persistent session past the limit with CONNACK 5, lets existing ones reconnect, and frees a place on a clean connect', async () => {
    await waitFor(() => showfloor.broker.persistentSessionCount(BOOTH_A.id) === 0, { what: 'no session left from earlier tests' });
    const id = (n: number) => `${BOOTH_A.id}-session-${n}`;
    for (const n of [1, 2, 3]) expect(await tryConnectDevice(showfloor.mqttUrl, BOOTH_A, { clientId: id(n), clean: false })).toBe('connected');
    expect(await tryConnectDevice(showfloor.mqttUrl, BOOTH_A, { clientId: id(4), clean: false })).toBe('5');
    expect((await refusals(showfloor))['too-many-sessions']).toBe(1);
    const metrics = await (await fetch(`${showfloor.httpUrl}/metrics`)).text();
    expect(metrics).toContain('showfloor_mqtt_refusals_total{reason="too-many-sessions"} 1');

    // An existing session always comes back; a clean connection needs no session at all.
    expect(await tryConnectDevice(showfloor.mqttUrl, BOOTH_A, { clientId: id(2), clean: false })).toBe('connected');
    expect(await tryConnectDevice(showfloor.mqttUrl, BOOTH_A, { clientId: id(5), clean: true })).toBe('connected');
    expect(showfloor.broker.persistentSessionCount(BOOTH_A.id)).toBe(3);

    // clean: true under a session's id ends that session.
    expect(await tryConnectDevice(showfloor.mqttUrl, BOOTH_A, { clientId: id(1), clean: true })).toBe('connected');
    expect(showfloor.broker.persistentSessionCount(BOOTH_A.id)).toBe(2);
    expect(await tryConnectDevice(showfloor.mqttUrl, BOOTH_A, { clientId: id(4), clean: false })).toBe('connected');
    expect(await tryConnectDevice(showfloor.mqttUrl, BOOTH_A, { clientId: id(6), clean: false })).toBe('5');
    expect((await refusals(showfloor))['too-many-sessions']).toBe(2);
  });
});
