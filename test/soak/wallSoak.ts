/**
 * `npm run soak:wall`: the wall in Chromium under show-floor load for a long time, to prove it does
 * not leak. A booth of simulated devices sends 1,000 readings/s across well over 50 series while the
 * example dashboard rotates fast (accelerated: scenes last seconds, not minutes, so every scene is
 * built and torn down hundreds of times). Every sample is taken half a slot after a scene swap and
 * forces a GC first (HeapProfiler.collectGarbage), so it reads retained heap; the heap, node and
 * listener slopes compare each scene's samples with that scene's own (heap differs by scene), and
 * the heap verdict is flat under 1 MB/h, growing when even the slope's lower 95 % bound is over it,
 * else inconclusive (a short run is noisy: 30 minutes give a real verdict). Long animation frames
 * (over 50 ms) are counted and attributed: to a scene, to the second after a swap or page turn or
 * to steady state, and by script entry; frames stopped by the soak's own GC are left out. The report
 * also gives frames per second, the main thread's busy share (CDP TaskDuration, less sensitive to
 * other load than frame lengths) and the wall bundle's gzip size. Not part of `npm test`.
 *
 *   npm run soak:wall -- --minutes 30 --sample-seconds 60 --warmup-minutes 6 --scene-seconds 5
 *   npm run soak:wall -- --devices 12 --minutes 3                     (the demo's 12 devices, 84/s each)
 *   npm run soak:wall -- --devices 50 --rate 20 --pin overview     (250 series on one scene)
 *   npx vite build --minify false && npx tsx test/soak/wallSoak.ts --minutes 3 --cpu-profile   (where the time goes)
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
  cpuProfile?: boolean;
}

interface Sample {
  atSeconds: number;
  /** Where the rotation was when the sample was taken ("overview#1"): heap differs by scene. */
  onStage: string;
  heapUsedBytes: number;
  nodes: number;
  listeners: number;
  /** Long animation frames (over 50 ms) since the previous sample, and the longest. */
  longFrames: number;
  longestFrameMs: number;
  framesPerSecond: number;
  scenesShown: number;
  /** Main-thread task and script time so far, s (CDP TaskDuration, ScriptDuration): work done, less sensitive to load than frame lengths. */
  taskSeconds: number;
  scriptSeconds: number;
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
    // Diagnosis only: sampling costs the page time, so frame figures of a profiled run are not comparable.
    .option('--cpu-profile', 'write a CPU profile of the page (test-artifacts/soak-wall.cpuprofile); build with --minify false for names')
    .parse(argv);
  const options = program.opts<Omit<SoakOptions, 'rate'> & { rate?: number }>();
  return { ...options, rate: options.rate ?? Math.max(1, Math.round(1000 / options.devices)) };
}

/**
 * One slope for samples taken on different scenes: each scene's samples are measured from their
 * own mean (a line per scene, sharing the slope), so the difference between a scene of 50 tiles and
 * a scene of three panels is not read as growth or shrinkage. Groups of one sample add nothing.
 */
function sceneSlope(groups: ReadonlyMap<string, readonly [number, number][]>): { slope: number; standardError: number; used: number } {
  let sxy = 0;
  let sxx = 0;
  let used = 0;
  let groupCount = 0;
  const centred: { dx: number; dy: number }[] = [];
  for (const points of groups.values()) {
    if (points.length < 2) continue;
    groupCount++;
    used += points.length;
    const mx = points.reduce((s, [x]) => s + x, 0) / points.length;
    const my = points.reduce((s, [, y]) => s + y, 0) / points.length;
    for (const [x, y] of points) {
      centred.push({ dx: x - mx, dy: y - my });
      sxy += (x - mx) * (y - my);
      sxx += (x - mx) ** 2;
    }
  }
  if (sxx === 0) return { slope: 0, standardError: NaN, used };
  const b = sxy / sxx;
  const residuals = centred.reduce((s, { dx, dy }) => s + (dy - b * dx) ** 2, 0);
  const freedom = used - groupCount - 1;
  return { slope: b, standardError: freedom > 0 ? Math.sqrt(residuals / freedom / sxx) : NaN, used };
}

