/**
 * Computes KPI numbers for walls: from InfluxDB with InfluxQL when there is one, else from the live
 * window. Every wall on a scene asks for the same KPI, so answers are cached per panel for
 * KPI_REFRESH_MS and a KPI being computed is shared; the cache holds at most MAX_CACHED_KPIS answers.
 */
import { KPI_REFRESH_MS, type KpiAnswer, type KpiPanelSpec } from '../../contract/dashboard';
import type { DeviceDirectory } from '../live/DeviceDirectory';
import type { InfluxStore } from '../store/InfluxStore';
import { aggregateDevices, buildKpiQuery, periodStart, type KpiSelection } from './kpiQuery';

/** A dashboard has at most 50 scenes of 12 panels; walls of different booth sets multiply that only a little. */
export const MAX_CACHED_KPIS = 256;

interface CachedKpi {
  answer: Promise<KpiAnswer>;
  at: number;
}

export class KpiReader {
  private readonly cache = new Map<string, CachedKpi>();
  /** Statements sent to InfluxDB since start: lets a test see that the cache holds. */
  queries = 0;

  constructor(
    private readonly store: InfluxStore | null,
    private readonly directory: DeviceDirectory,
    private readonly defaultTimeZone: string = Intl.DateTimeFormat().resolvedOptions().timeZone,
    private readonly now: () => number = Date.now,
  ) {}

  get cachedCount(): number {
    return this.cache.size;
  }

  /** `key` names the panel and the booths asked for (and the dashboard version), so an edit is not served stale. */
  read(key: string, spec: KpiPanelSpec, booths: readonly string[]): Promise<KpiAnswer> {
    const now = this.now();
    const cached = this.cache.get(key);
    if (cached && now - cached.at < KPI_REFRESH_MS) return cached.answer;
    const answer = this.compute(spec, booths, now);
    this.cache.delete(key);
    this.cache.set(key, { answer, at: now });
    // Oldest first in a Map: past the bound the longest-unrefreshed answer goes.
    while (this.cache.size > MAX_CACHED_KPIS) this.cache.delete(this.cache.keys().next().value as string);
    // A failed query is not kept: the next wall asks again rather than waiting out the refresh.
    answer.catch(() => {
      if (this.cache.get(key)?.answer === answer) this.cache.delete(key);
    });
    return answer;
  }

  private async compute(spec: KpiPanelSpec, booths: readonly string[], now: number): Promise<KpiAnswer> {
    const from = periodStart(spec.period, now, spec.timeZone ?? this.defaultTimeZone);
    const selection: KpiSelection = { metric: spec.metric, aggregate: spec.aggregate, booths, devices: spec.devices, deviceKind: spec.deviceKind };
    if (!this.store) return { value: this.fromLiveWindow(selection, from), from, to: now, source: 'live', computedAt: now };
    this.queries++;
    const result = await this.store.query(buildKpiQuery(selection, from, now));
    const row = result.series?.[0]?.values?.[0];
    const value = row?.[1];
    return { value: typeof value === 'number' && Number.isFinite(value) ? value : null, from, to: now, source: 'influxdb', computedAt: now };
  }

  private fromLiveWindow(selection: KpiSelection, from: number): number | null {
    const devices = selection.devices ? new Set(selection.devices) : null;
    const series: { values: number[] }[] = [];
    for (const record of this.directory.records(new Set(selection.booths))) {
      if (devices && !devices.has(record.device)) continue;
      if (selection.deviceKind !== undefined && record.meta.kind !== selection.deviceKind) continue;
      const window = record.series.get(selection.metric);
      if (window) series.push({ values: window.since(from).values });
    }
    return aggregateDevices(selection.aggregate, series);
  }
}
