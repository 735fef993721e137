/**
 * Issue 11 on the wall: one simulated stock device per family (Tasmota, Shelly Gen2, ESPHome, Sparkplug
 * B), each on its own topics with its own client id, in booth A beside a native device in booth B; an
 * all-booths wall in Chromium shows every one of them with its name and live readings under the
 * adapters' mapped names. The screenshot is test-artifacts/stock-devices-1080p.png. A Home Assistant
 * discovery device (config and state topics, abbreviated keys, `~`) and a `topicMaps` device (named
 * wildcard, dotted field paths, timestamp in seconds) show their names, readings and units too:
 * test-artifacts/stock-devices-ha-topicmap-1080p.png and the two tiles on their own.
 *
 * The overview pages (docs/wall.md): at 1080p the Tasmota plug's twelve readings make every tile a
 * page of its own, so the wall here has one overview scene turning its pages every few seconds and
 * each check waits for the page that holds its device.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEFAULT_WEB_ROOT } from '../../server/Showfloor';
import { startSimulatedBooth, type SimulatedBooth } from '../../simulators/booth';
import { FAMILY_KINDS } from '../../simulators/families/registry';
import { TOPIC_MAP_YAML, topicMap } from '../support/adapterFixtures';
import { artifactPath, describeWithChromium, launchChromium } from '../support/chromium';
import { BOOTH_A, BOOTH_B, connectDevice, startTestShowfloor, type TestBooth } from '../support/showfloor';

/** The shortest page turn a dashboard allows (DASHBOARD_LIMITS.minSceneSeconds), so a cycle of pages stays short. */
const DASHBOARD = 'scenes:\n  - { id: overview, title: Overview, durationSeconds: 3, panels: [{ kind: devices }] }\n';
/** Long enough for every page to come round once (8 devices, one a page, 3 s each) and then some. */
const PAGE_CYCLE_MS = 60_000;

const ACME: TestBooth = { ...BOOTH_A, settingsYaml: `    adapters: [tasmota, shelly, esphome, sparkplug, homeassistant]\n${TOPIC_MAP_YAML}` };

/**
 * A device that describes itself with Home Assistant MQTT discovery the way the HA docs show it (MQTT
 * integration, "Using abbreviations and base topic": `~` as the base of every `*_topic`, abbreviated keys,
 * one JSON state topic read through `value_json` templates), with its own client id and availability.
 */
const HA_DEVICE = 'hallclimate1';
const haConfig = (objectId: string, name: string, unit: string, deviceClass: string): string =>
  JSON.stringify({
    '~': 'hall/climate1',
    name,
    dev_cla: deviceClass,
    unit_of_meas: unit,
    stat_t: '~/state',
    val_tpl: `{{ value_json.${objectId} }}`,
    avty_t: '~/availability',
    uniq_id: `hallclimate1_${objectId}`,
    dev: { ids: [HA_DEVICE], name: 'Hall climate', mdl: 'Climate Sensor X', sw: '1.4.2' },
  });

/** Device id, the name its family announces (or the id where it announces none), and a reading it shows. */
const TILES = [
  // The wall keeps a device's first 12 metrics (web/wall/WallModel.ts DEFAULT_MAX_METRICS_PER_DEVICE) and stock
  // Tasmota sends STATE before SENSOR each TelePeriod, so the plug's tile fills with STATE's numbers and the
  // energy total; its BME280 readings are stored (test/integration/stockDevices.test.ts) but not on this tile.
  { device: 'tasmota_a1b2c1', name: 'Tasmota plug 1', metric: 'energy_total' },
  { device: 'shellyplus1pm-a8032ab12341', name: 'shellyplus1pm-a8032ab12341', metric: 'switch_0_apower' },
  { device: 'expo-esp1', name: 'expo-esp1', metric: 'temperature' },
  { device: 'edge-1_Robot', name: 'edge-1/Robot', metric: 'joint1_temperature' },
] as const;

