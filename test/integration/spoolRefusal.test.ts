/**
 * A partial write (HTTP 400) in spool mode: InfluxDB refuses the lines of devices past its
 * max-values-per-tag; the spool stores the rest, counts each refused line once, confirms the batch
 * and moves on instead of resending it for ever.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { InfluxStore } from '../../server/store/InfluxStore';
import { StoreCounters } from '../../server/store/StoreCounters';
import { describeWithInfluxd, startInfluxd, type InfluxdProcess } from '../support/influxd';
import { waitFor } from '../support/waitFor';

const MAX_VALUES_PER_TAG = 5;
const DB = 'refused';

describeWithInfluxd('spool and partial writes', () => {
  let influxd: InfluxdProcess;
  let dir: string;

  beforeAll(async () => {
    influxd = await startInfluxd({ dataSettings: { 'max-values-per-tag': MAX_VALUES_PER_TAG } });
    dir = await mkdtemp(join(tmpdir(), 'showfloor-spool-refused-'));
  });
  afterAll(async () => {
    await influxd?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('stores the lines InfluxDB takes, counts the refused ones once and confirms the batch', { timeout: 60_000 }, async () => {
    const counters = new StoreCounters();
    const store = new InfluxStore(
      { url: influxd.url, api: 'v1', token: '', org: '', bucket: DB },
      { batchSize: 5000, flushIntervalMs: 50, maxBufferLines: 100_000, maxRetryTimeMs: 60_000 },
      counters,
      pino({ level: 'silent' }),
      null,
      null,
      { dir, syncIntervalMs: 5, maxBytes: 64 * 1024 * 1024 },
    );
    try {
      await store.prepare();
      const t0 = Date.now() - 3600_000;
      const devices = 8;
      const perDevice = 50;
      const write = (seq: number, d: number) => store.write({ booth: 'b', device: `d${d}`, kind: 'k', ts: t0 + seq, values: { seq } });
      // influxd 1.6 checks the limit against the series it already has, not within one batch: the
      // first devices are stored first.
      for (let d = 0; d < MAX_VALUES_PER_TAG; d++) write(0, d);
      await waitFor(() => store.spoolHealth(Date.now())?.unsentReadings === 0, { what: 'the first devices stored' });
      for (let seq = 1; seq < perDevice; seq++) for (let d = 0; d < devices; d++) write(seq, d);
      await waitFor(() => store.spoolHealth(Date.now())?.unsentReadings === 0, { what: 'the batch to be settled and confirmed', timeoutMs: 30_000 });
      const refused = (devices - MAX_VALUES_PER_TAG) * (perDevice - 1);
      expect(counters.refused.get('max-values-per-tag')).toBe(refused);
      expect(counters).toMatchObject({ accepted: MAX_VALUES_PER_TAG + devices * (perDevice - 1), written: MAX_VALUES_PER_TAG * perDevice, dropped: refused });
      const [row] = await influxd.queryRows(`SELECT count("seq") FROM "telemetry"`, DB);
      expect(row?.count).toBe(MAX_VALUES_PER_TAG * perDevice);
      expect(store.recentRefusals.length).toBeGreaterThan(0);
    } finally {
      await store.close();
    }
  });
});
