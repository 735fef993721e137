/**
 * The overview and the status grid at show-floor scale, in Chromium: 12, 50 and 200 devices (and 50 with 28 offline)
 * on 1080p, 4K and portrait screens, in English, Chinese and both. On every page checked: no text
 * outside its box, readings never under the 5 m rule (tileLayout.ts), every displayed name told
 * apart from the others, one state badge per tile, offline devices listed, never tiles; and where
 * not all fit, pages ("Page 1/4") that together show every device exactly once. The status grid the same way:
 * every word at the secondary size or larger, names told apart, nothing cut, pages.
 * Devices are published straight over MQTT (meta, one reading, status) to keep it fast; one browser
 * and one page serve the whole matrix. Screenshots: test-artifacts/wall-scale-*.png.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { deviceTopic } from '../../contract/device';
import { READING_CAP_MM, SECONDARY_FONT_MM, pxPerMm } from '../../web/wall/tileLayout';
import { artifactPath, describeWithChromium, launchChromium } from '../support/chromium';
import { connectDevice, startTestShowfloor, type TestBooth } from '../support/showfloor';

const PAGE_SECONDS = 3;
const DASHBOARD = `
scenes:
  - { id: overview, title: { en: Overview, zh: 总览 }, durationSeconds: ${PAGE_SECONDS}, panels: [{ kind: devices }] }
  - { id: status, title: { en: Status, zh: 状态 }, durationSeconds: ${PAGE_SECONDS}, panels: [{ kind: status-grid }] }
`;

interface Case {
  readonly name: string;
  readonly booth: TestBooth;
  readonly devices: number;
  readonly offline: number;
}

const booth = (id: string): TestBooth => ({ id, name: `Hall ${id}`, password: `password-${id}-123` });
const CASES: readonly Case[] = [
  { name: '12', booth: booth('b12'), devices: 12, offline: 0 },
  { name: '50', booth: booth('b50'), devices: 50, offline: 0 },
  { name: '200', booth: booth('b200'), devices: 200, offline: 0 },
  { name: '50-28offline', booth: booth('b50off'), devices: 50, offline: 28 },
];
const SCREENS = [
  { name: '1080p', width: 1920, height: 1080 },
  { name: '4k', width: 3840, height: 2160 },
  { name: 'portrait', width: 1080, height: 1920 },
] as const;
const LANGS = ['en', 'zh', 'both'] as const;

/** Four kinds as booths name them: in series, so the names differ only at their end. */
const KINDS = [
  {
    name: 'Environment sensor',
    kind: 'env-sensor',
    units: { temperature: '°C', humidity: '%', co2: 'ppm' },
    reading: { temperature: 23.4, humidity: 41.2, co2: 612 },
  },
  {
    name: 'Robot arm',
    kind: 'robot-arm',
    units: { j1_temp: '°C', j2_temp: '°C', j3_temp: '°C' },
    reading: { j1_temp: 32, j2_temp: 42.1, j3_temp: 34.3, gripper_closed: false },
  },
  {
    name: 'EV charger',
    kind: 'ev-charger',
    units: { power_kw: 'kW', energy_kwh: 'kWh', battery_soc: '%' },
    reading: { power_kw: 7.4, energy_kwh: 1234.5, battery_soc: 81 },
  },
  { name: 'AGV 小车', kind: 'vehicle', units: { speed: 'km/h', pm25: 'µg/m³' }, reading: { speed: 4.2, pm25: 9.3 } },
] as const;

function deviceName(index: number): string {
  const kind = KINDS[index % KINDS.length] as (typeof KINDS)[number];
  return `${kind.name} ${Math.floor(index / KINDS.length) + 1}`;
}

/** Which devices of a case go offline: odd indexes first, then even ones from the end, so live and offline interleave. */
function offlineIndexes(test: Case): Set<number> {
  const all = Array.from({ length: test.devices }, (_, i) => i);
  return new Set([...all.filter((i) => i % 2 === 1), ...all.filter((i) => i % 2 === 0).reverse()].slice(0, test.offline));
}

/**
 * A reading from every live device of a case again: the matrix runs for minutes and a device silent
 * for three intervals goes stale, which would reorder the status grid (problems first) between pages.
 */
