/**
 * Issue 12 with the spool (issue 13): a device forgotten while InfluxDB was down has its forgotten
 * mark in the spool, not in InfluxDB, when the server stops. The next start must restore after the
 * spool has replayed it, or the device comes back from its stored readings.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ConsoleClient, consoleYaml } from '../support/console';
import { describeWithInfluxd, startInfluxd, type InfluxdProcess } from '../support/influxd';
import { BOOTH_A, connectDevice, startTestShowfloor, type TestShowfloor } from '../support/showfloor';
import { eventually } from '../support/waitFor';

const DB = 'forget_outage';
const topic = (device: string, leaf: string) => `booth/${BOOTH_A.id}/${device}/${leaf}`;

describeWithInfluxd('a Forget while InfluxDB is down, then a restart', () => {
  let influxd: InfluxdProcess;
  let dir: string;
  let showfloor: TestShowfloor | undefined;

  beforeAll(async () => {
    influxd = await startInfluxd();
    dir = await mkdtemp(join(tmpdir(), 'showfloor-forget-outage-'));
  });
  afterAll(async () => {
    await showfloor?.close();
    await influxd?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps the device forgotten: the restore waits for the spool to replay the mark', { timeout: 120_000 }, async () => {
    const yaml = `${consoleYaml()}storage:\n  spoolDir: ${JSON.stringify(join(dir, 'spool'))}\n  syncIntervalMs: 5\n`;
    const start = async () => {
      showfloor = await startTestShowfloor({ influxUrl: influxd.url, database: DB, yaml });
      const tech = new ConsoleClient(showfloor.httpUrl);
      expect((await tech.login('Ada')).status).toBe(204);
      return tech;
    };
    let tech = await start();
    const client = await connectDevice(showfloor!.mqttUrl, BOOTH_A);
    await client.publishAsync(topic('gone-1', 'meta'), JSON.stringify({ name: 'Forgotten in the outage' }), { qos: 1 });
    await client.publishAsync(topic('gone-1', 'telemetry'), JSON.stringify({ t: 1 }), { qos: 1 });
    await client.publishAsync(topic('stays-1', 'telemetry'), JSON.stringify({ t: 1 }), { qos: 1 });
    await eventually(async () => expect(await influxd.queryRows(`SELECT "t" FROM "telemetry" WHERE "device" = 'gone-1'`, DB)).toHaveLength(1));
    await eventually(async () =>
      expect(await influxd.queryRows(`SELECT "metrics", "device" FROM "device_meta"`, DB)).toEqual(
        expect.arrayContaining([expect.objectContaining({ device: 'gone-1' })]),
      ),
    );

    await influxd.stop();
    // Readings of the outage ahead of the mark in the spool, so its replay is not over in an instant.
    for (let seq = 0; seq < 2000; seq++) client.publish(topic('stays-1', 'telemetry'), JSON.stringify({ t: seq }), { qos: 0 });
    await client.publishAsync(topic('stays-1', 'telemetry'), JSON.stringify({ t: -1 }), { qos: 1 });
    expect((await tech.post(`/api/console/devices/${BOOTH_A.id}/gone-1/forget`)).status).toBe(204);
    client.end(true);
    await showfloor!.close();
    showfloor = undefined;

    await influxd.restart();
    tech = await start();
    expect((await tech.get(`/api/console/devices/${BOOTH_A.id}/gone-1`)).status).toBe(404);
    expect((await tech.get(`/api/console/devices/${BOOTH_A.id}/stays-1`)).status).toBe(200);
  });
});
