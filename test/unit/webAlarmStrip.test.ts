import { describe, expect, it } from 'vitest';
import { collectRangeAlarms, excursionStart, rangeSeverity, sortAlarms, type WallAlarm } from '../../web/wall/panels/rangeAlarms';
import { WallText } from '../../web/wall/wallText';
import { deviceWindow, modelOf, seriesOf, T0 } from './panelFixtures';

const fridgeMeta = { name: 'Fridge', units: { temperature: '°C' }, expected: { temperature: { min: 2, max: 8 }, door: { max: 0 } }, intervalMs: 1000 };

function fridge(device: string, temperatures: [number, number][], overrides = {}) {
  return deviceWindow(device, {
    meta: { ...fridgeMeta, name: `Fridge ${device}` },
    latest: { temperature: temperatures[temperatures.length - 1]?.[1] ?? 5, door: true },
    series: [
      { metric: 'temperature', ts: temperatures.map(([ts]) => ts), values: temperatures.map(([, v]) => v) },
      { metric: 'door', ts: [T0], values: [1] },
    ],
    ...overrides,
  });
}

describe('range alarms', () => {
  it('lists number readings outside their expected range with device, metric, value, unit and direction', () => {
    const model = modelOf([
      fridge('a', [
        [T0 - 2000, 5],
        [T0 - 1000, 9],
        [T0, 9.5],
      ]),
      fridge('b', [[T0, 5]]),
      fridge('c', [
        [T0 - 1000, 1.5],
        [T0, 1],
      ]),
    ]);
    const alarms = collectRangeAlarms(model);
    expect(alarms).toEqual([
      {
        key: 'range:b1/a:temperature',
        severity: 'critical',
        booth: 'b1',
        deviceName: 'Fridge a',
        metric: 'temperature',
        metricLabels: { en: 'Temperature', zh: '温度' },
        text: '▲ High 9.5 °C',
        since: T0 - 1000,
        condition: 'high',
        deviceKey: 'b1/a',
        detail: '9.5 °C',
      },
      {
        key: 'range:b1/c:temperature',
        severity: 'warning',
        booth: 'b1',
        deviceName: 'Fridge c',
        metric: 'temperature',
        metricLabels: { en: 'Temperature', zh: '温度' },
        text: '▼ Low 1 °C',
        since: T0 - 1000,
        condition: 'low',
        deviceKey: 'b1/c',
        detail: '1 °C',
      },
    ]);
  });

  it('ignores booleans and metrics without a range', () => {
    const model = modelOf([fridge('a', [[T0, 5]])]);
    expect(collectRangeAlarms(model)).toEqual([]);
  });

  it('marks alarms of devices that are not live with the age of their reading', () => {
    const model = modelOf([fridge('a', [[T0 - 120_000, 12]], { lastSeen: T0 - 120_000 })]);
    const [alarm] = collectRangeAlarms(model, new WallText('en'), T0);
    expect(alarm?.text).toBe('▲ High 12 °C · last update 2 min ago');
    expect(collectRangeAlarms(model, new WallText('zh'), T0)[0]?.text).toBe('▲ 偏高 12 °C · 最后更新 2 分钟前');
  });

  it('calls a reading critical when it is a quarter of the range or more outside', () => {
    expect(rangeSeverity(9.4, 'high', { min: 2, max: 8 })).toBe('warning');
    expect(rangeSeverity(9.5, 'high', { min: 2, max: 8 })).toBe('critical');
    expect(rangeSeverity(-1, 'low', { min: 0 })).toBe('critical');
    expect(rangeSeverity(-110, 'low', { min: -100 })).toBe('warning');
  });

  it('dates an alarm from when the reading last left the range', () => {
    const series = seriesOf([
      [1, 9],
      [2, 5],
      [3, 9],
      [4, 10],
    ]);
    expect(excursionStart(series, 'high', { max: 8 })).toBe(3);
    expect(
      excursionStart(
        seriesOf([
          [1, 9],
          [2, 5],
        ]),
        'high',
        { max: 8 },
      ),
    ).toBeUndefined();
  });

  it('sorts critical first, then newest, then by name', () => {
    const alarm = (key: string, severity: WallAlarm['severity'], since?: number): WallAlarm => ({
      key,
      severity,
      deviceName: key,
      metric: 'm',
      text: '',
      ...(since !== undefined ? { since } : {}),
    });
    const sorted = sortAlarms([alarm('w-old', 'warning', 1), alarm('w-none', 'warning'), alarm('c', 'critical', 1), alarm('w-new', 'warning', 5)]);
    expect(sorted.map((a) => a.key)).toEqual(['c', 'w-new', 'w-old', 'w-none']);
  });
});
