/**
 * The panels for exhibitors in Chromium at 1080p, dark and light, from one dashboard file that uses
 * every one of them: a QR code that a decoder reads back from the screenshot, a product image, the
 * logo large, words in zh/en, a KPI over the day, a position map on a floor plan with ten cars in
 * ten colours, and a stat whose trend arrow is not the (red) brand accent.
 * Screenshots: test-artifacts/wall-panels-{dark,light}-1080p.png.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jsQR from 'jsqr';
import type { Browser, Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { KpiAnswer } from '../../contract/dashboard';
import { startSimulatedBooth, type SimulatedBooth } from '../../simulators/booth';
import { artifactPath, describeWithChromium, launchChromium } from '../support/chromium';
import { BOOTH_A, getJson, startTestShowfloor } from '../support/showfloor';
import { eventually, waitFor } from '../support/waitFor';

const QR_URL = 'https://example.com/booth-a/datasheet?lang=zh';
const ACCENT = '#e4002b';
const VEHICLES = 10;

const DASHBOARD = `
branding:
  name: { en: Volt Motors, zh: 伏特汽车 }
  logo: logo.svg
  accent: "${ACCENT}"
  theme: light
scenes:
  - id: exhibit
    title: { en: Our booth, zh: 我们的展台 }
    panels:
      - kind: position
        title: { en: Test track, zh: 试驾道 }
        xMetric: pos_x
        yMetric: pos_y
        floorPlan: { image: hall.png, xMin: -45, xMax: 45, yMin: -20, yMax: 20 }
      - kind: kpi
        title: { en: Energy charged today, zh: 今日充电量 }
        metric: energy_kwh
        aggregate: increase
        period: today
        deviceKind: ev-charger
        unit: kWh
        decimals: 2
        thresholds: [{ from: 0, color: info }, { from: 1000, color: ok }]
      - kind: qr
        title: { en: Datasheet, zh: 产品资料 }
        url: "${QR_URL}"
        caption: { en: Scan with your phone, zh: 用手机扫码 }
      - kind: image
        title: { en: The car, zh: 车型 }
        image: car.png
        caption: { en: Model V — 600 km range, zh: V 型车 — 续航 600 公里 }
      - kind: image
        image: logo
      - kind: text
        title: { en: Welcome, zh: 欢迎 }
        text: { en: "Ten connected cars drive the loop live; every charger reports to this wall.", zh: 十辆联网汽车正在环道上实时行驶，每个充电桩都向这面墙报告数据。 }
      - kind: stat
        device: vehicle-01
        metric: speed_kmh
`;

/** A plain plan of a hall: light floor, darker walls, a few rooms; enough to see it under the dots. */
function floorPlanPng(): Buffer {
  const png = new PNG({ width: 450, height: 200 });
  for (let y = 0; y < png.height; y++)
    for (let x = 0; x < png.width; x++) {
      const wall = x < 4 || y < 4 || x >= png.width - 4 || y >= png.height - 4 || (x % 150 < 3 && y < 70) || (y === 70 && x % 150 > 40);
      const value = wall ? 90 : 200 + ((x + y) % 2) * 4;
      png.data.set([value, value, value + 10, 255], (y * png.width + x) * 4);
    }
  return PNG.sync.write(png);
}

function carPng(): Buffer {
  const png = new PNG({ width: 320, height: 200 });
  for (let y = 0; y < png.height; y++)
    for (let x = 0; x < png.width; x++) {
      const body = y > 90 && y < 150 && x > 30 && x < 290;
      const cabin = y > 50 && y <= 90 && x > 90 && x < 230;
      const wheel = (Math.hypot(x - 90, y - 150) < 25 || Math.hypot(x - 230, y - 150) < 25) && y > 130;
      const color = wheel ? [30, 30, 30] : body || cabin ? [20, 110, 200] : [230, 236, 242];
      png.data.set([...color, 255], (y * png.width + x) * 4);
    }
  return PNG.sync.write(png);
}

const LOGO_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 100"><rect width="300" height="100" rx="16" fill="${ACCENT}"/><text x="150" y="66" font-size="48" font-family="sans-serif" font-weight="700" fill="#fff" text-anchor="middle">VOLT</text></svg>`;

