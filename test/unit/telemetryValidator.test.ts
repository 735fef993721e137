import { describe, expect, it } from 'vitest';
import { DEFAULT_VALIDATOR_LIMITS, TelemetryValidator, type RejectionReason } from '../../server/ingest/TelemetryValidator';

const NOW = Date.UTC(2026, 10, 21, 12, 0, 0);
/** The validator keeps device-supplied names in prototype-less objects, and toEqual compares prototypes. */
const dataRecord = <T extends object>(fields: T): T => Object.assign(Object.create(null) as object, fields);
const validator = new TelemetryValidator();
const check = (topic: string, payload: string | Buffer, booth: string | null = 'b1') =>
  validator.validate(topic, typeof payload === 'string' ? Buffer.from(payload) : payload, booth, NOW);

describe('TelemetryValidator: accepted messages', () => {
  it('accepts numbers and booleans and uses the receive time without ts', () => {
    expect(check('booth/b1/env-01/telemetry', '{"temperature": 23.4, "door_open": true, "count": 3}')).toEqual({
      kind: 'telemetry',
      booth: 'b1',
      device: 'env-01',
      ts: NOW,
      values: dataRecord({ temperature: 23.4, door_open: true, count: 3 }),
    });
  });

  it('takes ts as epoch milliseconds or ISO 8601', () => {
    const ms = check('booth/b1/d/telemetry', `{"t": 1, "ts": ${NOW - 5000}}`);
    expect(ms).toMatchObject({ kind: 'telemetry', ts: NOW - 5000 });
    const iso = check('booth/b1/d/telemetry', '{"t": 1, "ts": "2026-11-21T11:59:00.250Z"}');
    expect(iso).toMatchObject({ kind: 'telemetry', ts: NOW - 59_750 });
    const offset = check('booth/b1/d/telemetry', '{"t": 1, "ts": "2026-11-21T19:59:00+08:00"}');
    expect(offset).toMatchObject({ kind: 'telemetry', ts: NOW - 60_000 });
  });

  it('keeps a metric called constructor as plain data', () => {
    const result = check('booth/b1/d/telemetry', '{"constructor": 5, "toString": 2}');
    expect(result.kind).toBe('telemetry');
    if (result.kind === 'telemetry') {
      expect(result.values.constructor).toBe(5);
      expect(Object.getPrototypeOf(result.values)).toBeNull();
    }
  });

  it('accepts status online/offline and meta with units and expected ranges', () => {
    expect(check('booth/b1/d/status', ' offline\n')).toEqual({ kind: 'status', booth: 'b1', device: 'd', status: 'offline' });
    const meta = check(
      'booth/b1/d/meta',
      JSON.stringify({
        name: 'Hall A\u0007 climate',
        kind: 'env-sensor',
        firmware: '1.2',
        units: { temperature: '°C' },
        expected: { temperature: { min: 10, max: 35 } },
        intervalMs: 1000,
        future: 'ignored',
      }),
    );
    expect(meta).toEqual({
      kind: 'meta',
      booth: 'b1',
      device: 'd',
      meta: {
        name: 'Hall A climate',
        kind: 'env-sensor',
        firmware: '1.2',
        units: dataRecord({ temperature: '°C' }),
        expected: dataRecord({ temperature: { min: 10, max: 35 } }),
        intervalMs: 1000,
      },
    });
  });
});

