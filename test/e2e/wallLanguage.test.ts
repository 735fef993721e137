/**
 * A Chinese wall says everything in Chinese (issue 12): a demo-like booth (broker, server, influxd,
 * simulated devices of every kind, a dashboard file that renames one metric for the booth) on
 * `?lang=zh`, every scene pinned in turn, every visible DOM text and every text the charts draw on
 * their canvases scanned for English words. Device names, ids, the booth's name and units are the
 * devices' and the organiser's own text and are allowed; anything else in ASCII letters fails.
 * `?lang=both` shows both languages side by side. Screenshots land in test-artifacts/.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEFAULT_WEB_ROOT } from '../../server/Showfloor';
import { startSimulatedBooth, type SimulatedBooth } from '../../simulators/booth';
import { artifactPath, describeWithChromium, launchChromium } from '../support/chromium';
import { startInfluxd, type InfluxdProcess } from '../support/influxd';
import { BOOTH_A, connectDevice, getJson, startTestShowfloor } from '../support/showfloor';

/** Text drawn on canvases (chart axes, gauge ticks, position labels), recorded as it is drawn; bounded. */
async function recordCanvasText(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const drawn = new Set<string>();
    (window as unknown as { __canvasText: Set<string> }).__canvasText = drawn;
    const prototype = CanvasRenderingContext2D.prototype;
    const original = Object.getOwnPropertyDescriptor(prototype, 'fillText')?.value as CanvasRenderingContext2D['fillText'];
    prototype.fillText = function (this: CanvasRenderingContext2D, text: string, x: number, y: number, maxWidth?: number) {
      if (drawn.size < 5000) drawn.add(String(text));
      return maxWidth === undefined ? original.call(this, text, x, y) : original.call(this, text, x, y, maxWidth);
    };
  });
}

/** Every text node a visitor can see, with the element it is in, and what the canvases drew. */
function visibleTexts(page: Page): Promise<{ dom: { text: string; where: string }[]; canvas: string[] }> {
  return page.evaluate(() => {
    const dom: { text: string; where: string }[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent?.trim() ?? '';
      const parent = node.parentElement;
      if (text === '' || !parent || !parent.checkVisibility({ opacityProperty: true, visibilityProperty: true })) continue;
      dom.push({ text, where: `${parent.tagName.toLowerCase()}.${[...parent.classList].join('.')}` });
    }
    const canvas = [...(window as unknown as { __canvasText: Set<string> }).__canvasText];
    return { dom, canvas };
  });
}

/** ASCII words of two letters or more: what an English label, alarm or axis word is made of. */
function englishWords(text: string, allowed: ReadonlySet<string>): string[] {
  return (text.match(/[A-Za-z][A-Za-z.]*[A-Za-z]/g) ?? []).filter((word) => !allowed.has(word) && !allowed.has(word.toLowerCase()));
}

/** The booth's dashboard file: one metric renamed for this booth, automatic scenes. */
const OVERRIDES = 'metricDisplay:\n  session_count:\n    label: { en: Charging sessions, zh: 充电次数 }\n';

/** The same with a scene of every panel kind that names metrics, for the panels' words. */
const PANEL_SCENE = `${OVERRIDES}scenes:
  - id: panels
    title: { en: Panels, zh: 面板 }
    panels:
      - { kind: timeseries, device: robot-01, metrics: [j1_temp, j2_temp, torque_nm, fault] }
      - { kind: stat, device: env-01, metric: co2 }
      - { kind: gauge, device: vehicle-01, metric: heading_deg }
      - { kind: stat, device: ev-01, metric: charging }
      - { kind: position, xMetric: pos_x, yMetric: pos_y }
      - { kind: status-grid }
`;

