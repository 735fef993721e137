/**
 * Issue 9, storage: booth A abuses InfluxDB (fresh device ids past its stored-device budget,
 * lines InfluxDB refuses in the same batches as booth B's, timestamps spread over years and
 * impossible dates) while booth B works normally; every one of B's readings is stored, and A's
 * excess is counted against A. Real influxd 1.6.7 with its limits made small, real Showfloor,
 * real MQTT.js clients.
 */
import type { MqttClient } from 'mqtt';
import { pino } from 'pino';
import { InfluxStore } from '../../server/store/InfluxStore';
import { StoreCounters } from '../../server/store/StoreCounters';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { describeWithInfluxd, startInfluxd, type InfluxdProcess } from '../support/influxd';
import { BOOTH_A, BOOTH_B, connectDevice, getJson, startTestShowfloor, type TestShowfloor } from '../support/showfloor';
import type { PublicHealth } from '../support/publicApi';
import { waitFor } from '../support/waitFor';

/** Small enough to reach with hundreds of readings; InfluxDB's default is 100,000. */
const MAX_VALUES_PER_TAG = 300;
/** A's budget, well under the tag-value limit so B always has room. */
const STORED_DEVICE_BUDGET = 100;
const A_FLOOD_DEVICES = 400;
const B_NEW_DEVICES = 60;
const B_EXISTING_READINGS = 60;

const settingsYaml = (extra = '') => `
budgets:
  maxStoredDevicesPerBooth: ${STORED_DEVICE_BUDGET}
  storedDevicePeriodHours: 24
mqtt:
  messagesPerSecondPerDevice: 100000
live:
  maxDevicesPerBooth: 1000
influx:
  flushIntervalMs: 200
${extra}`;

const count = async (influxd: InfluxdProcess, db: string, where: string): Promise<number> => {
  const rows = await influxd.queryRows(`SELECT count("v") FROM "telemetry" WHERE ${where}`, db);
  return Number(rows[0]?.count ?? 0);
};

const publishAll = async (client: MqttClient, messages: readonly [string, string][]): Promise<void> => {
  // QoS 1: the broker has handed each message to ingest once its PUBACK arrives.
  await Promise.all(messages.map(([topic, payload]) => client.publishAsync(topic, payload, { qos: 1 })));
};

const budgetRefusals = (showfloor: TestShowfloor, booth: string) => Object.fromEntries(showfloor.state.budgetRefusals.forBooth(booth));

