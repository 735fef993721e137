/**
 * The wall draws at most one chart per animation frame, through scene swaps, page turns and the
 * one-second redraw of every chart: two ECharts draws in one frame were what made the soak's long
 * frames (issue 12). Seen from the page: every canvas a chart strokes lines into is noted against
 * the frame it happened in (document.timeline.currentTime stays the same through a frame's
 * callbacks and the tasks until the next frame), and no frame may hold two.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEFAULT_WEB_ROOT } from '../../server/Showfloor';
import { startSimulatedBooth, type SimulatedBooth } from '../../simulators/booth';
import { artifactPath, describeWithChromium, launchChromium } from '../support/chromium';
import { BOOTH_A, startTestShowfloor } from '../support/showfloor';

/** Scenes of three seconds: a tile per device, and a scene of four panels with charts. */
const DASHBOARD = `
scenes:
  - id: overview
    title: Overview
    durationSeconds: 3
    panels:
      - kind: devices
  - id: climate
    title: Climate
    durationSeconds: 3
    panels:
      - kind: timeseries
        device: env-01
        metrics: [temperature, co2]
      - kind: stat
        device: env-01
        metric: temperature
      - kind: gauge
        device: env-02
        metric: co2
        min: 400
        max: 2000
      - kind: devices
        deviceKind: env-sensor
`;

/**
 * Written as source text: the counter must be in place before the wall's bundle creates a chart.
 * window.__chartFrames maps a frame's time to the distinct canvases drawn into (stroke) in it: a
 * chart's dispose clears its canvas but draws nothing, and is not a draw.
 */
const COUNT_CANVAS_PAINTS = `
  (() => {
    const frames = new Map();
    window.__chartFrames = frames;
    const stroke = CanvasRenderingContext2D.prototype.stroke;
    CanvasRenderingContext2D.prototype.stroke = function (...args) {
      const frame = document.timeline.currentTime;
      const canvases = frames.get(frame) || new Set();
      canvases.add(this.canvas);
      frames.set(frame, canvases);
      // Bounded: only the latest few hundred frames are kept.
      if (frames.size > 600) frames.delete(frames.keys().next().value);
      return stroke.apply(this, args);
    };
  })();
`;

const READ_COUNTS = `[...window.__chartFrames.values()].map((canvases) => canvases.size)`;
const FORGET_COUNTS = `window.__chartFrames.clear()`;

describeWithChromium('wall chart budget per frame', () => {
  let dir: string;
  let showfloor: Awaited<ReturnType<typeof startTestShowfloor>>;
  let simulators: SimulatedBooth;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    if (!existsSync(DEFAULT_WEB_ROOT)) throw new Error(`${DEFAULT_WEB_ROOT} is missing: run \`npm run build\` first (npm test does)`);
    dir = await mkdtemp(join(tmpdir(), 'showfloor-frame-budget-'));
    await writeFile(join(dir, 'dashboard.yaml'), DASHBOARD);
    showfloor = await startTestShowfloor({ booths: [BOOTH_A], dashboardFile: join(dir, 'dashboard.yaml') });
    simulators = startSimulatedBooth({ url: showfloor.mqttUrl, booth: BOOTH_A.id, password: BOOTH_A.password, devices: 12, rate: 5, seed: 12 });
    await simulators.ready();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await page.addInitScript({ content: COUNT_CANVAS_PAINTS });
  });

  afterAll(async () => {
    await browser?.close();
    await simulators?.stop();
    await showfloor?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('repaints at most one chart per frame through scene swaps and the one-second redraw', async () => {
    await page.goto(showfloor.httpUrl);
    await expect.poll(() => page.getByTestId('connection-label').textContent(), { timeout: 15_000 }).toBe('Live');
    await expect.poll(() => page.locator('[data-testid="device-tile"]').count(), { timeout: 15_000 }).toBeGreaterThan(0);
    // From here on: the page is up; what follows is the wall's steady work and its scene swaps.
    await page.evaluate(FORGET_COUNTS);
    const swaps: string[] = [];
    await expect
      .poll(
        async () => {
          const scene = await page.getAttribute('[data-testid="stage"]', 'data-scene');
          if (scene && swaps[swaps.length - 1] !== scene) swaps.push(scene);
          return swaps.length;
        },
        { timeout: 30_000, interval: 100 },
      )
      .toBeGreaterThanOrEqual(4);
    await page.screenshot({ path: artifactPath('wall-frame-budget.png') });
    const counts = await page.evaluate<number[]>(READ_COUNTS);
    // Not vacuous: charts were repainted, in many frames, on both scenes.
    expect(swaps).toEqual(expect.arrayContaining(['overview', 'climate']));
    expect(counts.length).toBeGreaterThan(20);
    expect(Math.max(...counts)).toBe(1);
  });

  it('repaints at most one chart per frame when the screen changes shape and every tile chart resizes', async () => {
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.goto(`${showfloor.httpUrl}/?scene=overview`);
    await expect.poll(() => page.locator('[data-testid="device-chart"] canvas').count(), { timeout: 15_000 }).toBeGreaterThan(3);
    await page.evaluate(FORGET_COUNTS);
    // Every tile's chart follows its host's new size: the canvas ECharts sized says so.
    const chartsFitTheirHosts = `[...document.querySelectorAll('[data-testid="device-chart"]')].every((host) => {
      const canvas = host.querySelector('canvas');
      return canvas !== null && Math.abs(parseFloat(canvas.style.width) - host.clientWidth) < 1 && Math.abs(parseFloat(canvas.style.height) - host.clientHeight) < 1;
    })`;
    for (const viewport of [
      { width: 1600, height: 900 },
      { width: 1920, height: 1080 },
    ]) {
      await page.setViewportSize(viewport);
      await expect.poll(() => page.evaluate<boolean>(chartsFitTheirHosts), { timeout: 15_000 }).toBe(true);
    }
    const counts = await page.evaluate<number[]>(READ_COUNTS);
    expect(counts.length).toBeGreaterThan(3);
    expect(Math.max(...counts)).toBe(1);
  });
});
