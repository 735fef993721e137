import { describe, expect, it } from 'vitest';
import { TelemetryValidator, type RejectionReason } from '../../server/ingest/TelemetryValidator';

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
    const meta = check('booth/b1/d/meta', JSON.stringify({ name: 'Hall A\u0007 climate', kind: 'env-sensor', firmware: '1.2', units: { temperature: '°C' }, expected: { temperature: { min: 10, max: 35 } }, intervalMs: 1000, future: 'ignored' }));
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
    ['65 readings without ts', 'booth/b1/d/telemetry', JSON.stringify(Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`m${i}`, i]))), 'too-many-fields'],
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
