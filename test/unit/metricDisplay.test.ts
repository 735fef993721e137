import { describe, expect, it } from 'vitest';
import { metaAsData, type DeviceMeta } from '../../contract/device';
import { readMetricDisplay } from '../../contract/metricDisplay';
import { buildChartLayout, type ChartRow } from '../../web/shared/chartOptions';
import {
  MAX_MEMOISED_DEFAULTS,
  memoisedDefaults,
  metricLabelIn,
  metricUnitIn,
  metricValueIn,
  resolveMetricDisplay,
  sortByDisplayOrder,
  type MetricDisplayOverrides,
} from '../../web/shared/metricDisplay';
import { gaugeScale } from '../../web/wall/panels/gaugeScale';
import { chartWords, formatReading } from '../../web/wall/readingFormat';
import { WallText } from '../../web/wall/wallText';

const EN = ['en'] as const;
const ZH = ['zh'] as const;
const BOTH = ['en', 'zh'] as const;
const plain = (value: number, decimals: number | undefined) => (decimals === undefined ? String(value) : value.toFixed(decimals));

function label(metric: string, meta?: DeviceMeta, overrides?: MetricDisplayOverrides) {
  const display = resolveMetricDisplay(metric, meta, overrides);
  return { en: metricLabelIn(display, EN), zh: metricLabelIn(display, ZH), both: metricLabelIn(display, BOTH), unit: metricUnitIn(display, EN) };
}

describe('metric display defaults (no meta)', () => {
  it('names common ids for people, with the unit the id implies, never the id in capitals', () => {
    expect(label('battery_soc')).toMatchObject({ en: 'Battery', zh: '电量', unit: '%' });
    expect(label('pm25')).toMatchObject({ en: 'PM2.5', unit: 'µg/m³' });
    expect(label('co2')).toMatchObject({ en: 'CO₂', zh: '二氧化碳', unit: 'ppm' });
    expect(label('j1_temp')).toMatchObject({ en: 'J1 temp', zh: 'J1 温度' });
    expect(label('gripper_closed')).toMatchObject({ en: 'Gripper closed', zh: '夹爪关闭' });
    expect(label('power_kw')).toMatchObject({ en: 'Power', zh: '功率', unit: 'kW' });
    expect(label('energy_kwh')).toMatchObject({ en: 'Energy', unit: 'kWh' });
    expect(label('heading_deg')).toMatchObject({ en: 'Heading', zh: '航向', unit: '°' });
    expect(label('heading')).toMatchObject({ en: 'Heading', unit: '°' });
    expect(label('speed_kmh')).toMatchObject({ en: 'Speed', zh: '速度', unit: 'km/h' });
    expect(label('torque_nm')).toMatchObject({ en: 'Torque', unit: 'N·m' });
    expect(label('lap_count')).toMatchObject({ en: 'Laps', zh: '圈数' });
    expect(label('pos_x')).toMatchObject({ en: 'Position X', zh: '位置 X' });
    expect(label('temperature')).toMatchObject({ en: 'Temperature', zh: '温度' });
    expect(label('humidity')).toMatchObject({ en: 'Humidity', zh: '湿度', unit: '%' });
    expect(label('rssi')).toMatchObject({ en: 'Signal', zh: '信号强度', unit: 'dBm' });
    expect(label('batterySoc')).toMatchObject({ en: 'Battery' });
    expect(label('door_open')).toMatchObject({ en: 'Door open', zh: '门已打开' });
    expect(label('relay1')).toMatchObject({ en: 'Relay 1', zh: '继电器 1' });
    expect(label('switch_0')).toMatchObject({ en: 'Switch 0', zh: '开关 0' });
    expect(resolveMetricDisplay('switch_0').booleanWords).toBe('on-off');
    for (const id of ['power_kw', 'battery_soc', 'pm25', 'cycle_count', 'some_unknown_thing']) {
      expect(label(id).en).not.toBe(id.toUpperCase());
      expect(label(id).en).not.toContain('_');
    }
  });

  it('keeps an unknown id readable in English and shows that English on a Chinese wall', () => {
    expect(label('spindle_wobble')).toMatchObject({ en: 'Spindle wobble', zh: 'Spindle wobble', both: 'Spindle wobble' });
  });

  it('writes booleans as On/Off for things that are switched, Yes/No for conditions, in each language', () => {
    const relay = resolveMetricDisplay('relay');
    const fault = resolveMetricDisplay('fault');
    expect(metricValueIn(relay, true, EN, plain)).toBe('On');
    expect(metricValueIn(relay, false, ZH, plain)).toBe('关');
    expect(metricValueIn(fault, true, EN, plain)).toBe('Yes');
    expect(metricValueIn(fault, false, ZH, plain)).toBe('否');
    expect(metricValueIn(fault, true, BOTH, plain)).toBe('Yes · 是');
    expect(formatReading(1, 'boolean', new WallText('zh'), new WallText('zh').metric('pump', {}))).toBe('开');
  });

  it('gives angles a 0–360 axis, and chart rows take it (not an auto-scaled 0–600)', () => {
    const heading = resolveMetricDisplay('heading_deg', { units: { heading_deg: '°' }, expected: { heading_deg: { min: 0, max: 360 } } });
    expect(heading.axis).toEqual({ min: 0, max: 360, interval: 90 });
    expect(resolveMetricDisplay('temperature', { units: { temperature: '°C' } }).axis).toBeUndefined();
    const text = new WallText('en');
    const row: ChartRow = { metric: 'heading_deg', kind: 'number', color: '#fff', ...chartWords(heading, 'number', text) };
    const layout = buildChartLayout([row], { min: 0, max: 1 }, [], 16);
    expect(layout.yAxis).toMatchObject([{ min: 0, max: 360 }]);
    expect(gaugeScale({ min: 0, max: 360 }, heading.axis)).toMatchObject({ min: 0, max: 360, splitNumber: 4 });
  });
});

