import { describe, expect, it } from 'vitest';
import { deviceMetricTitle, deviceName, freshnessNote, metricLabel, metricUnit } from '../../web/wall/panels/panelText';
import { WallText } from '../../web/wall/wallText';

describe('panel text', () => {
  const en = new WallText('en');

  it('names a device by its meta name, else its id', () => {
    expect(deviceName({ device: 'car-1', meta: { name: ' Connected car ' } })).toBe('Connected car');
    expect(deviceName({ device: 'car-1', meta: { name: '   ' } })).toBe('car-1');
    expect(deviceName({ device: 'car-1', meta: {} })).toBe('car-1');
  });

  it('builds a default title from device and metric', () => {
    // Named for people (web/shared/metricDisplay.ts), never the id with spaces or in capitals.
    expect(metricLabel('speed_kmh')).toBe('Speed');
    expect(deviceMetricTitle('Connected car', 'battery_soc')).toBe('Connected car · Battery');
    expect(deviceMetricTitle('Connected car', 'battery_soc', new WallText('zh'))).toBe('Connected car · 电量');
  });

  it('reads units from meta, blank when none', () => {
    expect(metricUnit({ meta: { units: { t: ' °C ' } } }, 't')).toBe('°C');
    expect(metricUnit({ meta: {} }, 't')).toBe('');
  });

  it('says nothing while live, and what is wrong and how old the value is otherwise', () => {
    expect(freshnessNote('live', 1000, en)).toBe('');
    expect(freshnessNote('stale', 120_000, en)).toBe('Stale · last update 2 min ago');
    expect(freshnessNote('offline', 3_600_000, en)).toBe('Offline · last update 1 h ago');
    expect(freshnessNote('no-data', null, en)).toBe('No data');
    expect(freshnessNote('stale', 120_000, new WallText('zh'))).toBe('数据过时 · 最后更新 2 分钟前');
  });
});
