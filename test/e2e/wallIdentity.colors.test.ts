/**
 * Colours survive a restart (issue 12), in Chromium against real Aedes, MQTT.js, influxd and
 * socket.io: every tile's readings are drawn in the same colours before the server stops and after
 * it starts again on the same InfluxDB and ports, on the page that stayed open (it reconnects), on a
 * page opened afresh, and once devices publish again with their readings in another order. Colours
 * are what the page drew (each readout's computed edge colour, set from web/shared/metricColors.ts),
 * not screenshot pixels. Two devices with the same readings first seen in different orders show
 * each reading in the same colour: colours follow the metric's name, never its place.
 */
import type { MqttClient } from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { deviceTopic } from '../../contract/device';
import { freePorts } from '../../server/net/freePorts';
import { artifactPath, describeWithChromium, launchChromium } from '../support/chromium';
import { describeWithInfluxd, startInfluxd, type InfluxdProcess } from '../support/influxd';
import { BOOTH_A, connectDevice, startTestShowfloor, type TestShowfloor, type TestShowfloorOptions } from '../support/showfloor';
import { eventually } from '../support/waitFor';

const DB = 'identity_colors';
/** The same four readings first seen in two orders, and a device with a set of its own. */
const DEVICES = [
  { id: 'env-a', name: 'Env A', first: ['temperature', 'humidity', 'co2', 'pm25'] },
  { id: 'env-b', name: 'Env B', first: ['pm25', 'co2', 'humidity', 'temperature'] },
  { id: 'charger', name: 'Charger', first: ['power_kw', 'energy_kwh', 'battery_soc'] },
] as const;
const VALUES: Record<string, number> = { temperature: 21.5, humidity: 40, co2: 600, pm25: 8, power_kw: 7.2, energy_kwh: 120, battery_soc: 64 };

/** device → metric → the colour its readout's edge is drawn in. */
type TileColors = Record<string, Record<string, string>>;

async function tileColors(page: Page): Promise<TileColors> {
  return page.evaluate(() => {
    const colors: Record<string, Record<string, string>> = {};
    for (const tile of document.querySelectorAll<HTMLElement>('[data-testid="device-tile"]')) {
      const device = tile.dataset['device'] ?? '';
      const rows: Record<string, string> = {};
      for (const row of tile.querySelectorAll<HTMLElement>('.readout[data-metric]')) rows[row.dataset['metric'] ?? ''] = getComputedStyle(row).borderLeftColor;
      colors[device] = rows;
    }
    return colors;
  });
}

/** Colours once every device's tile shows every one of its readings with a value. */
async function settledColors(page: Page): Promise<TileColors> {
  await page.waitForFunction(
    (devices) =>
      devices.every(({ id, count }) => {
        const values = [...document.querySelectorAll(`[data-testid="device-tile"][data-device="${id}"] [data-testid="metric-value"]`)];
        return values.length === count && values.every((v) => v.textContent !== '' && v.textContent !== '–');
      }),
    DEVICES.map((d) => ({ id: d.id, count: d.first.length })),
    { timeout: 30_000 },
  );
  return tileColors(page);
}

const describeWithBoth = (name: string, suite: () => void) => describeWithChromium(name, () => describeWithInfluxd(name, suite));

describeWithBoth('metric colours across a restart, in Chromium', () => {
  let influxd: InfluxdProcess;
  let showfloor: TestShowfloor;
  let options: TestShowfloorOptions;
  let browser: Browser;
  const clients: MqttClient[] = [];

  const publishAll = async (order: 'first' | 'reversed') => {
    const client = await connectDevice(showfloor.mqttUrl, BOOTH_A);
    clients.push(client);
    for (const d of DEVICES) {
      if (order === 'first') await client.publishAsync(deviceTopic(BOOTH_A.id, d.id, 'meta'), JSON.stringify({ name: d.name }), { qos: 1, retain: true });
      const metrics = order === 'first' ? [...d.first] : [...d.first].reverse();
      // One message per reading the first time, so the order they are first seen is the order given.
      if (order === 'first') {
        for (const metric of metrics)
          await client.publishAsync(deviceTopic(BOOTH_A.id, d.id, 'telemetry'), JSON.stringify({ [metric]: VALUES[metric] }), { qos: 1 });
      } else {
        await client.publishAsync(deviceTopic(BOOTH_A.id, d.id, 'telemetry'), JSON.stringify(Object.fromEntries(metrics.map((m) => [m, VALUES[m]]))), {
          qos: 1,
        });
      }
    }
    return client;
  };

  beforeAll(async () => {
    influxd = await startInfluxd();
    const [httpPort, mqttPort] = await freePorts(2);
    options = { booths: [BOOTH_A], influxUrl: influxd.url, database: DB, httpPort, mqttPort };
    showfloor = await startTestShowfloor(options);
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    for (const client of clients) client.end(true);
    await browser?.close();
    await showfloor?.close();
    await influxd?.dispose();
  });

  it('draws every reading of every tile in the same colour before and after the server restarts', async () => {
    const first = await publishAll('first');
    const url = `${showfloor.httpUrl}/?booth=${BOOTH_A.id}&scene=overview`;
    const kept = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await kept.goto(url);
    const before = await settledColors(kept);
    await kept.screenshot({ path: artifactPath('wall-colors-before-restart.png') });

    // Colours by name: the two devices with the same readings in different orders agree, reading by reading.
    expect(Object.keys(before['env-a'] ?? {}).sort()).toEqual([...DEVICES[0].first].sort());
    expect(before['env-b']).toEqual(before['env-a']);
    // Within a tile no two readings share a colour.
    for (const d of DEVICES) expect(new Set(Object.values(before[d.id] ?? {})).size, d.id).toBe(d.first.length);

    // Stored before the stop: the restarted server's only source of names and metric order.
    await eventually(async () => {
      const rows = (await influxd.queryRows(`SELECT "metrics", "device" FROM "device_meta"`, DB)) as { metrics: string; device: string }[];
      for (const d of DEVICES)
        expect(
          rows.some((r) => r.device === d.id && r.metrics === JSON.stringify(d.first)),
          d.id,
        ).toBe(true);
    });
    first.end(true);
    await showfloor.close();
    showfloor = await startTestShowfloor(options);

    // The page that stayed open reconnects and takes the restarted server's snapshot.
    await kept.waitForFunction(() => document.querySelector('[data-testid="connection"]')?.getAttribute('data-state') === 'live', undefined, {
      timeout: 30_000,
    });
    expect(await settledColors(kept)).toEqual(before);
    await kept.close();

    // A page opened after the restart draws from the stored identity alone.
    const fresh = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await fresh.goto(url);
    expect(await settledColors(fresh)).toEqual(before);

    // Devices speak again, their readings in the reverse order: nothing moves colour.
    await publishAll('reversed');
    await eventually(async () => expect(await tileColors(fresh)).toEqual(before));
    await fresh.screenshot({ path: artifactPath('wall-colors-after-restart.png') });
    await fresh.close();
  });
});