describeWithChromium('wall in Chinese', () => {
  let influxd: InfluxdProcess;
  let showfloor: Awaited<ReturnType<typeof startTestShowfloor>>;
  let simulators: SimulatedBooth;
  let device: MqttClient;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  let dashboardFile = '';
  /** What the charts of the vehicle scene drew: the heading axis is among them. */
  let vehicleCanvas: string[] = [];

  beforeAll(async () => {
    if (!existsSync(DEFAULT_WEB_ROOT)) throw new Error(`${DEFAULT_WEB_ROOT} is missing: run \`npm run build\` first (npm test does)`);
    // The booth renames one metric for its wall; the devices say nothing about it.
    const folder = mkdtempSync(join(tmpdir(), 'showfloor-lang-'));
    dashboardFile = join(folder, 'dashboard.yaml');
    writeFileSync(dashboardFile, OVERRIDES);
    influxd = await startInfluxd();
    showfloor = await startTestShowfloor({ influxUrl: influxd.url, database: 'e2e_lang', booths: [BOOTH_A], dashboardFile });
    simulators = startSimulatedBooth({ url: showfloor.mqttUrl, booth: BOOTH_A.id, password: BOOTH_A.password, devices: 8, rate: 2, seed: 12 });
    await simulators.ready();
    // A device that announces its own display: labels in both languages, words for its coded state.
    device = await connectDevice(showfloor.mqttUrl, BOOTH_A);
    const meta = {
      name: 'Dock 7',
      kind: 'ev-charger',
      units: { state: '', door_open: '' },
      display: {
        state: { label: { en: 'State', zh: '状态' }, valueMap: { '0': { en: 'Idle', zh: '空闲' }, '1': { en: 'Charging', zh: '充电中' } }, order: 2 },
        // Ordered before state, though it is published after it.
        door_open: { label: { en: 'Door open', zh: '舱门打开' }, order: 1 },
      },
      intervalMs: 1000,
    };
    device.publish('booth/booth-a/dock-07/meta', JSON.stringify(meta), { qos: 1, retain: true });
    device.publish('booth/booth-a/dock-07/status', 'online', { qos: 1, retain: true });
    device.publish('booth/booth-a/dock-07/telemetry', JSON.stringify({ state: 1, door_open: false }), { qos: 1 });
    browser = await launchChromium();
  });

  afterAll(async () => {
    device?.end(true);
    await browser?.close();
    await simulators?.stop();
    await showfloor?.close();
    await influxd?.dispose();
  });

  async function openWall(query: string): Promise<Page> {
    page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await recordCanvasText(page);
    await page.goto(`${showfloor.httpUrl}/?${query}`);
    await expect
      .poll(() => page.locator('[data-testid="connection"][data-state="live"], [data-testid="connection"]').count(), { timeout: 15_000 })
      .toBeGreaterThan(0);
    // The overview pages through the booth's nine devices at readable sizes (docs/wall.md); every
    // tile on this page has drawn its readings and chart once: the text is all there.
    await expect.poll(() => page.getByTestId('device-tile').count(), { timeout: 20_000 }).toBeGreaterThanOrEqual(1);
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="device-chart"] canvas').length >= document.querySelectorAll('[data-testid="device-tile"]').length,
      null,
      { timeout: 20_000 },
    );
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="metric-value"]')].every((v) => v.textContent !== '–'), null, {
      timeout: 20_000,
    });
    return page;
  }

  /** The text a scene shows, with the words that are the booth's and devices' own data allowed. */
  async function sceneWords(): Promise<{ offending: string[]; texts: string[] }> {
    const { dom, canvas } = await visibleTexts(page);
    const data = await page.evaluate(() => ({
      names: [...document.querySelectorAll('[data-testid="device-name"], .alarm-item__device, .status-cell__name')].map((e) => e.textContent ?? ''),
      ids: [...document.querySelectorAll('[data-device]')].map((e) => (e as HTMLElement).dataset['device'] ?? ''),
      units: [...document.querySelectorAll('.readout__unit, .readout-figure__unit')].map((e) => e.textContent ?? ''),
    }));
    // Every device's name, not only those on screen: a paged status grid shows some devices' names
    // on another page while a panel on this one is titled by them.
    const { body } = await getJson<{ devices: { meta: { name?: string } }[] }>(`${showfloor.httpUrl}/api/devices`);
    const known = body.devices.map((d) => d.meta.name ?? '');
    const allowed = new Set<string>(['Showfloor']);
    for (const text of [...data.names, ...known, ...data.ids, ...data.units, BOOTH_A.name, BOOTH_A.id]) {
      for (const word of text.match(/[A-Za-z][A-Za-z.]*[A-Za-z]/g) ?? []) allowed.add(word);
    }
    // Units the charts write beside their numbers, and the pollutant's international name.
    for (const unit of ['km', 'kW', 'kWh', 'ppm', 'dBm', 'PM', 'Hz', 'rpm']) allowed.add(unit);
    const texts = [...dom.map((d) => d.text), ...canvas];
    const offending = [
      ...dom.flatMap(({ text, where }) => englishWords(text, allowed).map((word) => `"${word}" in ${where}: ${text}`)),
      ...canvas.flatMap((text) => englishWords(text, allowed).map((word) => `"${word}" drawn on a chart: ${text}`)),
    ];
    return { offending, texts };
  }

  it('shows no English word on any scene of a lang=zh wall', async () => {
    await openWall('lang=zh');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
    await page.screenshot({ path: artifactPath('wall-zh-1080p.png') });
    // The overview's page on screen; every device is also on the scene of its kind, scanned below.
    const scenes = ['overview', 'kind-vehicle', 'kind-robot-arm', 'kind-env-sensor', 'kind-ev-charger', 'status'];
    const problems: string[] = [];
    const { offending } = await sceneWords();
    await expect.poll(async () => (await sceneWords()).texts.length).toBeGreaterThan(0);
    problems.push(...offending);
    for (const scene of scenes.slice(1)) {
      await page.goto(`${showfloor.httpUrl}/?lang=zh&scene=${scene}`);
      await expect.poll(() => page.getByTestId('stage').getAttribute('data-scene'), { timeout: 15_000 }).toBe(scene);
      await expect.poll(() => page.getByTestId('connection-label').textContent(), { timeout: 15_000 }).toBe('实时');
      // Give the scene's panels a render with data (charts draw on the one-second tick).
      if (scene === 'status') await expect.poll(() => page.getByTestId('status-cell').count(), { timeout: 15_000 }).toBeGreaterThanOrEqual(9);
      else await page.waitForFunction(() => document.querySelectorAll('[data-testid="stage"] canvas').length >= 2, null, { timeout: 15_000 });
      if (scene === 'kind-vehicle') {
        // Only what this scene's charts draw from here on: the overview may have been up before it.
        await page.evaluate(() => (window as unknown as { __canvasText: Set<string> }).__canvasText.clear());
        // The heading's axis ends are drawn once the chart has data and room for its labels.
        await expect.poll(async () => (await visibleTexts(page)).canvas, { timeout: 15_000 }).toContain('360');
        vehicleCanvas = (await visibleTexts(page)).canvas;
      }
      if (scene === 'kind-ev-charger') {
        // The booth's override, the device's own Chinese labels and value words, defaults for the rest.
        const dock = page.locator('[data-testid="device-tile"][data-device="dock-07"]');
        await expect.poll(() => dock.locator('.readout__label').allTextContents()).toEqual(['舱门打开', '状态']);
        await expect.poll(() => dock.getByTestId('metric-value').allTextContents()).toEqual(['否', '充电中']);
        await expect.poll(() => page.locator('li.readout[data-metric="session_count"] .readout__label').first().textContent()).toBe('充电次数');
      }
      if (scene === 'kind-vehicle') {
        await expect.poll(() => page.locator('li.readout[data-metric="battery_soc"] .readout__label').first().textContent()).toBe('电量');
      }
      if (scene === 'kind-env-sensor') {
        await expect.poll(() => page.locator('li.readout[data-metric="co2"] .readout__label').first().textContent()).toBe('二氧化碳');
      }
      const found = await sceneWords();
      problems.push(...found.offending.map((p) => `${scene}: ${p}`));
      if (scene === 'kind-vehicle') await page.screenshot({ path: artifactPath('wall-zh-vehicle-1080p.png') });
    }
    expect([...new Set(problems)]).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it('draws the heading on a 0–360 axis, not an auto-scaled 0–600', () => {
    expect(vehicleCanvas).toContain('360');
    expect(vehicleCanvas, JSON.stringify(vehicleCanvas)).not.toContain('600');
  });

  it('shows both languages on a lang=both wall', async () => {
    await page.close();
    await openWall('lang=both&scene=kind-ev-charger');
    const dock = page.locator('[data-testid="device-tile"][data-device="dock-07"]');
    await expect.poll(() => dock.locator('.readout__label').allTextContents()).toEqual(['Door open · 舱门打开', 'State · 状态']);
    await expect.poll(() => dock.getByTestId('metric-value').allTextContents()).toEqual(['No · 否', 'Charging · 充电中']);

    await expect.poll(() => page.getByTestId('connection-label').textContent(), { timeout: 15_000 }).toBe('Live · 实时');
    await page.screenshot({ path: artifactPath('wall-both-1080p.png') });
    expect(pageErrors).toEqual([]);
  });

  it('names metrics in Chinese on stat, gauge, time-series, position and status panels too', async () => {
    // The server pushes a changed dashboard file to open walls; a new page gets it on connect.
    writeFileSync(dashboardFile, PANEL_SCENE);
    await page.close();
    page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await recordCanvasText(page);
    await expect
      .poll(
        async () => {
          await page.goto(`${showfloor.httpUrl}/?lang=zh&scene=panels`);
          return page.getByTestId('stage').getAttribute('data-scene');
        },
        { timeout: 20_000 },
      )
      .toBe('panels');
    await expect.poll(() => page.locator('.ts-line__label').allTextContents(), { timeout: 15_000 }).toEqual(['J1 温度', 'J2 温度', '扭矩', '故障']);
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="panel-value"]')].every((v) => v.textContent !== '–'), null, {
      timeout: 15_000,
    });
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="stage"] canvas').length >= 4, null, { timeout: 15_000 });
    await expect.poll(async () => (await sceneWords()).offending, { timeout: 5_000 }).toEqual([]);
    await page.screenshot({ path: artifactPath('wall-zh-panels-1080p.png') });
    expect(pageErrors).toEqual([]);
  });
});