/** What the wall shows for one device now, without waiting for elements that are not there (yet). */
function tileText(page: Page, booth: string, device: string, metric: string): Promise<{ name: string | null; value: string | null; unit: string | null }> {
  return page.evaluate(
    ([b, d, m]) => {
      const tile = [...document.querySelectorAll<HTMLElement>('[data-testid="device-tile"]')].find(
        (t) => t.dataset['booth'] === b && t.dataset['device'] === d,
      );
      const readout = tile ? [...tile.querySelectorAll<HTMLElement>('li.readout')].find((r) => r.dataset['metric'] === m) : undefined;
      return {
        name: tile?.querySelector('[data-testid="device-name"]')?.textContent ?? null,
        value: readout?.querySelector('[data-testid="metric-value"]')?.getAttribute('data-value') ?? null,
        unit: readout?.querySelector('.readout__unit')?.textContent ?? null,
      };
    },
    [booth, device, metric] as const,
  );
}

describeWithChromium('stock devices on an all-booths wall', () => {
  let showfloor: Awaited<ReturnType<typeof startTestShowfloor>>;
  let stock: SimulatedBooth;
  let native: SimulatedBooth;
  let browser: Browser;
  let page: Page;
  let dir: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(DEFAULT_WEB_ROOT)) throw new Error(`${DEFAULT_WEB_ROOT} is missing: run \`npx vite build --logLevel warn\` first`);
    dir = await mkdtemp(join(tmpdir(), 'showfloor-stock-'));
    await writeFile(join(dir, 'dashboard.yaml'), DASHBOARD);
    showfloor = await startTestShowfloor({ booths: [ACME, BOOTH_B], dashboardFile: join(dir, 'dashboard.yaml') });
    stock = startSimulatedBooth({
      url: showfloor.mqttUrl,
      booth: ACME.id,
      password: ACME.password,
      devices: FAMILY_KINDS.length,
      rate: 1,
      profiles: FAMILY_KINDS,
      familyPeriodMs: 1000,
      seed: 'wall',
    });
    native = startSimulatedBooth({
      url: showfloor.mqttUrl,
      booth: BOOTH_B.id,
      password: BOOTH_B.password,
      devices: 1,
      rate: 1,
      profiles: ['env-sensor'],
      seed: 'wall',
    });
    await Promise.all([stock.ready(), native.ready()]);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all([stock?.stop(), native?.stop()]);
    await showfloor?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('shows each family’s device with its name and a live reading, beside booth B’s native device', { timeout: 2 * PAGE_CYCLE_MS }, async () => {
    // Pinned to the overview; its pages still turn, one device each here.
    await page.goto(`${showfloor.httpUrl}/?scene=overview`);
    await expect.poll(() => page.getByTestId('connection-label').textContent(), { timeout: 15_000 }).toBe('Live');
    // One device a page: what each page shows is gathered as the pages turn, until every device was seen.
    const seen = new Map<string, { name: string | null; hasValue: boolean }>();
    const powers = new Set<string>();
    const look = async () => {
      for (const { device, metric } of TILES) {
        const shown = await tileText(page, ACME.id, device, metric);
        if (shown.name === null) continue;
        const first = !seen.has(device);
        seen.set(device, { name: shown.name, hasValue: shown.value !== null && Number.isFinite(Number(shown.value)) });
        if (first) await page.screenshot({ path: artifactPath(`stock-devices-1080p-${device}.png`) });
        // Readings keep moving: the Shelly's power readout is redrawn with new values.
        if (metric === 'switch_0_apower' && shown.value !== null) powers.add(shown.value);
      }
      if ((await tileText(page, BOOTH_B.id, 'env-01', 'temperature')).value !== null) seen.set('env-01', { name: 'env-01', hasValue: true });
      return {
        tiles: TILES.map(({ device }) => [device, seen.get(device) ?? null]),
        native: seen.has('env-01'),
        shellyValues: Math.min(powers.size, 2),
      };
    };
    await expect
      .poll(look, { timeout: PAGE_CYCLE_MS, message: 'every device seen on its page, with its name and a reading' })
      .toEqual({ tiles: TILES.map(({ device, name }) => [device, { name, hasValue: true }]), native: true, shellyValues: 2 });
    expect(pageErrors).toEqual([]);
  });

  it('shows a Home Assistant discovery device and a topicMaps device with their names, readings and units', { timeout: 3 * PAGE_CYCLE_MS }, async () => {
    const board = await connectDevice(showfloor.mqttUrl, ACME, {
      clientId: 'hall-climate-1',
      will: { topic: 'hall/climate1/availability', payload: Buffer.from('offline'), retain: true, qos: 1 },
    });
    const rig = await connectDevice(showfloor.mqttUrl, ACME, { clientId: 'rig7' });
    try {
      await board.publishAsync('hall/climate1/availability', 'online', { qos: 1, retain: true });
      await board.publishAsync('homeassistant/sensor/hallclimate1/temperature/config', haConfig('temperature', 'Temperature', '°C', 'temperature'), {
        qos: 1,
        retain: true,
      });
      await board.publishAsync('homeassistant/sensor/hallclimate1/humidity/config', haConfig('humidity', 'Humidity', '%', 'humidity'), {
        qos: 1,
        retain: true,
      });
      await board.publishAsync('hall/climate1/state', JSON.stringify({ temperature: 22.4, humidity: 48.5 }), { qos: 1 });
      // Issue 11's topicMaps example: lab/+device/data, `t` in seconds, env.temp → temperature °C, env.rh → humidity %.
      const fixture = topicMap.reading(Date.now());
      await rig.publishAsync(fixture.topic, fixture.payload, { qos: 1 });

      await page.goto(`${showfloor.httpUrl}/?scene=overview`);
      await expect.poll(() => page.getByTestId('connection-label').textContent(), { timeout: 15_000 }).toBe('Live');
      const expected = [
        { device: HA_DEVICE, metric: 'temperature', shown: { name: 'Hall climate', value: '22.4', unit: '°C' } },
        { device: HA_DEVICE, metric: 'humidity', shown: { name: 'Hall climate', value: '48.5', unit: '%' } },
        { device: 'rig7', metric: 'temperature', shown: { name: 'rig7', value: '22.4', unit: '°C' } },
        { device: 'rig7', metric: 'humidity', shown: { name: 'rig7', value: '40', unit: '%' } },
      ];
      for (const { device, metric, shown } of expected) {
        await expect.poll(() => tileText(page, ACME.id, device, metric), { timeout: PAGE_CYCLE_MS, message: `${device}'s tile, ${metric}` }).toEqual(shown);
      }
      // Readings keep arriving on the HA device's own state topic.
      await board.publishAsync('hall/climate1/state', JSON.stringify({ temperature: 22.9, humidity: 47 }), { qos: 1 });
      await expect.poll(async () => (await tileText(page, ACME.id, HA_DEVICE, 'temperature')).value, { timeout: PAGE_CYCLE_MS }).toBe('22.9');
      await page.screenshot({ path: artifactPath('stock-devices-ha-topicmap-1080p.png') });
      // Each tile on its own, taken while its page is on screen.
      for (const [device, file] of [
        [HA_DEVICE, 'stock-devices-ha-tile.png'],
        ['rig7', 'stock-devices-topicmap-tile.png'],
      ] as const) {
        const tile = page.locator(`[data-testid="device-tile"][data-device="${device}"]`);
        await expect.poll(() => tile.count(), { timeout: PAGE_CYCLE_MS }).toBe(1);
        await tile.screenshot({ path: artifactPath(file) });
      }
      expect(pageErrors).toEqual([]);
    } finally {
      board.end(true);
      rig.end(true);
    }
  });
});