describe('TelemetryValidator: every rejection reason', () => {
  const cases: [string, string, string | Buffer, RejectionReason][] = [
    ['three-level topic', 'booth/b1/telemetry', '{"a":1}', 'topic-outside-contract'],
    ['five-level topic', 'booth/b1/d/x/telemetry', '{"a":1}', 'topic-outside-contract'],
    ['wrong root', 'devices/b1/d/telemetry', '{"a":1}', 'topic-outside-contract'],
    ['unknown leaf', 'booth/b1/d/config', '{"a":1}', 'topic-outside-contract'],
    ['booth id with a comma', 'booth/b,1/d/telemetry', '{"a":1}', 'bad-booth-id'],
    ['other booth', 'booth/b2/d/telemetry', '{"a":1}', 'wrong-booth'],
    ['device id with a space', 'booth/b1/my device/telemetry', '{"a":1}', 'bad-device-id'],
    ['device id with a backslash', 'booth/b1/d\\/telemetry', '{"a":1}', 'bad-device-id'],
    ['device id starting with _', 'booth/b1/_d/telemetry', '{"a":1}', 'bad-device-id'],
    ['device id of 65 chars', `booth/b1/${'d'.repeat(65)}/telemetry`, '{"a":1}', 'bad-device-id'],
    ['payload over 16 KiB', 'booth/b1/d/telemetry', `{"a":1,"pad":"${'x'.repeat(16 * 1024)}"}`, 'payload-too-large'],
    ['empty payload', 'booth/b1/d/telemetry', '', 'empty-payload'],
    ['invalid UTF-8', 'booth/b1/d/telemetry', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), 'not-utf8'],
    ['not JSON', 'booth/b1/d/telemetry', '{temperature: 1}', 'not-json'],
    ['JSON array', 'booth/b1/d/telemetry', '[1,2]', 'not-an-object'],
    ['JSON number', 'booth/b1/d/telemetry', '42', 'not-an-object'],
    ['JSON null', 'booth/b1/d/telemetry', 'null', 'not-an-object'],
    ['metric with a dash', 'booth/b1/d/telemetry', '{"co-2": 1}', 'bad-metric-name'],
    ['__proto__ metric', 'booth/b1/d/telemetry', '{"__proto__": 1}', 'bad-metric-name'],
    ['1e400 (Infinity)', 'booth/b1/d/telemetry', '{"a": 1e400}', 'bad-value'],
    ['NaN as a string', 'booth/b1/d/telemetry', '{"a": "NaN"}', 'bad-value'],
    ['string value', 'booth/b1/d/telemetry', '{"a": "23.4"}', 'bad-value'],
    ['nested object', 'booth/b1/d/telemetry', '{"a": {"b": 1}}', 'bad-value'],
    ['null value', 'booth/b1/d/telemetry', '{"a": null}', 'bad-value'],
    ['too many fields', 'booth/b1/d/telemetry', JSON.stringify(Object.fromEntries(Array.from({ length: 66 }, (_, i) => [`m${i}`, i]))), 'too-many-fields'],
    [
      '65 readings without ts',
      'booth/b1/d/telemetry',
      JSON.stringify(Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`m${i}`, i]))),
      'too-many-fields',
    ],
    ['only ts', 'booth/b1/d/telemetry', `{"ts": ${NOW}}`, 'no-readings'],
    ['empty object', 'booth/b1/d/telemetry', '{}', 'no-readings'],
    ['ts in seconds', 'booth/b1/d/telemetry', `{"a":1, "ts": ${Math.floor(NOW / 1000)}}`, 'bad-timestamp'],
    ['ts an hour ahead', 'booth/b1/d/telemetry', `{"a":1, "ts": ${NOW + 3600_000}}`, 'bad-timestamp'],
    ['ts as a date without zone', 'booth/b1/d/telemetry', '{"a":1, "ts": "2026-11-21 12:00"}', 'bad-timestamp'],
    ['ts impossible date', 'booth/b1/d/telemetry', '{"a":1, "ts": "2026-13-45T99:99Z"}', 'bad-timestamp'],
    ['status gibberish', 'booth/b1/d/status', 'up', 'bad-status'],
    ['meta name not a string', 'booth/b1/d/meta', '{"name": 5}', 'bad-meta'],
    ['meta kind with a space', 'booth/b1/d/meta', '{"kind": "env sensor"}', 'bad-meta'],
    ['meta min above max', 'booth/b1/d/meta', '{"expected": {"t": {"min": 5, "max": 1}}}', 'bad-meta'],
    ['meta unit for a bad metric', 'booth/b1/d/meta', '{"units": {"bad metric": "C"}}', 'bad-meta'],
  ];

  it.each(cases)('%s → rejected', (_name, topic, payload, reason) => {
    const result = check(topic, payload);
    expect(result.kind).toBe('rejected');
    if (result.kind === 'rejected') {
      expect(result.reason).toBe(reason);
      expect(result.detail.length).toBeGreaterThan(0);
      expect(result.detail.length).toBeLessThan(200);
    }
  });

  it('attributes a rejection to the device when the topic names a valid one', () => {
    expect(check('booth/b1/env-01/telemetry', 'garbage')).toMatchObject({ booth: 'b1', device: 'env-01', reason: 'not-json' });
    expect(check('booth/b1/bad id/telemetry', '{}')).toMatchObject({ booth: 'b1', device: null, reason: 'bad-device-id' });
  });

  it('never throws, whatever the bytes', () => {
    for (let i = 0; i < 2000; i++) {
      const bytes = Buffer.from(Array.from({ length: i % 64 }, (_, j) => (i * 31 + j * 7) % 256));
      expect(() => check(`booth/b1/d/${['telemetry', 'meta', 'status'][i % 3]}`, bytes)).not.toThrow();
    }
  });

  it('quotes device text in details, bounded, with control characters escaped', () => {
    const result = check('booth/b1/d/telemetry', JSON.stringify({ a: `evil\n${'x'.repeat(500)}` }));
    expect(result.kind === 'rejected' && result.detail).toMatch(/"evil\\nx+…"/);
  });
});

