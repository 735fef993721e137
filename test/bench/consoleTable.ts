/**
 * How fast the console's device table is with 2,000 devices in Chromium: time to the first render
 * of the table and time to apply a filter, from the performance marks the page sets itself
 * (web/console/perfMarks.ts), as medians over several fresh page loads; and that the DOM holds
 * a bounded number of rows whatever the list length. Runs against the console API stub, so it
 * measures the page, not a server. Figures are reported, never asserted, except the row bound.
 *
 *   npx vite build --logLevel warn && npx tsx test/bench/consoleTable.ts [--devices 2000] [--runs 7]
 *
 * Writes test-artifacts/console-table-bench.json beside the printed table.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { CONSOLE_API } from '../../contract/console';
import { DEFAULT_WEB_ROOT } from '../../server/Showfloor';
import { PERF } from '../../web/console/perfMarks';
import { artifactPath, launchChromium } from '../support/chromium';
import { startConsoleApiStub, type ConsoleStub } from '../support/consoleApiStub';

const { values: args } = parseArgs({ options: { devices: { type: 'string', default: '2000' }, runs: { type: 'string', default: '7' } } });
const DEVICES = Number(args.devices);
const RUNS = Number(args.runs);
const VIEWPORT = { width: 1600, height: 1000 };
/** The page must never hold more than this many row elements, however long the list. */
const MAX_ROW_ELEMENTS = 100;

/** Filters typed or chosen in each run, each timed from the input event to the next painted frame. */
const FILTERS: readonly { name: string; apply: (page: Page) => Promise<void> }[] = [
  { name: 'text "env-1" (narrows)', apply: (page) => page.getByTestId('filter-text').fill('env-1') },
  { name: 'text cleared (all rows back)', apply: (page) => page.getByTestId('filter-text').fill('') },
  {
    name: 'state = offline',
    apply: (page) =>
      page
        .getByTestId('filter-state')
        .selectOption('offline')
        .then(() => undefined),
  },
  {
    name: 'state = all',
    apply: (page) =>
      page
        .getByTestId('filter-state')
        .selectOption('')
        .then(() => undefined),
  },
];

interface RunResult {
  fetchMs: number;
  firstRenderMs: number;
  firstPaintMs: number;
  /** From navigation start to the table's first painted frame: what a technician waits after opening the page. */
  navigationToTableMs: number;
  filterMs: number[];
  filterPaintMs: number[];
  maxRowElements: number;
  shownAfterFilter: string[];
}

async function durations(page: Page, name: string): Promise<number[]> {
  return page.evaluate((entry) => performance.getEntriesByName(entry, 'measure').map((m) => m.duration), name);
}

async function waitForMeasures(page: Page, name: string, count: number): Promise<void> {
  await page.waitForFunction(({ entry, n }) => performance.getEntriesByName(entry, 'measure').length >= n, { entry: name, n: count }, { timeout: 30_000 });
}

async function rowElements(page: Page): Promise<number> {
  return page.locator('[data-testid="device-row"]').count();
}

