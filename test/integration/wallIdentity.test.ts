/**
 * Stable identity across a restart (issue 12), against real Aedes, MQTT.js, influxd and socket.io:
 * devices keep their names, units, metric order and presence when the server stops and starts on
 * the same InfluxDB, checked through what a wall's socket receives (no screenshots). And the
 * console's Forget: the device's tile and alarms go from walls at once, a restart does not bring
 * it back, and a forgotten device that publishes again comes back as new.
 */
import type mqtt from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Alarm, AlarmList, WallAlarmNotice } from '../../contract/console';
import type { DeviceWindow, Frame, Snapshot } from '../../contract/live';
import { ConsoleClient, consoleYaml } from '../support/console';
import { describeWithInfluxd, startInfluxd, type InfluxdProcess } from '../support/influxd';
import { BOOTH_A, connectDevice, startTestShowfloor, wallClient, type TestShowfloor, type WallClient } from '../support/showfloor';
import { eventually, waitFor, waitForEvent } from '../support/waitFor';

const DB = 'identity';
const RULES = 'alarms:\n  - { id: hot, severity: critical, metric: zeta, above: 100 }\n';
const topic = (device: string, leaf: string) => `booth/${BOOTH_A.id}/${device}/${leaf}`;

/** Metrics sent in this order, which is not alphabetical: the order a wall must keep. */
const FIRST_SEEN = ['zeta', 'alpha', 'mid'];
const DEVICES = [
  { id: 'lab-1', name: 'Lab one', units: { zeta: '°C', alpha: 'ppm', mid: '%' } },
  { id: 'lab-2', name: 'Lab two', units: { zeta: 'kW', alpha: 'V', mid: 'A' } },
  { id: 'lab-3', name: 'Lab three (leaves before the restart)', units: { zeta: 'bar', alpha: 'm', mid: 's' } },
];

interface SeenDevice {
  name: string | undefined;
  units: unknown;
  seriesOrder: string[];
  latestOrder: string[];
  presence: string;
}

/** What a wall's socket learns from a whole snapshot, per device. */
async function wallView(httpUrl: string): Promise<{ wall: WallClient; devices: Map<string, SeenDevice> }> {
  const wall = wallClient(httpUrl, { booths: [BOOTH_A.id] });
  const chunks: Snapshot[] = [];
  wall.on('snapshot', (chunk) => chunks.push(chunk));
  const final = waitForEvent<[Snapshot]>(wall, 'snapshot', { filter: (s) => s.final !== false });
  wall.connect();
  await final;
  const devices = new Map<string, SeenDevice>();
  for (const device of chunks.flatMap<DeviceWindow>((c) => c.devices)) {
    devices.set(device.device, {
      name: device.meta.name,
      units: device.meta.units,
      seriesOrder: device.series.map((s) => s.metric),
      latestOrder: Object.keys(device.latest),
      presence: device.presence.state,
    });
  }
  return { wall, devices };
}