describe('TelemetryValidator: reading age and calendar dates', () => {
  const HOUR = 3600_000;
  const withAge = (maxAgeHours: number) => new TelemetryValidator({ ...DEFAULT_VALIDATOR_LIMITS, maxAgeMs: maxAgeHours * HOUR });
  const telemetryAt = (v: TelemetryValidator, ts: number | string) => v.validate('booth/b1/d/telemetry', Buffer.from(JSON.stringify({ a: 1, ts })), 'b1', NOW);

  it('refuses readings older than the configured age as too-old, and keeps those just inside it', () => {
    const v = withAge(72);
    expect(telemetryAt(v, NOW - 72 * HOUR + 1000)).toMatchObject({ kind: 'telemetry', ts: NOW - 72 * HOUR + 1000 });
    const old = telemetryAt(v, NOW - 72 * HOUR - 1000);
    expect(old).toMatchObject({ kind: 'rejected', reason: 'too-old', booth: 'b1', device: 'd' });
    expect(old.kind === 'rejected' && old.detail).toMatch(/older than 72 h/);
    // A week-old ISO timestamp, the shape of the shard-spraying attack.
    expect(telemetryAt(v, new Date(NOW - 7 * 24 * HOUR).toISOString())).toMatchObject({ kind: 'rejected', reason: 'too-old' });
  });

  it('takes the age from the setting, not a constant', () => {
    expect(telemetryAt(withAge(1), NOW - 2 * HOUR)).toMatchObject({ kind: 'rejected', reason: 'too-old' });
    expect(telemetryAt(withAge(24 * 30), NOW - 20 * 24 * HOUR)).toMatchObject({ kind: 'telemetry' });
  });

  it('defaults to 72 hours', () => {
    expect(DEFAULT_VALIDATOR_LIMITS.maxAgeMs).toBe(72 * HOUR);
    expect(check('booth/b1/d/telemetry', `{"a":1, "ts": ${NOW - 73 * HOUR}}`)).toMatchObject({ kind: 'rejected', reason: 'too-old' });
  });

  it('still calls seconds-since-epoch a bad timestamp, not an old one', () => {
    expect(telemetryAt(withAge(72), Math.floor(NOW / 1000))).toMatchObject({ kind: 'rejected', reason: 'bad-timestamp' });
  });

  it.each([
    ['31 February', '2026-02-31T10:00:00Z'],
    ['29 February in a common year', '2026-02-29T10:00:00Z'],
    ['31 November', '2026-11-31T10:00:00Z'],
    ['month 13', '2026-13-01T10:00:00Z'],
    ['month 0', '2026-00-10T10:00:00Z'],
    ['day 0', '2026-11-00T10:00:00Z'],
    ['hour 24', '2026-11-21T24:00:00Z'],
    ['minute 60', '2026-11-21T11:60:00Z'],
    ['second 60', '2026-11-21T11:59:60Z'],
    ['offset +25:00', '2026-11-21T11:59:00+25:00'],
    ['offset minutes 75', '2026-11-21T11:59:00+01:75'],
  ])('refuses an impossible date (%s) instead of rolling it over', (_name, ts) => {
    expect(telemetryAt(withAge(24 * 365), ts)).toMatchObject({ kind: 'rejected', reason: 'bad-timestamp' });
  });

  it('accepts real calendar edges: 29 February of a leap year, 23:59:59, an offset across midnight', () => {
    const v = withAge(24 * 366);
    expect(telemetryAt(v, '2026-02-28T23:59:59Z')).toMatchObject({ kind: 'telemetry', ts: Date.UTC(2026, 1, 28, 23, 59, 59) });
    const leap = new TelemetryValidator({ ...DEFAULT_VALIDATOR_LIMITS, maxAgeMs: 1000 * 24 * HOUR });
    expect(telemetryAt(leap, '2024-02-29T12:00:00Z')).toMatchObject({ kind: 'telemetry', ts: Date.UTC(2024, 1, 29, 12) });
    expect(telemetryAt(v, '2026-11-21T01:30:00+05:00')).toMatchObject({ kind: 'telemetry', ts: Date.UTC(2026, 10, 20, 20, 30) });
  });
});
