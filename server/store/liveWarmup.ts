/**
 * After a restart the live buffers are empty; refilling them from InfluxDB means a wall that
 * reconnects gets full charts at once instead of an empty window that fills over 15 minutes.
 */
import { METRIC_PATTERN } from '../../contract/device';
import type { DeviceDirectory } from '../live/DeviceDirectory';
import { buildWarmupQuery } from './historyQuery';
import type { InfluxStore } from './InfluxStore';

export async function warmLiveView(store: InfluxStore, directory: DeviceDirectory, booths: readonly string[], now = Date.now()): Promise<number> {
  if (booths.length === 0) return 0;
  const { windowMs, maxPointsPerSeries } = directory.limits;
  const result = await store.query(buildWarmupQuery(booths, windowMs, windowMs / maxPointsPerSeries, now));
  let points = 0;
  for (const series of result.series ?? []) {
    const booth = series.tags?.booth;
    const device = series.tags?.device;
    if (!booth || !device || !booths.includes(booth)) continue;
    const metrics = series.columns.map((column) => (column.startsWith('mean_') ? column.slice(5) : null));
    for (const row of series.values) {
      const ts = row[0];
      if (typeof ts !== 'number') continue;
      const values: Record<string, number> = Object.create(null) as Record<string, number>;
      let any = false;
      metrics.forEach((metric, i) => {
        const value = row[i];
        if (metric && METRIC_PATTERN.test(metric) && typeof value === 'number') {
          values[metric] = value;
          any = true;
        }
      });
      if (!any) continue;
      const record = directory.restoreReadings(booth, device, ts, values);
      points++;
      const kind = series.tags?.kind;
      if (kind && kind !== 'unknown' && !record.meta.kind) record.meta = { ...record.meta, kind };
    }
  }
  return points;
}
