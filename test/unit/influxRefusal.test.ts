import { describe, expect, it } from 'vitest';
import { carriesNamedTag, lineSeries, readRefusal } from '../../server/store/influxRefusal';

describe('readRefusal: what influxd 1.6.7 answers with a 400', () => {
  it('reads max-values-per-tag and the one value it names', () => {
    const refusal = readRefusal(
      '{"error":"partial write: max-values-per-tag limit exceeded (5/5): measurement=\\"telemetry\\" tag=\\"device\\" value=\\"good1\\" dropped=3"}',
    );
    expect(refusal).toMatchObject({ reason: 'max-values-per-tag', namedTag: { measurement: 'telemetry', key: 'device', value: 'good1' } });
    expect(refusal.detail).toContain('dropped=3');
  });

  it.each([
    ['partial write: max-series-per-database limit exceeded: (5) dropped=4', 'max-series-per-database'],
    ['partial write: field type conflict: input field "v" on measurement "m" is type boolean, already exists as type float dropped=2', 'field-type-conflict'],
    ['partial write: points beyond retention policy dropped=1', 'beyond-retention-policy'],
    ["unable to parse 'm v= 1': missing field value", 'unparsable-line'],
    ['something new', 'refused'],
  ])('reads %s', (error, reason) => {
    expect(readRefusal(JSON.stringify({ error }))).toMatchObject({ reason, detail: error });
    // The header text (X-Influxdb-Error) reads the same.
    expect(readRefusal(error).reason).toBe(reason);
  });

  it('bounds the detail it keeps and survives no body at all', () => {
    expect(readRefusal(JSON.stringify({ error: 'x'.repeat(5000) })).detail).toHaveLength(300);
    expect(readRefusal(undefined)).toEqual({ reason: 'refused', detail: '' });
  });
});

describe('lineSeries', () => {
  it('reads the measurement and tags of a line, escapes included', () => {
    const series = lineSeries('alarm\\ event,rule=co\\,2,booth=b1,device=d\\ 1 state="open" 1700000000000');
    expect(series.measurement).toBe('alarm event');
    expect(Object.fromEntries(series.tags)).toEqual({ rule: 'co,2', booth: 'b1', device: 'd 1' });
  });

  it('matches only lines with the named value in the named measurement and tag', () => {
    const named = { measurement: 'telemetry', key: 'device', value: 'd6' };
    expect(carriesNamedTag('telemetry,booth=a,device=d6,kind=unknown v=1 1', named)).toBe(true);
    expect(carriesNamedTag('telemetry,booth=a,device=d66,kind=unknown v=1 1', named)).toBe(false);
    expect(carriesNamedTag('device_status,booth=a,device=d6 state="online" 1', named)).toBe(false);
  });
});

describe('readRefusal: dropped', () => {
  it('reads the dropped count InfluxDB reports', () => {
    expect(readRefusal('{"error":"partial write: max-series-per-database limit exceeded: (5) dropped=4"}').dropped).toBe(4);
    expect(readRefusal('{"error":"unable to parse \'x\'"}').dropped).toBeUndefined();
  });
});