describe('metric display precedence', () => {
  const meta: DeviceMeta = {
    units: { soc: '%', state: 'code' },
    display: {
      soc: { label: { en: 'Charge', zh: '电量' }, unit: 'pct', decimals: 1, order: 2 },
      state: { valueMap: { '0': 'Idle', '1': { en: 'Charging', zh: '充电中' } } },
      fan: { label: { en: 'Cooling fan' } },
    },
  };

  it('takes the device meta over the defaults, and meta.display.unit over meta.units', () => {
    expect(label('soc', meta)).toMatchObject({ en: 'Charge', zh: '电量', unit: 'pct' });
    expect(resolveMetricDisplay('soc', meta).order).toBe(2);
  });

  it('takes the booth override over the device meta, field by field', () => {
    const overrides: MetricDisplayOverrides = { soc: { label: { en: 'Battery', zh: '电池' } } };
    expect(label('soc', meta, overrides)).toMatchObject({ en: 'Battery', zh: '电池', unit: 'pct' });
    expect(resolveMetricDisplay('soc', meta, overrides).decimals).toBe(1);
    expect(resolveMetricDisplay('soc', meta, { soc: { unit: '%', decimals: 0 } })).toMatchObject({ unit: { en: '%' }, decimals: 0 });
  });

  it('falls back to the English label on a Chinese wall when a device gives only English', () => {
    expect(label('fan', meta)).toMatchObject({ en: 'Cooling fan', zh: 'Cooling fan', both: 'Cooling fan' });
    expect(label('fan', { display: { fan: { label: { zh: '冷却风扇' } } } })).toMatchObject({ en: '冷却风扇', zh: '冷却风扇' });
    // A plain string is every language's.
    expect(label('fan', { display: { fan: { label: 'Lüfter' } } })).toMatchObject({ en: 'Lüfter', zh: 'Lüfter' });
  });

  it('writes coded values as their words, and numbers with the decimals asked for', () => {
    const state = resolveMetricDisplay('state', meta);
    expect(metricValueIn(state, 0, EN, plain)).toBe('Idle');
    expect(metricValueIn(state, 1, ZH, plain)).toBe('充电中');
    expect(metricValueIn(state, 1, BOTH, plain)).toBe('Charging · 充电中');
    expect(metricValueIn(state, 7, EN, plain)).toBe('7');
    const text = new WallText('zh');
    expect(formatReading(42, 'number', text, text.metric('soc', meta))).toBe('42.0');
    expect(formatReading(0, 'number', text, text.metric('state', meta))).toBe('Idle');
  });

  it('maps booleans through a value map written with true/false or 1/0', () => {
    const door = resolveMetricDisplay('door', { display: { door: { valueMap: { true: { en: 'Open', zh: '开启' }, '0': { en: 'Shut', zh: '关闭' } } } } });
    expect(metricValueIn(door, true, ZH, plain)).toBe('开启');
    expect(metricValueIn(door, false, EN, plain)).toBe('Shut');
  });

  it('orders metrics by display order, the rest after in their first-seen order', () => {
    const orders = new Map([
      ['c', 1],
      ['a', 0],
    ]);
    expect(sortByDisplayOrder(['x', 'c', 'y', 'a'], (m) => orders.get(m))).toEqual(['a', 'c', 'x', 'y']);
  });
});

