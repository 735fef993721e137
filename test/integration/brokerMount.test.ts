/**
 * Issue 11, the broker's part: a booth's MQTT namespace is mounted (BoothMount.ts), and client ids
 * are the devices' own, owned per booth. Real Aedes through the test Showfloor (booths A and B),
 * MQTT.js clients and raw MQTT sockets on loopback.
 *
 * The stock-Tasmota fixtures follow Tasmota's documentation (https://tasmota.github.io/docs/MQTT/):
 * client id `DVES_%06X` (the MAC's last three bytes), telemetry on `tele/%topic%/SENSOR`, the will
 * on `tele/%topic%/LWT` with the retained payloads `Online` / `Offline`, and the retained
 * discovery config on `tasmota/discovery/<MAC>/config` (Tasmota's xdrv_12_discovery.ino; the keys
 * below are a subset of what it sends). `mosq-…` is the default client id of mosquitto_pub and
 * mosquitto_sub (mosquitto's client_shared.c: "mosq-" and random characters).
 */
import { connect as connectTcp } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import type { Client } from 'aedes';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import mqttPacket from 'mqtt-packet';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { BrokerRefusal } from '../../broker/brokerEvents';
import { BOOTH_A, BOOTH_B, connectDevice, startTestShowfloor, type TestBooth, type TestShowfloor } from '../support/showfloor';
import { waitFor, waitForEvent } from '../support/waitFor';

const TASMOTA_ID = 'DVES_A1B2C3';
const TASMOTA_TOPIC = 'tasmota_A1B2C3';
const SENSOR = `tele/${TASMOTA_TOPIC}/SENSOR`;
const LWT = `tele/${TASMOTA_TOPIC}/LWT`;
const DISCOVERY = 'tasmota/discovery/A1B2C3D4E5F6/config';
/** From the issue, as Tasmota sends it for a BME280: nested, with a zone-less Time. */
const SENSOR_PAYLOAD = '{"Time":"2026-12-03T10:00:00","BME280":{"Temperature":21.3,"Humidity":45.1},"TempUnit":"C"}';
const DISCOVERY_PAYLOAD = JSON.stringify({
  ip: '192.168.1.50',
  dn: 'Tasmota',
  hn: 'tasmota-A1B2C3-0195',
  mac: 'A1B2C3D4E5F6',
  md: 'Generic',
  ofln: 'Offline',
  onln: 'Online',
  sw: '14.3.0',
  t: TASMOTA_TOPIC,
  ft: '%prefix%/%topic%/',
  tp: ['cmnd', 'stat', 'tele'],
});
/** How long a stock device is watched for a reconnect: several keepalives and a steady publish rate; the minute is for the demo, not CI. */
const STAYS_UP_MS = 4000;

interface Received {
  topic: string;
  payload: string;
  retain: boolean;
}

function collect(client: MqttClient): Received[] {
  const received: Received[] = [];
  client.on('message', (topic, payload, packet) => received.push({ topic, payload: payload.toString(), retain: packet.retain }));
  return received;
}

/** The granted QoS per filter; MQTT.js rejects when any filter is refused, with the SUBACK on the error. */
async function subscribeGranted(client: MqttClient, filters: string[]): Promise<number[]> {
  return client.subscribeAsync(filters, { qos: 1 }).then(
    (granted) => granted.map((g) => g.qos),
    (error: { packet?: { granted: number[] } }) => error.packet?.granted ?? [],
  );
}

function rawConnack(port: number, bytes: Buffer): Promise<number | 'closed'> {
  return new Promise((resolve) => {
    const socket = connectTcp(port, '127.0.0.1');
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    parser.on('packet', (packet) => {
      if (packet.cmd === 'connack') {
        socket.destroy();
        resolve(packet.returnCode ?? -1);
      }
    });
    socket.on('data', (data) => parser.parse(data));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve('closed'));
    socket.on('connect', () => socket.write(bytes));
  });
}

