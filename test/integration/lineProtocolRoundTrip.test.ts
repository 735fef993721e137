/**
 * Whatever the validator accepts must come back from a real influxd exactly as accepted: the
 * line protocol is built by hand without escaping, so this is what proves the allow-lists are enough.
 */
import fc from 'fast-check';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { RESERVED_METRIC_NAMES } from '../../contract/device';
import { TelemetryValidator, type TelemetryMessage } from '../../server/ingest/TelemetryValidator';
import { InfluxStore } from '../../server/store/InfluxStore';
import { StoreCounters } from '../../server/store/StoreCounters';
import { quoteIdentifier } from '../../server/store/historyQuery';
import { MEASUREMENT, safeTagValue, telemetryLine, type StoredReading } from '../../server/store/telemetryLine';
import { describeWithInfluxd, startInfluxd, type InfluxdProcess } from '../support/influxd';

const NOW = Date.now();
// A day back leaves room for every generated timestamp below the validator's future-skew limit.
const BASE = NOW - 86_400_000;
const validator = new TelemetryValidator();

const idChar = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-');
const validId = fc.tuple(fc.constantFrom(...'aZ09'), fc.string({ unit: idChar, maxLength: 63 })).map(([first, rest]) => first + rest);
const metricChar = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_');
// Invalid and reserved names are generated too: the validator must weed them out before a line is built.
const metricName = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.constantFrom(...'abcxyzABCXYZ'), fc.string({ unit: metricChar, maxLength: 63 })).map(([first, rest]) => first + rest) },
  { weight: 1, arbitrary: fc.constantFrom(...RESERVED_METRIC_NAMES, 'constructor', 'toString', 'a b', 'a,b', 'a=b', '_x') },
);
const value = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), fc.boolean());
// kind comes from device meta, not the topic, so anything may reach safeTagValue.
const kind = fc.option(fc.oneof(fc.string({ maxLength: 80 }), fc.constantFrom('env-sensor', 'v1.2', '', ' ', 'a,b=c d\\')), { nil: undefined });

interface Sent {
  topic: string;
  payload: Buffer;
  kind: string | undefined;
  receivedAt: number;
}

let nextTs = 0;
/** A device publish with a timestamp unique in this file, so no two readings share a series point. */
const publish = fc
  .record({
    booth: validId,
    device: validId,
    kind,
    readings: fc.dictionary(metricName, value, { minKeys: 1, maxKeys: 12 }),
    tsForm: fc.constantFrom('number', 'fraction', 'iso', 'absent'),
  })
  .map(({ booth, device, kind, readings, tsForm }): Sent => {
    // Spaced by 2 so the receive time (ts + 1) is unique too, and each batch owns its time window.
    const ts = BASE + 2 * nextTs++;
    const body: Record<string, unknown> = { ...readings };
    // Without ts the validator uses the receive time; unique receive times keep points distinct.
    if (tsForm === 'number') body.ts = ts;
    if (tsForm === 'fraction') body.ts = ts + 0.25;
    if (tsForm === 'iso') body.ts = new Date(ts).toISOString();
    return { topic: `booth/${booth}/${device}/telemetry`, payload: Buffer.from(JSON.stringify(body)), kind, receivedAt: ts + 1 };
  });

function accepted(batch: readonly Sent[]): StoredReading[] {
  const readings: StoredReading[] = [];
  for (const sent of batch) {
    const result = validator.validate(sent.topic, sent.payload, null, sent.receivedAt);
    if (result.kind === 'telemetry') readings.push(stored(result, sent.kind));
  }
  return readings;
}

function stored(message: TelemetryMessage, kind: string | undefined): StoredReading {
  return { booth: message.booth, device: message.device, kind, ts: message.ts, values: message.values };
}

const rowKey = (booth: unknown, device: unknown, time: unknown) => `${String(booth)}/${String(device)}/${String(time)}`;

