/**
 * A server restart must not leave walls with empty charts: the new server warms its live window
 * from InfluxDB, and a wall that reconnects by itself receives it as a snapshot.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Snapshot } from '../../contract/live';
import { describeWithInfluxd, startInfluxd, type InfluxdProcess } from '../support/influxd';
import { freePorts } from '../support/ports';
import { BOOTH_A, connectDevice, getJson, startTestShowfloor, wallClient, type WallClient } from '../support/showfloor';
import { waitFor, waitForEvent } from '../support/waitFor';
import type { PublicDeviceList } from '../support/publicApi';

const DB = 'restart';

describeWithInfluxd('server restart', () => {
  let influxd: InfluxdProcess;
  let wall: WallClient | undefined;
  let second: Awaited<ReturnType<typeof startTestShowfloor>> | undefined;

  beforeAll(async () => {
    influxd = await startInfluxd();
  });

  afterAll(async () => {
    wall?.disconnect();
    await second?.close();
    await influxd?.dispose();
  });

  it('a reconnecting wall receives a snapshot with the readings from before the restart', async () => {
    const [httpPort, mqttPort] = (await freePorts(2)) as [number, number];
    const options = { influxUrl: influxd.url, database: DB, httpPort, mqttPort };
    const first = await startTestShowfloor(options);

    wall = wallClient(first.httpUrl, { booths: [BOOTH_A.id] });
    const snapshots: Snapshot[] = [];
    wall.on('snapshot', (s) => snapshots.push(s));
    wall.connect();
    await waitFor(() => snapshots.length === 1, { what: 'the first snapshot' });
    expect(snapshots[0]!.devices).toEqual([]);

    const device = await connectDevice(first.mqttUrl, BOOTH_A);
    const now = Date.now();
    for (let i = 0; i < 30; i++) {
      device.publish('booth/booth-a/env-07/telemetry', JSON.stringify({ temperature: 20 + i, ts: now - (30 - i) * 5000 }), { qos: 1 });
    }
    await waitFor(async () => (await influxd.queryRows(`SELECT * FROM "telemetry" WHERE "device" = 'env-07'`, DB)).length === 30, {
      what: '30 readings stored',
    });
    device.end(true);

    const disconnected = waitForEvent(wall, 'disconnect');
    await first.close();
    await disconnected;

    second = await startTestShowfloor(options);
    await waitFor(() => snapshots.length === 2, { what: 'a snapshot after the wall reconnected by itself', timeoutMs: 15_000 });
    const restored = snapshots[1]!.devices.find((d) => d.device === 'env-07');
    expect(restored).toBeDefined();
    const temperature = restored!.series.find((s) => s.metric === 'temperature');
    // The live window is 1 s slots over 15 minutes; these readings are 5 s apart, one per slot.
    expect(temperature?.values).toEqual(Array.from({ length: 30 }, (_, i) => 20 + i));
    expect(restored!.latest.temperature).toBe(49);
    expect(restored!.presence.state).toBe('unknown');
    // Restored history is not traffic: nothing was accepted by this server yet.
    const devices = (await getJson<PublicDeviceList>(`${second.httpUrl}/api/devices`)).body.devices;
    expect(devices.find((d) => d.device === 'env-07')?.accepted).toBe(0);
  });
});