/** A CONNECT with an empty client id, hand-built because mqtt-packet refuses to generate one without a clean session. */
function emptyIdConnect(booth: TestBooth, clean: boolean): Buffer {
  const field = (text: string) => Buffer.concat([Buffer.from([0, Buffer.byteLength(text)]), Buffer.from(text)]);
  const flags = 0xc0 | (clean ? 0x02 : 0);
  const body = Buffer.concat([field('MQTT'), Buffer.from([4, flags, 0, 10]), field(''), field(booth.id), field(booth.password)]);
  return Buffer.concat([Buffer.from([0x10, body.length]), body]);
}

describe('a booth mounted at booth/{id}/', () => {
  let showfloor: TestShowfloor;
  const clients: MqttClient[] = [];
  const refusals = (reason: BrokerRefusal) => showfloor.state.brokerRefusals.get(reason) ?? 0;
  const open = async (booth: TestBooth, options: IClientOptions = {}) => {
    const client = await connectDevice(showfloor.mqttUrl, booth, options);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    showfloor = await startTestShowfloor();
  });
  afterAll(async () => {
    for (const client of clients) client.end(true);
    await showfloor?.close();
  });

  it('keeps a stock Tasmota device connected with its own id, topics, retained discovery and will, and shows them unmounted to its own booth only', async () => {
    const opened: string[] = [];
    const closed: string[] = [];
    const onClient = (client: Client) => opened.push(client.id);
    const onDisconnect = (client: Client) => closed.push(client.id);
    showfloor.broker.aedes.on('client', onClient);
    showfloor.broker.aedes.on('clientDisconnect', onDisconnect);
    onTestFinished(() => {
      showfloor.broker.aedes.off('client', onClient);
      showfloor.broker.aedes.off('clientDisconnect', onDisconnect);
    });

    // mosquitto_sub in the same booth, with its default id, and the same in booth B.
    const watcher = await open(BOOTH_A, { clientId: 'mosq-Wt8mX3bQ1rKc5eYz0a' });
    const seenA = collect(watcher);
    expect(await subscribeGranted(watcher, ['tele/+/SENSOR', LWT, 'tasmota/discovery/#'])).toEqual([1, 1, 1]);
    const neighbour = await open(BOOTH_B, { clientId: 'mosq-Wt8mX3bQ1rKc5eYz0a' });
    const seenB = collect(neighbour);
    expect(await subscribeGranted(neighbour, ['#', 'tele/+/SENSOR', 'tasmota/discovery/#', LWT])).toEqual([1, 1, 1, 1]);

    const rejectedBefore = showfloor.state.ingest.rejected.get('unmapped-topic') ?? 0;
    let connects = 0;
    const tasmota = mqtt.connect(showfloor.mqttUrl, {
      username: BOOTH_A.id,
      password: BOOTH_A.password,
      clientId: TASMOTA_ID,
      keepalive: 2,
      // A real device retries; a refusal or a cut would show as a second connect.
      reconnectPeriod: 100,
      will: { topic: LWT, payload: Buffer.from('Offline'), qos: 1, retain: true },
    });
    clients.push(tasmota);
    tasmota.on('connect', () => {
      connects++;
      // What Tasmota does right after connecting: LWT Online, then its discovery config, both retained.
      tasmota.publish(LWT, 'Online', { qos: 1, retain: true });
      tasmota.publish(DISCOVERY, DISCOVERY_PAYLOAD, { qos: 1, retain: true });
    });
    await waitForEvent(tasmota, 'connect', { timeoutMs: 5000 });

    // Telemetry at a steady rate through the window; the window spans two keepalive periods of 2 s.
    const startedAt = performance.now();
    let sent = 0;
    while (performance.now() - startedAt < STAYS_UP_MS) {
      await tasmota.publishAsync(SENSOR, SENSOR_PAYLOAD, { qos: 1 });
      sent++;
      await delay(100); // the device's own publish interval, not a synchronisation
    }
    expect(connects).toBe(1);
    expect(tasmota.connected).toBe(true);
    expect(opened.filter((id) => id.endsWith(`/${TASMOTA_ID}`))).toHaveLength(1);
    expect(closed.filter((id) => id.endsWith(`/${TASMOTA_ID}`))).toHaveLength(0);
    expect(refusals('publish-denied')).toBe(0);

    // Its own booth sees its topics as the device named them.
    await waitFor(() => seenA.filter((m) => m.topic === SENSOR).length === sent, { what: 'every SENSOR publish at the watcher' });
    expect(seenA.find((m) => m.topic === SENSOR)?.payload).toBe(SENSOR_PAYLOAD);
    await waitFor(() => seenA.some((m) => m.topic === DISCOVERY && m.payload === DISCOVERY_PAYLOAD), { what: 'the discovery config at the watcher' });
    expect(seenA.every((m) => !m.topic.startsWith('booth/'))).toBe(true);

    // The broker hands each publish to the sink mounted; this booth lists no adapters, so each is counted as unmapped.
    await waitFor(() => (showfloor.state.ingest.rejected.get('unmapped-topic') ?? 0) >= rejectedBefore + sent, {
      what: 'mounted publishes counted as unmapped by ingest',
    });

    // A subscriber that comes later gets the retained messages, unmounted, with the retain flag.
    const late = await open(BOOTH_A, { clientId: '' });
    const seenLate = collect(late);
    await late.subscribeAsync(['tasmota/discovery/+/config', LWT], { qos: 1 });
    await waitFor(() => seenLate.length === 2, { what: 'two retained messages for a late subscriber' });
    expect(seenLate.map((m) => [m.topic, m.payload, m.retain]).sort()).toEqual([
      [DISCOVERY, DISCOVERY_PAYLOAD, true],
      [LWT, 'Online', true],
    ]);

    // The network drops: the broker publishes the will, mounted, and its booth sees `Offline` on the LWT topic.
    tasmota.options.reconnectPeriod = 0;
    tasmota.stream.destroy();
    await waitFor(() => seenA.some((m) => m.topic === LWT && m.payload === 'Offline'), { what: 'the will at the watcher' });

    // Booth B, subscribed to the same names and to `#`, saw nothing of it.
    expect(seenB).toEqual([]);
  }, 30_000);

  it('refuses every way out of the mount, each counted, with the connection up, while booth B works exactly as before', async () => {
    // Booth B's own life: a native device and a stock one, with retained messages.
    const victim = await open(BOOTH_B, { clientId: TASMOTA_ID });
    const bWatcher = await open(BOOTH_B);
    const seenB = collect(bWatcher);
    await bWatcher.subscribeAsync(['booth/booth-b/#', 'tele/+/SENSOR', 'tasmota/discovery/#'], { qos: 1 });
    await victim.publishAsync('booth/booth-b/victim/meta', JSON.stringify({ name: 'Victim from-b' }), { qos: 1, retain: true });
    await victim.publishAsync(DISCOVERY, '{"from":"from-b"}', { qos: 1, retain: true });
    await victim.publishAsync(SENSOR, '{"from":"from-b"}', { qos: 1 });
    // Stamped 2 s back: the live window keeps one point per 1 s slot, and the second reading may
    // come within the same second (then it would replace this one and the window would hold one).
    await victim.publishAsync('booth/booth-b/victim/telemetry', JSON.stringify({ ts: Date.now() - 2_000, t: 1 }), { qos: 1 });
    await waitFor(() => seenB.length === 4, { what: "booth B's four messages at its watcher" });
    const acceptedB = () => showfloor.state.directory.get(BOOTH_B.id, 'victim');
    await waitFor(() => acceptedB(), { what: "booth B's reading accepted" });

    // Booth A's hostile client: the same client id as B's device, and every filter trick.
    const hostile = await open(BOOTH_A, { clientId: TASMOTA_ID });
    let hostileClosed = false;
    hostile.on('close', () => (hostileClosed = true));
    const seenA = collect(hostile);
    const subscribeDeniedBefore = refusals('subscribe-denied');
    const filters: [string, 'mounted' | 'refused'][] = [
      ['#', 'mounted'],
      ['+/#', 'mounted'],
      ['+/+/+/+', 'mounted'],
      ['tele/+/SENSOR', 'mounted'],
      ['tasmota/discovery/#', 'mounted'],
      ['/booth/booth-b/#', 'mounted'],
      ['b\u043e\u043eth/booth-b/#', 'mounted'], // Cyrillic о: another name, inside A's mount
      ['../booth-b/#', 'mounted'],
      ['booth//booth-b/#', 'refused'],
      ['booth/booth-b/#', 'refused'],
      ['booth/booth-b/raw/#', 'refused'],
      ['booth/+/#', 'refused'],
      ['booth/+/victim/meta', 'refused'],
      ['booth/#', 'refused'],
      ['$SYS/#', 'refused'],
      ['$share/g/#', 'refused'],
      ['$share/g/booth/booth-b/#', 'refused'],
    ];
    expect(
      await subscribeGranted(
        hostile,
        filters.map(([f]) => f),
      ),
    ).toEqual(filters.map(([, o]) => (o === 'mounted' ? 1 : 128)));
    expect(refusals('subscribe-denied')).toBe(subscribeDeniedBefore + filters.filter(([, o]) => o === 'refused').length);

    // Writes outside the mount are acknowledged, dropped and counted; the connection stays up.
    const publishDeniedBefore = refusals('publish-denied');
    const outside = [
      'booth/booth-b/victim/telemetry',
      'booth/booth-b/raw/tele/x/SENSOR',
      'booth/booth-b/victim/meta',
      'booth/booth-a',
      '$SYS/broker/uptime',
      'booth',
    ];
    for (const topic of outside) await hostile.publishAsync(topic, '{"t":666,"from":"from-a"}', { qos: 1, retain: true });
    expect(refusals('publish-denied')).toBe(publishDeniedBefore + outside.length);
    // Names that only look like B's land in A's own mount.
    for (const topic of ['/booth/booth-b/victim/telemetry', 'b\u043e\u043eth/booth-b/victim/telemetry', '../booth-b/victim/meta', SENSOR, DISCOVERY]) {
      await hostile.publishAsync(topic, '{"t":666,"from":"from-a"}', { qos: 1, retain: true });
    }
    await waitFor(() => seenA.filter((m) => m.topic === SENSOR && m.payload.includes('from-a')).length >= 1, { what: "A's own SENSOR back at A" });
    expect(hostileClosed).toBe(false);
    expect(hostile.connected).toBe(true);

    // Wills outside the mount: CONNACK 5, counted.
    const willDeniedBefore = refusals('will-denied');
    for (const topic of ['booth/booth-b/victim/status', '$SYS/x']) {
      const attempt = mqtt.connect(showfloor.mqttUrl, {
        username: BOOTH_A.id,
        password: BOOTH_A.password,
        clientId: `will-${topic.length}`,
        reconnectPeriod: 0,
        will: { topic, payload: Buffer.from('offline'), qos: 0, retain: true },
      });
      const [error] = await waitForEvent<[Error & { code?: number }]>(attempt, 'error', { rejectOnError: false });
      expect(error.code).toBe(5);
      attempt.end(true);
    }
    expect(refusals('will-denied')).toBe(willDeniedBefore + 2);

    // B publishes again; A, holding `#` and B's own filter names, sees none of it.
    await victim.publishAsync(SENSOR, '{"from":"from-b","n":2}', { qos: 1 });
    await victim.publishAsync('booth/booth-b/victim/telemetry', JSON.stringify({ t: 2 }), { qos: 1 });
    await waitFor(() => seenB.filter((m) => m.topic === SENSOR).length === 2, { what: "B's second SENSOR at B's watcher" });
    // A round trip on A's own connection after B's publishes: anything of B's routed to A would be here by now.
    await hostile.publishAsync('marker/done', 'x', { qos: 1 });
    await waitFor(() => seenA.some((m) => m.topic === 'marker/done'), { what: "A's marker back at A" });
    expect(seenA.filter((m) => m.payload.includes('from-b') || m.topic.startsWith('booth/'))).toEqual([]);
    // What A did see is its own, on the names it used, the look-alikes of B's included.
    for (const topic of ['/booth/booth-b/victim/telemetry', 'b\u043e\u043eth/booth-b/victim/telemetry', '../booth-b/victim/meta']) {
      expect(seenA.find((m) => m.topic === topic)?.payload, topic).toContain('from-a');
    }
    // A's retained and live writes did not reach B: B's watcher has only B's own messages.
    expect(seenB.filter((m) => m.payload.includes('from-a'))).toEqual([]);
    expect(hostileClosed).toBe(false);
    // The two devices with one client id in two booths did not kick each other.
    expect(victim.connected).toBe(true);
    expect(refusals('forward-denied')).toBe(0);
    // Both of booth B's readings are in its live window, and none of A's `t: 666`.
    const readingsB = () => {
      const record = showfloor.state.directory.get(BOOTH_B.id, 'victim');
      return record ? (showfloor.state.directory.window(record, 0).find((series) => series.metric === 't')?.ts.length ?? 0) : 0;
    };
    await waitFor(() => readingsB() === 2, { what: "booth B's two readings in the live window" });
    expect(showfloor.state.budgetRefusals.forBooth(BOOTH_B.id).size).toBe(0);

    // B's retained messages are still B's own: a fresh subscriber of B sees them, not A's look-alikes.
    const bLate = await open(BOOTH_B);
    const seenBLate = collect(bLate);
    await bLate.subscribeAsync(['booth/booth-b/+/meta', 'tasmota/discovery/#'], { qos: 1 });
    await waitFor(() => seenBLate.length === 2, { what: "B's two retained messages" });
    expect(seenBLate.map((m) => m.payload).every((p) => p.includes('from-b'))).toBe(true);
  }, 30_000);

  it('hands one client id to each booth: two booths do not take each other over, the same booth does', async () => {
    const id = 'shellyplus1-a8032ab12345';
    const inA = await open(BOOTH_A, { clientId: id });
    const inB = await open(BOOTH_B, { clientId: id });
    let aClosed = false;
    inA.on('close', () => (aClosed = true));
    // A round trip on A's connection after B's connect: a takeover would have closed it by now.
    await inA.publishAsync('shellies/probe', 'x', { qos: 1 });
    expect(aClosed).toBe(false);
    expect(inB.connected).toBe(true);

    const again = await open(BOOTH_A, { clientId: id });
    await waitFor(() => aClosed, { what: 'the same id in the same booth taking the first connection over' });
    expect(again.connected).toBe(true);
    expect(inB.connected).toBe(true);
  });

  it('accepts a mosquitto default id and an empty id with a clean session; refuses an empty id without one with CONNACK 2, counted', async () => {
    const mosq = await open(BOOTH_A, { clientId: 'mosq-3Jq9Yl0nVb7sDf2Wx4' });
    expect(mosq.connected).toBe(true);
    expect(await rawConnack(showfloor.mqttPort, emptyIdConnect(BOOTH_A, true))).toBe(0);
    const before = refusals('empty-client-id');
    expect(await rawConnack(showfloor.mqttPort, emptyIdConnect(BOOTH_A, false))).toBe(2); // [MQTT-3.1.3-8]
    expect(refusals('empty-client-id')).toBe(before + 1);
  });

  it('keeps persistent sessions per booth: the same id in booth B finds no session of booth A', async () => {
    const id = 'DVES_5E5510';
    const first = await open(BOOTH_A, { clientId: id, clean: false });
    await first.subscribeAsync('tele/+/SENSOR', { qos: 1 });
    first.end(true);
    await waitFor(() => showfloor.broker.persistentSessionCount(BOOTH_A.id) >= 1, { what: "booth A's session kept" });

    const inB = mqtt.connect(showfloor.mqttUrl, { username: BOOTH_B.id, password: BOOTH_B.password, clientId: id, clean: false, reconnectPeriod: 0 });
    clients.push(inB);
    const [connackB] = await waitForEvent<[{ sessionPresent: boolean }]>(inB, 'connect');
    expect(connackB.sessionPresent).toBe(false);
    const seenB = collect(inB);

    // Published while A's session is offline: queued for it, and delivered unmounted when it is back.
    const publisher = await open(BOOTH_A);
    await publisher.publishAsync('tele/queued/SENSOR', '{"n":0}', { qos: 1 });
    await waitFor(() => showfloor.broker.queuedMessagesFor(BOOTH_A.id, id) === 1, { what: "the message queued for A's session" });
    expect(showfloor.broker.queuedMessagesFor(BOOTH_B.id, id)).toBe(0);

    const back = mqtt.connect(showfloor.mqttUrl, { username: BOOTH_A.id, password: BOOTH_A.password, clientId: id, clean: false, reconnectPeriod: 0 });
    clients.push(back);
    const seenA = collect(back);
    const [connackA] = await waitForEvent<[{ sessionPresent: boolean }]>(back, 'connect');
    expect(connackA.sessionPresent).toBe(true);
    await waitFor(() => seenA.some((m) => m.topic === 'tele/queued/SENSOR'), { what: "the queued message at A's session, unmounted" });
    // The restored subscription is still mounted: A's publish reaches A's session, unmounted, and not B's.
    await publisher.publishAsync('tele/p1/SENSOR', '{"n":1}', { qos: 1 });
    await waitFor(() => seenA.some((m) => m.topic === 'tele/p1/SENSOR'), { what: "A's restored session receiving" });
    expect(seenA.every((m) => !m.topic.startsWith('booth/'))).toBe(true);
    expect(seenB).toEqual([]);
  });

  it('unsubscribes by the name the device subscribed with', async () => {
    const device = await open(BOOTH_A);
    const seen = collect(device);
    await device.subscribeAsync('cmnd/plug/#', { qos: 1 });
    const publisher = await open(BOOTH_A);
    await publisher.publishAsync('cmnd/plug/POWER', 'ON', { qos: 1 });
    await waitFor(() => seen.length === 1, { what: 'the command before unsubscribing' });
    await device.unsubscribeAsync('cmnd/plug/#');
    await publisher.publishAsync('cmnd/plug/POWER', 'OFF', { qos: 1 });
    // A round trip through the device's own subscription set after the publish.
    await device.subscribeAsync('marker/#', { qos: 1 });
    await publisher.publishAsync('marker/x', 'x', { qos: 1 });
    await waitFor(() => seen.some((m) => m.topic === 'marker/x'), { what: 'the marker' });
    expect(seen.map((m) => m.payload)).toEqual(['ON', 'x']);
    expect(showfloor.broker.clientsHoldingSubscriptions).toBeGreaterThan(0);
  });

  it("publishes a booth command into that booth's mount only (BoothCommands.publishToBooth)", async () => {
    // A Sparkplug B edge node listens for its rebirth request on NCMD (Sparkplug B 3.0, section 6.4.1).
    const ncmd = 'spBv1.0/g1/NCMD/edge1';
    const edgeA = await open(BOOTH_A, { clientId: 'edge1' });
    const edgeB = await open(BOOTH_B, { clientId: 'edge1' });
    const seenA = collect(edgeA);
    const seenB = collect(edgeB);
    await edgeA.subscribeAsync(ncmd, { qos: 0 });
    await edgeB.subscribeAsync(ncmd, { qos: 0 });
    showfloor.broker.publishToBooth(BOOTH_A.id, ncmd, Buffer.from([0x08, 0x01]));
    await waitFor(() => seenA.length === 1, { what: 'the NCMD at booth A' });
    expect(seenA[0]).toMatchObject({ topic: ncmd });
    const before = refusals('publish-denied');
    showfloor.broker.publishToBooth(BOOTH_A.id, 'booth/booth-b/raw/spBv1.0/g1/NCMD/edge1', Buffer.from('x'));
    showfloor.broker.publishToBooth('no-such-booth', ncmd, Buffer.from('x'));
    expect(refusals('publish-denied')).toBe(before + 2);
    // A round trip at booth B after the commands.
    showfloor.broker.publishToBooth(BOOTH_B.id, 'marker/b', Buffer.from('x'));
    await edgeB.subscribeAsync('marker/#', { qos: 0 });
    showfloor.broker.publishToBooth(BOOTH_B.id, 'marker/b', Buffer.from('x'));
    await waitFor(() => seenB.length === 1, { what: 'the marker at booth B' });
    expect(seenB.map((m) => m.topic)).toEqual(['marker/b']);
  });
});
