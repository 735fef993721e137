/**
 * `npm run soak:wall`: the wall in Chromium under show-floor load for a long time, to prove it does
 * not leak. A booth of simulated devices sends 1,000 readings/s across well over 50 series while the
 * example dashboard rotates fast (accelerated: scenes last seconds, not minutes, so every scene is
 * built and torn down hundreds of times). Every sample forces a GC and reads CDP Performance
 * metrics; the report fits a line to heap and DOM nodes after the warm-up, counts long animation
 * frames, measures frames per second, and gives the wall bundle's gzip size. Not part of `npm test`.
 *
 *   npm run soak:wall -- --minutes 30 --sample-seconds 60 --warmup-minutes 6 --scene-seconds 5
 *   npm run soak:wall -- --devices 12 --minutes 3                     (the demo's 12 devices, 84/s each)
 *   npm run soak:wall -- --devices 50 --rate 20 --pin overview     (250 series on one scene)
 */
import { readdir, readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { Command, InvalidArgumentError } from 'commander';
import { parseDocument } from 'yaml';
import type { CDPSession, Page } from 'playwright-core';
import { DEFAULT_WEB_ROOT } from '../../server/Showfloor';
import { startSimulatedBooth } from '../../simulators/booth';
import { launchChromium, artifactPath } from '../support/chromium';
import { BOOTH_A, startTestShowfloor } from '../support/showfloor';
import { describeMachine } from '../bench/machineInfo';

interface SoakOptions {
  minutes: number;
  sampleSeconds: number;
  warmupMinutes: number;
  sceneSeconds: number;
  devices: number;
  rate: number;
  pin?: string;
}

interface Sample {
  atSeconds: number;
  heapUsedBytes: number;
  nodes: number;
  listeners: number;
  /** Long animation frames (over 50 ms) since the previous sample, and the longest. */
  longFrames: number;
  longestFrameMs: number;
  framesPerSecond: number;
  scenesShown: number;
}

function positive(text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new InvalidArgumentError('must be a positive number');
  return value;
}

function parseOptions(argv: string[]): SoakOptions {
  const program = new Command('soak:wall')
    .option('--minutes <n>', 'how long to run', positive, 30)
    .option('--sample-seconds <n>', 'time between samples', positive, 60)
    // The live window (5 min) fills during the first minutes: growth then is data, not a leak.
    .option('--warmup-minutes <n>', 'left out of the slopes', positive, 6)
    .option('--scene-seconds <n>', 'duration of every scene (accelerated rotation)', positive, 5)
    // A booth's real load (issue 12): 50 devices, together about 1,000 readings/s, the load the wall
    // is specified for; --rate overrides the per-device share.
    .option('--devices <n>', 'simulated devices', positive, 50)
    .option('--rate <n>', 'telemetry messages per second per device (default: 1,000/s over all devices)', positive)
    .option('--pin <scene>', 'stay on one scene (steady state, no rotation)')
    .parse(argv);
  const options = program.opts<Omit<SoakOptions, 'rate'> & { rate?: number }>();
  return { ...options, rate: options.rate ?? Math.max(1, Math.round(1000 / options.devices)) };
}

/** Least-squares slope of y over x. */
function slope(points: readonly [number, number][]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const num = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const den = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

async function bundleGzipBytes(): Promise<{ js: number; css: number }> {
  const assets = join(DEFAULT_WEB_ROOT, 'assets');
  const html = await readFile(join(DEFAULT_WEB_ROOT, 'index.html'), 'utf8');
  const sizes = { js: 0, css: 0 };
  for (const name of await readdir(assets)) {
    // Only what the wall page loads: its entry and the chunks it links, not the console's.
    if (!html.includes(name) && !name.startsWith('main')) continue;
    const bytes = gzipSync(await readFile(join(assets, name)), { level: 9 }).length;
    if (name.endsWith('.js')) sizes.js += bytes;
    if (name.endsWith('.css')) sizes.css += bytes;
  }
  return sizes;
}

/**
 * Counts frames and long animation frames inside the page, read and reset at each sample. Written
 * as source text: tsx would otherwise wrap the functions in helpers that do not exist in the page.
 */
const FRAME_PROBE = `
  (() => {
    const probe = { frames: 0, longFrames: 0, longest: 0, since: performance.now(), causes: Object.create(null) };
    window.__soak = probe;
    const frame = () => { probe.frames++; requestAnimationFrame(frame); };
    requestAnimationFrame(frame);
    try {
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) {
          if (entry.duration > 50) {
            probe.longFrames++;
            // What the frame's time went to, by script entry point (bounded: at most 40 distinct keys).
            const scripts = entry.scripts || [];
            const parts = scripts.map((x) => ({ key: (x.invoker || '?') + ' ' + (x.sourceFunctionName || ''), ms: x.duration }));
            parts.push({ key: 'style+layout', ms: entry.styleAndLayoutStart ? entry.startTime + entry.duration - entry.styleAndLayoutStart : 0 });
            parts.push({ key: 'render (rAF callbacks)', ms: entry.renderStart && entry.styleAndLayoutStart ? entry.styleAndLayoutStart - entry.renderStart : 0 });
            for (const part of parts) {
              if (!(part.key in probe.causes) && Object.keys(probe.causes).length >= 40) continue;
              probe.causes[part.key] = (probe.causes[part.key] || 0) + part.ms;
            }
          }
          probe.longest = Math.max(probe.longest, entry.duration);
        }
      }).observe({ type: 'long-animation-frame', buffered: false });
    } catch {}
  })();
`;

const READ_FRAMES = `
  (() => {
    const probe = window.__soak;
    const now = performance.now();
    const result = { frames: probe.frames, longFrames: probe.longFrames, longest: probe.longest, seconds: (now - probe.since) / 1000 };
    Object.assign(probe, { frames: 0, longFrames: 0, longest: 0, since: now });
    return result;
  })()
`;

const WATCH_SCENES = `
  new MutationObserver(() => window.__soakSceneShown()).observe(document.querySelector('[data-testid="stage"]'), { attributeFilter: ['data-scene'] });
`;

/** Where the long frames' time went over the whole run, ms, biggest first. */
const READ_CAUSES = `Object.entries(window.__soak.causes).sort((a, b) => b[1] - a[1]).slice(0, 12).map(([k, v]) => k + ': ' + Math.round(v) + ' ms')`;

const COUNT_SERIES = `document.querySelectorAll('[data-testid="device-tile"] li.readout').length`;

const FIRST_SCENE = 'overview';

async function sceneOnStage(page: Page): Promise<string | null> {
  return page.getAttribute('[data-testid="stage"]', 'data-scene');
}

/** Waits for `scene` to come on stage anew, then for its charts to settle. */
async function waitForFreshScene(page: Page, scene: string, sceneSeconds: number): Promise<void> {
  const deadline = Date.now() + sceneSeconds * 1000 * 20;
  while ((await sceneOnStage(page)) === scene && Date.now() < deadline) await delay(100);
  while ((await sceneOnStage(page)) !== scene && Date.now() < deadline) await delay(100);
  await delay(Math.min(3000, (sceneSeconds * 1000) / 2));
}

async function sample(page: Page, cdp: CDPSession, startedAt: number, scenesShown: number): Promise<Sample> {
  const frames = await page.evaluate<{ frames: number; longFrames: number; longest: number; seconds: number }>(READ_FRAMES);
  await cdp.send('HeapProfiler.collectGarbage');
  const { metrics } = await cdp.send('Performance.getMetrics');
  const metric = (name: string): number => metrics.find((m) => m.name === name)?.value ?? NaN;
  return {
    atSeconds: Math.round((Date.now() - startedAt) / 1000),
    heapUsedBytes: metric('JSHeapUsedSize'),
    nodes: metric('Nodes'),
    listeners: metric('JSEventListeners'),
    longFrames: frames.longFrames,
    longestFrameMs: Math.round(frames.longest),
    framesPerSecond: Math.round((frames.frames / Math.max(frames.seconds, 0.001)) * 10) / 10,
    scenesShown,
  };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv);
  const dir = await mkdtemp(join(tmpdir(), 'showfloor-soak-'));
  const example = await readFile(new URL('../../examples/dashboard.yaml', import.meta.url), 'utf8');
  // Accelerated rotation: every scene for --scene-seconds; the logo (a file beside the example) is left out.
  const dashboard = parseDocument(example);
  dashboard.deleteIn(['branding', 'logo']);
  const scenes = dashboard.get('scenes') as { items: unknown[] };
  scenes.items.forEach((_, index) => {
    dashboard.setIn(['scenes', index, 'durationSeconds'], options.sceneSeconds);
    // The example names the demo's booth; the soak's only booth stands in for it.
    const panels = dashboard.getIn(['scenes', index, 'panels']) as { items: unknown[] } | undefined;
    panels?.items.forEach((_panel, p) => {
      if (dashboard.hasIn(['scenes', index, 'panels', p, 'booth'])) dashboard.setIn(['scenes', index, 'panels', p, 'booth'], BOOTH_A.id);
    });
  });
  await writeFile(join(dir, 'dashboard.yaml'), dashboard.toString());

  const showfloor = await startTestShowfloor({ booths: [BOOTH_A], dashboardFile: join(dir, 'dashboard.yaml') });
  const booth = startSimulatedBooth({
    url: showfloor.mqttUrl,
    booth: BOOTH_A.id,
    password: BOOTH_A.password,
    devices: options.devices,
    rate: options.rate,
    seed: 'soak',
  });
  await booth.ready();
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text());
  });
  let reloads = 0;
  page.on('load', () => reloads++);
  await page.addInitScript({ content: FRAME_PROBE });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  await page.goto(options.pin ? `${showfloor.httpUrl}/?scene=${encodeURIComponent(options.pin)}` : showfloor.httpUrl);
  let scenesShown = 0;
  await page.exposeFunction('__soakSceneShown', () => void scenesShown++);
  await page.evaluate(WATCH_SCENES);

  const startedAt = Date.now();
  const samples: Sample[] = [];
  const sentAtStart = booth.sent();
  console.log(
    `soak: ${options.minutes} min, ${options.devices} devices × ${options.rate}/s, scenes every ${options.sceneSeconds} s; a sample every ${options.sampleSeconds} s`,
  );
  while (Date.now() - startedAt < options.minutes * 60_000) {
    await delay(options.sampleSeconds * 1000);
    // Heap and DOM differ by scene, so every sample is taken at the same point of the rotation:
    // a few seconds into the first scene, the busiest (a tile and chart per device).
    if (!options.pin) await waitForFreshScene(page, FIRST_SCENE, options.sceneSeconds);
    const s = await sample(page, cdp, startedAt, scenesShown);
    samples.push(s);
    console.log(
      `  ${String(s.atSeconds).padStart(6)} s  heap ${(s.heapUsedBytes / 2 ** 20).toFixed(2)} MB  nodes ${s.nodes}  listeners ${s.listeners}  fps ${s.framesPerSecond}  long frames ${s.longFrames} (max ${s.longestFrameMs} ms)  scenes ${s.scenesShown}`,
    );
  }
  const readingsPerSecond = (booth.sent() - sentAtStart) / ((Date.now() - startedAt) / 1000);

  const warm = samples.filter((s) => s.atSeconds >= options.warmupMinutes * 60);
  const hours = (s: Sample): number => s.atSeconds / 3600;
  const report = {
    machine: describeMachine('influxd'),
    options,
    readingsPerSecond: Math.round(readingsPerSecond),
    series: await page.evaluate<number>(COUNT_SERIES),
    longFrameCauses: await page.evaluate<string[]>(READ_CAUSES),
    bundleGzipBytes: await bundleGzipBytes(),
    heapSlopeMBPerHour: slope(warm.map((s) => [hours(s), s.heapUsedBytes / 2 ** 20])),
    nodeSlopePerHour: slope(warm.map((s) => [hours(s), s.nodes])),
    listenerSlopePerHour: slope(warm.map((s) => [hours(s), s.listeners])),
    longFramesPerMinute: samples.reduce((n, s) => n + s.longFrames, 0) / ((Date.now() - startedAt) / 60_000),
    framesPerSecond: {
      min: Math.min(...samples.map((s) => s.framesPerSecond)),
      median: samples.map((s) => s.framesPerSecond).sort((a, b) => a - b)[Math.floor(samples.length / 2)],
    },
    reloads: reloads - 1,
    reloadReasons: ((await (await fetch(`${showfloor.httpUrl}/api/health`)).json()) as { walls: { reloads: Record<string, number> } }).walls.reloads,
    pageErrors: pageErrors.slice(0, 20),
    samples,
  };
  const file = artifactPath('soak-wall.json');
  await writeFile(file, JSON.stringify(report, null, 2));
  console.log(`
readings/s sent        ${report.readingsPerSecond}
series on the overview ${report.series}
heap slope after warm-up  ${report.heapSlopeMBPerHour.toFixed(3)} MB/h  (target: under 1 MB/h)
DOM node slope            ${report.nodeSlopePerHour.toFixed(1)} nodes/h
listener slope            ${report.listenerSlopePerHour.toFixed(1)} /h
long animation frames     ${report.longFramesPerMinute.toFixed(2)} per minute (over 50 ms)
frames per second         median ${report.framesPerSecond.median}, min ${report.framesPerSecond.min}
bundle (gzip)             ${(report.bundleGzipBytes.js / 1024).toFixed(1)} kB JS, ${(report.bundleGzipBytes.css / 1024).toFixed(1)} kB CSS
page errors / reloads     ${report.pageErrors.length} / ${report.reloads} ${JSON.stringify(report.reloadReasons)}
long frames' time by cause
  ${report.longFrameCauses.join('\n  ')}
report: ${file}`);

  await browser.close();
  await booth.stop();
  await showfloor.close();
  await rm(dir, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
