/**
 * Issue 9, item 5: device-chosen names that are also Object.prototype properties ("constructor",
 * "toString", …) must read as the device's data or as nothing, never as Object's functions.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectedRangeOf, metaAsData, METRIC_PATTERN, ownValue, unitOf, type DeviceMeta, type ReadingValues } from '../../contract/device';
import type { Frame, Snapshot } from '../../contract/live';
import { chartLines } from '../../web/console/consoleChartOptions';
import { metricUnit } from '../../web/wall/panels/panelText';
import { collectRangeAlarms } from '../../web/wall/panels/rangeAlarms';
import { rangeAlarm } from '../../web/wall/readingFormat';
import { WallModel } from '../../web/wall/WallModel';
import { TelemetryValidator } from '../../server/ingest/TelemetryValidator';
import { deviceWindow, modelOf, T0 } from './panelFixtures';

/** Every Object.prototype property a device may use as a metric name. */
export const PROTOTYPE_NAMES = Object.getOwnPropertyNames(Object.prototype).filter((name) => METRIC_PATTERN.test(name));

describe('names that Object.prototype also has', () => {
  it('are a real list', () => {
    expect(PROTOTYPE_NAMES).toEqual(
      expect.arrayContaining(['constructor', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable', 'toLocaleString']),
    );
  });

  it.each(PROTOTYPE_NAMES)('%s: absent from a plain table reads as absent', (name) => {
    const meta: DeviceMeta = JSON.parse('{"units":{"other":"V"},"expected":{"other":{"max":1}}}') as DeviceMeta;
    expect(ownValue(meta.units, name)).toBeUndefined();
    expect(unitOf(meta, name)).toBeUndefined();
    expect(expectedRangeOf(meta, name)).toBeUndefined();
    expect(metricUnit({ meta }, name)).toBe('');
    expect(rangeAlarm(5, meta.expected, name)).toBeNull();
    expect(chartLines([name], () => 'number', meta.units)[0]?.unit).toBe('');
  });

  it.each(PROTOTYPE_NAMES)('%s: present in a plain table reads as sent', (name) => {
    const meta = JSON.parse(`{"units":{"${name}":" kPa "},"expected":{"${name}":{"max":0}}}`) as DeviceMeta;
    expect(unitOf(meta, name)).toBe(' kPa ');
    expect(metricUnit({ meta }, name)).toBe('kPa');
    expect(expectedRangeOf(meta, name)).toEqual({ max: 0 });
    expect(rangeAlarm(5, meta.expected, name)).toBe('high');
    expect(chartLines([name], () => 'number', meta.units)[0]?.unit).toBe(' kPa ');
  });

  it('a unit that is not text, or a bound that is not a finite number, reads as none', () => {
    const meta = { units: { t: 5, u: { trim: 1 } }, expected: { t: { min: 'x', max: 3 }, u: 'high' } } as unknown as DeviceMeta;
    expect(unitOf(meta, 't')).toBeUndefined();
    expect(metricUnit({ meta }, 'u')).toBe('');
    expect(expectedRangeOf(meta, 't')).toEqual({ max: 3 });
    expect(expectedRangeOf(meta, 'u')).toBeUndefined();
  });

  it('metaAsData copies wire meta into null-prototype tables and drops what has the wrong type', () => {
    const meta = metaAsData(
      JSON.parse('{"name":"Probe","kind":7,"units":{"constructor":"m","t":3},"expected":{"toString":{"min":-1,"max":"9"}},"intervalMs":1000}'),
    );
    expect(meta.name).toBe('Probe');
    expect(meta.kind).toBeUndefined();
    expect(meta.intervalMs).toBe(1000);
    expect(Object.getPrototypeOf(meta.units)).toBeNull();
    expect(Object.getPrototypeOf(meta.expected)).toBeNull();
    expect({ ...meta.units }).toEqual({ constructor: 'm' });
    expect({ ...meta.expected }).toEqual({ toString: { min: -1 } });
    expect(metaAsData(null)).toEqual({});
    expect(metaAsData('x')).toEqual({});
  });
});

describe('a wall model fed prototype names', () => {
  const units = Object.fromEntries(PROTOTYPE_NAMES.map((name, i) => [name, `u${i}`]));
  const expected = Object.fromEntries(PROTOTYPE_NAMES.map((name) => [name, { max: 0 }]));
  const latest = Object.fromEntries(PROTOTYPE_NAMES.map((name) => [name, 5]));

  it('keeps them as metrics with their units and raises their range alarms', () => {
    const model = new WallModel({ windowMs: 60_000, maxMetricsPerDevice: 64 });
    // Through JSON, as on the wire: the names arrive as plain own properties of plain objects.
    const wire: unknown = JSON.parse(
      JSON.stringify({
        serverTime: T0,
        windowMs: 60_000,
        booths: [{ id: 'b1', name: 'One' }],
        devices: [
          deviceWindow('p1', {
            meta: { name: 'Probe', units, expected },
            latest,
            series: PROTOTYPE_NAMES.map((metric) => ({ metric, ts: [T0], values: [5] })),
          }),
        ],
      }),
    );
    model.applySnapshot(wire as Snapshot, T0);
    model.applyFrame(
      JSON.parse(
        JSON.stringify({ booth: 'b1', serverTime: T0 + 1000, readings: [{ booth: 'b1', device: 'p1', ts: T0 + 1000, values: latest }], devices: [] }),
      ) as Frame,
      T0 + 1000,
    );
    const device = model.device('b1/p1');
    expect([...(device?.metrics.keys() ?? [])]).toEqual(PROTOTYPE_NAMES);
    PROTOTYPE_NAMES.forEach((name, i) => expect(metricUnit(device!, name)).toBe(`u${i}`));
    expect(
      collectRangeAlarms(model)
        .map((a) => a.metric)
        .sort(),
    ).toEqual([...PROTOTYPE_NAMES].sort());
  });

  it('shows no unit for them when the device declared units for other metrics only', () => {
    const model = modelOf([
      deviceWindow('p1', {
        meta: JSON.parse('{"units":{"t":"°C"},"expected":{"constructor":{"max":0}}}') as DeviceMeta,
        latest: JSON.parse('{"constructor":5,"toString":3}') as ReadingValues,
      }),
    ]);
    const device = model.device('b1/p1')!;
    expect(metricUnit(device, 'constructor')).toBe('');
    expect(metricUnit(device, 'toString')).toBe('');
    expect(collectRangeAlarms(model).map((a) => a.text)).toEqual(['▲ High 5']);
  });

  it('ignores readings whose values are not an object instead of throwing', () => {
    const model = modelOf([deviceWindow('p1')]);
    expect(() =>
      model.applyFrame(
        { booth: 'b1', serverTime: T0 + 1000, readings: [{ booth: 'b1', device: 'p1', ts: T0 + 1000, values: null as never }], devices: [] },
        T0 + 1000,
      ),
    ).not.toThrow();
  });
});

describe('the server’s ingest of prototype names', () => {
  const validator = new TelemetryValidator();
  const validate = (leaf: string, payload: unknown) => validator.validate(`booth/b1/p1/${leaf}`, Buffer.from(JSON.stringify(payload)), 'b1', T0);

  it('keeps readings, units and ranges in null-prototype tables, so only what the device sent is found', () => {
    const telemetry = validate('telemetry', Object.fromEntries(PROTOTYPE_NAMES.map((name) => [name, 5])));
    expect(telemetry.kind).toBe('telemetry');
    if (telemetry.kind !== 'telemetry') return;
    expect(Object.getPrototypeOf(telemetry.values)).toBeNull();
    expect({ ...telemetry.values }).toEqual(Object.fromEntries(PROTOTYPE_NAMES.map((name) => [name, 5])));

    const meta = validate('meta', { units: { other: 'V' }, expected: { constructor: { max: 0 } } });
    expect(meta.kind).toBe('meta');
    if (meta.kind !== 'meta') return;
    expect(Object.getPrototypeOf(meta.meta.units)).toBeNull();
    for (const name of PROTOTYPE_NAMES) expect(unitOf(meta.meta, name), name).toBeUndefined();
    expect(expectedRangeOf(meta.meta, 'constructor')).toEqual({ max: 0 });
    expect(expectedRangeOf(meta.meta, 'toString')).toBeUndefined();
  });
});

describe('the pages', () => {
  it('never index a name-keyed table from the wire directly (use ownValue, unitOf, expectedRangeOf)', () => {
    const root = join(import.meta.dirname, '../../web');
    const offending: string[] = [];
    for (const file of readdirSync(root, { recursive: true, encoding: 'utf8' })) {
      if (!file.endsWith('.ts')) continue;
      readFileSync(join(root, file), 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (/\.(units|expected|latest)\??\.?\[/.test(line)) offending.push(`web/${file}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(offending).toEqual([]);
  });
});