describe('metric names are data', () => {
  it('resolves __proto__, constructor and toString like any other id', () => {
    for (const id of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      const display = resolveMetricDisplay(
        id,
        { units: {}, display: Object.create(null) as DeviceMeta['display'] },
        Object.create(null) as MetricDisplayOverrides,
      );
      expect(typeof metricLabelIn(display, EN)).toBe('string');
      expect(metricUnitIn(display, EN)).toBe('');
      expect(display.valueWords.size).toBe(0);
    }
  });

  it('uses a display a device announces for a metric called __proto__ or constructor, and nothing inherited', () => {
    const meta = metaAsData(JSON.parse('{"display":{"__proto__":{"label":"Prototype"},"constructor":{"unit":"x"}}}'));
    expect(label('__proto__', meta).en).toBe('Prototype');
    expect(label('constructor', meta).unit).toBe('x');
    expect(label('toString', meta).en).toBe('To string');
    const overrides = JSON.parse('{"constructor":{"label":{"en":"Builder","zh":"构造"}}}') as MetricDisplayOverrides;
    expect(label('constructor', meta, overrides)).toMatchObject({ en: 'Builder', zh: '构造', unit: 'x' });
    const state = resolveMetricDisplay('state', { display: { state: { valueMap: JSON.parse('{"__proto__":"Odd","0":"Idle"}') as Record<string, string> } } });
    expect(metricValueIn(state, 0, EN, plain)).toBe('Idle');
  });

  it('keeps the memo of defaults bounded whatever ids devices invent', () => {
    for (let i = 0; i < MAX_MEMOISED_DEFAULTS + 50; i++) resolveMetricDisplay(`made_up_${i}`);
    expect(memoisedDefaults()).toBeLessThanOrEqual(MAX_MEMOISED_DEFAULTS);
  });
});

describe('reading a metric display from outside', () => {
  const clean = (text: string, max: number) => text.trim().slice(0, max);

  it('accepts the documented fields and ignores unknown ones', () => {
    expect(
      readMetricDisplay({ label: { en: 'Battery', zh: '电池' }, unit: '%', decimals: 0, order: 1, valueMap: { '0': 'Idle' }, colour: 'red' }, clean),
    ).toEqual({
      label: { en: 'Battery', zh: '电池' },
      unit: '%',
      decimals: 0,
      order: 1,
      valueMap: { '0': 'Idle' },
    });
  });

  it('says what is wrong and where', () => {
    expect(readMetricDisplay({ label: { zh: 5 } }, clean)).toBe('label.zh: must be text');
    expect(readMetricDisplay({ decimals: 2.5 }, clean)).toMatch(/^decimals: must be a whole number/);
    expect(readMetricDisplay({ decimals: 99 }, clean)).toMatch(/^decimals/);
    expect(readMetricDisplay({ valueMap: { '1': {} } }, clean)).toBe('valueMap.1: needs en, zh or both');
    expect(readMetricDisplay('Battery', clean)).toMatch(/must be an object/);
    expect(readMetricDisplay({ valueMap: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [String(i), 'x'])) }, clean)).toMatch(/at most 32/);
  });

  it('drops a bad entry in a page rather than the whole meta', () => {
    const meta = metaAsData({ name: 'Car', display: { soc: { decimals: -1 }, speed: { label: 'Velocity' } } });
    expect(meta.name).toBe('Car');
    expect(label('speed', meta).en).toBe('Velocity');
    expect(label('soc', meta).en).toBe('Battery');
  });
});

describe('the console and the alarm strip use the same names', () => {
  it('names metrics and writes values in the console as the walls do, in English', async () => {
    const { consoleMetricLabel, consoleMetricUnit, formatMetricValue } = await import('../../web/console/format');
    const meta: DeviceMeta = { display: { state: { valueMap: { '1': { en: 'Charging', zh: '充电中' } } }, soc: { decimals: 1 } } };
    expect(consoleMetricLabel('battery_soc', undefined)).toBe('Battery');
    expect(consoleMetricUnit('power_kw', undefined)).toBe('kW');
    expect(formatMetricValue('state', meta, 1)).toBe('Charging');
    expect(formatMetricValue('soc', meta, 42)).toBe('42.0');
    expect(formatMetricValue('relay', undefined, true)).toBe('On');
  });

  it('gives the alarm strip grouped alarm words in the wall language', () => {
    const co2 = resolveMetricDisplay('co2');
    expect(new WallText('en').alarmSummary('high', 3, co2)).toBe('CO₂ high at 3 devices');
    expect(new WallText('en').alarmSummary('low', 1, co2)).toBe('CO₂ low');
    expect(new WallText('zh').alarmSummary('high', 3, co2)).toBe('3 台设备二氧化碳偏高');
    expect(new WallText('zh').alarmSummary('offline', 28)).toBe('28 台设备离线');
    expect(new WallText('both').alarmSummary('offline', 28)).toBe('28 devices offline · 28 台设备离线');
  });
});
