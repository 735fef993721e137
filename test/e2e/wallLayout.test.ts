/**
 * Every scene of a dashboard that uses every panel kind, each showing a device whose every
 * free-text field is hostile: nothing it says may become markup or run, on any scene or in the
 * alarm strip. The same scenes are laid out at 1920×1080, 3840×2160 and portrait 1080×1920 without
 * scrolling and with no text under the wall's minimum size; screenshots land in test-artifacts/.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { deviceTopic } from '../../contract/device';
import { artifactPath, describeWithChromium, launchChromium } from '../support/chromium';
import { BOOTH_A, connectDevice, startTestShowfloor } from '../support/showfloor';

const HOSTILE = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script><b>bold</b>';
const DEVICE = 'evil-01';
const SCENES = ['tiles', 'charts', 'dials', 'status', 'map'];
const SCREENS = [
  { name: '1080p', width: 1920, height: 1080 },
  { name: '4k', width: 3840, height: 2160 },
  { name: 'portrait', width: 1080, height: 1920 },
];
/** The wall's smallest text at 1080p, px; it scales with the screen's short side. */
const MIN_TEXT_PX_AT_1080 = 14;

const DASHBOARD = `
branding:
  name: Hostile Booth
scenes:
  - { id: tiles, title: Tiles, durationSeconds: 60, panels: [{ kind: devices }] }
  - id: charts
    title: Charts
    durationSeconds: 60
    panels:
      - { kind: timeseries, device: ${DEVICE}, metrics: [level, pos_x] }
      - { kind: stat, device: ${DEVICE}, metric: level }
  - id: dials
    title: Dials
    durationSeconds: 60
    panels:
      - { kind: gauge, device: ${DEVICE}, metric: level }
      - { kind: stat, device: ${DEVICE}, metric: pos_y }
  - { id: status, title: Status, durationSeconds: 60, panels: [{ kind: status-grid }] }
  - { id: map, title: Map, durationSeconds: 60, panels: [{ kind: position, xMetric: pos_x, yMetric: pos_y }] }
`;

async function injectedMarkup(page: Page): Promise<{ elements: string[]; pwned: unknown }> {
  return page.evaluate(() => ({
    // The header logo is the page's own; everything below it is drawn from data.
    elements: [
      ...document.querySelectorAll(
        '[data-testid="stage"] img, [data-testid="stage"] script, [data-testid="stage"] b, .alarm-strip img, .alarm-strip script, .alarm-strip b',
      ),
    ].map((e) => e.outerHTML.slice(0, 80)),
    pwned: (window as unknown as { __pwned?: unknown }).__pwned,
  }));
}

describeWithChromium('wall layout and hostile text in Chromium', () => {
  let dir: string;
  let showfloor: Awaited<ReturnType<typeof startTestShowfloor>>;
  let device: MqttClient;
  let timer: ReturnType<typeof setInterval>;
  let browser: Browser;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'showfloor-layout-'));
    await writeFile(join(dir, 'dashboard.yaml'), DASHBOARD);
    showfloor = await startTestShowfloor({ booths: [BOOTH_A], dashboardFile: join(dir, 'dashboard.yaml') });
    device = await connectDevice(showfloor.mqttUrl, BOOTH_A);
    const meta = {
      name: HOSTILE,
      kind: 'hostile-kind', // kinds are pattern-checked at ingest; names, firmware and units are free text
      firmware: HOSTILE,
      units: { level: HOSTILE, pos_x: 'm', pos_y: 'm' },
      expected: { level: { min: 0, max: 50 }, pos_x: { min: -10, max: 10 }, pos_y: { min: -10, max: 10 } },
      intervalMs: 500,
    };
    device.publish(deviceTopic(BOOTH_A.id, DEVICE, 'meta'), JSON.stringify(meta), { qos: 1, retain: true });
    let n = 0;
    const publish = (): void => {
      n++;
      // level stays above its expected range, so the alarm strip names the device too.
      const values = { ts: Date.now(), level: 75 + (n % 5), pos_x: 8 * Math.cos(n / 8), pos_y: 8 * Math.sin(n / 8) };
      device.publish(deviceTopic(BOOTH_A.id, DEVICE, 'telemetry'), JSON.stringify(values));
    };
    publish();
    timer = setInterval(publish, 500);
    browser = await launchChromium();
  });

  afterAll(async () => {
    clearInterval(timer);
    device?.end(true);
    await browser?.close();
    await showfloor?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('renders the hostile device as text on every scene and in the alarm strip', async () => {
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    for (const scene of SCENES) {
      await page.goto(`${showfloor.httpUrl}/?scene=${scene}`);
      await page.waitForFunction((s) => document.querySelector('[data-testid="stage"]')?.getAttribute('data-scene') === s, scene);
      await page.waitForFunction(
        () =>
          document.querySelector('[data-testid="alarm-strip"]')?.getAttribute('data-state') !== 'calm' &&
          !!document.querySelector('[data-testid="alarm-item"]'),
      );
      // The device's name appears somewhere as literal text: it was drawn, not dropped.
      await page.waitForFunction((text) => document.body.textContent?.includes(text) === true, '<img src=x', { timeout: 10_000 });
      expect(await injectedMarkup(page), scene).toEqual({ elements: [], pwned: undefined });
    }
    expect(await page.locator('[data-testid="alarm-item"]').first().textContent()).toContain('<img src=x');
    await page.close();
  });

  it.each(SCREENS)('fills a $name screen on every scene without scrolling or text under the minimum size', async ({ name, width, height }) => {
    const page = await browser.newPage({ viewport: { width, height } });
    const minText = MIN_TEXT_PX_AT_1080 * (Math.min(width, height) / 1080);
    for (const scene of SCENES) {
      await page.goto(`${showfloor.httpUrl}/?scene=${scene}`);
      await page.waitForFunction((s) => document.querySelector('[data-testid="stage"]')?.getAttribute('data-scene') === s, scene);
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="stage"] canvas, [data-testid="status-cell"]').length > 0);
      await page.screenshot({ path: artifactPath(`wall-${name}-${scene}.png`) });
      const layout = await page.evaluate(() => {
        const root = document.documentElement;
        let smallest = Infinity;
        let smallestText = '';
        for (const element of document.querySelectorAll<HTMLElement>('body *')) {
          const ownText = [...element.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && (n.textContent ?? '').trim() !== '');
          const box = element.getBoundingClientRect();
          if (!ownText || box.width === 0 || box.height === 0 || getComputedStyle(element).visibility === 'hidden') continue;
          const size = parseFloat(getComputedStyle(element).fontSize);
          if (size < smallest) {
            smallest = size;
            smallestText = `${element.className}: ${(element.textContent ?? '').slice(0, 30)}`;
          }
        }
        return { scrollX: root.scrollWidth - root.clientWidth, scrollY: root.scrollHeight - root.clientHeight, smallest, smallestText };
      });
      expect(layout.scrollX, `${name}/${scene}`).toBeLessThanOrEqual(0);
      expect(layout.scrollY, `${name}/${scene}`).toBeLessThanOrEqual(0);
      expect(layout.smallest, `${name}/${scene}: ${layout.smallestText}`).toBeGreaterThanOrEqual(minText - 0.5);
    }
    await page.close();
  });
});