async function refreshReadings(client: MqttClient, test: Case): Promise<void> {
  const offline = offlineIndexes(test);
  for (let i = 0; i < test.devices; i++) {
    if (offline.has(i)) continue;
    const kind = KINDS[i % KINDS.length] as (typeof KINDS)[number];
    const id = `dev-${String(i).padStart(3, '0')}`;
    await client.publishAsync(deviceTopic(test.booth.id, id, 'telemetry'), JSON.stringify({ ts: Date.now(), ...kind.reading }), { qos: 1 });
  }
}

async function publishDevices(client: MqttClient, test: Case): Promise<void> {
  const offline = offlineIndexes(test);
  for (let i = 0; i < test.devices; i++) {
    const kind = KINDS[i % KINDS.length] as (typeof KINDS)[number];
    const id = `dev-${String(i).padStart(3, '0')}`;
    const meta = { name: deviceName(i), kind: kind.kind, units: kind.units, intervalMs: 60_000 };
    await client.publishAsync(deviceTopic(test.booth.id, id, 'meta'), JSON.stringify(meta), { qos: 1, retain: true });
    await client.publishAsync(deviceTopic(test.booth.id, id, 'telemetry'), JSON.stringify({ ts: Date.now(), ...kind.reading }), { qos: 1 });
    await client.publishAsync(deviceTopic(test.booth.id, id, 'status'), offline.has(i) ? 'offline' : 'online', { qos: 1, retain: true });
  }
}

interface PageReport {
  page: number;
  pages: number;
  marker: string;
  tiles: { fullName: string; shown: string; badges: number; freshness: string }[];
  offline: { fullName: string; shown: string }[];
  overflows: string[];
  smallestReadingCapPx: number;
  smallestSecondaryFontPx: number;
  smallestText: string;
}

/** Everything measured on the page on screen, in the page. Source text: tsx helpers do not exist there. */
const MEASURE = `(() => {
  const panel = document.querySelector('[data-panel-kind="devices"]');
  const stage = document.querySelector('[data-testid="stage"]');
  const visible = (e) => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden'; };
  const overflows = [];
  const canvas = document.createElement('canvas').getContext('2d');
  let smallestReadingCapPx = Infinity, smallestSecondaryFontPx = Infinity, smallestText = '';
  for (const element of stage.querySelectorAll('*')) {
    const text = [...element.childNodes].filter((n) => n.nodeType === 3 && n.textContent.trim() !== '');
    if (text.length === 0 || !visible(element)) continue;
    const style = getComputedStyle(element);
    const label = element.className + ': ' + element.textContent.slice(0, 40);
    if (style.display !== 'inline' && (element.scrollWidth > element.clientWidth + 1 || element.scrollHeight > element.clientHeight + 1)) {
      overflows.push('scroll ' + label + ' ' + element.scrollWidth + '/' + element.clientWidth + ' ' + element.scrollHeight + '/' + element.clientHeight);
    }
    // The text itself inside the box that holds it (tile, offline list, panel).
    const box = element.closest('.tile, .offline-list, .panel').getBoundingClientRect();
    for (const node of text) {
      const range = document.createRange();
      range.selectNodeContents(node);
      const r = range.getBoundingClientRect();
      if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1) overflows.push('outside ' + label);
    }
    const size = parseFloat(style.fontSize);
    if (element.classList.contains('readout__value')) {
      canvas.font = style.fontWeight + ' ' + style.fontSize + ' ' + style.fontFamily;
      const cap = canvas.measureText('0').actualBoundingBoxAscent;
      smallestReadingCapPx = Math.min(smallestReadingCapPx, cap);
    } else if (size < smallestSecondaryFontPx) {
      smallestSecondaryFontPx = size;
      smallestText = label;
    }
  }
  const marker = document.querySelector('[data-testid="scene-page"]');
  return {
    page: Number(panel.dataset.page || 1), pages: Number(panel.dataset.pages || 1), marker: marker ? marker.textContent : '',
    tiles: [...document.querySelectorAll('[data-testid="device-tile"]')].map((tile) => ({
      fullName: tile.querySelector('[data-testid="device-name"]').dataset.fullName,
      shown: tile.querySelector('[data-testid="device-name"]').textContent,
      badges: [...tile.querySelectorAll('.tile__status, .tile__presence')].filter((b) => visible(b) && b.textContent.trim() !== '').length,
      freshness: tile.dataset.freshness,
    })),
    offline: [...document.querySelectorAll('[data-testid="offline-device"]')].filter(visible).map((e) => ({ fullName: e.dataset.fullName, shown: e.textContent })),
    overflows, smallestReadingCapPx, smallestSecondaryFontPx, smallestText,
  };
})()`;