/** Reads the readings back and compares each field bit for bit; returns the problems found. */
async function compareStored(influxd: InfluxdProcess, db: string, readings: readonly StoredReading[]): Promise<string[]> {
  if (readings.length === 0) return [];
  const metrics = [...new Set(readings.flatMap((r) => Object.keys(r.values)))];
  const times = readings.map((r) => r.ts);
  // Named fields and ::tag, not SELECT *: the database accumulates thousands of field keys.
  const statement =
    `SELECT "booth"::tag, "device"::tag, "kind"::tag, ${metrics.map(quoteIdentifier).join(', ')} FROM ${quoteIdentifier(MEASUREMENT)}` +
    ` WHERE time >= ${Math.min(...times)}ms AND time <= ${Math.max(...times)}ms`;
  const rows = await influxd.queryRows(statement, db);
  const byKey = new Map(rows.map((row) => [rowKey(row.booth, row.device, row.time), row]));
  const problems: string[] = [];
  if (rows.length !== readings.length) problems.push(`${rows.length} rows for ${readings.length} readings`);
  for (const reading of readings) {
    const booth = safeTagValue(reading.booth);
    const device = safeTagValue(reading.device);
    const row = byKey.get(rowKey(booth, device, reading.ts));
    if (!row) {
      problems.push(`missing ${rowKey(booth, device, reading.ts)}`);
      continue;
    }
    if (row.kind !== safeTagValue(reading.kind)) problems.push(`kind ${String(row.kind)} for ${JSON.stringify(reading.kind)}`);
    for (const metric of metrics) {
      const sent = reading.values[metric];
      // influxd itself answers -0 as 0 (checked against 1.6.7), so that is the one allowed change.
      const expected = sent === undefined ? null : typeof sent === 'boolean' ? Number(sent) : Object.is(sent, -0) ? 0 : sent;
      if (!Object.is(row[metric] ?? null, expected)) problems.push(`${metric}: stored ${String(row[metric])}, sent ${String(sent)}`);
    }
  }
  return problems;
}

describeWithInfluxd('line protocol round trip through influxd', () => {
  let influxd: InfluxdProcess;

  beforeAll(async () => {
    influxd = await startInfluxd();
    await influxd.createDatabase('roundtrip');
  });

  afterAll(async () => {
    await influxd?.dispose();
  });

  it('stores whatever the validator accepts exactly as accepted (POST /write, precision=ms)', async () => {
    let lines = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(publish, { minLength: 20, maxLength: 40 }), async (batch) => {
        const readings = accepted(batch);
        const body = readings.map(telemetryLine);
        expect(body).not.toContain(null);
        if (readings.length > 0) await influxd.write('roundtrip', body as string[], 'ms');
        lines += readings.length;
        expect(await compareStored(influxd, 'roundtrip', readings)).toEqual([]);
      }),
      // Shrinking rewrites runs at fresh timestamps, so a failure still reports its smallest batch.
      { numRuns: 50 },
    );
    // Guards the generators: a property that only ever sees rejections proves nothing.
    expect(lines).toBeGreaterThan(400);
  });

  it('stores them the same way through InfluxStore in v1 mode', async () => {
    const counters = new StoreCounters();
    const store = new InfluxStore(
      { url: influxd.url, api: 'v1', token: '', org: '', bucket: 'viastore' },
      { batchSize: 100, flushIntervalMs: 50, maxBufferLines: 100_000, maxRetryTimeMs: 5_000 },
      counters,
      pino({ level: 'silent' }),
    );
    await store.prepare();
    const readings = accepted(fc.sample(publish, { numRuns: 600, seed: 7 }));
    for (const reading of readings) store.write(reading);
    await store.close();
    expect(readings.length).toBeGreaterThan(250);
    expect(counters).toMatchObject({ accepted: readings.length, written: readings.length, dropped: 0, writeFailures: 0 });
    expect(await compareStored(influxd, 'viastore', readings)).toEqual([]);
  });

  // Regression: WriteApi.flush() sends only the open batch, so close() used to count full batches
  // still in flight as dropped although influxd stored them.
  it('close() counts batches still in flight as written, not dropped', async () => {
    const counters = new StoreCounters();
    const store = new InfluxStore(
      { url: influxd.url, api: 'v1', token: '', org: '', bucket: 'inflight' },
      { batchSize: 100, flushIntervalMs: 60_000, maxBufferLines: 100_000, maxRetryTimeMs: 5_000 },
      counters,
      pino({ level: 'silent' }),
    );
    await store.prepare();
    for (let i = 0; i < 250; i++) store.write({ booth: 'b1', device: 'd1', kind: 'k', ts: BASE + i, values: { n: i } });
    await store.close();
    expect(counters).toMatchObject({ accepted: 250, written: 250, dropped: 0 });
    expect(await influxd.queryRows('SELECT count("n") FROM "telemetry"', 'inflight')).toMatchObject([{ count: 250 }]);
  });
});
