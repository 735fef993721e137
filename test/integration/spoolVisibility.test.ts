/**
 * Issue 13, "Visible": every figure the spool keeps is in /api/health, /metrics and the console's
 * server view, with the same values; a console alarm (technician only) while the oldest unsent
 * reading is older than storage.degradedBacklogSeconds, cleared once InfluxDB takes the backlog; an
 * earlier run's replay shown while it runs and once it is done; and an alarm acknowledged while
 * InfluxDB was down shows acknowledged after a restart even when the spool's replay outlasts the
 * console's 10 s wait before its restore.
 *
 * Real influxd behind an HTTP relay that the test can make refuse writes (503, as a proxy in front
 * of a stopped InfluxDB does) while queries and pings pass: the backlog builds and the replay is
 * held for as long as the test wants, with InfluxDB reachable for the console's restore.
 */
import { mkdtemp, readdir, rm, stat, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';
import { CONSOLE_API, type Alarm, type AlarmList, type ServerHealth, type SpoolHealth } from '../../contract/console';
import type { ServerToWallEvents } from '../../contract/live';
import { AlarmLog } from '../../server/alarms/AlarmLog';
import { ConsoleClient, consoleYaml } from '../support/console';
import { describeWithInfluxd, startInfluxd, type InfluxdProcess } from '../support/influxd';
import { influxWriteGate, type InfluxWriteGate } from '../support/influxWriteGate';
import type { PublicHealth } from '../support/publicApi';
import { BOOTH_A, connectDevice, getJson, startTestShowfloor, wallClient, type TestShowfloor } from '../support/showfloor';
import { waitFor, waitForEvent } from '../support/waitFor';

/** `name{labels} value` lines of a Prometheus exposition, keyed by `name{labels}` as printed. */
async function scrape(httpUrl: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${httpUrl}/metrics`)).text();
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^(showfloor_spool_\S+|showfloor_storage_degraded\S*) (\S+)$/.exec(line);
    if (match) samples.set(match[1]!, Number(match[2]));
  }
  return samples;
}

/** What /metrics must say for a SpoolHealth: every figure of it, by the names docs/api.md lists. */
function expectedSamples(spool: SpoolHealth): Record<string, number> {
  const totals = spool.replay ?? spool.replayFinished;
  return {
    showfloor_spool_enabled: 1,
    showfloor_spool_bytes: spool.bytes,
    showfloor_spool_max_bytes: spool.maxBytes,
    showfloor_spool_segments: spool.segments,
    showfloor_spool_unsent_readings: spool.unsentReadings,
    showfloor_spool_replay_readings_found: totals?.readingsTotal ?? 0,
    showfloor_spool_replay_readings_left: spool.replay?.readingsLeft ?? 0,
    showfloor_spool_replay_segments_found: totals?.segmentsTotal ?? 0,
    showfloor_spool_replay_segments_left: spool.replay?.segmentsLeft ?? 0,
    showfloor_spool_replay_done: spool.replay === null ? 1 : 0,
    'showfloor_spool_readings_dropped_total{reason="overflow"}': spool.dropped.overflow,
    'showfloor_spool_readings_dropped_total{reason="disk-full"}': spool.dropped.diskFull,
    'showfloor_spool_readings_dropped_total{reason="torn-tail"}': spool.dropped.tornTail,
    'showfloor_spool_readings_dropped_total{reason="lost-segment"}': spool.dropped.lostSegment,
    showfloor_spool_not_spooled_readings_total: spool.notSpooled,
    showfloor_spool_acknowledged_before_durable_total: spool.acknowledgedBeforeDurable,
  };
}

/** The same moment in all three places: /api/health's spool, the console's, and /metrics. */
async function threePlaces(showfloor: TestShowfloor, technician: ConsoleClient) {
  const apiSpool = async () => {
    const influxdb = (await getJson<PublicHealth>(`${showfloor.httpUrl}/api/health`)).body.influxdb;
    if (influxdb.mode === 'memory' || !influxdb.spool) throw new Error('the spool is off');
    return influxdb.spool;
  };
  const api = await apiSpool();
  const server = (await technician.get<ServerHealth>(CONSOLE_API.health)).body;
  const metrics = await scrape(showfloor.httpUrl);
  if (!server.influx.spool) throw new Error('the spool is off in the console');
  return { api, console: server.influx.spool, metrics, unmoved: JSON.stringify(stillFigures(await apiSpool())) === JSON.stringify(stillFigures(api)) };
}

/** Figures that do not move while nothing is written and InfluxDB takes nothing (the age does: it is checked apart). */
function stillFigures(spool: SpoolHealth) {
  const { oldestUnsentAt: _age, ...rest } = spool;
  return rest;
}

/**
 * Reads the three places until nothing moved during the reading (the server writes presence and
 * alarm rows of its own now and then), then expects every figure alike in all three.
 */
async function expectAgreement(showfloor: TestShowfloor, technician: ConsoleClient): Promise<SpoolHealth> {
  const { api, console, metrics } = await waitFor(
    async () => {
      const read = await threePlaces(showfloor, technician);
      return read.unmoved && read;
    },
    { what: 'a reading of the three places with nothing moving', timeoutMs: 20_000, intervalMs: 100 },
  );
  expect(stillFigures(console)).toEqual(stillFigures(api));
  expect(console.oldestUnsentAt).toBe(api.oldestUnsentAt);
  const expected = expectedSamples(api);
  for (const [name, value] of Object.entries(expected)) expect({ name, value: metrics.get(name) }).toEqual({ name, value });
  const age = metrics.get('showfloor_spool_oldest_unsent_age_seconds');
  if (api.oldestUnsentAt === null) expect(age).toBe(0);
  else expect(age).toBeGreaterThanOrEqual((Date.now() - api.oldestUnsentAt) / 1000 - 5);
  return api;
}

const alarmsOf = async (technician: ConsoleClient) => (await technician.get<AlarmList>(CONSOLE_API.alarms)).body.alarms;

describeWithInfluxd('the spool, visible (issue 13)', () => {
  let influxd: InfluxdProcess;
  let gate: InfluxWriteGate;
  let dir: string;
  let showfloor: TestShowfloor | undefined;
  let device: MqttClient | undefined;

  beforeAll(async () => {
    influxd = await startInfluxd();
    gate = influxWriteGate(influxd.url);
    await new Promise<void>((resolve) => gate.server.listen(0, '127.0.0.1', resolve));
    dir = await mkdtemp(join(tmpdir(), 'showfloor-spool-visible-'));
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    device?.end(true);
    device = undefined;
    await showfloor?.close();
    showfloor = undefined;
    gate.refuseWrites = false;
  });
  afterAll(async () => {
    await new Promise((resolve) => gate?.server.close(resolve));
    gate?.server.closeAllConnections();
    await influxd?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it(
    'shows every spool figure alike in all three places, and raises a technician alarm while storage is behind, cleared when it catches up',
    { timeout: 120_000 },
    async () => {
      const spoolDir = join(dir, 'behind');
      showfloor = await startTestShowfloor({
        influxUrl: gate.url(),
        database: 'spool_visible',
        yaml: `${consoleYaml()}influx:\n  flushIntervalMs: 50\nstorage:\n  spoolDir: ${JSON.stringify(spoolDir)}\n  syncIntervalMs: 5\n  degradedBacklogSeconds: 1\n`,
      });
      const technician = new ConsoleClient(showfloor.httpUrl);
      expect((await technician.login('Ada')).status).toBe(204);
      device = await connectDevice(showfloor.mqttUrl, BOOTH_A);
      await device.publishAsync(`booth/${BOOTH_A.id}/env-1/telemetry`, JSON.stringify({ seq: 0 }), { qos: 1 });
      await waitFor(async () => (await influxd.queryRows(`SELECT "seq" FROM "telemetry"`, 'spool_visible')).length === 1, {
        what: 'the first reading in InfluxDB',
      });

      gate.refuseWrites = true;
      for (let seq = 1; seq <= 50; seq++) await device.publishAsync(`booth/${BOOTH_A.id}/env-1/telemetry`, JSON.stringify({ seq }), { qos: 1 });
      const raised = await waitFor(async () => (await alarmsOf(technician)).find((a) => a.rule === 'storage-backlog' && a.state === 'active'), {
        what: 'the storage-backlog alarm',
        timeoutMs: 20_000,
        intervalMs: 200,
      });
      expect(raised).toMatchObject({
        id: 'storage-backlog/_server_/storage',
        booth: '_server_',
        device: 'storage',
        severity: 'warning',
        message: expect.stringMatching(/^Storage behind: oldest reading not yet in InfluxDB is \d+ s old \(threshold 1 s\); \d+ waiting$/) as unknown,
      });
      const behind = await expectAgreement(showfloor, technician);
      expect(behind).toMatchObject({ segments: 1, replay: null, replayFinished: null, dropped: { overflow: 0, diskFull: 0, tornTail: 0, lostSegment: 0 } });
      expect(behind.unsentReadings).toBeGreaterThanOrEqual(50);
      expect(behind.bytes).toBeGreaterThan(0);
      expect((await scrape(showfloor.httpUrl)).get('showfloor_storage_degraded{reason="storage-backlog"}')).toBe(1);

      // Walls are never told (technician only): a wall that connects now gets the open alarms without it.
      const wall = wallClient(showfloor.httpUrl, { booths: [BOOTH_A.id, 'booth-b'] });
      const wallAlarms = waitForEvent<Parameters<ServerToWallEvents['alarms']>>(wall, 'alarms');
      wall.connect();
      const [notices] = await wallAlarms;
      wall.disconnect();
      expect(notices).toEqual([]);
      // Acknowledged like any alarm, by name.
      expect((await technician.post(`${CONSOLE_API.acknowledge}/${encodeURIComponent(raised.id)}/ack`)).status).toBe(204);
      expect((await alarmsOf(technician)).find((a) => a.id === raised.id)).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'Ada' });

      // Every figure reaches all three places, also those this run cannot make on a healthy disk.
      const influx = showfloor.state.influx!;
      const real = influx.spoolHealth.bind(influx);
      vi.spyOn(influx, 'spoolHealth').mockImplementation((now) => ({
        ...real(now)!,
        notSpooled: 11,
        acknowledgedBeforeDurable: 12,
        dropped: { overflow: 13, diskFull: 14, tornTail: 15, lostSegment: 16 },
        replay: { readingsLeft: 17, readingsTotal: 18, segmentsLeft: 19, segmentsTotal: 20, startedAt: 21 },
      }));
      // And the broker's hold: acknowledgements waiting for the disk (over in milliseconds on a healthy disk).
      vi.spyOn(showfloor.broker, 'acknowledgementsHeld', 'get').mockReturnValue(22);
      expect((await getJson<PublicHealth>(`${showfloor.httpUrl}/api/health`)).body.broker.acknowledgementsHeld).toBe(22);
      expect((await technician.get<ServerHealth>(CONSOLE_API.health)).body.ingest.acknowledgementsHeld).toBe(22);
      expect((await fetch(`${showfloor.httpUrl}/metrics`).then((r) => r.text())).match(/^showfloor_mqtt_acknowledgements_held (\d+)$/m)?.[1]).toBe('22');
      const made = await expectAgreement(showfloor, technician);
      expect(made).toMatchObject({ notSpooled: 11, acknowledgedBeforeDurable: 12, dropped: { overflow: 13, diskFull: 14, tornTail: 15, lostSegment: 16 } });
      vi.restoreAllMocks();

      gate.refuseWrites = false;
      await waitFor(async () => (await alarmsOf(technician)).find((a) => a.id === raised.id && a.state === 'cleared'), {
        what: 'the storage-backlog alarm to clear once InfluxDB took the backlog (and stayed caught up for 10 s)',
        timeoutMs: 45_000,
        intervalMs: 200,
      });
      const caughtUp = await expectAgreement(showfloor, technician);
      expect(caughtUp).toMatchObject({ unsentReadings: 0, oldestUnsentAt: null });
      expect((await scrape(showfloor.httpUrl)).get('showfloor_storage_degraded{reason="storage-backlog"}')).toBe(0);
    },
  );

  it(
    "shows an earlier run's replay while it runs and once done, and applies an acknowledgement of the outage that the replay brings after the restore",
    { timeout: 180_000 },
    async () => {
      const db = 'spool_replay_visible';
      const spoolDir = join(dir, 'replay');
      const yaml = `${consoleYaml()}influx:\n  flushIntervalMs: 50\nstorage:\n  spoolDir: ${JSON.stringify(spoolDir)}\n  syncIntervalMs: 5\nalarms:\n  - id: co2-high\n    severity: critical\n    metric: co2\n    above: 1000\n`;
      showfloor = await startTestShowfloor({ influxUrl: gate.url(), database: db, yaml });
      let technician = new ConsoleClient(showfloor.httpUrl);
      expect((await technician.login('Ada')).status).toBe(204);
      device = await connectDevice(showfloor.mqttUrl, BOOTH_A);
      const topic = `booth/${BOOTH_A.id}/env-1/telemetry`;
      // A second device whose alarm clears in the outage: walls must stop showing it once the replay says so.
      const clearingTopic = `booth/${BOOTH_A.id}/env-2/telemetry`;
      await device.publishAsync(topic, JSON.stringify({ co2: 1500 }), { qos: 1 });
      await device.publishAsync(clearingTopic, JSON.stringify({ co2: 1500 }), { qos: 1 });
      const alarm = await waitFor(async () => (await alarmsOf(technician)).find((a) => a.id === `co2-high/${BOOTH_A.id}/env-1` && a.state === 'active'), {
        what: 'the co2 alarm',
      });
      const clearing = await waitFor(async () => (await alarmsOf(technician)).find((a) => a.id === `co2-high/${BOOTH_A.id}/env-2` && a.state === 'active'), {
        what: "the second device's co2 alarm",
      });
      await waitFor(async () => (await influxd.queryRows(`SELECT "state" FROM "alarm_events"`, db)).length === 2, { what: 'the raises stored' });
      await waitFor(async () => (await influxd.queryRows(`SELECT * FROM "device_status" WHERE "device" = 'env-2'`, db)).length > 0, {
        what: "the second device's presence stored",
      });

      // The outage: the acknowledgement is in the spool only, behind readings, and ahead of more of them.
      gate.refuseWrites = true;
      for (let seq = 0; seq < 3000; seq++) device.publish(topic, JSON.stringify({ co2: 1500, seq }), { qos: 0 });
      await device.publishAsync(topic, JSON.stringify({ co2: 1500, seq: -1 }), { qos: 1 });
      expect((await technician.post(`${CONSOLE_API.acknowledge}/${encodeURIComponent(alarm.id)}/ack`)).status).toBe(204);
      await device.publishAsync(clearingTopic, JSON.stringify({ co2: 400 }), { qos: 1 });
      await waitFor(async () => (await alarmsOf(technician)).find((a) => a.id === clearing.id && a.state === 'cleared'), {
        what: "the second device's alarm cleared in the outage",
      });
      for (let seq = 0; seq < 5; seq++) await device.publishAsync(topic, JSON.stringify({ co2: 1500, seq: 10_000 + seq }), { qos: 1 });
      device.end(true);
      device = undefined;
      await showfloor.close();
      showfloor = undefined;

      // A crash tore the last record (one reading, published after the acknowledgement).
      const segments = (await readdir(spoolDir)).filter((name) => name.endsWith('.log')).sort();
      expect(segments.length).toBeGreaterThan(0);
      const last = join(spoolDir, segments.at(-1)!);
      await truncate(last, (await stat(last)).size - 3);

      // InfluxDB still refuses writes: the replay cannot end within the console's 10 s wait.
      showfloor = await startTestShowfloor({ influxUrl: gate.url(), database: db, yaml });
      technician = new ConsoleClient(showfloor.httpUrl);
      expect((await technician.login('Ada')).status).toBe(204);
      const replaying = await expectAgreement(showfloor, technician);
      expect(replaying.replay).toMatchObject({ segmentsTotal: segments.length, segmentsLeft: segments.length });
      expect(replaying.replay!.readingsTotal).toBeGreaterThan(6);
      expect(replaying.replay!.readingsLeft).toBe(replaying.replay!.readingsTotal);
      expect(replaying).toMatchObject({ replayFinished: null, dropped: { tornTail: 1 } });
      // Restored without the outage's rows: what InfluxDB had.
      expect((await alarmsOf(technician)).find((a) => a.id === alarm.id)).toMatchObject({ state: 'active', acknowledgedBy: null });
      expect((await alarmsOf(technician)).find((a) => a.id === clearing.id)).toMatchObject({ state: 'active' });
      // A wall that connects during the replay shows both, as restored.
      const wall = wallClient(showfloor.httpUrl, { booths: [BOOTH_A.id] });
      const shown = { notices: null as Parameters<ServerToWallEvents['alarms']>[0] | null };
      wall.on('alarms', (notices) => (shown.notices = notices));
      const firstNotices = waitForEvent<Parameters<ServerToWallEvents['alarms']>>(wall, 'alarms');
      wall.connect();
      expect((await firstNotices)[0].map((n) => `${n.device}:${n.state}`).sort()).toEqual(['env-1:active', 'env-2:active']);

      // The first read of the alarms once the replay ends fails (InfluxDB gone again for a moment): tried again.
      const failedReads = { count: 0 };
      const latest = vi.spyOn(AlarmLog.prototype, 'latest').mockImplementationOnce(() => {
        failedReads.count++;
        return Promise.reject(new Error('InfluxDB answered 503'));
      });
      gate.refuseWrites = false;
      await waitFor(async () => (await getJson<PublicHealth>(`${showfloor!.httpUrl}/api/health`)).body.influxdb, {
        what: 'a health answer',
      });
      await waitFor(
        async () => {
          const health = (await getJson<PublicHealth>(`${showfloor!.httpUrl}/api/health`)).body.influxdb;
          return health.mode !== 'memory' && health.spool?.replay === null;
        },
        { what: 'the replay to end', timeoutMs: 60_000, intervalMs: 200 },
      );
      const done = await expectAgreement(showfloor, technician);
      expect(done.replayFinished).toMatchObject({ readingsTotal: replaying.replay!.readingsTotal, segmentsTotal: segments.length });
      expect(done.replayFinished!.finishedAt).toBeGreaterThanOrEqual(done.replayFinished!.startedAt);

      const acknowledged: Alarm = await waitFor(async () => (await alarmsOf(technician)).find((a) => a.id === alarm.id && a.state === 'acknowledged'), {
        what: "the outage's acknowledgement applied after the replay",
        timeoutMs: 20_000,
        intervalMs: 200,
      });
      expect(acknowledged).toMatchObject({ acknowledgedBy: 'Ada', raisedAt: alarm.raisedAt });
      expect(failedReads.count).toBe(1);
      expect(latest.mock.calls.length).toBeGreaterThanOrEqual(2);
      expect((await alarmsOf(technician)).find((a) => a.id === clearing.id)).toMatchObject({ state: 'cleared' });
      // The wall is sent its list again: the alarm cleared in the outage gone, the other acknowledged.
      try {
        await waitFor(() => shown.notices?.map((n) => `${n.device}:${n.state}`).join(',') === 'env-1:acknowledged', {
          what: "the wall's alarm strip after the late re-apply",
          timeoutMs: 10_000,
          intervalMs: 100,
        });
      } finally {
        wall.disconnect();
      }
    },
  );
});