/** The page on screen once every tile on it shows its readings and name. */
async function settledPage(page: Page, expectedPage?: number): Promise<PageReport> {
  await page.waitForFunction(
    (want) => {
      const panel = document.querySelector<HTMLElement>('[data-panel-kind="devices"]');
      if (!panel || (want !== undefined && panel.dataset['page'] !== String(want))) return false;
      // The header's "Page 2/4" follows on the next one-second tick.
      const marker = document.querySelector('[data-testid="scene-page"]')?.textContent ?? '';
      if ((panel.dataset['pages'] ?? '1') !== '1' && !marker.includes(`${panel.dataset['page']}/${panel.dataset['pages']}`)) return false;
      const tiles = [...document.querySelectorAll('[data-testid="device-tile"]')];
      const offline = document.querySelectorAll('[data-testid="offline-device"]');
      if (tiles.length === 0 && offline.length === 0) return false;
      return tiles.every(
        (t) =>
          t.querySelector('[data-testid="device-name"]')?.textContent !== '' &&
          t.querySelector('[data-testid="metric-value"]')?.textContent !== '–' &&
          t.querySelector('[data-testid="metric-value"]') !== null,
      );
    },
    expectedPage,
    { timeout: 20_000 },
  );
  // Two frames: the text just written is laid out before it is measured.
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  return page.evaluate<PageReport>(MEASURE);
}

function checkPage(report: PageReport, where: string, screen: { width: number; height: number }): void {
  const px = pxPerMm(screen.width, screen.height);
  expect(report.overflows.join('\n'), where).toBe('');
  if (report.tiles.length > 0) expect(report.smallestReadingCapPx, `${where}: reading cap height, px`).toBeGreaterThanOrEqual(READING_CAP_MM * px - 0.5);
  expect(report.smallestSecondaryFontPx, `${where}: ${report.smallestText}`).toBeGreaterThanOrEqual(SECONDARY_FONT_MM * px - 0.5);
  for (const tile of report.tiles) {
    expect(tile.badges, `${where}: ${tile.fullName}`).toBe(1);
    expect(tile.freshness, `${where}: offline devices are listed, not tiles`).not.toBe('offline');
  }
  // Devices with different names never look the same on the page.
  const shown = new Map<string, string>();
  for (const { fullName, shown: text } of [...report.tiles, ...report.offline]) {
    const other = shown.get(text);
    if (other !== undefined && other !== fullName) throw new Error(`${where}: "${fullName}" and "${other}" both read "${text}"`);
    shown.set(text, fullName);
    expect(text.trim(), `${where}: ${fullName}`).not.toBe('');
  }
  if (report.pages > 1) expect(report.marker, where).toMatch(new RegExp(`${report.page}/${report.pages}`));
  else expect(report.marker, where).toBe('');
}

