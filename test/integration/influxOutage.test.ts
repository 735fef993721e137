/**
 * An InfluxDB outage of 60 s at 5,000 readings/s loses nothing: the WriteApi's retry buffer holds
 * the backlog and drains it when influxd comes back. Uses real influxd, stopped and restarted.
 */
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithInfluxd, startInfluxd, type InfluxdProcess } from '../support/influxd';
import { BOOTH_A, connectDevice, getJson, startTestShowfloor } from '../support/showfloor';
import { waitFor } from '../support/waitFor';
import type { PublicHealth } from '../support/publicApi';

const DB = 'outage';
const RATE_PER_SECOND = 5000;
const DEVICES = 10;
const BEFORE_MS = 5_000;
const OUTAGE_MS = 60_000;
const AFTER_MS = 5_000;
const TICK_MS = 100;

describeWithInfluxd('InfluxDB outage', () => {
  let influxd: InfluxdProcess;
  let showfloor: Awaited<ReturnType<typeof startTestShowfloor>>;
  const devices: MqttClient[] = [];

  beforeAll(async () => {
    influxd = await startInfluxd();
    showfloor = await startTestShowfloor({ influxUrl: influxd.url, database: DB });
    for (let i = 0; i < DEVICES; i++) devices.push(await connectDevice(showfloor.mqttUrl, BOOTH_A));
  });

  afterAll(async () => {
    for (const device of devices) device.end(true);
    await showfloor?.close();
    await influxd?.dispose();
  });

  it(`loses nothing over a ${OUTAGE_MS / 1000} s outage at ${RATE_PER_SECOND} readings/s`, { timeout: 300_000 }, async () => {
    // Synthetic, strictly increasing timestamps per device: InfluxDB overwrites points that share one.
    const t0 = Date.now() - 2 * 3600_000;
    const perTick = (RATE_PER_SECOND * TICK_MS) / 1000;
    let sent = 0;
    const publishTick = () => {
      for (let i = 0; i < perTick; i++) {
        const device = sent % DEVICES;
        const seq = Math.floor(sent / DEVICES);
        devices[device]!.publish(`booth/booth-a/outage-${device}/telemetry`, `{"seq":${seq},"ts":${t0 + seq}}`);
        sent++;
      }
    };
    const started = Date.now();
    const timer = setInterval(publishTick, TICK_MS);
    try {
      await waitFor(() => Date.now() - started >= BEFORE_MS, { timeoutMs: BEFORE_MS + 5000, intervalMs: 100 });
      await influxd.stop();
      const outageStarted = Date.now();
      await waitFor(() => Date.now() - outageStarted >= OUTAGE_MS, { timeoutMs: OUTAGE_MS + 5000, intervalMs: 500 });
      const during = (await getJson<PublicHealth>(`${showfloor.httpUrl}/api/health`)).body;
      expect(during.counters.pending).toBeGreaterThan((OUTAGE_MS / 1000) * RATE_PER_SECOND * 0.8);
      expect(during.counters.writeFailures).toBeGreaterThan(0);
      await influxd.restart();
      const afterStarted = Date.now();
      await waitFor(() => Date.now() - afterStarted >= AFTER_MS, { timeoutMs: AFTER_MS + 5000, intervalMs: 100 });
    } finally {
      clearInterval(timer);
    }
    const elapsed = (Date.now() - started) / 1000;
    expect(sent / elapsed).toBeGreaterThan(RATE_PER_SECOND * 0.9); // the load really was ~5,000/s

    const health = await waitFor(
      async () => {
        const body = (await getJson<PublicHealth>(`${showfloor.httpUrl}/api/health`)).body;
        return body.counters.accepted === sent && body.counters.pending === 0 && body;
      },
      { what: 'the backlog to drain', timeoutMs: 120_000, intervalMs: 500 },
    );
    expect(health.counters.dropped).toBe(0);

    const [row] = await influxd.queryRows(`SELECT count("seq") FROM "telemetry" WHERE "device" =~ /^outage-/`, DB);
    expect(row?.count).toBe(sent);
    // Presence changes (device_status) share the write path: every line written is a reading or one of those.
    const [presence] = await influxd.queryRows(`SELECT count("state") FROM "device_status" WHERE "device" =~ /^outage-/`, DB);
    expect(presence?.count).toBeGreaterThanOrEqual(DEVICES);
    // So do device identities (device_meta, issue 12): a row when a device's meta or metrics change.
    const [identity] = await influxd.queryRows(`SELECT count("metrics") FROM "device_meta" WHERE "device" =~ /^outage-/`, DB);
    expect(health.counters.written).toBe(sent + (presence?.count as number) + ((identity?.count as number | undefined) ?? 0));
  });
});
