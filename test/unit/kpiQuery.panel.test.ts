/**
 * KPI rules without a database: the period's start in the hall's time zone (daylight saving
 * included), the reduction over the live window that memory mode uses, the InfluxQL built, and the
 * reader's cache: shared, refreshed after KPI_REFRESH_MS, bounded at MAX_CACHED_KPIS.
 */
import { describe, expect, it } from 'vitest';
import { KPI_REFRESH_MS, type KpiPanelSpec } from '../../contract/dashboard';
import type { DeviceDirectory } from '../../server/live/DeviceDirectory';
import { combineParts, KpiReader, MAX_CACHED_KPIS } from '../../server/kpi/KpiReader';
import { aggregateDevices, buildKpiQuery, periodStart } from '../../server/kpi/kpiQuery';
import type { InfluxStore } from '../../server/store/InfluxStore';
import { formatKpi } from '../../web/wall/panels/kpiFormat';

describe('KPI period', () => {
  it('starts today at midnight in the hall time zone', () => {
    // 2026-12-03 16:30 UTC is 00:30 on the 4th in Shanghai and 17:30 on the 3rd in Berlin.
    const now = Date.UTC(2026, 11, 3, 16, 30);
    expect(periodStart('today', now, 'Asia/Shanghai')).toBe(Date.UTC(2026, 11, 3, 16, 0));
    expect(periodStart('today', now, 'Europe/Berlin')).toBe(Date.UTC(2026, 11, 2, 23, 0));
    expect(periodStart('today', now, 'UTC')).toBe(Date.UTC(2026, 11, 3));
    expect(periodStart('last-hour', now, 'UTC')).toBe(now - 3_600_000);
    expect(periodStart('last-24h', now, 'UTC')).toBe(now - 86_400_000);
  });

  it('finds midnight on a day whose clocks changed since', () => {
    // Berlin went to summer time at 02:00 on 2026-03-29: midnight was still UTC+1, noon is UTC+2.
    expect(periodStart('today', Date.UTC(2026, 2, 29, 10), 'Europe/Berlin')).toBe(Date.UTC(2026, 2, 28, 23));
    // And back on 2026-10-25: midnight was UTC+2.
    expect(periodStart('today', Date.UTC(2026, 9, 25, 12), 'Europe/Berlin')).toBe(Date.UTC(2026, 9, 24, 22));
  });
});

describe('KPI reduction', () => {
  const devices = [{ values: [10, 12, 15] }, { values: [100, 0, 4] }, { values: [] }];

  it('counts per device, then across devices', () => {
    expect(aggregateDevices('increase', devices)).toBe(5 + 4);
    expect(aggregateDevices('last', devices)).toBe(15 + 4);
    expect(aggregateDevices('sum', devices)).toBe(141);
    expect(aggregateDevices('mean', devices)).toBeCloseTo(141 / 6, 9);
    expect(aggregateDevices('max', devices)).toBe(100);
    expect(aggregateDevices('min', devices)).toBe(0);
    expect(aggregateDevices('sum', [{ values: [] }])).toBeNull();
  });

  it('builds InfluxQL per device for increase and last, quoting every name and value', () => {
    const statement = buildKpiQuery(
      { metric: 'energy_kwh', aggregate: 'increase', booths: ["o'hare"], devices: ['c1', 'c2'], deviceKind: 'charger' },
      1000,
      2000,
    );
    expect(statement).toBe(
      'SELECT sum("step") AS "value" FROM (SELECT non_negative_difference("energy_kwh") AS "step" FROM "telemetry"' +
        ` WHERE ("booth" = 'o\\'hare') AND ("device" = 'c1' OR "device" = 'c2') AND ("kind" = 'charger') AND time >= 1000ms AND time < 2000ms` +
        ' GROUP BY "booth", "device")',
    );
    expect(buildKpiQuery({ metric: 'p', aggregate: 'max', booths: ['a'] }, 0, 1)).toBe(
      `SELECT max("p") AS "value" FROM "telemetry" WHERE ("booth" = 'a') AND time >= 0ms AND time < 1ms`,
    );
  });

  it('shows fixed decimals when the file asks for them', () => {
    expect(formatKpi(1234.5, 2, 'en', String)).toBe('1,234.50');
    expect(formatKpi(1234.5, undefined, 'en', () => 'by magnitude')).toBe('by magnitude');
    expect(formatKpi(null, 2, 'en', String)).toBe('–');
  });
});

