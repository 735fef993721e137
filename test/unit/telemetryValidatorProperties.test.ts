/**
 * Properties of the validator over generated input: totality, the shape of every answer, the
 * contract of everything accepted, and acceptance of everything the contract allows.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ID_PATTERN, MAX_READINGS_PER_MESSAGE, METRIC_PATTERN, RESERVED_METRIC_NAMES, type ReadingValues } from '../../contract/device';
import { DEFAULT_VALIDATOR_LIMITS, REJECTION_REASONS, TelemetryValidator, type DeviceMessage, type Rejection } from '../../server/ingest/TelemetryValidator';

const NOW = Date.UTC(2026, 10, 21, 12, 0, 0);
const validator = new TelemetryValidator();
const { minTimestamp, maxFutureSkewMs, maxAgeMs } = DEFAULT_VALIDATOR_LIMITS;
// Enough runs to reach the rarer branches (meta, ISO ts) without slowing the unit suite.
const RUNS = { numRuns: 400 };

const idChar = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-');
const validId = fc.tuple(fc.constantFrom(...'abcXYZ0189'), fc.string({ unit: idChar, maxLength: 63 })).map(([first, rest]) => first + rest);
const metricChar = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_');
const validMetricName = fc
  .tuple(fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'), fc.string({ unit: metricChar, maxLength: 63 }))
  .map(([first, rest]) => first + rest)
  .filter((name) => !RESERVED_METRIC_NAMES.has(name) && name !== 'ts');
// Names that are plausible device output but break the contract; the reserved names and
// prototype keys are where allow-lists have gone wrong before.
const nastyMetricName = fc.oneof(
  fc.constantFrom(
    '',
    'ts',
    'time',
    'booth',
    'device',
    'kind',
    '__proto__',
    'constructor',
    'toString',
    'a b',
    'a,b',
    'a=b',
    'a\\',
    'a\nb',
    '1a',
    '_a',
    'é',
    'a'.repeat(65),
    'a"b',
  ),
  fc.string({ maxLength: 70 }),
);
const metricName = fc.oneof({ weight: 4, arbitrary: validMetricName }, { weight: 1, arbitrary: nastyMetricName });

// -0 survives JSON.parse but not JSON.stringify, so it is left out of the exact-round-trip checks.
const finiteDouble = fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0));
const validValue = fc.oneof(finiteDouble, fc.integer(), fc.boolean());
const anyValue = fc.oneof(
  { weight: 4, arbitrary: validValue },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(null, 'NaN', '1', [], {}, [1], { a: 1 }, '', 'Infinity') },
);
const validTs = fc.integer({ min: NOW - maxAgeMs, max: NOW + maxFutureSkewMs });
const isoTs = validTs.map((ms) => new Date(ms).toISOString());
const anyTs = fc.oneof(
  validTs,
  isoTs,
  fc.double(),
  fc.integer({ min: 0, max: 2 * NOW }),
  fc.constantFrom<unknown>(
    null,
    true,
    '',
    'yesterday',
    '2026-11-21 12:00',
    '2026-13-45T99:99Z',
    NOW / 1000,
    NOW + maxFutureSkewMs + 1,
    minTimestamp - 1,
    NOW - maxAgeMs - 1,
    '2026-02-31T10:00:00Z',
  ),
);

/** A readings object the contract allows: valid names, finite values, 1..64 readings. */
const validReadings = fc.dictionary(validMetricName, validValue, { minKeys: 1, maxKeys: MAX_READINGS_PER_MESSAGE });

// Serialised with JSON.stringify for the literal text; raw text is mixed in to reach the
// parser's edges (duplicates, exponents, 1e400) that stringify never produces.
const craftedTelemetry = fc.oneof(
  fc
    .record({ readings: fc.dictionary(metricName, anyValue, { maxKeys: 70 }), ts: fc.option(anyTs, { nil: undefined }) })
    .map(({ readings, ts }) => JSON.stringify(ts === undefined ? readings : { ...readings, ts })),
  fc.constantFrom('{"a": 1e400}', '{"a": -1e400}', '{"a": 1, "a": "x"}', '{"a": 1e-400}', '{"a": 1E5, "ts": 1.7e12}', '{"ts": 1.7e12}', '{"__proto__": 1}'),
);

