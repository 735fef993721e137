/**
 * Baseline B: how fast influxd stores points when nothing stands in front of it. Line protocol of
 * the same shape the server writes (same tags, two float fields, 200 series), 5,000 lines per
 * POST, from the bench process. The server's WriteApi sends the same batch size, gzipped.
 */
import { performance } from 'node:perf_hooks';
import type { InfluxHttp } from './influxHttp';

export interface RawInfluxPlan {
  database: string;
  linesPerBatch: number;
  /** Requests in flight at once. */
  concurrency: number;
  durationMs: number;
  /** Hard cap on batches, whatever the duration. */
  maxBatches: number;
  series: number;
  signal?: AbortSignal;
}

export interface RawInfluxResult {
  pointsWritten: number;
  batches: number;
  durationMs: number;
  pointsPerSecond: number;
  /** count() over the database afterwards; equal to pointsWritten unless influxd lost some. */
  pointsCounted: number;
  linesPerBatch: number;
  concurrency: number;
}

export async function measureRawInfluxWrites(influx: InfluxHttp, plan: RawInfluxPlan): Promise<RawInfluxResult> {
  await influx.createDatabase(plan.database);
  const lastTs = new Float64Array(plan.series);
  let cursor = 0;
  let batchesStarted = 0;
  let pointsWritten = 0;
  const buildBatch = (): string => {
    const now = Date.now();
    const lines = new Array<string>(plan.linesPerBatch);
    for (let i = 0; i < plan.linesPerBatch; i++) {
      const ts = Math.max(now, lastTs[cursor]! + 1);
      lastTs[cursor] = ts;
      lines[i] = `telemetry,booth=raw,device=raw-d${cursor},kind=unknown temperature=${20 + (i % 100) / 100},humidity=${40 + (i % 200) / 10} ${ts}`;
      cursor = (cursor + 1) % plan.series;
    }
    return lines.join('\n');
  };

  const startedAt = performance.now();
  const worker = async (): Promise<void> => {
    while (batchesStarted < plan.maxBatches && performance.now() - startedAt < plan.durationMs && !plan.signal?.aborted) {
      batchesStarted++;
      await influx.write(plan.database, buildBatch());
      pointsWritten += plan.linesPerBatch;
    }
  };
  await Promise.all(Array.from({ length: plan.concurrency }, worker));
  const durationMs = performance.now() - startedAt;

  const maxTs = Math.max(...lastTs);
  const counted = await influx.countReadings(plan.database, 'temperature', 'raw', 0, maxTs);
  return {
    pointsWritten,
    batches: batchesStarted,
    durationMs: Math.round(durationMs),
    pointsPerSecond: Math.round((pointsWritten * 1000) / durationMs),
    pointsCounted: counted,
    linesPerBatch: plan.linesPerBatch,
    concurrency: plan.concurrency,
  };
}
