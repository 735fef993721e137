import { describe, expect, it } from 'vitest';
import { groupAlarms, groupText } from '../../web/wall/panels/alarmGroups';
import type { WallAlarm } from '../../web/wall/panels/rangeAlarms';
import { WallText } from '../../web/wall/wallText';

const offline = (n: number, booth = 'a'): WallAlarm => ({
  key: `server:gone/${booth}/dev-${n}@1`,
  severity: 'critical',
  booth,
  deviceName: `Device ${n}`,
  metric: '',
  text: 'offline for more than 30 s',
  since: n,
  condition: 'offline',
  deviceKey: `${booth}/dev-${n}`,
  detail: '',
});
const co2 = (device: string, key = `range:a/${device}:co2`): WallAlarm => ({
  key,
  severity: 'warning',
  booth: 'a',
  deviceName: device,
  metric: 'co2',
  text: '▲ High 1350 ppm',
  condition: 'high',
  deviceKey: `a/${device}`,
  detail: '1350 ppm',
});

describe('alarm groups on the public strip', () => {
  it('makes 28 offline devices one item that counts them, in en, zh and both', () => {
    const groups = groupAlarms(Array.from({ length: 28 }, (_, i) => offline(i)));
    expect(groups).toHaveLength(1);
    expect(groupText(groups[0]!, new WallText('en'), true)).toBe('28 devices offline');
    expect(groupText(groups[0]!, new WallText('zh'), true)).toBe('28 台设备离线');
    expect(groupText(groups[0]!, new WallText('both'), true)).toBe('28 devices offline · 28 台设备离线');
  });

  it('names one device and keeps its alarm key, so a steady alarm keeps its element', () => {
    const [group] = groupAlarms([co2('Lab 2')]);
    expect(group?.key).toBe('range:a/Lab 2:co2');
    expect(groupText(group!, new WallText('en'), false)).toBe('CO₂ high at Lab 2 · 1350 ppm');
    expect(groupText(group!, new WallText('zh'), false)).toBe('Lab 2 二氧化碳偏高 · 1350 ppm');
  });

  it('names a few devices while there is room and counts them when not; a device raised twice counts once', () => {
    const alarms = [co2('Lab 1'), co2('Lab 2'), co2('Lab 3'), co2('Lab 3', 'server:co2-high/a/Lab 3@5')];
    const [group] = groupAlarms(alarms);
    // Lab 3's range alarm is left out: the server's rule already raised that condition.
    expect(group?.alarms).toBe(3);
    expect(groupText(group!, new WallText('en'), true)).toBe('CO₂ high at Lab 1, Lab 2, Lab 3');
    expect(groupText(group!, new WallText('en'), false)).toBe('CO₂ high at 3 devices');
  });

  it('keeps acknowledged alarms apart from new ones, saying so', () => {
    const groups = groupAlarms([{ ...co2('Lab 1'), acknowledged: true }, { ...co2('Lab 2'), acknowledged: true }, co2('Lab 3')]);
    expect(groups.map((g) => groupText(g, new WallText('en'), false))).toEqual(['CO₂ high at 2 devices · acknowledged', 'CO₂ high at Lab 3 · 1350 ppm']);
  });

  it('shows a device once after "Acknowledge all": the server rule acknowledged, its range alarm left out', () => {
    const server = { ...co2('Sensor A', 'server:co2-high/a/Sensor A@5'), detail: 'acknowledged', acknowledged: true };
    const groups = groupAlarms([co2('Sensor A'), server]);
    expect(groups.map((g) => groupText(g, new WallText('en'), true))).toEqual(['CO₂ high at Sensor A · acknowledged']);
    // Another condition or metric of the same device, or another device, is not the server's to speak for.
    const low = { ...co2('Sensor A'), condition: 'low' as const, detail: '300 ppm' };
    const other = co2('Sensor B');
    expect(groupAlarms([low, server, other]).map((g) => groupText(g, new WallText('en'), true))).toEqual([
      'CO₂ low at Sensor A · 300 ppm',
      'CO₂ high at Sensor A · acknowledged',
      'CO₂ high at Sensor B · 1350 ppm',
    ]);
  });

  it('keeps booths apart, so one booth flooding alarms is one item and another booth keeps its own', () => {
    const groups = groupAlarms([...Array.from({ length: 500 }, (_, i) => offline(i, 'flood')), offline(1, 'quiet')]);
    expect(groups.map((g) => [g.booth, g.deviceNames.length])).toEqual([
      ['flood', 500],
      ['quiet', 1],
    ]);
  });
});