const topic = fc.oneof(
  fc.string(),
  fc
    .tuple(fc.oneof(validId, fc.string()), fc.oneof(validId, fc.string()), fc.constantFrom('telemetry', 'status', 'meta', 'config', ''))
    .map(([booth, device, leaf]) => `booth/${booth}/${device}/${leaf}`),
);
const payload = fc.oneof(
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
  fc.string().map((s) => Buffer.from(s)),
  fc.json().map((s) => Buffer.from(s)),
  fc.object().map((o) => Buffer.from(JSON.stringify(o) ?? '')),
  craftedTelemetry.map((s) => Buffer.from(s)),
  fc.constantFrom('online', ' offline\n', 'up').map((s) => Buffer.from(s)),
);

function assertWellFormed(result: DeviceMessage | Rejection, topicText: string): void {
  if (result.kind === 'rejected') {
    expect(REJECTION_REASONS).toContain(result.reason);
    expect(result.detail.length).toBeGreaterThan(0);
    // Details are quoted into logs and the UI; a device must not be able to make them long.
    expect(result.detail.length).toBeLessThan(200);
    return;
  }
  const [, booth, device, leaf] = topicText.split('/');
  expect(result.kind).toBe(leaf);
  expect(result.booth).toBe(booth);
  expect(result.device).toBe(device);
  expect(result.booth).toMatch(ID_PATTERN);
  expect(result.device).toMatch(ID_PATTERN);
  if (result.kind !== 'telemetry') return;
  const names = Object.keys(result.values);
  expect(names.length).toBeGreaterThan(0);
  expect(names.length).toBeLessThanOrEqual(MAX_READINGS_PER_MESSAGE);
  for (const name of names) {
    expect(name).toMatch(METRIC_PATTERN);
    expect(RESERVED_METRIC_NAMES.has(name)).toBe(false);
    const value = result.values[name];
    expect(typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))).toBe(true);
  }
  expect(Number.isInteger(result.ts)).toBe(true);
  expect(result.ts).toBeGreaterThanOrEqual(NOW - maxAgeMs);
  expect(result.ts).toBeLessThanOrEqual(NOW + maxFutureSkewMs);
}

describe('TelemetryValidator properties', () => {
  it('never throws and answers with a well-formed message or rejection, for any topic and bytes', () => {
    fc.assert(
      fc.property(topic, payload, fc.option(validId, { nil: null }), (topicText, bytes, authenticated) => {
        const result = validator.validate(topicText, bytes, authenticated, NOW);
        assertWellFormed(result, topicText);
      }),
      RUNS,
    );
  });

  it('accepts only what the contract allows, for crafted telemetry mixing valid and invalid parts', () => {
    fc.assert(
      fc.property(validId, validId, craftedTelemetry, (booth, device, text) => {
        const topicText = `booth/${booth}/${device}/telemetry`;
        assertWellFormed(validator.validate(topicText, Buffer.from(text), booth, NOW), topicText);
      }),
      RUNS,
    );
  });

  it('accepts every valid reading with exactly the values given and the ts given', () => {
    fc.assert(
      fc.property(validId, validId, validReadings, fc.option(fc.oneof(validTs, isoTs), { nil: undefined }), (booth, device, readings, ts) => {
        const body = ts === undefined ? readings : { ...readings, ts };
        const result = validator.validate(`booth/${booth}/${device}/telemetry`, Buffer.from(JSON.stringify(body)), booth, NOW);
        expect(result).toEqual({
          kind: 'telemetry',
          booth,
          device,
          ts: ts === undefined ? NOW : typeof ts === 'string' ? Date.parse(ts) : ts,
          values: Object.assign(Object.create(null) as ReadingValues, readings),
        });
        if (result.kind === 'telemetry') {
          // toEqual treats 0 and -0 alike and compares floats loosely enough to hide a lossy parse.
          for (const [name, value] of Object.entries(readings)) expect(Object.is(result.values[name], value)).toBe(true);
        }
      }),
      RUNS,
    );
  });
});

describe('TelemetryValidator regressions found by the properties', () => {
  // influxd 1.x drops a point with a field called "time" (HTTP 400 partial write), and a field
  // named like a tag makes the history query's WHERE "booth" = '…' compare the field instead,
  // which returned no history for any device in the shard.
  it.each(['time', 'booth', 'device', 'kind'])('refuses the reserved metric name %s', (name) => {
    const result = validator.validate('booth/b1/d/telemetry', Buffer.from(JSON.stringify({ [name]: 1, ok: 2 })), 'b1', NOW);
    expect(result).toMatchObject({ kind: 'rejected', reason: 'bad-metric-name' });
  });
});
