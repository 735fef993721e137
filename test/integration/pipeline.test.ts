/**
 * The whole device → wall path against real components: influxd 1.6.7, Aedes on free ports,
 * MQTT.js devices and socket.io wall clients.
 */
import { connect as connectTcp } from 'node:net';
import mqtt from 'mqtt';
import mqttPacket from 'mqtt-packet';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Frame, Snapshot } from '../../contract/live';
import { describeWithInfluxd, startInfluxd, type InfluxdProcess } from '../support/influxd';
import { BOOTH_A, BOOTH_B, connectDevice, getJson, startTestShowfloor, wallClient, type WallClient } from '../support/showfloor';
import { waitFor, waitForEvent } from '../support/waitFor';
import type { ApiError, PublicDeviceList, PublicHealth, PublicHistory } from '../support/publicApi';

const DB = 'pipeline';

describeWithInfluxd('device → broker → ingest → InfluxDB and socket.io', () => {
  let influxd: InfluxdProcess;
  let showfloor: Awaited<ReturnType<typeof startTestShowfloor>>;
  const walls: WallClient[] = [];
  const clients: mqtt.MqttClient[] = [];

  const rows = (where: string) => influxd.queryRows(`SELECT * FROM "telemetry" WHERE ${where}`, DB);
  const health = async () => (await getJson<PublicHealth>(`${showfloor.httpUrl}/api/health`)).body;
  const device = async (booth = BOOTH_A, options: mqtt.IClientOptions = {}) => {
    const client = await connectDevice(showfloor.mqttUrl, booth, options);
    clients.push(client);
    return client;
  };
  const connectedWall = async (booths?: string[]) => {
    const wall = wallClient(showfloor.httpUrl, booths ? { booths } : {});
    walls.push(wall);
    const snapshot = waitForEvent<[Snapshot]>(wall, 'snapshot');
    wall.connect();
    return { wall, snapshot: (await snapshot)[0] };
  };

  beforeAll(async () => {
    influxd = await startInfluxd();
    showfloor = await startTestShowfloor({ influxUrl: influxd.url, database: DB });
  });

  afterAll(async () => {
    for (const wall of walls) wall.disconnect();
    for (const client of clients) client.end(true);
    await showfloor?.close();
    await influxd?.dispose();
  });

  it('a reading published over MQTT is stored in InfluxDB and arrives in a socket.io frame', async () => {
    const { wall, snapshot } = await connectedWall([BOOTH_A.id]);
    expect(snapshot.booths).toEqual([{ id: BOOTH_A.id, name: BOOTH_A.name }]);
    const frame = waitForEvent<[Frame]>(wall, 'frame', { filter: (f) => f.readings.some((r) => r.device === 'env-01') });
    const sensor = await device();
    sensor.publish('booth/booth-a/env-01/meta', JSON.stringify({ name: 'Hall climate', kind: 'env-sensor', units: { temperature: '°C' } }), {
      retain: true,
      qos: 1,
    });
    const ts = Date.now() - 1000;
    sensor.publish('booth/booth-a/env-01/telemetry', JSON.stringify({ temperature: 21.5, door_open: true, ts }), { qos: 1 });

    const [received] = await frame;
    expect(received.booth).toBe(BOOTH_A.id);
    expect(received.readings.find((r) => r.device === 'env-01')).toEqual({
      booth: BOOTH_A.id,
      device: 'env-01',
      ts,
      values: { temperature: 21.5, door_open: true },
    });

    const stored = await waitFor(
      async () => {
        const found = await rows(`"device" = 'env-01'`);
        return found.length > 0 && found;
      },
      { what: 'the reading in InfluxDB' },
    );
    expect(stored).toEqual([{ time: ts, booth: BOOTH_A.id, device: 'env-01', kind: 'env-sensor', temperature: 21.5, door_open: 1 }]);
  });

  it('batches readings into one frame per tick per booth, never one emit per message', async () => {
    const { wall } = await connectedWall([BOOTH_A.id]);
    let frames = 0;
    let readings = 0;
    let newest = -1;
    wall.on('frame', (frame) => {
      const mine = frame.readings.filter((r) => r.device === 'burst-01');
      if (mine.length > 0) frames++;
      readings += mine.length;
      for (const r of mine) newest = Math.max(newest, Number(r.values.n));
    });
    const sensor = await device();
    const base = Date.now() - 10_000;
    for (let i = 0; i < 500; i++) sensor.publish('booth/booth-a/burst-01/telemetry', JSON.stringify({ n: i, ts: base + i }));
    await waitFor(() => newest === 499, { what: 'the newest of the 500 readings on the wall' });
    // 500 publishes over loopback take well under a second: a handful of 200 ms ticks.
    expect(frames).toBeLessThanOrEqual(10);
    // A frame carries only the newest reading of a series within its tick (the wall draws one point a tick; all 500 are stored).
    expect(readings).toBe(frames);
  });

  it('counts bad messages per device with their reason while good ones beside them all land', async () => {
    const sensor = await device();
    const bad: [string, string][] = [
      ['booth/booth-a/mixed-01/telemetry', 'not json'],
      ['booth/booth-a/mixed-01/telemetry', '{"t": 1e400}'],
      ['booth/booth-a/mixed-01/telemetry', '{"t": "NaN"}'],
      ['booth/booth-a/mixed-01/telemetry', '[1, 2]'],
      ['booth/booth-a/mixed-01/telemetry', '{"bad-name": 1}'],
      ['booth/booth-a/mixed-01/telemetry', JSON.stringify({ t: 1, pad: 'x'.repeat(17_000) })],
      ['booth/booth-a/mixed-01/nonsense', '{"t": 1}'],
      ['booth/booth-a/bad id!/telemetry', '{"t": 1}'],
    ];
    const base = Date.now() - 60_000;
    for (let i = 0; i < 40; i++) {
      sensor.publish('booth/booth-a/mixed-01/telemetry', JSON.stringify({ t: i, ts: base + i }), { qos: 1 });
      const [topic, payload] = bad[i % bad.length]!;
      sensor.publish(topic, payload, { qos: 1 });
    }
    const stored = await waitFor(
      async () => {
        const found = await rows(`"device" = 'mixed-01'`);
        return found.length === 40 && found;
      },
      { what: '40 good readings in InfluxDB' },
    );
    expect(stored.map((r) => r.t)).toEqual(Array.from({ length: 40 }, (_, i) => i));

    const devices = (await getJson<PublicDeviceList>(`${showfloor.httpUrl}/api/devices`)).body;
    const mixed = devices.devices.find((d) => d.device === 'mixed-01');
    expect(mixed?.accepted).toBe(40);
    expect(mixed?.rejected).toEqual({
      'not-json': 5,
      'bad-value': 10,
      'not-an-object': 5,
      'bad-metric-name': 5,
      'payload-too-large': 5,
      'topic-outside-contract': 5,
    });
    expect(mixed?.lastRejection?.reason).toBeTypeOf('string');
    const boothA = devices.booths.find((b) => b.id === BOOTH_A.id);
    expect(boothA?.unattributedRejections).toEqual({ 'bad-device-id': 5 });
    const counters = (await health()).counters;
    expect(counters.rejected['bad-value']).toBeGreaterThanOrEqual(10);
    expect(counters.rejectedTotal).toBeGreaterThanOrEqual(40);
  });

  it('refuses unknown booths and wrong passwords with CONNACK 4', async () => {
    for (const [username, password] of [
      [BOOTH_A.id, 'wrong-password'],
      ['no-such-booth', 'whatever1'],
      [BOOTH_A.id, BOOTH_B.password],
    ] as const) {
      // The client id plays no part in the answer (issue 11: ids are the devices' own, owned per booth).
      const client = mqtt.connect(showfloor.mqttUrl, { username, password, reconnectPeriod: 0, clientId: `${username}-x` });
      const [error] = await waitForEvent<[Error & { code?: number }]>(client, 'error', { rejectOnError: false });
      expect(error.code).toBe(4);
      client.end(true);
    }
    expect((await health()).broker.refusals['bad-credentials']).toBeGreaterThanOrEqual(3);
  });

  it('refuses publishing into another booth (the connection stays up) and subscribing there; `#` is mounted inside the booth', async () => {
    const intruder = await device(BOOTH_A);
    // MQTT.js rejects when any filter is refused; the SUBACK it carries says which.
    const suback = await intruder.subscribeAsync(['booth/booth-b/#', 'booth/+/x/telemetry', '#', 'booth/booth-a/#']).then(
      () => undefined,
      (error: { packet?: { granted: unknown[] } }) => error.packet,
    );
    // `#` is booth A's own `booth/booth-a/raw/#` since issue 11 (broker/BoothMount.ts).
    expect(suback?.granted).toEqual([128, 128, 0, 0]);

    // Issue 11: acknowledged, dropped and counted rather than closing the connection, which made stock devices reconnect in a loop.
    let closed = false;
    intruder.on('close', () => (closed = true));
    await intruder.publishAsync('booth/booth-b/victim/telemetry', JSON.stringify({ t: 666 }), { qos: 1 });
    const refusals = (await health()).broker.refusals;
    expect(refusals['publish-denied']).toBeGreaterThanOrEqual(1);
    expect(refusals['subscribe-denied']).toBeGreaterThanOrEqual(2);
    expect(closed).toBe(false);
    // Booth B's own device still works and nothing of the intruder's landed there.
    const owner = await device(BOOTH_B);
    owner.publish('booth/booth-b/victim/telemetry', JSON.stringify({ t: 1 }), { qos: 1 });
    const stored = await waitFor(
      async () => {
        const found = await rows(`"booth" = 'booth-b' AND "device" = 'victim'`);
        return found.length > 0 && found;
      },
      { what: "booth B's own reading" },
    );
    expect(stored.map((r) => r.t)).toEqual([1]);
  });

  it('accepts a booth with its own password, through the scrypt hash in its settings', async () => {
    const client = await device(BOOTH_B);
    expect(client.connected).toBe(true);
  });

  it('assigns an id for an empty client id with a clean session; refuses one without a clean session with CONNACK 2 [MQTT-3.1.3-8]', async () => {
    const before = (await health()).broker.refusals['empty-client-id'] ?? 0;
    const field = (text: string) => Buffer.concat([Buffer.from([0, Buffer.byteLength(text)]), Buffer.from(text)]);
    for (const [flags, returnCode] of [
      [0xc2, 0],
      [0xc0, 2],
    ] as const) {
      const socket = connectTcp(showfloor.mqttPort, '127.0.0.1');
      const parser = mqttPacket.parser({ protocolVersion: 4 });
      const packets: mqttPacket.Packet[] = [];
      parser.on('packet', (p) => packets.push(p));
      socket.on('data', (d) => parser.parse(d));
      socket.on('error', () => undefined);
      const closed = waitForEvent(socket, 'close', { rejectOnError: false });
      // Hand-built, because mqtt-packet refuses to generate an empty id without a clean session.
      const body = Buffer.concat([field('MQTT'), Buffer.from([4, flags, 0, 10]), field(''), field(BOOTH_A.id), field(BOOTH_A.password)]);
      socket.write(Buffer.concat([Buffer.from([0x10, body.length]), body]));
      await waitFor(() => packets.length === 1, { what: `the CONNACK for flags ${flags}` });
      expect(packets, `flags ${flags}`).toEqual([expect.objectContaining({ cmd: 'connack', returnCode })]);
      socket.destroy();
      await closed;
    }
    expect((await health()).broker.refusals['empty-client-id']).toBe(before + 1);
  });

  it("gives another booth using a device's client id a session of its own and leaves the owner's device connected", async () => {
    const owner = await device(BOOTH_A, { clientId: `${BOOTH_A.id}-owned-01` });
    let ownerClosed = false;
    owner.on('close', () => (ownerClosed = true));

    // Booth B logs in correctly and reuses booth A's id: MQTT would have the broker drop the owner,
    // and until issue 11 this was refused with CONNACK 2. Ids are now owned per booth
    // (broker/BoothMount.ts sessionKey): B's connection is another session, and A's stays.
    const thief = await device(BOOTH_B, { clientId: `${BOOTH_A.id}-owned-01` });
    const stray = await device(BOOTH_B, { clientId: 'sensor-01' });
    await thief.publishAsync('booth/booth-b/thief-01/telemetry', JSON.stringify({ t: 1 }), { qos: 1 });
    thief.end(true);
    stray.end(true);

    owner.publish('booth/booth-a/owned-01/telemetry', JSON.stringify({ t: 5 }), { qos: 1 });
    await waitFor(async () => (await rows(`"device" = 'owned-01'`)).length === 1, { what: "the owner's reading after the attempt" });
    expect(ownerClosed).toBe(false);
    expect(owner.connected).toBe(true);
  });

  it('cuts a packet over the size limit at the transport and keeps serving other devices', async () => {
    const big = await device();
    const neighbour = await device();
    const closed = waitForEvent(big, 'close', { rejectOnError: false });
    big.publish('booth/booth-a/big-01/telemetry', Buffer.alloc(200 * 1024, 0x20));
    await closed;
    expect((await health()).broker.refusals['packet-too-large']).toBeGreaterThanOrEqual(1);
    neighbour.publish('booth/booth-a/neighbour-01/telemetry', JSON.stringify({ t: 7 }), { qos: 1 });
    await waitFor(async () => (await rows(`"device" = 'neighbour-01'`)).length === 1, { what: "the neighbour's reading" });
  });

  it('serves MQTT over WebSocket at /mqtt on the HTTP port', async () => {
    const client = await connectDevice(`ws://127.0.0.1:${showfloor.httpPort}/mqtt`, BOOTH_A);
    clients.push(client);
    client.publish('booth/booth-a/ws-01/telemetry', JSON.stringify({ t: 3 }), { qos: 1 });
    await waitFor(async () => (await rows(`"device" = 'ws-01'`)).length === 1, { what: 'the WebSocket reading' });
  });

  it('turns a lost connection into offline presence through the will, and pushes it to walls', async () => {
    const { wall } = await connectedWall([BOOTH_A.id]);
    const client = await device(BOOTH_A, { will: { topic: 'booth/booth-a/willing-01/status', payload: Buffer.from('offline'), qos: 1, retain: true } });
    const online = waitForEvent<[Frame]>(wall, 'frame', { filter: (f) => f.devices.some((d) => d.device === 'willing-01' && d.presence.state === 'online') });
    client.publish('booth/booth-a/willing-01/status', 'online', { qos: 1, retain: true });
    await online;
    const offline = waitForEvent<[Frame]>(wall, 'frame', { filter: (f) => f.devices.some((d) => d.device === 'willing-01' && d.presence.state === 'offline') });
    client.stream.destroy(); // the network drops: no DISCONNECT, so the broker publishes the will
    const [frame] = await offline;
    expect(['will', 'connection-lost']).toContain(frame.devices.find((d) => d.device === 'willing-01')!.presence.reason);
    // The will and the broker's own disconnect event race; whichever lands first names the reason.
    const list = (await getJson<PublicDeviceList>(`${showfloor.httpUrl}/api/devices`)).body;
    expect(list.devices.find((d) => d.device === 'willing-01')?.presence.state).toBe('offline');
  });

  it('serves history from InfluxDB and answers bad parameters with 400 and a message', async () => {
    const sensor = await device();
    const start = Date.now() - 10 * 60_000;
    for (let i = 0; i < 600; i++) sensor.publish('booth/booth-a/hist-01/telemetry', JSON.stringify({ level: i, ts: start + i * 1000 }));
    await waitFor(async () => (await rows(`"device" = 'hist-01'`)).length === 600, { what: '600 readings stored' });
    const url = `${showfloor.httpUrl}/api/history?booth=booth-a&device=hist-01&metric=level&from=${start}&to=${start + 600_000}&points=60`;
    const { status, body } = await getJson<PublicHistory>(url);
    expect(status).toBe(200);
    expect(body.source).toBe('influxdb');
    expect(body.intervalMs).toBe(10_000);
    // Buckets start at `from`, so ten whole readings fall in each and there are exactly the 60 asked for.
    expect(body.points).toEqual(Array.from({ length: 60 }, (_, k) => [start + k * 10_000, 10 * k + 4.5]));

    for (const [query, message] of [
      ['booth=booth-a&device=hist-01', /metric: /],
      ['booth=booth-a&device=hist-01&metric=level&points=0', /points: /],
      ['booth=booth-a&device=hist-01&metric=level&from=yesterday', /from: must be epoch/],
      ["booth=booth-a&device=hist'01&metric=level", /device: must be a device id/],
      ['booth=booth-a&device=hist-01&metric=level&from=2000&to=1000', /from: must be before to/],
      ['booth=booth-a&device=hist-01&metric=level&sql=drop', /unknown parameter sql/],
    ] as const) {
      const answer = await getJson<ApiError>(`${showfloor.httpUrl}/api/history?${query}`);
      expect(answer.status, query).toBe(400);
      expect(answer.body.error).toMatch(message);
    }
  });

  it('reports health and Prometheus metrics from the same counters', async () => {
    const report = await health();
    expect(report.status).toBe('ok');
    expect(report.influxdb).toMatchObject({ mode: 'v1', reachable: true, bucket: DB });
    await waitFor(async () => (await health()).counters.pending === 0, { what: 'all lines written' });
    const after = await health();
    const metrics = await (await fetch(`${showfloor.httpUrl}/metrics`)).text();
    expect(metrics).toContain(`showfloor_influx_lines_written_total ${after.counters.written}`);
    expect(metrics).toMatch(/showfloor_messages_rejected_total\{reason="not-json"\} \d+/);
    expect(after.counters.dropped).toBe(0);
  });
});
