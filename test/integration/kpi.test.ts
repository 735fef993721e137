/**
 * KPI panels against a real influxd 1.6.7 and a real Showfloor: /api/kpi computes each panel's
 * number with InfluxQL from the dashboard file's definition (per device, then across devices; the
 * period "today" in the hall's time zone), counts only the wall's booth, and answers repeats from
 * its cache.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { KPI_REFRESH_MS, type KpiAnswer } from '../../contract/dashboard';
import { describeWithInfluxd, startInfluxd, type InfluxdProcess } from '../support/influxd';
import { BOOTH_A, BOOTH_B, getJson, startTestShowfloor, type TestShowfloor } from '../support/showfloor';
import { waitFor } from '../support/waitFor';

const DB = 'kpi';
const DAY_MS = 86_400_000;
/** Asia/Shanghai has kept UTC+8 without daylight saving since 1991: midnight is plain arithmetic. */
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;

const DASHBOARD = `
scenes:
  - id: kpis
    title: Totals
    panels:
      - kind: kpi
        title: kWh charged today
        metric: energy_kwh
        aggregate: increase
        period: today
        deviceKind: charger
        timeZone: Asia/Shanghai
        unit: kWh
        thresholds:
          - { from: 0, color: info }
          - { from: 100, color: ok }
      - kind: kpi
        metric: power_kw
        aggregate: max
        period: last-hour
        booth: booth-a
      - kind: kpi
        metric: power_kw
        aggregate: mean
        period: last-hour
        booth: booth-a
      - kind: kpi
        metric: power_kw
        aggregate: last
        period: last-hour
        booth: booth-a
      - kind: text
        text: not a KPI
`;

describeWithInfluxd('KPI panels computed from InfluxDB', () => {
  let influxd: InfluxdProcess;
  let showfloor: TestShowfloor;
  let folder: string;
  let midnight: number;
  let now: number;

  const kpi = async (panel: number, booths?: string) =>
    getJson<KpiAnswer & { error?: string }>(`${showfloor.httpUrl}/api/kpi?scene=kpis&panel=${panel}${booths ? `&booth=${booths}` : ''}`);

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'showfloor-kpi-'));
    await writeFile(join(folder, 'dashboard.yaml'), DASHBOARD);
    influxd = await startInfluxd();
    showfloor = await startTestShowfloor({ booths: [BOOTH_A, BOOTH_B], influxUrl: influxd.url, database: DB, dashboardFile: join(folder, 'dashboard.yaml') });
    await waitFor(async () => (await influxd.queryRows('SHOW DATABASES')).some((row) => row['name'] === DB), { what: 'the kpi database' });

    now = Date.now();
    midnight = Math.floor((now + SHANGHAI_OFFSET_MS) / DAY_MS) * DAY_MS - SHANGHAI_OFFSET_MS;
    // Readings spread over today so far, whatever the hour: step is a tenth of the time since midnight.
    const step = Math.max(1, Math.floor((now - 1000 - midnight) / 10));
    const at = (k: number) => midnight + k * step;
    await influxd.write(
      DB,
      [
        // Yesterday, ten minutes before Shanghai midnight: must not count towards today.
        `telemetry,booth=booth-a,device=c1,kind=charger energy_kwh=500 ${midnight - 600_000}`,
        `telemetry,booth=booth-a,device=c1,kind=charger energy_kwh=1000 ${at(1)}`,
        `telemetry,booth=booth-a,device=c1,kind=charger energy_kwh=1030 ${at(3)}`,
        `telemetry,booth=booth-a,device=c1,kind=charger energy_kwh=1070 ${at(5)}`,
        // c2 reboots mid-day: its counter restarts at 0, which is not a negative charge.
        `telemetry,booth=booth-a,device=c2,kind=charger energy_kwh=200 ${at(2)}`,
        `telemetry,booth=booth-a,device=c2,kind=charger energy_kwh=250 ${at(4)}`,
        `telemetry,booth=booth-a,device=c2,kind=charger energy_kwh=0 ${at(6)}`,
        `telemetry,booth=booth-a,device=c2,kind=charger energy_kwh=30 ${at(8)}`,
        // Another kind and another booth: not this panel's devices.
        `telemetry,booth=booth-a,device=meter,kind=meter energy_kwh=5000 ${at(1)}`,
        `telemetry,booth=booth-a,device=meter,kind=meter energy_kwh=9000 ${at(7)}`,
        `telemetry,booth=booth-b,device=c9,kind=charger energy_kwh=10 ${at(1)}`,
        `telemetry,booth=booth-b,device=c9,kind=charger energy_kwh=60 ${at(7)}`,
        // Power: two devices in the last hour, one reading from two hours ago.
        `telemetry,booth=booth-a,device=c1,kind=charger power_kw=90 ${now - 2 * 3_600_000}`,
        `telemetry,booth=booth-a,device=c1,kind=charger power_kw=10 ${now - 1_800_000}`,
        `telemetry,booth=booth-a,device=c1,kind=charger power_kw=20 ${now - 60_000}`,
        `telemetry,booth=booth-a,device=c2,kind=charger power_kw=30 ${now - 1_200_000}`,
        `telemetry,booth=booth-a,device=c2,kind=charger power_kw=5 ${now - 30_000}`,
        `telemetry,booth=booth-b,device=c9,kind=charger power_kw=999 ${now - 60_000}`,
      ],
      'ms',
    );
  });

  afterAll(async () => {
    await showfloor?.close();
    await influxd?.dispose();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  it('totals the increase of each charger since midnight in the hall time zone, per booth', async () => {
    // booth-a: c1 1000→1070 = 70; c2 200→250 then a reset to 0 and 0→30 = 50 + 30 = 80.
    const a = await kpi(0, 'booth-a');
    expect(a.status).toBe(200);
    expect(a.body).toMatchObject({ value: 150, source: 'influxdb', from: midnight });
    // The whole hall: booth-b's charger adds 50.
    expect((await kpi(0, 'booth-a,booth-b')).body.value).toBe(200);
    expect((await kpi(0)).body.value).toBe(200);
  });

  it('reduces the last hour by max, mean and last, counting only the panel booth', async () => {
    expect((await kpi(1)).body.value).toBe(30);
    expect((await kpi(2)).body.value).toBeCloseTo((10 + 20 + 30 + 5) / 4, 9);
    // last: each device's newest reading, added up (c1 20 + c2 5).
    expect((await kpi(3, 'booth-a,booth-b')).body.value).toBe(25);
  });

  it('answers repeats from its cache until the refresh is due', async () => {
    const first = (await kpi(1)).body;
    await influxd.write(DB, `telemetry,booth=booth-a,device=c3,kind=charger power_kw=400 ${Date.now() - 1000}`, 'ms');
    const second = (await kpi(1)).body;
    expect(second.computedAt).toBe(first.computedAt);
    expect(second.value).toBe(30);
    expect(second.computedAt + KPI_REFRESH_MS).toBeGreaterThan(Date.now());
  });

  it('refuses what is not a KPI panel of the current dashboard, or a booth it does not know', async () => {
    expect((await kpi(4)).status).toBe(404);
    expect((await kpi(9)).status).toBe(404);
    expect((await getJson(`${showfloor.httpUrl}/api/kpi?scene=other&panel=0`)).status).toBe(404);
    expect((await kpi(0, 'booth-z')).status).toBe(404);
    expect((await getJson(`${showfloor.httpUrl}/api/kpi?scene=kpis&panel=0&metric=x`)).status).toBe(400);
    expect((await getJson(`${showfloor.httpUrl}/api/kpi?scene=kpis&panel=-1`)).status).toBe(400);
  });
});