describe('KPI reader cache', () => {
  const spec: KpiPanelSpec = { kind: 'kpi', metric: 'p', aggregate: 'max', period: 'last-hour' };
  const directory = { records: () => [][Symbol.iterator]() } as unknown as DeviceDirectory;

  function reader() {
    const clock = { now: 1_000_000 };
    const asked: string[] = [];
    const store = {
      query: (statement: string) => {
        asked.push(statement);
        return Promise.resolve({ series: [{ name: 'telemetry', columns: ['time', 'value'], values: [[0, asked.length]] }] });
      },
    } as unknown as InfluxStore;
    return { kpis: new KpiReader(store, directory, 'UTC', () => clock.now), clock, asked };
  }

  it('answers every wall from one query until the refresh is due', async () => {
    const { kpis, clock, asked } = reader();
    const [a, b] = await Promise.all([kpis.read('k', spec, ['a']), kpis.read('k', spec, ['a'])]);
    expect(a).toBe(b);
    expect(asked).toHaveLength(1);
    clock.now += KPI_REFRESH_MS - 1;
    expect((await kpis.read('k', spec, ['a'])).value).toBe(1);
    clock.now += 1;
    expect((await kpis.read('k', spec, ['a'])).value).toBe(2);
    expect(asked).toHaveLength(2);
  });

  it(`holds at most ${MAX_CACHED_KPIS} answers, dropping the oldest`, async () => {
    const { kpis, asked } = reader();
    for (let i = 0; i < MAX_CACHED_KPIS + 40; i++) await kpis.read(`k${i}`, spec, ['a']);
    expect(kpis.cachedCount).toBe(MAX_CACHED_KPIS);
    await kpis.read(`k${MAX_CACHED_KPIS + 39}`, spec, ['a']);
    expect(asked).toHaveLength(MAX_CACHED_KPIS + 40);
    await kpis.read('k0', spec, ['a']);
    expect(asked).toHaveLength(MAX_CACHED_KPIS + 41);
  });

  it('does not keep a failed query', async () => {
    let fail = true;
    const store = { query: () => (fail ? Promise.reject(new Error('down')) : Promise.resolve({ series: [] })) } as unknown as InfluxStore;
    const kpis = new KpiReader(store, directory, 'UTC', () => 0);
    await expect(kpis.read('k', spec, ['a'])).rejects.toThrow('down');
    fail = false;
    expect(await kpis.read('k', spec, ['a'])).toMatchObject({ value: null, source: 'influxdb' });
  });
});

describe('KPI of a subset of booths', () => {
  const directory = { records: () => [][Symbol.iterator]() } as unknown as DeviceDirectory;
  /** Per booth: mean 10 over 1 reading in a, 20 over 3 in b, 40 over 4 in c. */
  const PER_BOOTH: Record<string, [number, number]> = { a: [10, 1], b: [20, 3], c: [40, 4] };

  function reader() {
    const asked: string[] = [];
    const store = {
      query: (statement: string) => {
        asked.push(statement);
        const booths = Object.keys(PER_BOOTH).filter((b) => statement.includes(`'${b}'`));
        const n = booths.reduce((total, b) => total + PER_BOOTH[b]![1], 0);
        const mean = booths.reduce((total, b) => total + PER_BOOTH[b]![0] * PER_BOOTH[b]![1], 0) / n;
        return Promise.resolve({ series: [{ name: 'telemetry', columns: ['time', 'value', 'count'], values: [[0, mean, n]] }] });
      },
    } as unknown as InfluxStore;
    return { kpis: new KpiReader(store, directory, 'UTC', () => 1_000_000), asked };
  }

  it('answers any subset from one query per booth, shared between subsets', async () => {
    const spec: KpiPanelSpec = { kind: 'kpi', metric: 'p', aggregate: 'mean', period: 'last-hour' };
    const { kpis, asked } = reader();
    const ab = await kpis.readEach('panel', spec, ['a', 'b']);
    // Weighed by readings, as one query over both booths would: (10·1 + 20·3) / 4.
    expect(ab.value).toBeCloseTo(17.5, 9);
    const subsets = [
      ['b', 'a'],
      ['a', 'c'],
      ['b', 'c'],
      ['c', 'b', 'a'],
      ['a', 'b'],
    ];
    for (const subset of subsets) await kpis.readEach('panel', spec, subset);
    expect(asked).toHaveLength(3);
    expect(kpis.cachedCount).toBe(3);
    expect((await kpis.readEach('panel', spec, ['a', 'c'])).value).toBeCloseTo(170 / 5, 9);
  });

  it('adds totals and compares extremes across booths', () => {
    const part = (value: number | null, count: number) => ({ value, count, from: 0, to: 1, source: 'influxdb' as const, computedAt: 1 });
    const parts = [part(3, 1), part(null, 0), part(5, 2)];
    expect(combineParts('increase', parts).value).toBe(8);
    expect(combineParts('max', parts).value).toBe(5);
    expect(combineParts('min', parts).value).toBe(3);
    expect(combineParts('sum', [part(null, 0)]).value).toBeNull();
  });
});