describeWithChromium('the overview at show-floor scale in Chromium', () => {
  let dir: string;
  let showfloor: Awaited<ReturnType<typeof startTestShowfloor>>;
  const clients: MqttClient[] = [];
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'showfloor-scale-'));
    await writeFile(join(dir, 'dashboard.yaml'), DASHBOARD);
    showfloor = await startTestShowfloor({ booths: CASES.map((c) => c.booth), dashboardFile: join(dir, 'dashboard.yaml') });
    for (const test of CASES) {
      const client = await connectDevice(showfloor.mqttUrl, test.booth);
      clients.push(client);
      await publishDevices(client, test);
    }
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  }, 60_000);

  afterAll(async () => {
    for (const client of clients) client.end(true);
    await browser?.close();
    await showfloor?.close();
    await rm(dir, { recursive: true, force: true });
  });

  // Every case on every screen in every language: the page the wall opens on.
  const matrix = SCREENS.flatMap((screen) => LANGS.flatMap((lang) => CASES.map((test) => ({ screen, lang, test }))));

  it.each(matrix.map((m) => [`${m.test.name} devices, ${m.screen.name}, lang=${m.lang}`, m] as const))('%s', async (_title, { screen, lang, test }) => {
    await page.setViewportSize({ width: screen.width, height: screen.height });
    await page.goto(`${showfloor.httpUrl}/?booth=${test.booth.id}&scene=overview&lang=${lang}`);
    const where = `${test.name}/${screen.name}/${lang}`;
    const first = await settledPage(page);
    await page.screenshot({ path: artifactPath(`wall-scale-${test.name}-${screen.name}-${lang}.png`) });
    checkPage(first, `${where} page ${first.page}`, screen);
    expect(first.tiles.length + first.offline.length, where).toBeGreaterThan(0);
  });

  it.each([
    ['50', '1080p'],
    ['50-28offline', '1080p'],
    ['50-28offline', 'portrait'],
  ] as const)('pages through %s devices on %s, every device exactly once, offline ones by name', async (name, screenName) => {
    const test = CASES.find((c) => c.name === name) as Case;
    const screen = SCREENS.find((s) => s.name === screenName) as (typeof SCREENS)[number];
    await page.setViewportSize({ width: screen.width, height: screen.height });
    await page.goto(`${showfloor.httpUrl}/?booth=${test.booth.id}&scene=overview&lang=both`);
    const seenTiles: string[] = [];
    const seenOffline = new Set<string>();
    const first = await settledPage(page);
    expect(first.pages, 'more devices than fit at the minimum size').toBeGreaterThan(1);
    // Start from page 1 so each page is seen once, whichever page the wall opened on.
    let report = first.page === 1 ? first : await settledPage(page, 1);
    for (let n = 1; ; n++) {
      checkPage(report, `${name}/${screenName} page ${n}`, screen);
      seenTiles.push(...report.tiles.map((t) => t.fullName));
      for (const o of report.offline) seenOffline.add(o.fullName);
      if (n === report.pages) break;
      report = await settledPage(page, n + 1);
      if (n + 1 === report.pages) await page.screenshot({ path: artifactPath(`wall-scale-${name}-${screenName}-last-page.png`) });
    }
    const live = test.devices - test.offline;
    expect(seenTiles.length, 'each live device on exactly one page').toBe(live);
    expect(new Set(seenTiles).size).toBe(live);
    expect(seenOffline.size).toBe(test.offline);
  });
  // The status grid: every page of every case walked, so every device is seen exactly once.
  const statusMatrix = SCREENS.flatMap((screen) =>
    LANGS.flatMap((lang) =>
      CASES.filter((c) => c.name === '50' || c.name === '200' || (c.name === '50-28offline' && screen.name === '1080p')).map((test) => ({
        screen,
        lang,
        test,
      })),
    ),
  );

  it.each(statusMatrix.map((m) => [`status grid: ${m.test.name} devices, ${m.screen.name}, lang=${m.lang}`, m] as const))(
    '%s',
    async (_title, { screen, lang, test }) => {
      await page.setViewportSize({ width: screen.width, height: screen.height });
      await page.goto(`${showfloor.httpUrl}/?booth=${test.booth.id}&scene=status&lang=${lang}`);
      const where = `status/${test.name}/${screen.name}/${lang}`;
      await refreshReadings(clients[CASES.indexOf(test)] as MqttClient, test);
      const first = await settledStatusPage(page, test);
      await page.screenshot({ path: artifactPath(`wall-scale-status-${test.name}-${screen.name}-${lang}.png`) });
      // 200 devices: every page is walked in lang=both (the longest names); en and zh check the page the
      // wall opened on, which keeps the matrix inside CI's time budget (each page is a 3 s turn).
      if (test.devices >= 200 && lang !== 'both') {
        checkStatusPage(first, `${where} page ${first.page}`, screen);
        expect(first.pages, where).toBeGreaterThan(1);
        return;
      }
      let report = first.page === 1 ? first : await settledStatusPage(page, test, 1);
      const seen: string[] = [];
      let offline = 0;
      for (let n = 1; ; n++) {
        checkStatusPage(report, `${where} page ${n}`, screen);
        seen.push(...report.cells.map((c) => c.fullName));
        offline += report.cells.filter((c) => c.state === 'offline').length;
        if (n >= report.pages) break;
        report = await settledStatusPage(page, test, n + 1);
      }
      expect(seen.length, `${where}: each device on exactly one page`).toBe(test.devices);
      expect(new Set(seen).size, where).toBe(test.devices);
      expect(offline, `${where}: offline devices are cells marked offline`).toBe(test.offline);
    },
    120_000,
  );
});

interface StatusReport {
  page: number;
  pages: number;
  perPage: number;
  marker: string;
  cells: { fullName: string; shown: string; state: string; word: string }[];
  overflows: string[];
  smallestFontPx: number;
  smallestText: string;
}