describeWithInfluxd('stable identity across a restart, and forgetting a device', () => {
  let influxd: InfluxdProcess;
  let showfloor: TestShowfloor;
  let tech: ConsoleClient;
  const clients: mqtt.MqttClient[] = [];
  const walls: WallClient[] = [];

  const start = async () => {
    showfloor = await startTestShowfloor({ influxUrl: influxd.url, database: DB, yaml: `${consoleYaml()}${RULES}` });
    tech = new ConsoleClient(showfloor.httpUrl);
    expect((await tech.login('Ada')).status).toBe(204);
  };
  const device = async () => {
    const client = await connectDevice(showfloor.mqttUrl, BOOTH_A);
    clients.push(client);
    return client;
  };
  const view = async () => {
    const seen = await wallView(showfloor.httpUrl);
    walls.push(seen.wall);
    return seen;
  };
  const alarms = async (): Promise<Alarm[]> => (await tech.get<AlarmList>('/api/console/alarms')).body.alarms;

  beforeAll(async () => {
    influxd = await startInfluxd();
    await start();
  });

  afterAll(async () => {
    for (const wall of walls) wall.disconnect();
    for (const client of clients) client.end(true);
    await showfloor?.close();
    await influxd?.dispose();
  });

  it('keeps every device its name, units, metric order and presence after a stop and start on the same InfluxDB', async () => {
    const stays = await device();
    const leaves = await device();
    for (const d of DEVICES) {
      const client = d.id === 'lab-3' ? leaves : stays;
      // Retained, as devices do: the restarted broker will not have it, so only storage can give the names back.
      await client.publishAsync(topic(d.id, 'meta'), JSON.stringify({ name: d.name, units: d.units }), { qos: 1, retain: true });
      await client.publishAsync(topic(d.id, 'telemetry'), JSON.stringify({ zeta: 1, alpha: 2, mid: 3 }), { qos: 1 });
      await client.publishAsync(topic(d.id, 'telemetry'), JSON.stringify({ zeta: 4, alpha: 5, mid: 6 }), { qos: 1 });
    }
    await leaves.endAsync();
    const before = await waitFor(
      async () => {
        const { devices } = await view();
        const all = DEVICES.every((d) => devices.get(d.id)?.name === d.name && devices.get(d.id)?.seriesOrder.length === 3);
        return all && devices.get('lab-3')?.presence === 'offline' && devices;
      },
      { what: 'three named devices, lab-3 offline' },
    );
    for (const d of DEVICES) {
      expect(before.get(d.id)).toMatchObject({ name: d.name, units: d.units, seriesOrder: FIRST_SEEN, latestOrder: FIRST_SEEN });
    }
    // Stored before the stop (the store flushes on close too; this makes the wait explicit).
    await eventually(async () => {
      const rows = (await influxd.queryRows(`SELECT "metrics", "device" FROM "device_meta"`, DB)) as { metrics: string; device: string }[];
      const complete = new Set(rows.filter((r) => r.metrics === JSON.stringify(FIRST_SEEN)).map((r) => r.device));
      expect([...complete].sort()).toEqual(DEVICES.map((d) => d.id));
    });
    await eventually(async () =>
      expect(await influxd.queryRows(`SELECT "state" FROM "device_status" WHERE "device" = 'lab-3' AND "state" = 'offline'`, DB)).toHaveLength(1),
    );

    stays.end(true);
    for (const wall of walls.splice(0)) wall.disconnect();
    await showfloor.close();
    await start();

    const { devices: after } = await view();
    for (const d of DEVICES) {
      expect(after.get(d.id), d.id).toMatchObject({ name: d.name, units: d.units, seriesOrder: FIRST_SEEN, latestOrder: FIRST_SEEN });
    }
    expect(after.get('lab-3')?.presence).toBe('offline');
  });

  it('forgets a device from the console: its tile and alarms leave the walls at once, a restart does not bring it back, publishing again makes it new', async () => {
    const client = await device();
    await client.publishAsync(topic('old-1', 'meta'), JSON.stringify({ name: 'From an earlier run' }), { qos: 1 });
    await client.publishAsync(topic('old-1', 'telemetry'), JSON.stringify({ zeta: 500 }), { qos: 1 });
    const id = `hot/${BOOTH_A.id}/old-1`;
    await waitFor(async () => (await alarms()).some((a) => a.id === id && a.state === 'active'), { what: 'the old device alarm' });

    const { wall, devices } = await view();
    expect(devices.get('old-1')?.name).toBe('From an earlier run');
    const frames: Frame[] = [];
    wall.on('frame', (frame) => frames.push(frame));
    const alarmGone = waitForEvent<[WallAlarmNotice[]]>(wall, 'alarms', { filter: (list) => !list.some((a) => a.device === 'old-1') });
    const tileGone = waitForEvent<[Frame]>(wall, 'frame', { filter: (frame) => frame.forgotten?.includes('old-1') === true });

    expect((await tech.post(`/api/console/devices/${BOOTH_A.id}/old-1/forget`)).status).toBe(204);
    await Promise.all([alarmGone, tileGone]);
    const cleared = (await alarms()).filter((a) => a.id === id);
    expect(cleared.every((a) => a.state === 'cleared')).toBe(true);
    expect((await tech.get(`/api/console/devices/${BOOTH_A.id}/old-1`)).status).toBe(404);
    expect((await tech.post(`/api/console/devices/${BOOTH_A.id}/old-1/forget`)).status).toBe(404);
    expect((await tech.post(`/api/console/devices/${BOOTH_A.id}/lab-1/forget`, undefined, { origin: 'https://elsewhere.example' })).status).toBe(403);

    // A restart: not back from its readings, its presence or its stored identity, and no alarm of it.
    await eventually(async () =>
      expect(await influxd.queryRows(`SELECT "forgotten" FROM "device_meta" WHERE "device" = 'old-1' AND "forgotten" = true`, DB)).toHaveLength(1),
    );
    client.end(true);
    for (const w of walls.splice(0)) w.disconnect();
    await showfloor.close();
    const statusRows = async (device: string) => (await influxd.queryRows(`SELECT "state" FROM "device_status" WHERE "device" = '${device}'`, DB)).length;
    const [oldRows, labRows] = [await statusRows('old-1'), await statusRows('lab-1')];
    await start();
    // The restart wrote lab-1 its "server-start" row; old-1 gets none (else it would stay in the restore window forever).
    await eventually(async () => expect(await statusRows('lab-1')).toBeGreaterThan(labRows));
    expect(await statusRows('old-1')).toBe(oldRows);
    const { devices: restarted } = await view();
    expect(restarted.has('old-1')).toBe(false);
    expect(restarted.get('lab-1')?.name).toBe('Lab one');
    expect((await alarms()).some((a) => a.device === 'old-1' && a.state !== 'cleared')).toBe(false);

    // Publishing again: a new device, named only by what it says now.
    const again = await device();
    await again.publishAsync(topic('old-1', 'telemetry'), JSON.stringify({ mid: 1 }), { qos: 1 });
    const back = await waitFor(
      async () => {
        const { devices: now } = await view();
        return now.get('old-1');
      },
      { what: 'old-1 back as new' },
    );
    expect(back.name).toBeUndefined();
    expect(back.seriesOrder).toEqual(['mid']);
  });
});