async function oneRun(browser: Browser, stub: ConsoleStub): Promise<RunResult> {
  // A fresh context per run: empty cache, a cold page, its own session cookie.
  const context = await browser.newContext({ viewport: VIEWPORT });
  try {
    const login = await context.request.post(`${stub.url}${CONSOLE_API.login}`, { data: { name: 'bench', password: stub.password } });
    if (login.status() !== 204) throw new Error(`stub login answered ${login.status()}`);
    const page = await context.newPage();
    await page.goto(stub.consoleUrl);
    await waitForMeasures(page, PERF.tableFirstPaint, 1);
    const [fetchMs] = await durations(page, PERF.devicesFetch);
    const [firstRenderMs] = await durations(page, PERF.tableFirstRender);
    const navigationToTableMs = await page.evaluate((entry) => {
      const paint = performance.getEntriesByName(entry, 'measure')[0];
      return paint ? paint.startTime + paint.duration : NaN;
    }, PERF.tableFirstPaint);
    const [firstPaintMs] = await durations(page, PERF.tableFirstPaint);

    let maxRowElements = await rowElements(page);
    // Scroll to the middle and the end: the rows in the DOM are reused, not added.
    for (const share of [0.5, 1]) {
      await page.getByTestId('device-table').evaluate((table, s) => (table.scrollTop = table.scrollHeight * s), share);
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
      maxRowElements = Math.max(maxRowElements, await rowElements(page));
    }

    const shownAfterFilter: string[] = [];
    for (const [index, filter] of FILTERS.entries()) {
      await filter.apply(page);
      await waitForMeasures(page, PERF.tableFilterPaint, index + 1);
      shownAfterFilter.push((await page.getByTestId('device-count').textContent()) ?? '');
      maxRowElements = Math.max(maxRowElements, await rowElements(page));
    }
    return {
      fetchMs: fetchMs ?? NaN,
      firstRenderMs: firstRenderMs ?? NaN,
      firstPaintMs: firstPaintMs ?? NaN,
      navigationToTableMs,
      filterMs: await durations(page, PERF.tableFilter),
      filterPaintMs: await durations(page, PERF.tableFilterPaint),
      maxRowElements,
      shownAfterFilter,
    };
  } finally {
    await context.close();
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

const ms = (value: number): string => (Number.isFinite(value) ? `${value.toFixed(1)} ms` : '–');

async function main(): Promise<void> {
  if (!existsSync(join(DEFAULT_WEB_ROOT, 'console.html'))) throw new Error(`${DEFAULT_WEB_ROOT}/console.html is missing: run \`npx vite build\` first`);
  const stub = await startConsoleApiStub({ devices: DEVICES });
  const browser = await launchChromium();
  const machine = {
    cpu: `${cpus()[0]?.model.trim() ?? 'unknown'} × ${cpus().length}`,
    memoryGiB: Math.round(totalmem() / 1024 ** 3),
    loadAverageAtStart: Math.round((loadavg()[0] ?? 0) * 100) / 100,
    chromium: browser.version(),
    node: process.version,
  };
  const runs: RunResult[] = [];
  try {
    // One warm-up load, not counted: the first Chromium start pays for its disk cache and fonts.
    await oneRun(browser, stub);
    for (let run = 0; run < RUNS; run++) {
      runs.push(await oneRun(browser, stub));
      process.stdout.write(`run ${run + 1}/${RUNS} done\n`);
    }
  } finally {
    await browser.close();
    await stub.close();
  }

  const rows: [string, number[]][] = [
    ['devices request (fetch + JSON parse)', runs.map((r) => r.fetchMs)],
    ['first table render (script)', runs.map((r) => r.firstRenderMs)],
    ['first table render (painted)', runs.map((r) => r.firstPaintMs)],
    ['page open to table painted', runs.map((r) => r.navigationToTableMs)],
    ...FILTERS.map((filter, index): [string, number[]] => [`filter ${filter.name} (script)`, runs.map((r) => r.filterMs[index] ?? NaN)]),
    ...FILTERS.map((filter, index): [string, number[]] => [`filter ${filter.name} (painted)`, runs.map((r) => r.filterPaintMs[index] ?? NaN)]),
  ];
  const maxRows = Math.max(...runs.map((r) => r.maxRowElements));
  const report = {
    devices: DEVICES,
    runs: RUNS,
    viewport: VIEWPORT,
    machine,
    medians: Object.fromEntries(rows.map(([name, values]) => [name, Math.round(median(values) * 10) / 10])),
    maxRowElements: maxRows,
    shownAfterFilter: runs[0]?.shownAfterFilter,
    raw: runs,
  };
  writeFileSync(artifactPath('console-table-bench.json'), `${JSON.stringify(report, null, 2)}\n`);

  console.log(`\nConsole device table, ${DEVICES} devices, ${RUNS} runs, viewport ${VIEWPORT.width}×${VIEWPORT.height}`);
  console.log(
    `machine: ${machine.cpu}, ${machine.memoryGiB} GiB, load ${machine.loadAverageAtStart} at start; Chromium ${machine.chromium}; Node ${machine.node}\n`,
  );
  const width = Math.max(...rows.map(([name]) => name.length));
  console.log(`${'measure'.padEnd(width)}  ${'median'.padStart(10)}  ${'min'.padStart(10)}  ${'max'.padStart(10)}`);
  for (const [name, values] of rows) {
    const finite = values.filter(Number.isFinite);
    console.log(`${name.padEnd(width)}  ${ms(median(values)).padStart(10)}  ${ms(Math.min(...finite)).padStart(10)}  ${ms(Math.max(...finite)).padStart(10)}`);
  }
  console.log(`\nrow elements in the DOM, most seen (top, middle, end, every filter): ${maxRows} for ${DEVICES} devices (bound ${MAX_ROW_ELEMENTS})`);
  console.log(`counts after each filter: ${report.shownAfterFilter?.join(' | ')}`);
  console.log(`report: ${artifactPath('console-table-bench.json')}`);
  if (maxRows >= MAX_ROW_ELEMENTS) {
    console.error(`FAIL: ${maxRows} row elements; the table is not virtualised`);
    process.exitCode = 1;
  }
}

await main();
