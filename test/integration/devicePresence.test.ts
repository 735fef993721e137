/**
 * Presence as the console sees it, against real Aedes, MQTT.js devices and influxd: every
 * transition with its reason, the stale limit from meta and learned from a device's own rate, a
 * connection that only the keepalive can find dead, and each change stored in `device_status`.
 */
import type mqtt from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DeviceDetail, DeviceHealth, DeviceHealthList, HealthChange } from '../../contract/console';
import { ConsoleClient, consoleYaml } from '../support/console';
import { describeWithInfluxd, startInfluxd, type InfluxdProcess } from '../support/influxd';
import { BOOTH_A, connectDevice, startTestShowfloor, type TestShowfloor } from '../support/showfloor';
import { startTcpProxy, type TcpProxy } from '../support/tcpProxy';
import { eventually, waitFor } from '../support/waitFor';

const DB = 'presence';
const topic = (device: string, leaf: string) => `booth/${BOOTH_A.id}/${device}/${leaf}`;

describeWithInfluxd('device presence for the console', () => {
  let influxd: InfluxdProcess;
  let showfloor: TestShowfloor;
  let consoleClient: ConsoleClient;
  const clients: mqtt.MqttClient[] = [];
  const proxies: TcpProxy[] = [];

  const device = async (options: mqtt.IClientOptions = {}, url = showfloor.mqttUrl) => {
    const client = await connectDevice(url, BOOTH_A, options);
    clients.push(client);
    return client;
  };
  const health = async (id: string): Promise<DeviceHealth | undefined> =>
    (await consoleClient.get<DeviceHealthList>('/api/console/devices')).body.devices.find((d) => d.device === id);
  const detail = async (id: string): Promise<DeviceDetail> => (await consoleClient.get<DeviceDetail>(`/api/console/devices/${BOOTH_A.id}/${id}`)).body;
  /** Waits until the device is in `state` for `reason`, and returns its health. */
  const reaches = (id: string, state: string, reason: string, timeoutMs = 10_000) =>
    waitFor(
      async () => {
        const found = await health(id);
        return found?.state === state && found.stateReason === reason && found;
      },
      { what: `${id} ${state}/${reason}`, timeoutMs },
    );
  const trail = (changes: HealthChange[]) =>
    changes
      .slice()
      .reverse()
      .map((c) => `${c.state}/${c.reason}`);
  const stored = async (id: string) =>
    (await influxd.queryRows(`SELECT "state", "reason" FROM "device_status" WHERE "device" = '${id}'`, DB)) as { state: string; reason: string }[];

  beforeAll(async () => {
    influxd = await startInfluxd();
    showfloor = await startTestShowfloor({ influxUrl: influxd.url, database: DB, yaml: consoleYaml() });
    consoleClient = new ConsoleClient(showfloor.httpUrl);
    expect((await consoleClient.login()).status).toBe(204);
  });

  afterAll(async () => {
    for (const client of clients) client.end(true);
    for (const proxy of proxies) await proxy.close();
    await showfloor?.close();
    await influxd?.dispose();
  });

  it('connect → online/connect with the client address; clean disconnect → offline/disconnect; the same client id again → online/connect, one reconnect; both stored', async () => {
    const clientId = `${BOOTH_A.id}-door-01-a`;
    const first = await device({ clientId });
    first.publish(topic('door-01', 'meta'), JSON.stringify({ name: 'Door', kind: 'door-sensor', firmware: '2.0.1' }), { qos: 1, retain: true });
    const online = await reaches('door-01', 'online', 'connect');
    expect(online).toMatchObject({ clientAddress: '127.0.0.1', reconnects: 0, kind: 'door-sensor', firmware: '2.0.1', name: 'Door' });
    expect(online.connectedSince).toBeTypeOf('number');

    await first.endAsync();
    const offline = await reaches('door-01', 'offline', 'disconnect');
    expect(offline.connectedSince).toBeNull();

    // Known from its last connection, the device is back as soon as the broker lets the client in.
    await device({ clientId });
    const back = await reaches('door-01', 'online', 'connect');
    expect(back.reconnects).toBe(1);
    await eventually(async () =>
      expect((await stored('door-01')).map((r) => `${r.state}/${r.reason}`)).toEqual(['online/connect', 'offline/disconnect', 'online/connect']),
    );
    expect(trail((await detail('door-01')).timeline)).toEqual(['online/connect', 'offline/disconnect', 'online/connect']);
  });

  it('a connection that drops without DISCONNECT and has a will → offline/will', async () => {
    const client = await device({ will: { topic: topic('willing-01', 'status'), payload: Buffer.from('offline'), qos: 1, retain: true } });
    client.publish(topic('willing-01', 'telemetry'), JSON.stringify({ t: 1 }), { qos: 1 });
    await reaches('willing-01', 'online', 'connect');
    client.stream.destroy(); // the network drops
    await reaches('willing-01', 'offline', 'will');
  });

  it('without a will, a dropped connection → offline/connection-lost; a status publish → offline/status and back online/status', async () => {
    const dropped = await device();
    dropped.publish(topic('lost-01', 'telemetry'), JSON.stringify({ t: 1 }), { qos: 1 });
    await reaches('lost-01', 'online', 'connect');
    dropped.stream.destroy();
    await reaches('lost-01', 'offline', 'connection-lost');

    const client = await device();
    client.publish(topic('status-01', 'telemetry'), JSON.stringify({ t: 1 }), { qos: 1 });
    await reaches('status-01', 'online', 'connect');
    client.publish(topic('status-01', 'status'), 'offline', { qos: 1, retain: true });
    await reaches('status-01', 'offline', 'status');
    client.publish(topic('status-01', 'status'), 'online', { qos: 1, retain: true });
    await reaches('status-01', 'online', 'status');
  });

  it('a device quiet past three intervals from its meta, or past its learned limit, → stale/inactivity; a reading brings it back online/telemetry', async () => {
    const client = await device();
    // No meta: learned from at least five gaps between its readings. Gaps of 2 s put the learned
    // limit (3 × the median gap) above the 5 s floor, so only real learning passes.
    const GAP_MS = 2000;
    for (let i = 0; i < 6; i++) {
      const sentAt = Date.now();
      await client.publishAsync(topic('learn-01', 'telemetry'), JSON.stringify({ t: i }), { qos: 1 });
      await waitFor(async () => (await detail('learn-01'))?.latest?.t === i, { what: `reading ${i}`, intervalMs: 20 });
      if (i < 5) await new Promise<void>((resolve) => setTimeout(resolve, sentAt + GAP_MS - Date.now())); // the device's own rate, not synchronisation
    }
    const learned = (await health('learn-01'))!;
    expect(learned).toMatchObject({ state: 'online', intervalSource: 'learned' });
    expect(learned.expectedIntervalMs).toBeGreaterThanOrEqual(3 * GAP_MS);
    expect(learned.expectedIntervalMs).toBeLessThan(3 * GAP_MS + 600);

    client.publish(topic('meta-int-01', 'meta'), JSON.stringify({ intervalMs: 2000 }), { qos: 1, retain: true });
    client.publish(topic('meta-int-01', 'telemetry'), JSON.stringify({ t: 1 }), { qos: 1 });
    await waitFor(async () => (await health('meta-int-01'))?.intervalSource === 'meta', { what: 'meta applied' });
    expect(await health('meta-int-01')).toMatchObject({ state: 'online', intervalSource: 'meta', expectedIntervalMs: 6000 });

    const metaStale = await reaches('meta-int-01', 'stale', 'inactivity', 15_000);
    expect(metaStale.stateSince - metaStale.lastSeen!).toBeGreaterThanOrEqual(6000);
    const learnedStale = await reaches('learn-01', 'stale', 'inactivity', 15_000);
    expect(learnedStale.stateSince - learnedStale.lastSeen!).toBeGreaterThanOrEqual(learned.expectedIntervalMs);
    expect(learnedStale.stateSince - learnedStale.lastSeen!).toBeLessThan(learned.expectedIntervalMs + 1500);
    // Six readings within the last minute, all in whole seconds by now.
    expect(learnedStale.ratePerSecond).toBeCloseTo(6 / 60, 2);

    client.publish(topic('meta-int-01', 'telemetry'), JSON.stringify({ t: 2 }), { qos: 1 });
    await reaches('meta-int-01', 'online', 'telemetry');
  });

  it("a link that goes silent without closing (found only by the broker's keepalive) → offline/keepalive-timeout", async () => {
    const proxy = await startTcpProxy(showfloor.mqttPort);
    proxies.push(proxy);
    const client = await device({ keepalive: 1 }, `mqtt://127.0.0.1:${proxy.port}`);
    client.on('error', () => undefined);
    client.publish(topic('silent-01', 'telemetry'), JSON.stringify({ t: 1 }), { qos: 1 });
    await reaches('silent-01', 'online', 'connect');
    const silencedAt = Date.now();
    proxy.blackHole(); // nothing more either way, and no FIN or RST reaches the broker
    const offline = await reaches('silent-01', 'offline', 'keepalive-timeout');
    // Aedes allows 1.5 × keepalive before it gives up on the client.
    expect(offline.stateSince - silencedAt).toBeGreaterThanOrEqual(1400);
    await eventually(async () => expect((await stored('silent-01')).map((r) => r.reason)).toEqual(['connect', 'keepalive-timeout']));
  });

  it('keeps the last rejected payloads cut short and cleaned, and the raw payloads newest first', async () => {
    const client = await device();
    await client.publishAsync(topic('noisy-01', 'telemetry'), JSON.stringify({ t: 1 }), { qos: 1 });
    await client.publishAsync(topic('noisy-01', 'telemetry'), `{"t": "x\u0007\u202e${'y'.repeat(400)}`, { qos: 1 });
    const found = await waitFor(
      async () => {
        const d = await detail('noisy-01');
        return d?.rejectedTotal === 1 && d;
      },
      { what: 'the rejection' },
    );
    expect(found.rejected).toEqual({ 'not-json': 1 });
    expect(found.lastRejection!.sample).toMatch(/^\{"t": "x\uFFFD\uFFFDy+…$/);
    expect([...found.lastRejection!.sample]).toHaveLength(301);
    expect(found.rejections).toHaveLength(1);
    expect(found.recentPayloads.map((p) => p.payload.slice(0, 8))).toEqual(['{"t": "x', '{"t":1}']);
  });
});
