/**
 * Scenes in Chromium, driven by a dashboard file: rotation by each scene's duration, pinning with
 * ?scene=, a file change that reaches an open wall without a reload, labels in Chinese and in both
 * languages, and the watchdog reloading a broken page back to its scene and reporting it.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startSimulatedBooth, type SimulatedBooth } from '../../simulators/booth';
import { describeWithChromium, launchChromium } from '../support/chromium';
import { BOOTH_A, getJson, startTestShowfloor } from '../support/showfloor';
import { eventually } from '../support/waitFor';

const SCENE_SECONDS = 3;

function dashboardYaml(brandName: string): string {
  return `
branding:
  name: { en: ${JSON.stringify(brandName)}, zh: 演示展台 }
  accent: "#e4002b"
scenes:
  - id: everything
    title: { en: Everything, zh: 全部 }
    durationSeconds: ${SCENE_SECONDS}
    panels:
      - kind: devices
  - id: health
    title: { en: Health, zh: 设备健康 }
    durationSeconds: ${SCENE_SECONDS}
    panels:
      - kind: status-grid
  - id: track
    title: { en: Test track, zh: 试驾道 }
    durationSeconds: ${SCENE_SECONDS}
    panels:
      - kind: position
        xMetric: pos_x
        yMetric: pos_y
      - kind: stat
        device: vehicle-1
        metric: speed_kmh
      - kind: gauge
        device: vehicle-1
        metric: battery_soc
      - kind: timeseries
        device: env-1
        metrics: [temperature, co2]
`;
}

function sceneOf(page: Page): Promise<string | undefined> {
  return page
    .locator('[data-testid="stage"]')
    .getAttribute('data-scene')
    .then((s) => s ?? undefined);
}

function waitForScene(page: Page, scene: string, timeout = 15_000): Promise<unknown> {
  return page.waitForFunction((s) => document.querySelector('[data-testid="stage"]')?.getAttribute('data-scene') === s, scene, { timeout });
}

describeWithChromium('wall scenes in Chromium', () => {
  let dir: string;
  let dashboardFile: string;
  let showfloor: Awaited<ReturnType<typeof startTestShowfloor>>;
  let simulators: SimulatedBooth;
  let browser: Browser;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'showfloor-scenes-'));
    dashboardFile = join(dir, 'dashboard.yaml');
    await writeFile(dashboardFile, dashboardYaml('Scene Test Booth'));
    showfloor = await startTestShowfloor({ booths: [BOOTH_A], dashboardFile });
    simulators = startSimulatedBooth({ url: showfloor.mqttUrl, booth: BOOTH_A.id, password: BOOTH_A.password, devices: 4, rate: 2, seed: 11 });
    await simulators.ready();
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await simulators?.stop();
    await showfloor?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('rotates through the scenes in order, each for its duration, with branding from the file', async () => {
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await page.goto(showfloor.httpUrl);
    await waitForScene(page, 'everything');
    expect(await page.locator('[data-testid="booth-names"]').textContent()).toBe('Scene Test Booth');
    expect(await page.locator('[data-testid="scene-title"]').textContent()).toBe('Everything');
    expect(await page.locator('[data-testid="scene-dots"] li').count()).toBe(3);

    await waitForScene(page, 'health');
    const healthAt = Date.now();
    await waitForScene(page, 'track');
    const trackAt = Date.now();
    await waitForScene(page, 'everything');
    // Each scene stays its duration, give or take the one-second rotation tick.
    expect(trackAt - healthAt).toBeGreaterThanOrEqual((SCENE_SECONDS - 1) * 1000);
    expect(Date.now() - trackAt).toBeGreaterThanOrEqual((SCENE_SECONDS - 1) * 1000);
    await page.close();
  });

  it('stays on a scene pinned with ?scene=, without a progress bar', async () => {
    const pinned = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    const rotating = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    await pinned.goto(`${showfloor.httpUrl}/?scene=health`);
    await rotating.goto(showfloor.httpUrl);
    await waitForScene(pinned, 'health');
    // The rotating page going round once is the clock: the pinned one must not have moved meanwhile.
    await waitForScene(rotating, 'track');
    await waitForScene(rotating, 'everything');
    expect(await sceneOf(pinned)).toBe('health');
    expect(await pinned.locator('[data-testid="scene-progress"]').getAttribute('data-pinned')).toBe('true');
    expect(await pinned.locator('[data-testid="scene-dots"] li').count()).toBe(0);
    await pinned.close();
    await rotating.close();
  });

  it('picks up a changed dashboard file by itself, without reloading', async () => {
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await page.goto(`${showfloor.httpUrl}/?scene=everything`);
    await waitForScene(page, 'everything');
    await page.evaluate(() => ((window as unknown as { __sameLoad: boolean }).__sameLoad = true));

    await writeFile(dashboardFile, dashboardYaml('Renamed Booth'));
    await page.waitForFunction(() => document.querySelector('[data-testid="booth-names"]')?.textContent === 'Renamed Booth', undefined, { timeout: 10_000 });
    expect(await page.evaluate(() => (window as unknown as { __sameLoad?: boolean }).__sameLoad)).toBe(true);
    await writeFile(dashboardFile, dashboardYaml('Scene Test Booth'));
    await page.close();
  });

  it('labels in Chinese, and in both languages for the show floor', async () => {
    const zh = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await zh.goto(`${showfloor.httpUrl}/?lang=zh&scene=everything`);
    await zh.waitForFunction(() => document.querySelector('[data-testid="connection-label"]')?.textContent === '实时');
    expect(await zh.locator('[data-testid="scene-title"]').textContent()).toBe('全部');
    expect(await zh.locator('[data-testid="booth-names"]').textContent()).toBe('演示展台');
    expect(await zh.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
    expect(await zh.locator('[data-testid="window-caption"]').textContent()).toBe('最近 5 分钟');

    const both = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await both.goto(`${showfloor.httpUrl}/?lang=both&scene=everything`);
    await both.waitForFunction(() => document.querySelector('[data-testid="connection-label"]')?.textContent === 'Live · 实时');
    expect(await both.locator('[data-testid="scene-title"]').textContent()).toBe('Everything · 全部');
    await zh.close();
    await both.close();
  });

  it('reloads itself after an uncaught error, comes back to its scene, and the server counts it', async () => {
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await page.goto(showfloor.httpUrl);
    await waitForScene(page, 'health');
    await page.evaluate(() => ((window as unknown as { __sameLoad: boolean }).__sameLoad = true));

    const reloaded = page.waitForEvent('load', { timeout: 15_000 });
    await page.evaluate(() =>
      setTimeout(() => {
        throw new Error('simulated bug in a render');
      }),
    );
    await reloaded;
    expect(await page.evaluate(() => (window as unknown as { __sameLoad?: boolean }).__sameLoad)).toBeUndefined();
    // The rotation resumes where it was (or on the next scene if that one's time ran out meanwhile).
    expect(['health', 'track']).toContain(
      await page.waitForFunction(() => document.querySelector('[data-testid="stage"]')?.getAttribute('data-scene') || null).then((h) => h.jsonValue()),
    );

    await eventually(
      async () => {
        const { body } = await getJson<{ connected: { reloads: number; lastReloadReason: string | null }[] }>(`${showfloor.httpUrl}/api/walls`);
        expect(body.connected).toContainEqual(expect.objectContaining({ reloads: 1, lastReloadReason: 'error' }));
      },
      { timeoutMs: 10_000 },
    );
    const { body: health } = await getJson<{ walls: { reloads: Record<string, number> } }>(`${showfloor.httpUrl}/api/health`);
    expect(health.walls.reloads['error']).toBe(1);
    await page.close();
  });

  it('also reloads on a failed chunk load after a redeploy, and above its heap ceiling', async () => {
    for (const [reason, query, cause] of [
      [
        'preload-error',
        '',
        () => {
          window.dispatchEvent(new Event('vite:preloadError', { cancelable: true }));
        },
      ],
      [
        'heap-ceiling',
        '?heapMb=40',
        () => {
          // 64 MB of numbers on the JS heap, kept reachable; nothing returned, so nothing is serialised back.
          (window as unknown as { __hog: number[][] }).__hog = Array.from({ length: 64 }, () => new Array<number>(1 << 17).fill(Math.random()));
        },
      ],
    ] as const) {
      // A context of its own: the watchdog's once-a-minute guard is per kiosk (localStorage). Chromium
      // updates performance.memory only coarsely unless told otherwise; a kiosk can be told the same.
      const heapBrowser = reason === 'heap-ceiling' ? await launchChromium({ extraArgs: ['--enable-precise-memory-info'] }) : browser;
      const context = await heapBrowser.newContext({ viewport: { width: 1280, height: 720 } });
      const page = await context.newPage();
      await page.goto(`${showfloor.httpUrl}/${query}`);
      await page.waitForFunction(() => document.querySelector('[data-testid="connection-label"]')?.textContent === 'Live');
      if (reason === 'heap-ceiling')
        await page.waitForFunction(() => document.documentElement.dataset['heapWatch'] === 'armed', undefined, { timeout: 15_000 });
      const reloaded = page.waitForEvent('load', { timeout: 20_000 });
      await page.evaluate(cause);
      await reloaded.catch((error: Error) => {
        throw new Error(`${reason}: ${error.message}`);
      });
      expect(await page.evaluate(() => Number(localStorage.getItem('showfloor.wall.reloads')))).toBe(1);
      await eventually(
        async () => {
          const { body } = await getJson<{ walls: { reloads: Record<string, number> } }>(`${showfloor.httpUrl}/api/health`);
          expect(body.walls.reloads[reason]).toBe(1);
        },
        { timeoutMs: 10_000 },
      );
      await context.close();
      if (heapBrowser !== browser) await heapBrowser.close();
    }
  });
});
