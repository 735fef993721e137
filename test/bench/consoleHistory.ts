/**
 * How long the console's history query takes for a whole day of one device at 1 reading/s:
 * 86,400 points written straight into InfluxDB with timestamps over the last 24 h, then
 * GET /api/console/history for those 24 h at 1,000 points (a wide chart), logged in like the page.
 * The first query is reported apart from the others: it reads cold shards.
 */
import type { InfluxHttp } from './influxHttp';

export const HISTORY_DEVICE = 'history-01';
const DAY_MS = 24 * 3600_000;
const POINTS_PER_DAY = 86_400;
const BATCH_LINES = 5_000;
const CHART_POINTS = 1_000;
const RUNS = 6;

export interface ConsoleHistoryResult {
  pointsWritten: number;
  writeMs: number;
  chartPoints: number;
  /** Every run in order, ms, the first one cold. */
  runsMs: number[];
  firstMs: number;
  /** Median of the runs after the first. */
  warmMedianMs: number;
  pointsReturned: number;
  intervalMs: number;
  source: string;
}

export async function measureConsoleHistory(options: {
  influx: InfluxHttp;
  database: string;
  httpUrl: string;
  booth: string;
  consolePassword: string;
}): Promise<ConsoleHistoryResult> {
  const { influx, database, httpUrl, booth } = options;
  const to = Date.now();
  const from = to - DAY_MS;
  const writeStarted = performance.now();
  for (let start = 0; start < POINTS_PER_DAY; start += BATCH_LINES) {
    const lines: string[] = [];
    for (let i = start; i < Math.min(start + BATCH_LINES, POINTS_PER_DAY); i++) {
      const t = from + i * 1000;
      lines.push(
        `telemetry,booth=${booth},device=${HISTORY_DEVICE},kind=env-sensor temperature=${(21 + Math.sin(i / 600)).toFixed(3)},humidity=${(45 + Math.cos(i / 900)).toFixed(2)} ${t}`,
      );
    }
    await influx.write(database, lines.join('\n'));
  }
  const writeMs = Math.round(performance.now() - writeStarted);

  const login = await fetch(`${httpUrl}/api/console/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'bench', password: options.consolePassword }),
  });
  if (login.status !== 204) throw new Error(`console login answered ${login.status}: ${await login.text()}`);
  const cookie = login.headers.getSetCookie()[0]?.split(';')[0] ?? '';

  const url = `${httpUrl}/api/console/history?booth=${booth}&device=${HISTORY_DEVICE}&metric=temperature&from=${from}&to=${to}&points=${CHART_POINTS}`;
  const runsMs: number[] = [];
  let last: { points: unknown[]; intervalMs: number; source: string } | undefined;
  for (let run = 0; run < RUNS; run++) {
    const started = performance.now();
    const response = await fetch(url, { headers: { cookie } });
    const body = (await response.json()) as { points: unknown[]; intervalMs: number; source: string; error?: string };
    runsMs.push(Math.round((performance.now() - started) * 10) / 10);
    if (response.status !== 200) throw new Error(`history answered ${response.status}: ${body.error ?? ''}`);
    last = body;
  }
  const warm = runsMs.slice(1).sort((a, b) => a - b);
  return {
    pointsWritten: POINTS_PER_DAY,
    writeMs,
    chartPoints: CHART_POINTS,
    runsMs,
    firstMs: runsMs[0]!,
    warmMedianMs: warm[Math.floor(warm.length / 2)]!,
    pointsReturned: last?.points.length ?? 0,
    intervalMs: last?.intervalMs ?? 0,
    source: last?.source ?? '',
  };
}

export function renderConsoleHistory(result: ConsoleHistoryResult): string {
  return (
    `C  console history, 24 h of one device at 1 reading/s (${result.pointsWritten.toLocaleString('en-US')} points, written in ${result.writeMs} ms) ` +
    `at ${result.chartPoints.toLocaleString('en-US')} points: first query ${result.firstMs} ms, then median ${result.warmMedianMs} ms ` +
    `(runs ${result.runsMs.join(', ')} ms; ${result.pointsReturned} points of ${result.intervalMs / 1000} s from ${result.source})`
  );
}
