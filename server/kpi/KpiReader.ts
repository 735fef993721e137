/**
 * Computes KPI numbers for walls: from InfluxDB with InfluxQL when there is one, else from the live
 * window. Every wall on a scene asks for the same KPI, so answers are cached per panel for
 * KPI_REFRESH_MS and a KPI being computed is shared; the cache holds at most MAX_CACHED_KPIS answers.
 * A wall of some booths (`?booth=a,b`) is answered from one cached answer per booth (readEach), so
 * the booth sets a client may ask for cannot multiply the queries beyond one per panel and booth.
 */
import { KPI_REFRESH_MS, type KpiAnswer, type KpiPanelSpec } from '../../contract/dashboard';
import type { DeviceDirectory } from '../live/DeviceDirectory';
import type { InfluxStore } from '../store/InfluxStore';
import { aggregateDevices, buildKpiQuery, periodStart, type KpiSelection } from './kpiQuery';

/** A dashboard has at most 50 scenes of 12 panels, each for all booths, one booth, or per booth of a subset. */
export const MAX_CACHED_KPIS = 1024;

/** An answer with what combining it with other booths' needs: how many readings a mean is over. */
interface KpiPart extends KpiAnswer {
  count: number;
}

interface CachedKpi {
  part: Promise<KpiPart>;
  /** The part as walls are sent it, made once: every wall asking within the refresh gets the same answer. */
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
    return this.entry(key, spec, booths).answer;
  }

  /**
   * The KPI over `booths`, made of one cached answer per booth (`key` names the panel; the booth is
   * added): any subset costs at most one query per booth per refresh, shared with every other subset.
   */
  async readEach(key: string, spec: KpiPanelSpec, booths: readonly string[]): Promise<KpiAnswer> {
    if (booths.length === 1) return this.entry(`${key}\0booth:${booths[0]}`, spec, booths).answer;
    const parts = await Promise.all(booths.map((booth) => this.entry(`${key}\0booth:${booth}`, spec, [booth]).part));
    return combineParts(spec.aggregate, parts);
  }

  private entry(key: string, spec: KpiPanelSpec, booths: readonly string[]): CachedKpi {
    const now = this.now();
    const cached = this.cache.get(key);
    if (cached && now - cached.at < KPI_REFRESH_MS) return cached;
    const part = this.compute(spec, booths, now);
    const entry = { part, answer: part.then(answerOf), at: now };
    this.cache.delete(key);
    this.cache.set(key, entry);
    // Oldest first in a Map: past the bound the longest-unrefreshed answer goes.
    while (this.cache.size > MAX_CACHED_KPIS) this.cache.delete(this.cache.keys().next().value as string);
    // A failed query is not kept: the next wall asks again rather than waiting out the refresh.
    entry.answer.catch(() => {
      if (this.cache.get(key) === entry) this.cache.delete(key);
    });
    return entry;
  }

  private async compute(spec: KpiPanelSpec, booths: readonly string[], now: number): Promise<KpiPart> {
    const from = periodStart(spec.period, now, spec.timeZone ?? this.defaultTimeZone);
    const selection: KpiSelection = { metric: spec.metric, aggregate: spec.aggregate, booths, devices: spec.devices, deviceKind: spec.deviceKind };
    if (!this.store) return { ...this.fromLiveWindow(selection, from), from, to: now, source: 'live', computedAt: now };
    this.queries++;
    const result = await this.store.query(buildKpiQuery(selection, from, now));
    const row = result.series?.[0]?.values?.[0];
    const value = row?.[1];
    const count = row?.[2];
    return {
      value: typeof value === 'number' && Number.isFinite(value) ? value : null,
      count: typeof count === 'number' && Number.isFinite(count) ? count : 0,
      from,
      to: now,
      source: 'influxdb',
      computedAt: now,
    };
  }

  private fromLiveWindow(selection: KpiSelection, from: number): { value: number | null; count: number } {
    const devices = selection.devices ? new Set(selection.devices) : null;
    const series: { values: number[] }[] = [];
    for (const record of this.directory.records(new Set(selection.booths))) {
      if (devices && !devices.has(record.device)) continue;
      if (selection.deviceKind !== undefined && record.meta.kind !== selection.deviceKind) continue;
      const window = record.series.get(selection.metric);
      if (window) series.push({ values: window.since(from).values });
    }
    return { value: aggregateDevices(selection.aggregate, series), count: series.reduce((n, s) => n + s.values.length, 0) };
  }
}

function answerOf(part: KpiPart): KpiAnswer {
  const { count: _count, ...answer } = part;
  return answer;
}

/**
 * Booths' answers as one: totals add, extremes compare, a mean weighs each booth's by its number of
 * readings (the same as one query over all of them: kpiQuery.ts counts a mean's readings too).
 */
export function combineParts(aggregate: KpiPanelSpec['aggregate'], parts: readonly KpiPart[]): KpiAnswer {
  const withValue = parts.filter((p): p is KpiPart & { value: number } => p.value !== null);
  let value: number | null = null;
  if (withValue.length > 0) {
    const values = withValue.map((p) => p.value);
    if (aggregate === 'max') value = Math.max(...values);
    else if (aggregate === 'min') value = Math.min(...values);
    else if (aggregate === 'mean') {
      const count = withValue.reduce((n, p) => n + p.count, 0);
      value = count > 0 ? withValue.reduce((total, p) => total + p.value * p.count, 0) / count : null;
    } else value = values.reduce((a, b) => a + b, 0);
  }
  // The oldest part says what the whole is: no part is older than it.
  const oldest = parts.reduce<KpiPart | undefined>((a, p) => (a === undefined || p.computedAt < a.computedAt ? p : a), undefined);
  const now = oldest ?? { from: 0, to: 0, computedAt: 0, source: 'live' as const };
  return { value, from: now.from, to: now.to, source: now.source, computedAt: now.computedAt };
}