/** Share of wall-clock time the page's main thread spent in tasks (or scripts) between the first and last sample. */
function busyShare(samples: readonly Sample[], seconds: (s: Sample) => number): number {
  const first = samples[0];
  const last = samples[samples.length - 1];
  if (!first || !last || last.atSeconds <= first.atSeconds) return NaN;
  return (seconds(last) - seconds(first)) / (last.atSeconds - first.atSeconds);
}

function byScene(samples: readonly Sample[], value: (s: Sample) => number): Map<string, [number, number][]> {
  const groups = new Map<string, [number, number][]>();
  for (const s of samples) {
    const key = s.onStage.split('#')[0] ?? '';
    groups.set(key, [...(groups.get(key) ?? []), [s.atSeconds / 3600, value(s)]]);
  }
  return groups;
}

/** What the soak calls a flat heap: retained heap (after a forced GC) growing by less than this. */
const HEAP_TARGET_MB_PER_HOUR = 1;

/**
 * The verdict from the post-GC samples taken at the same point of the rotation: flat when the slope
 * is under the target, growing when even its lower 95 % bound is over it, and inconclusive when
 * the noise of a short run cannot tell (a 6-minute run cannot resolve 1 MB/h: run 30 minutes).
 */
function heapVerdict(fit: { slope: number; standardError: number }): 'flat' | 'growing' | 'inconclusive' {
  if (!Number.isFinite(fit.standardError)) return 'inconclusive';
  if (fit.slope - 2 * fit.standardError > HEAP_TARGET_MB_PER_HOUR) return 'growing';
  if (fit.slope < HEAP_TARGET_MB_PER_HOUR) return 'flat';
  return 'inconclusive';
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
    const probe = {
      frames: 0, longFrames: 0, longest: 0, since: performance.now(),
      causes: Object.create(null), byScene: Object.create(null), afterChange: 0, steady: 0,
      // When the soak itself stops the page (forced GC, metrics): frames then are the tool's, not the wall's.
      pauses: [], toolFrames: 0, worst: [],
      scene: '', changedAt: 0,
    };
    window.__soak = probe;
    const frame = () => { probe.frames++; requestAnimationFrame(frame); };
    requestAnimationFrame(frame);
    // Scene swaps and page turns both rebuild what is on stage: note when the last one happened.
    const watchStage = () => {
      const stage = document.querySelector('[data-testid="stage"]');
      const marker = () => document.querySelector('[data-testid="scene-page"]');
      if (!stage) return;
      const note = () => {
        const scene = (stage.dataset.scene || '') + '#' + ((marker() && marker().dataset.page) || '1');
        if (scene !== probe.scene) { probe.scene = scene; probe.changedAt = performance.now(); }
      };
      new MutationObserver(note).observe(document.body, { subtree: true, attributeFilter: ['data-scene', 'data-page'] });
      note();
    };
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', watchStage); else watchStage();
    const bump = (table, key, ms) => {
      if (!(key in table) && Object.keys(table).length >= 40) return;
      table[key] = (table[key] || 0) + ms;
    };
    try {
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) {
          if (entry.duration <= 50) { probe.longest = Math.max(probe.longest, entry.duration); continue; }
          const end = entry.startTime + entry.duration;
          if (probe.pauses.some(([from, to]) => entry.startTime < to && end > from)) { probe.toolFrames++; continue; }
          probe.longest = Math.max(probe.longest, entry.duration);
          probe.longFrames++;
          // Within a second of a scene swap or page turn (building what comes on stage), or in steady state.
          const afterChange = entry.startTime - probe.changedAt < 1000 && entry.startTime >= probe.changedAt - 50;
          if (afterChange) probe.afterChange++; else probe.steady++;
          bump(probe.byScene, probe.scene.split('#')[0] + (afterChange ? ' (swap)' : ' (steady)'), 1);
          // What the frame's time went to, by script entry point (bounded: at most 40 distinct keys).
          const scripts = entry.scripts || [];
          const parts = scripts.map((x) => ({ key: (x.invoker || '?') + ' ' + (x.sourceFunctionName || ''), ms: x.duration }));
          parts.push({ key: 'style+layout', ms: entry.styleAndLayoutStart ? end - entry.styleAndLayoutStart : 0 });
          parts.push({ key: 'render (rAF callbacks)', ms: entry.renderStart && entry.styleAndLayoutStart ? entry.styleAndLayoutStart - entry.renderStart : 0 });
          for (const part of parts) bump(probe.causes, part.key, part.ms);
          // The ten longest, with what ran in them, to tell one slow kind of frame from many.
          probe.worst.push({ ms: Math.round(entry.duration), scene: probe.scene, sinceChangeMs: Math.round(entry.startTime - probe.changedAt), parts: parts.filter((x) => x.ms >= 5).map((x) => x.key.trim() + ' ' + Math.round(x.ms)) });
          probe.worst.sort((a, b) => b.ms - a.ms);
          probe.worst.length = Math.min(probe.worst.length, 10);
        }
      }).observe({ type: 'long-animation-frame', buffered: false });
    } catch {}
  })();