describeWithChromium('panels for exhibitors in Chromium', () => {
  let dir: string;
  let showfloor: Awaited<ReturnType<typeof startTestShowfloor>>;
  let simulators: SimulatedBooth;
  let browser: Browser;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'showfloor-panels-'));
    await writeFile(join(dir, 'dashboard.yaml'), DASHBOARD);
    await writeFile(join(dir, 'hall.png'), floorPlanPng());
    await writeFile(join(dir, 'car.png'), carPng());
    await writeFile(join(dir, 'logo.svg'), LOGO_SVG);
    showfloor = await startTestShowfloor({ booths: [BOOTH_A], dashboardFile: join(dir, 'dashboard.yaml') });
    simulators = startSimulatedBooth({
      url: showfloor.mqttUrl,
      booth: BOOTH_A.id,
      password: BOOTH_A.password,
      devices: 2 * VEHICLES,
      profiles: ['vehicle', 'ev-charger'],
      rate: 2,
      seed: 12,
    });
    await simulators.ready();
    // The KPI is cached on the server: wait until the chargers have said enough for a number.
    await waitFor(async () => (await getJson<KpiAnswer>(`${showfloor.httpUrl}/api/kpi?scene=exhibit&panel=1`)).body.value !== null, {
      timeoutMs: 40_000,
      intervalMs: 500,
      what: 'a KPI value from the chargers',
    });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await simulators?.stop();
    await showfloor?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function openWall(query: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await page.goto(`${showfloor.httpUrl}/?scene=exhibit&${query}`);
    await page.waitForFunction(() => document.querySelector('[data-testid="stage"]')?.getAttribute('data-scene') === 'exhibit');
    // Every car on the map, every image loaded, the KPI answered: then the wall is what a visitor sees.
    await page.waitForFunction(
      (vehicles) =>
        document.querySelectorAll('[data-testid="position-device"]').length === vehicles &&
        [...document.querySelectorAll('img')].filter((i) => !i.hidden && i.getAttribute('src')).every((i) => i.complete && i.naturalWidth > 0) &&
        /\d/.test(document.querySelector('[data-testid="kpi-value"]')?.textContent ?? ''),
      VEHICLES,
      { timeout: 30_000 },
    );
    return page;
  }

  /** Decodes the QR code as drawn on screen, from a screenshot of the panel's code. */
  async function decodeQr(page: Page): Promise<string | undefined> {
    const shot = PNG.sync.read(await page.locator('[data-testid="qr-code"]').screenshot());
    return jsQR(new Uint8ClampedArray(shot.data), shot.width, shot.height)?.data;
  }

  for (const theme of ['dark', 'light'] as const) {
    it(`shows every panel in the ${theme} theme at 1080p`, async () => {
      // The file says light; ?theme=dark is the kiosk by the dark corner.
      const page = await openWall(theme === 'dark' ? 'theme=dark' : 'lang=en');
      expect(await page.evaluate(() => document.documentElement.dataset['theme'])).toBe(theme);
      const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      expect(background).toBe(theme === 'light' ? 'rgb(238, 241, 245)' : 'rgb(11, 15, 23)');

      expect(await decodeQr(page)).toBe(QR_URL);
      expect(await page.locator('.panel--text [data-testid="panel-text"]').textContent()).toContain('Ten connected cars');
      expect(await page.locator('.panel--qr .qr-panel__caption').textContent()).toBe('Scan with your phone');
      // The logo fills a panel of its own, from the branding's served URL.
      const logoSources = await page.locator('[data-testid="panel-image"]').evaluateAll((images) => images.map((i) => i.getAttribute('src')));
      expect(logoSources).toEqual([expect.stringMatching(/^\/wall\/image\/[0-9a-f]{16}$/), expect.stringMatching(/^\/wall\/logo\?v=/)]);

      // KPI: a number with its unit, in the colour of its threshold, and honest about memory mode.
      const kpi = page.locator('[data-testid="kpi-figure"]');
      expect(await kpi.getAttribute('data-tone')).toBe('info');
      expect(await page.locator('[data-testid="kpi-value"]').textContent()).toMatch(/^\d[\d,]*\.\d\d$/);
      expect(await page.locator('.kpi-panel__period').textContent()).toBe('Today · live window only');

      // Ten cars, ten colours; the floor plan lies inside the chart, under the dots.
      const colors = await page
        .locator('[data-testid="position-device"]')
        .evaluateAll((items) => items.map((i) => (i as HTMLElement).style.getPropertyValue('--device-color')));
      expect(new Set(colors).size).toBe(VEHICLES);
      const plan = await page.locator('[data-testid="floor-plan"]').boundingBox();
      const chart = await page.locator('.panel--position [data-testid="panel-chart"]').boundingBox();
      expect(plan && chart && plan.width > chart.width * 0.5 && plan.x >= chart.x && plan.x + plan.width <= chart.x + chart.width + 1).toBe(true);

      // The trend arrow, once there is one, is never the red brand accent.
      await eventually(async () => expect(await page.locator('[data-testid="panel-trend"]').getAttribute('data-trend')).not.toBe('none'), {
        timeoutMs: 20_000,
      });
      const arrow = await page.locator('[data-testid="panel-trend"]').evaluate((e) => getComputedStyle(e).color);
      expect(arrow).not.toBe('rgb(228, 0, 43)');
      expect(await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--accent').trim())).toBe(ACCENT);

      await page.screenshot({ path: artifactPath(`wall-panels-${theme}-1080p.png`) });
      await page.close();
    });
  }

  it('serves panel images by content hash as images only, and nothing else under /wall/image', async () => {
    const page = await openWall('lang=en');
    const src = await page.locator('[data-testid="panel-image"]').first().getAttribute('src');
    await page.close();
    const image = await fetch(`${showfloor.httpUrl}${src ?? ''}`);
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/png');
    expect(image.headers.get('x-content-type-options')).toBe('nosniff');
    expect(image.headers.get('content-security-policy')).toContain('sandbox');
    expect(
      Buffer.from(await image.arrayBuffer())
        .subarray(1, 4)
        .toString('latin1'),
    ).toBe('PNG');
    for (const path of ['/wall/image/0000000000000000', '/wall/image/..%2Fdashboard.yaml', '/wall/image/car.png']) {
      const response = await fetch(`${showfloor.httpUrl}${path}`);
      await response.body?.cancel();
      expect(response.status, path).toBe(404);
    }
  });

  it('shows the words and the period in Chinese on a zh wall', async () => {
    const page = await openWall('lang=zh');
    expect(await page.locator('.panel--text [data-testid="panel-text"]').textContent()).toContain('十辆联网汽车');
    expect(await page.locator('.kpi-panel__period').textContent()).toBe('今天 · 仅限实时窗口');
    expect(await page.locator('.panel--qr .qr-panel__caption').textContent()).toBe('用手机扫码');
    expect(await decodeQr(page)).toBe(QR_URL);
    await page.screenshot({ path: artifactPath('wall-panels-light-zh-1080p.png') });
    await page.close();
  });
});
