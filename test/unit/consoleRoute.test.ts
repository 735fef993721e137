import { describe, expect, it } from 'vitest';
import { customRange, describeInterval, fromDateTimeLocal, historyPoints, historyUrl, presetRange, toDateTimeLocal } from '../../web/console/historyRange';
import { deviceHash, devicePath, parseRoute, routeHash } from '../../web/console/route';

describe('console routes', () => {
  it('reads every view from the hash, the table by default', () => {
    expect(parseRoute('')).toEqual({ view: 'devices' });
    expect(parseRoute('#/devices')).toEqual({ view: 'devices' });
    expect(parseRoute('#/alarms')).toEqual({ view: 'alarms' });
    expect(parseRoute('#/server')).toEqual({ view: 'server' });
    expect(parseRoute('#/device/hall-a/env-01')).toEqual({ view: 'device', booth: 'hall-a', device: 'env-01' });
    expect(parseRoute('#/nonsense')).toEqual({ view: 'devices' });
  });

  it('round-trips a device through its hash', () => {
    expect(parseRoute(deviceHash('hall-a', 'env_01'))).toEqual({ view: 'device', booth: 'hall-a', device: 'env_01' });
    expect(routeHash({ view: 'device', booth: 'b', device: 'd' })).toBe('#/device/b/d');
    expect(routeHash({ view: 'alarms' })).toBe('#/alarms');
  });

  it('refuses ids the contract does not allow, and broken escapes, falling back to the table', () => {
    expect(parseRoute('#/device/hall-a/<img>')).toEqual({ view: 'devices' });
    expect(parseRoute('#/device/hall-a/%E0%A4%A')).toEqual({ view: 'devices' });
    expect(parseRoute('#/device/hall-a')).toEqual({ view: 'devices' });
    expect(parseRoute('#/device/a/b/c')).toEqual({ view: 'devices' });
  });

  it('builds the detail path with encoded ids', () => {
    expect(devicePath('/api/console/devices', 'hall-a', 'env-01')).toBe('/api/console/devices/hall-a/env-01');
  });
});

describe('history ranges', () => {
  const now = Date.UTC(2026, 10, 21, 12, 0, 0);

  it('ends presets now and starts them their length before', () => {
    expect(presetRange('15m', now)).toEqual({ from: now - 900_000, to: now });
    expect(presetRange('1h', now)).toEqual({ from: now - 3_600_000, to: now });
    expect(presetRange('24h', now)).toEqual({ from: now - 86_400_000, to: now });
  });

  it('asks for one point per pixel of chart width, between 50 and 2000', () => {
    expect(historyPoints(812.4)).toBe(812);
    expect(historyPoints(0)).toBe(50);
    expect(historyPoints(3840)).toBe(2000);
    expect(historyPoints(Number.NaN)).toBe(50);
  });

  it('builds the history request with every parameter', () => {
    const url = new URL(historyUrl('hall-a', 'env-01', 'co2', { from: now - 3_600_000, to: now }, 800), 'http://x');
    expect(url.pathname).toBe('/api/console/history');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      booth: 'hall-a',
      device: 'env-01',
      metric: 'co2',
      from: String(now - 3_600_000),
      to: String(now),
      points: '800',
    });
  });

  it('reads custom ranges from datetime-local inputs in local time', () => {
    const from = new Date(2026, 10, 21, 9, 30).getTime();
    expect(toDateTimeLocal(from)).toBe('2026-11-21T09:30');
    expect(fromDateTimeLocal('2026-11-21T09:30')).toBe(from);
    expect(fromDateTimeLocal('2026-11-21T09:30:15')).toBe(from + 15_000);
    expect(fromDateTimeLocal('yesterday')).toBeNull();
    expect(customRange('2026-11-21T09:30', '2026-11-21T10:30')).toEqual({ from, to: from + 3_600_000 });
  });

  it('says why a custom range cannot be asked for', () => {
    expect(customRange('', '2026-11-21T10:30')).toEqual({ error: 'Choose a start time' });
    expect(customRange('2026-11-21T10:30', '')).toEqual({ error: 'Choose an end time' });
    expect(customRange('2026-11-21T10:30', '2026-11-21T10:30')).toEqual({ error: 'The start must be before the end' });
    expect(customRange('2024-01-01T00:00', '2026-11-21T10:30')).toEqual({ error: 'A range may span at most 366 days' });
  });

  it('describes the bucket width', () => {
    expect(describeInterval(500)).toBe('500 ms');
    expect(describeInterval(12_000)).toBe('12 s');
    expect(describeInterval(300_000)).toBe('5 min');
    expect(describeInterval(4 * 3_600_000)).toBe('4 h');
  });
});