describeWithInfluxd('booth isolation: storage', () => {
  describe('a booth flooding fresh device ids past its stored-device budget', () => {
    let influxd: InfluxdProcess;
    let showfloor: TestShowfloor;
    const clients: MqttClient[] = [];
    const DB = 'budget';

    beforeAll(async () => {
      influxd = await startInfluxd({ dataSettings: { 'max-values-per-tag': MAX_VALUES_PER_TAG } });
      showfloor = await startTestShowfloor({ influxUrl: influxd.url, database: DB, yaml: settingsYaml() });
    });

    afterAll(async () => {
      for (const client of clients) client.end(true);
      await showfloor?.close();
      await influxd?.dispose();
    });

    it("stores every one of B's readings, new devices and an existing one, and counts A's excess against A", { timeout: 120_000 }, async () => {
      const a = await connectDevice(showfloor.mqttUrl, BOOTH_A);
      const b = await connectDevice(showfloor.mqttUrl, BOOTH_B);
      clients.push(a, b);
      const t0 = Date.now() - 60_000;
      // B's existing device is stored before the flood starts.
      await publishAll(b, [['booth/booth-b/b-existing/telemetry', JSON.stringify({ v: -1, ts: t0 - 1 })]]);
      await waitFor(() => count(influxd, DB, `"device" = 'b-existing'`), { what: "B's existing device stored", timeoutMs: 10_000 });

      // Interleaved: A's flood of fresh ids, B adding new devices and its existing device reporting.
      const aMessages: [string, string][] = Array.from({ length: A_FLOOD_DEVICES }, (_, i) => [
        `booth/booth-a/flood-${i}/telemetry`,
        JSON.stringify({ v: i, ts: t0 + i }),
      ]);
      const bMessages: [string, string][] = [];
      for (let i = 0; i < Math.max(B_NEW_DEVICES, B_EXISTING_READINGS); i++) {
        if (i < B_NEW_DEVICES) bMessages.push([`booth/booth-b/b-new-${i}/telemetry`, JSON.stringify({ v: i, ts: t0 + i })]);
        if (i < B_EXISTING_READINGS) bMessages.push(['booth/booth-b/b-existing/telemetry', JSON.stringify({ v: i, ts: t0 + i })]);
      }
      const aChunk = Math.ceil(A_FLOOD_DEVICES / 10);
      const bChunk = Math.ceil(bMessages.length / 10);
      for (let k = 0; k < 10; k++) {
        await Promise.all([publishAll(a, aMessages.slice(k * aChunk, (k + 1) * aChunk)), publishAll(b, bMessages.slice(k * bChunk, (k + 1) * bChunk))]);
      }
      const bSent = 1 + bMessages.length;

      await waitFor(() => showfloor.state.ingest.accepted === bSent + aMessages.length && showfloor.state.store.pendingLines() === 0, {
        what: 'the store to drain',
        timeoutMs: 30_000,
      });
      expect(await count(influxd, DB, `"booth" = 'booth-b'`)).toBe(bSent);
      expect(await count(influxd, DB, `"device" = 'b-existing'`)).toBe(1 + B_EXISTING_READINGS);
      const bNewDevices = await influxd.queryRows(`SELECT count("v") FROM "telemetry" WHERE "device" =~ /^b-new-/ GROUP BY "device"`, DB);
      expect(bNewDevices).toHaveLength(B_NEW_DEVICES);

      // A stored exactly its budget of devices; every reading past it was counted against A.
      const aDevices = await influxd.queryRows(`SELECT count("v") FROM "telemetry" WHERE "booth" = 'booth-a' GROUP BY "device"`, DB);
      expect(aDevices).toHaveLength(STORED_DEVICE_BUDGET);
      // Each of their readings was counted (their presence lines are left out too, not counted again).
      expect(budgetRefusals(showfloor, 'booth-a')['stored-devices-budget']).toBe(A_FLOOD_DEVICES - STORED_DEVICE_BUDGET);
      expect(budgetRefusals(showfloor, 'booth-b')).toEqual({});
      // Nothing reached InfluxDB's own limit, so nothing was refused there.
      expect(showfloor.state.store.dropped).toBe(0);

      // A device past the budget is still live (wall, console), only not stored.
      expect(showfloor.state.directory.get('booth-a', `flood-${A_FLOOD_DEVICES - 1}`)?.accepted).toBe(1);
      const health = (await getJson<PublicHealth>(`${showfloor.httpUrl}/api/health`)).body;
      expect(health.storage.booths).toEqual({
        'booth-a': { storedDevices: STORED_DEVICE_BUDGET, refusedReadings: A_FLOOD_DEVICES - STORED_DEVICE_BUDGET, refusedByInflux: 0 },
        'booth-b': { storedDevices: 1 + B_NEW_DEVICES, refusedReadings: 0, refusedByInflux: 0 },
      });
      const metrics = await (await fetch(`${showfloor.httpUrl}/metrics`)).text();
      expect(metrics).toContain(
        `showfloor_budget_refusals_total{booth="booth-a",reason="stored-devices-budget"} ${budgetRefusals(showfloor, 'booth-a')['stored-devices-budget']}`,
      );
      expect(metrics).toContain(`showfloor_stored_devices{booth="booth-a"} ${STORED_DEVICE_BUDGET}`);
    });

    it('remembers the budget across a restart: the devices stored before it are learned back from InfluxDB', { timeout: 60_000 }, async () => {
      await showfloor.close();
      showfloor = await startTestShowfloor({ influxUrl: influxd.url, database: DB, yaml: settingsYaml() });
      expect(showfloor.state.storedDevices.storedDevices('booth-a', Date.now())).toBe(STORED_DEVICE_BUDGET);
      const a = await connectDevice(showfloor.mqttUrl, BOOTH_A);
      clients.push(a);
      // A device stored before the restart is still admitted; a fresh one is not.
      await publishAll(a, [
        ['booth/booth-a/flood-0/telemetry', JSON.stringify({ v: 1, ts: Date.now() - 1000 })],
        ['booth/booth-a/after-restart/telemetry', JSON.stringify({ v: 1, ts: Date.now() - 1000 })],
      ]);
      await waitFor(() => showfloor.state.ingest.accepted === 2 && showfloor.state.store.pendingLines() === 0, {
        what: 'the store to drain',
        timeoutMs: 10_000,
      });
      expect(await count(influxd, DB, `"device" = 'flood-0'`)).toBe(2);
      expect(await count(influxd, DB, `"device" = 'after-restart'`)).toBe(0);
      expect(budgetRefusals(showfloor, 'booth-a')['stored-devices-budget']).toBe(1);
    });
  });

  describe('a write batch InfluxDB refuses in part', () => {
    let influxd: InfluxdProcess;
    let showfloor: TestShowfloor | undefined;
    const clients: MqttClient[] = [];
    /** influxd 1.6.7 loses lines of EXISTING series in a batch that goes past this limit. */
    const MAX_SERIES = 50;
    const DB = 'partial';

    beforeAll(async () => {
      influxd = await startInfluxd({ dataSettings: { 'max-series-per-database': MAX_SERIES } });
    });

    afterEach(async () => {
      for (const client of clients.splice(0)) client.end(true);
      await showfloor?.close();
    });

    afterAll(async () => {
      await influxd?.dispose();
    });

    it("stores all of B's lines that shared batches with refused lines, and counts the refused ones against A", { timeout: 120_000 }, async () => {
      // Flushed every 2 s in batches of up to 5,000: both booths' lines land in the same batches.
      showfloor = await startTestShowfloor({
        influxUrl: influxd.url,
        database: DB,
        yaml: settingsYaml().replace('flushIntervalMs: 200', 'flushIntervalMs: 2000'),
      });
      const a = await connectDevice(showfloor.mqttUrl, BOOTH_A);
      const b = await connectDevice(showfloor.mqttUrl, BOOTH_B);
      clients.push(a, b);
      const t0 = Date.now() - 60_000;
      await publishAll(b, [['booth/booth-b/b-existing/telemetry', JSON.stringify({ v: -1, ts: t0 - 1 })]]);
      await waitFor(() => count(influxd, DB, `"device" = 'b-existing'`), { what: "B's existing device stored", timeoutMs: 10_000 });
      // The rest of the series limit is used up from outside Showfloor (another writer, or history),
      // one series at a time until InfluxDB refuses one: where exactly it cuts is InfluxDB's business.
      for (let i = 0; i < MAX_SERIES; i++) {
        const refused = await influxd.write(DB, `telemetry,booth=elsewhere,device=fill-${i},kind=unknown v=1 ${t0}`, 'ms').then(
          () => false,
          () => true,
        );
        if (refused) break;
      }
      await expect(influxd.write(DB, `telemetry,booth=elsewhere,device=one-more,kind=unknown v=1 ${t0}`, 'ms')).rejects.toThrow(/max-series-per-database/);

      const A_DEVICES = 20;
      const PER_DEVICE = 3;
      const messagesA: [string, string][] = [];
      const messagesB: [string, string][] = [];
      for (let r = 0; r < PER_DEVICE; r++) {
        for (let d = 0; d < A_DEVICES; d++) messagesA.push([`booth/booth-a/new-${d}/telemetry`, JSON.stringify({ v: d, ts: t0 + r * 100 + d })]);
      }
      for (let r = 0; r < 100; r++) messagesB.push(['booth/booth-b/b-existing/telemetry', JSON.stringify({ v: r, ts: t0 + r })]);
      for (let k = 0; k < 4; k++) {
        await Promise.all([publishAll(a, messagesA.slice(k * 15, (k + 1) * 15)), publishAll(b, messagesB.slice(k * 25, (k + 1) * 25))]);
      }

      const store = showfloor.state.store;
      await waitFor(() => showfloor!.state.ingest.accepted === 1 + messagesA.length + messagesB.length && store.pendingLines() === 0, {
        what: 'the store to settle',
        timeoutMs: 30_000,
      });
      // Every one of B's lines landed, though they shared batches with lines InfluxDB refused...
      expect(await count(influxd, DB, `"device" = 'b-existing'`)).toBe(1 + messagesB.length);
      // ...which really were refused in part by InfluxDB: A's readings (and the presence lines of
      // A's new devices, which are new series too)...
      expect(store.writeFailures).toBeGreaterThan(0);
      const refused = store.refused.get('max-series-per-database') ?? 0;
      expect(refused).toBeGreaterThanOrEqual(messagesA.length);
      expect(Object.fromEntries(store.refused)).toEqual({ 'max-series-per-database': refused });
      expect(store.dropped).toBe(refused);
      // Each refused line is counted against its booth and named with its device.
      expect(budgetRefusals(showfloor, 'booth-a')['influx-refused-line']).toBe(refused);
      expect(budgetRefusals(showfloor, 'booth-b')).toEqual({});
      const { influxdb } = (await getJson<PublicHealth>(`${showfloor.httpUrl}/api/health`)).body;
      if (influxdb.mode === 'memory') throw new Error('expected the InfluxDB store, found memory mode');
      expect(influxdb.refused).toEqual({ 'max-series-per-database': refused });
      // Bounded: the last 20, though more were refused.
      expect(influxdb.recentRefusals).toHaveLength(20);
      for (const refusal of influxdb.recentRefusals) {
        expect(refusal).toMatchObject({ booth: 'booth-a', reason: 'max-series-per-database' });
        expect(refusal.device).toMatch(/^new-\d+$/);
        expect(refusal.detail).toContain('max-series-per-database limit exceeded');
      }
    });
  });

  describe('timestamps spread over years, and impossible dates', () => {
    let influxd: InfluxdProcess;
    let showfloor: TestShowfloor;
    let client: MqttClient | undefined;
    const DB = 'time';

    beforeAll(async () => {
      influxd = await startInfluxd();
      showfloor = await startTestShowfloor({ influxUrl: influxd.url, database: DB, yaml: settingsYaml('ingest:\n  maxReadingAgeHours: 72\n') });
    });

    afterAll(async () => {
      client?.end(true);
      await showfloor?.close();
      await influxd?.dispose();
    });

    it(
      'refuses readings older than ingest.maxReadingAgeHours as too-old and impossible dates as bad-timestamp, and opens no shard',
      { timeout: 60_000 },
      async () => {
        client = await connectDevice(showfloor.mqttUrl, BOOTH_A);
        const b = await connectDevice(showfloor.mqttUrl, BOOTH_B);
        const now = Date.now();
        await publishAll(b, [['booth/booth-b/b-clock/telemetry', JSON.stringify({ v: 1, ts: now - 1000 })]]);
        await waitFor(() => count(influxd, DB, `"device" = 'b-clock'`), { what: "B's reading stored", timeoutMs: 10_000 });
        const shardsBefore = (await influxd.queryRows('SHOW SHARDS')).length;

        const WEEKS = 52;
        const WEEK = 7 * 24 * 3600_000;
        const old: [string, string][] = Array.from({ length: WEEKS }, (_, i) => [
          'booth/booth-a/time-traveller/telemetry',
          JSON.stringify({ v: i, ts: now - (i + 1) * WEEK }),
        ]);
        old.push(['booth/booth-a/time-traveller/telemetry', JSON.stringify({ v: 1, ts: now - 73 * 3600_000 })]);
        const year = new Date(now).getUTCFullYear();
        const impossible: [string, string][] = [`${year}-02-31T10:00:00Z`, `${year}-04-31T10:00:00Z`, `${year}-02-30T00:00:00Z`].map((ts) => [
          'booth/booth-a/time-traveller/telemetry',
          JSON.stringify({ v: 1, ts }),
        ]);
        await publishAll(client, [...old, ...impossible]);
        await publishAll(b, [['booth/booth-b/b-clock/telemetry', JSON.stringify({ v: 2, ts: now })]]);

        const rejected = showfloor.state.ingest.rejected;
        await waitFor(() => rejected.get('too-old') === old.length && rejected.get('bad-timestamp') === impossible.length, {
          what: 'the rejections counted',
          timeoutMs: 10_000,
        });
        const device = showfloor.state.directory.get('booth-a', 'time-traveller');
        expect(Object.fromEntries(device?.rejected ?? [])).toEqual({ 'too-old': old.length, 'bad-timestamp': impossible.length });
        expect(device?.lastRejection?.detail).toMatch(/not a date that exists/);

        await waitFor(() => count(influxd, DB, `"device" = 'b-clock'`).then((n) => n === 2), { what: "B's second reading stored", timeoutMs: 10_000 });
        // InfluxDB answers queries before the client has had its answer to the write: wait for that too.
        await waitFor(() => showfloor.state.store.pendingLines() === 0, { what: 'the store to drain', timeoutMs: 10_000 });
        expect(await count(influxd, DB, `"device" = 'time-traveller'`)).toBe(0);
        expect((await influxd.queryRows('SHOW SHARDS')).length).toBe(shardsBefore);
        const metrics = await (await fetch(`${showfloor.httpUrl}/metrics`)).text();
        expect(metrics).toContain(`showfloor_messages_rejected_total{reason="too-old"} ${old.length}`);
        b.end(true);
      },
    );
  });

  describe.each([
    ['max-series-per-database', 'series'],
    ['max-values-per-tag', 'device values'],
  ] as const)('a 5,000-line batch refused in part under %s (%s)', (limit, _what) => {
    const LIMIT = 1000;
    const BATCH = 5000;
    let influxd: InfluxdProcess;

    beforeAll(async () => {
      influxd = await startInfluxd({ dataSettings: { [limit]: LIMIT } });
    });

    afterAll(async () => {
      await influxd?.dispose();
    });

    it.each([1, 100, 2500])(
      'stores every good line and refuses exactly the %i refused ones, in a bounded number of requests',
      { timeout: 120_000 },
      async (refusedLines) => {
        const db = `settle${refusedLines}`;
        const open = () => {
          const counters = new StoreCounters();
          const store = new InfluxStore(
            { url: influxd.url, api: 'v1', token: '', org: '', bucket: db },
            { batchSize: BATCH, flushIntervalMs: 60_000, maxBufferLines: 1_000_000, maxRetryTimeMs: 60_000 },
            counters,
            pino({ level: 'silent' }),
          );
          return { counters, store };
        };
        const t0 = Date.now() - 3600_000;
        // The limit used up by 1,000 series of booth b.
        const fill = open();
        await fill.store.prepare();
        for (let i = 0; i < LIMIT; i++) fill.store.write({ booth: 'b', device: `old-${i}`, kind: 'k', ts: t0, values: { v: 1 } });
        await fill.store.close();
        expect(fill.counters.written).toBe(LIMIT);

        const { counters, store } = open();
        let requests = 0;
        const transport = (store as unknown as { client: { transport: { send: (...args: unknown[]) => void } } }).client.transport;
        const send = transport.send.bind(transport);
        transport.send = (...args: unknown[]) => {
          requests++;
          send(...args);
        };
        const every = Math.ceil(BATCH / refusedLines);
        for (let i = 0; i < BATCH; i++) {
          const refused = i % every === 0;
          // Booth b's lines go to existing series; booth a's to new ones, past the limit.
          store.write({ booth: refused ? 'a' : 'b', device: refused ? `new-${i}` : `old-${i % LIMIT}`, kind: 'k', ts: t0 + 1 + i, values: { v: 1 } });
        }
        const started = performance.now();
        await store.close(60_000);
        const ms = performance.now() - started;
        console.info(`${limit}: ${BATCH}-line batch with ${refusedLines} refused lines settled in ${requests} requests, ${Math.round(ms)} ms`);
        expect(counters).toMatchObject({ accepted: BATCH, written: BATCH - refusedLines, dropped: refusedLines });
        expect(Object.fromEntries(counters.refused)).toEqual({ [limit]: refusedLines });
        const [row] = await influxd.queryRows(`SELECT count("v") FROM "telemetry" WHERE "booth" = 'b' AND time > ${t0}ms`, db);
        expect(row?.count).toBe(BATCH - refusedLines);
        // Bounded: never more requests than lines, whatever the mix.
        expect(requests).toBeLessThanOrEqual(BATCH);
      },
    );
  });
});