`;

/** Marks the start and end of the soak's own interruption (at most the last 8 are kept). */
const PAUSE_BEGIN = `window.__soak.pauses.push([performance.now(), Infinity]); window.__soak.pauses.splice(0, Math.max(0, window.__soak.pauses.length - 8));`;
const PAUSE_END = `(() => { const p = window.__soak.pauses; const last = p[p.length - 1]; if (last) last[1] = performance.now() + 20; })()`;

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

/** Long frames by scene and by whether a swap or page turn had just happened; the longest ten. */
const READ_WHEN = `(() => {
  const p = window.__soak;
  return { afterChange: p.afterChange, steady: p.steady, toolFrames: p.toolFrames, byScene: Object.entries(p.byScene).sort((a, b) => b[1] - a[1]).map(([k, v]) => k + ': ' + v), worst: p.worst };
})()`;

const COUNT_SERIES = `document.querySelectorAll('[data-testid="device-tile"] li.readout').length`;

async function sceneOnStage(page: Page): Promise<string | null> {
  return page.getAttribute('[data-testid="stage"]', 'data-scene');
}

/**
 * Waits for the next scene swap, then for its charts to settle: every sample is taken at the same
 * point of a scene (its first page, half a slot in). Waiting for one particular scene instead gave a
 * sample per rotation at best: with paged scenes a rotation of the soak's booth takes minutes.
 */
async function waitForSceneSwap(page: Page, sceneSeconds: number): Promise<void> {
  const deadline = Date.now() + 10 * 60_000;
  const before = await sceneOnStage(page);
  while ((await sceneOnStage(page)) === before && Date.now() < deadline) await delay(100);
  await delay(Math.min(3000, (sceneSeconds * 1000) / 2));
}

async function sample(page: Page, cdp: CDPSession, startedAt: number, scenesShown: number): Promise<Sample> {
  const frames = await page.evaluate<{ frames: number; longFrames: number; longest: number; seconds: number }>(READ_FRAMES);
  const onStage = await page.evaluate<string>('window.__soak.scene');
  // A forced GC stops the page for a frame or two: those frames are the soak's, not the wall's.
  await page.evaluate(PAUSE_BEGIN);
  // Retained heap, not whatever garbage the last minor GC left: the same scene point, after a full GC.
  await cdp.send('HeapProfiler.collectGarbage');
  const { metrics } = await cdp.send('Performance.getMetrics');
  await page.evaluate(PAUSE_END);
  const metric = (name: string): number => metrics.find((m) => m.name === name)?.value ?? NaN;
  return {
    atSeconds: Math.round((Date.now() - startedAt) / 1000),
    onStage,
    heapUsedBytes: metric('JSHeapUsedSize'),
    nodes: metric('Nodes'),
    listeners: metric('JSEventListeners'),
    longFrames: frames.longFrames,
    longestFrameMs: Math.round(frames.longest),
    framesPerSecond: Math.round((frames.frames / Math.max(frames.seconds, 0.001)) * 10) / 10,
    scenesShown,
    taskSeconds: metric('TaskDuration'),
    scriptSeconds: metric('ScriptDuration'),
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

  if (options.cpuProfile) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.start');
  }
  const startedAt = Date.now();
  const samples: Sample[] = [];
  const sentAtStart = booth.sent();
  console.log(
    `soak: ${options.minutes} min, ${options.devices} devices × ${options.rate}/s, scenes every ${options.sceneSeconds} s; a sample every ${options.sampleSeconds} s`,
  );
  while (Date.now() - startedAt < options.minutes * 60_000) {
    await delay(options.sampleSeconds * 1000);
    // Heap and DOM differ by scene, so every sample is taken at the same point of a scene, and the
    // slope compares each scene's samples with its own (sceneSlope).
    if (!options.pin) await waitForSceneSwap(page, options.sceneSeconds);
    const s = await sample(page, cdp, startedAt, scenesShown);
    samples.push(s);
    console.log(
      `  ${String(s.atSeconds).padStart(6)} s  ${s.onStage}  heap ${(s.heapUsedBytes / 2 ** 20).toFixed(2)} MB  nodes ${s.nodes}  listeners ${s.listeners}  fps ${s.framesPerSecond}  long frames ${s.longFrames} (max ${s.longestFrameMs} ms)  scenes ${s.scenesShown}`,
    );
  }
  const readingsPerSecond = (booth.sent() - sentAtStart) / ((Date.now() - startedAt) / 1000);

  const warm = samples.filter((s) => s.atSeconds >= options.warmupMinutes * 60);
  // Only samples taken on a scene's first page, where the wait put them: one taken elsewhere (a
  // stalled page, a slow poll) would measure a different screen, not a leak.
  const samePoint = options.pin ? warm : warm.filter((s) => s.onStage.endsWith('#1'));
  const heapFit = sceneSlope(byScene(samePoint, (s) => s.heapUsedBytes / 2 ** 20));
  const frameWhen = await page.evaluate<{ afterChange: number; steady: number; toolFrames: number; byScene: string[]; worst: unknown[] }>(READ_WHEN);
  const report = {
    machine: describeMachine('influxd'),
    options,
    readingsPerSecond: Math.round(readingsPerSecond),
    series: await page.evaluate<number>(COUNT_SERIES),
    longFrameCauses: await page.evaluate<string[]>(READ_CAUSES),
    bundleGzipBytes: await bundleGzipBytes(),
    longFramesAfterSwap: frameWhen.afterChange,
    longFramesSteady: frameWhen.steady,
    longFramesBySceneAndPhase: frameWhen.byScene,
    longestFrames: frameWhen.worst,
    /** Frames stopped by the soak's own forced GC: not counted as the wall's. */
    toolFrames: frameWhen.toolFrames,
    heapSamplesUsed: heapFit.used,
    heapSlopeMBPerHour: heapFit.slope,
    heapSlopeStandardError: heapFit.standardError,
    heapTargetMBPerHour: HEAP_TARGET_MB_PER_HOUR,
    heapVerdict: heapVerdict(heapFit),
    nodeSlopePerHour: sceneSlope(byScene(samePoint, (s) => s.nodes)).slope,
    listenerSlopePerHour: sceneSlope(byScene(samePoint, (s) => s.listeners)).slope,
    mainThreadBusyShare: busyShare(samples, (s) => s.taskSeconds),
    scriptBusyShare: busyShare(samples, (s) => s.scriptSeconds),
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
  if (options.cpuProfile) {
    const { profile } = await cdp.send('Profiler.stop');
    await writeFile(artifactPath('soak-wall.cpuprofile'), JSON.stringify(profile));
  }
  const file = artifactPath('soak-wall.json');
  await writeFile(file, JSON.stringify(report, null, 2));
  console.log(`
readings/s sent        ${report.readingsPerSecond}
series on the overview ${report.series}
heap slope after warm-up  ${report.heapSlopeMBPerHour.toFixed(3)} ± ${report.heapSlopeStandardError.toFixed(3)} MB/h post-GC, ${report.heapSamplesUsed} samples on scenes seen twice or more  (target: under ${HEAP_TARGET_MB_PER_HOUR} MB/h): ${report.heapVerdict}
DOM node slope            ${report.nodeSlopePerHour.toFixed(1)} nodes/h
listener slope            ${report.listenerSlopePerHour.toFixed(1)} /h
long animation frames     ${report.longFramesPerMinute.toFixed(2)} per minute (over 50 ms); ${report.longFramesAfterSwap} within 1 s of a scene swap or page turn, ${report.longFramesSteady} steady; ${report.toolFrames} stopped by the soak's GC, not counted
longest frame             ${Math.max(0, ...samples.map((s) => s.longestFrameMs))} ms
long frames by scene      ${report.longFramesBySceneAndPhase.join(', ')}
main thread busy          ${(report.mainThreadBusyShare * 100).toFixed(1)} % in tasks, ${(report.scriptBusyShare * 100).toFixed(1)} % in scripts
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