/** Every text of the status panel against its box and the secondary size, in the page. */
const MEASURE_STATUS = `(() => {
  const panel = document.querySelector('[data-panel-kind="status-grid"]');
  const visible = (e) => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden'; };
  const overflows = [];
  let smallestFontPx = Infinity, smallestText = '';
  for (const element of panel.querySelectorAll('*')) {
    const text = [...element.childNodes].filter((n) => n.nodeType === 3 && n.textContent.trim() !== '');
    if (text.length === 0 || !visible(element)) continue;
    const style = getComputedStyle(element);
    const label = element.className + ': ' + element.textContent.slice(0, 40);
    if (element.scrollWidth > element.clientWidth + 1 || element.scrollHeight > element.clientHeight + 1) {
      overflows.push('scroll ' + label + ' ' + element.scrollWidth + '/' + element.clientWidth + ' ' + element.scrollHeight + '/' + element.clientHeight);
    }
    const box = (element.closest('.status-cell') || panel).getBoundingClientRect();
    for (const node of text) {
      const range = document.createRange();
      range.selectNodeContents(node);
      const r = range.getBoundingClientRect();
      if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1) overflows.push('outside ' + label);
    }
    const size = parseFloat(style.fontSize);
    if (size < smallestFontPx) { smallestFontPx = size; smallestText = label; }
  }
  // The state's icon is drawn by ::before: it must fit the cell too.
  for (const state of panel.querySelectorAll('.status-cell__state')) {
    if (state.scrollWidth > state.clientWidth + 1) overflows.push('scroll state ' + state.textContent);
  }
  const marker = document.querySelector('[data-testid="scene-page"]');
  return {
    page: Number(panel.dataset.page || 1), pages: Number(panel.dataset.pages || 1), perPage: Number(panel.dataset.perPage), marker: marker ? marker.textContent : '',
    cells: [...panel.querySelectorAll('[data-testid="status-cell"]')].filter(visible).map((cell) => ({
      fullName: cell.querySelector('.status-cell__name').dataset.fullName,
      shown: cell.querySelector('.status-cell__name').textContent,
      state: cell.dataset.state,
      word: cell.querySelector('.status-cell__state').textContent,
    })),
    overflows, smallestFontPx, smallestText,
  };
})()`;

/** The status page on screen once it counts every device of the case, live ones online, and the header's marker agrees. */
async function settledStatusPage(page: Page, test: Case, expectedPage?: number): Promise<StatusReport> {
  await page.waitForFunction(
    ({ want, total, online }) => {
      const panel = document.querySelector<HTMLElement>('[data-panel-kind="status-grid"]');
      if (!panel || panel.dataset['devices'] !== String(total)) return false;
      if (document.querySelector<HTMLElement>('[data-testid="status-summary"]')?.dataset['online'] !== String(online)) return false;
      if (want !== undefined && panel.dataset['page'] !== String(want)) return false;
      const marker = document.querySelector('[data-testid="scene-page"]')?.textContent ?? '';
      if ((panel.dataset['pages'] ?? '1') !== '1' && !marker.includes(`${panel.dataset['page']}/${panel.dataset['pages']}`)) return false;
      const cells = [...panel.querySelectorAll('[data-testid="status-cell"]')];
      return cells.length > 0 && cells.every((c) => c.querySelector('.status-cell__name')?.textContent !== '');
    },
    { want: expectedPage, total: test.devices, online: test.devices - test.offline },
    { timeout: 20_000 },
  );
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  return page.evaluate<StatusReport>(MEASURE_STATUS);
}

function checkStatusPage(report: StatusReport, where: string, screen: { width: number; height: number }): void {
  const px = pxPerMm(screen.width, screen.height);
  expect(report.overflows.join('\n'), where).toBe('');
  expect(report.smallestFontPx, `${where}: ${report.smallestText}`).toBeGreaterThanOrEqual(SECONDARY_FONT_MM * px - 0.5);
  const shown = new Map<string, string>();
  for (const cell of report.cells) {
    const other = shown.get(cell.shown);
    if (other !== undefined && other !== cell.fullName) throw new Error(`${where}: "${cell.fullName}" and "${other}" both read "${cell.shown}"`);
    shown.set(cell.shown, cell.fullName);
    // The part that tells a device from the others, its number, is never cut.
    const own = cell.fullName.split(' ').pop() ?? '';
    expect(cell.shown.endsWith(own), `${where}: "${cell.fullName}" reads "${cell.shown}"`).toBe(true);
    expect(cell.word.trim(), `${where}: state word of ${cell.fullName}`).not.toBe('');
  }
  if (report.pages > 1) expect(report.marker, where).toMatch(new RegExp(`${report.page}/${report.pages}`));
  else expect(report.marker, where).toBe('');
}
