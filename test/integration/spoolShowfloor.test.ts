/**
 * The spool inside a running Showfloor (storage.spoolDir): readings published over MQTT reach
 * InfluxDB through the segment log, and a clean close leaves no segment behind once InfluxDB
 * confirmed everything.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithInfluxd, startInfluxd, type InfluxdProcess } from '../support/influxd';
import { BOOTH_A, connectDevice, startTestShowfloor } from '../support/showfloor';
import { waitFor } from '../support/waitFor';

const DB = 'spooled';

describeWithInfluxd('Showfloor with a spool', () => {
  let influxd: InfluxdProcess;
  let dir: string;

  beforeAll(async () => {
    influxd = await startInfluxd();
    dir = await mkdtemp(join(tmpdir(), 'showfloor-spool-sf-'));
  });
  afterAll(async () => {
    await influxd?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('stores readings through the spool and leaves an empty spool after a clean close', { timeout: 60_000 }, async () => {
    const spoolDir = join(dir, 'spool');
    const showfloor = await startTestShowfloor({
      influxUrl: influxd.url,
      database: DB,
      yaml: `storage:\n  spoolDir: ${JSON.stringify(spoolDir)}\n  syncIntervalMs: 5\n`,
    });
    const device = await connectDevice(showfloor.mqttUrl, BOOTH_A);
    try {
      const t0 = Date.now() - 600_000;
      for (let seq = 0; seq < 50; seq++) await device.publishAsync('booth/booth-a/spooled-1/telemetry', `{"seq":${seq},"ts":${t0 + seq}}`, { qos: 1 });
      // The segment the readings went through is on disk while the server runs.
      expect((await readdir(spoolDir)).filter((name) => name.startsWith('segment-'))).toHaveLength(1);
      await waitFor(
        async () => {
          const [row] = await influxd.queryRows(`SELECT count("seq") FROM "telemetry" WHERE "device" = 'spooled-1'`, DB);
          return row?.count === 50;
        },
        { what: 'the readings in InfluxDB', timeoutMs: 30_000, intervalMs: 100 },
      );
    } finally {
      device.end(true);
      await showfloor.close();
    }
    expect(await readdir(spoolDir)).toEqual([]);
  });
});
