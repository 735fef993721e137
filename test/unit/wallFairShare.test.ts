/**
 * Issue 9, item 7: an all-booths wall shares its places between booths. Booth A inventing device
 * ids (or kinds, or alarms) must not push booth B's device, tile or alarm off the wall.
 */
import { describe, expect, it } from 'vitest';
import type { WallAlarmNotice } from '../../contract/console';
import type { DeviceWindow, Frame, Snapshot } from '../../contract/live';
import { buildAutoScenes, MAX_AUTO_KIND_SCENES } from '../../web/wall/autoScenes';
import { fairShare, shareQuotas } from '../../web/wall/fairShare';
import { alarmsToShow, collectRangeAlarms, type WallAlarm } from '../../web/wall/panels/rangeAlarms';
import { MAX_SERVER_ALARMS, serverAlarmItems } from '../../web/wall/panels/serverAlarms';
import { WallModel } from '../../web/wall/WallModel';
import { WallText } from '../../web/wall/wallText';

const T0 = 1_700_000_000_000;
const WINDOW = 60_000;
const BOOTHS = [
  { id: 'booth-a', name: 'A' },
  { id: 'booth-b', name: 'B' },
];

function window(booth: string, device: string, lastSeen: number, overrides: Partial<DeviceWindow> = {}): DeviceWindow {
  return { booth, device, meta: {}, presence: { state: 'online', since: T0 - 1000, reason: 'status' }, lastSeen, latest: {}, series: [], ...overrides };
}

/** Booth B's fridge, out of its range: the device and the alarm that must survive A's flood. */
const fridgeB = window('booth-b', 'fridge', T0 - 5000, {
  meta: { name: 'Fridge B', units: { temperature: '°C' }, expected: { temperature: { max: 8 } } },
  latest: { temperature: 12 },
});

function snapshot(devices: DeviceWindow[]): Snapshot {
  return { serverTime: T0, windowMs: WINDOW, booths: BOOTHS, devices };
}

function floodFrame(second: number, count: number): Frame {
  const serverTime = T0 + second * 1000;
  const readings = Array.from({ length: count }, (_, i) => ({ booth: 'booth-a', device: `flood-${second}-${i}`, ts: serverTime, values: { temperature: 99 } }));
  const devices = readings.slice(0, 20).map((r) => ({ ...window('booth-a', r.device, serverTime), meta: { expected: { temperature: { max: 1 } } } }));
  return { booth: 'booth-a', serverTime, readings, devices };
}

describe('shareQuotas and fairShare', () => {
  it('give every booth an equal share, and what one booth does not need to the others', () => {
    expect(
      shareQuotas(
        new Map([
          ['a', 1000],
          ['b', 1],
        ]),
        200,
      ),
    ).toEqual(
      new Map([
        ['a', 199],
        ['b', 1],
      ]),
    );
    expect(
      shareQuotas(
        new Map([
          ['a', 1000],
          ['b', 1000],
        ]),
        200,
      ),
    ).toEqual(
      new Map([
        ['a', 100],
        ['b', 100],
      ]),
    );
    expect(
      shareQuotas(
        new Map([
          ['a', 5],
          ['b', 3],
          ['c', 100],
        ]),
        12,
      ),
    ).toEqual(
      new Map([
        ['a', 5],
        ['b', 3],
        ['c', 4],
      ]),
    );
    expect(shareQuotas(new Map([['a', 5]]), 0)).toEqual(new Map([['a', 0]]));
  });

  it('keeps the given order and the first items of each booth', () => {
    const items = [...Array.from({ length: 10 }, (_, i) => `a${i}`), 'b0', 'b1'];
    expect(fairShare(items, 4, (item) => item[0] ?? '')).toEqual(['a0', 'a1', 'b0', 'b1']);
    expect(fairShare(items, 100, (item) => item[0] ?? '')).toEqual(items);
  });
});

describe('WallModel under another booth’s flood of new device ids', () => {
  it('keeps booth B’s device and its range alarm while booth A invents 1,000 ids a second for 10 s', () => {
    const model = new WallModel({ windowMs: WINDOW, maxDevices: 50 });
    model.applySnapshot(snapshot([fridgeB, window('booth-a', 'robot', T0 - 1000)]), T0);
    for (let second = 1; second <= 10; second++) {
      model.applyFrame(floodFrame(second, 1000), T0 + second * 1000);
      expect(model.device('booth-b/fridge')?.meta.name).toBe('Fridge B');
      expect(model.size).toBeLessThanOrEqual(50);
    }
    expect(model.devicesPerBooth()).toEqual(
      new Map([
        ['booth-b', 1],
        ['booth-a', 49],
      ]),
    );
    expect(collectRangeAlarms(model).some((alarm) => alarm.key === 'range:booth-b/fridge:temperature')).toBe(true);
  });

  it('gives booth B room for new devices up to half the wall, taken from A', () => {
    const model = new WallModel({ windowMs: WINDOW, maxDevices: 20 });
    model.applySnapshot(snapshot([]), T0);
    model.applyFrame(floodFrame(1, 100), T0 + 1000);
    const readings = Array.from({ length: 30 }, (_, i) => ({ booth: 'booth-b', device: `b${i}`, ts: T0 + 1500, values: { t: 1 } }));
    model.applyFrame({ booth: 'booth-b', serverTime: T0 + 1500, readings, devices: [] }, T0 + 1500);
    expect(model.devicesPerBooth()).toEqual(
      new Map([
        ['booth-a', 10],
        ['booth-b', 10],
      ]),
    );
  });

  it('stays within its bound however many booths send, keeping the newest device of each', () => {
    const model = new WallModel({ windowMs: WINDOW, maxDevices: 30 });
    model.applySnapshot(snapshot([]), T0);
    for (let booth = 0; booth < 300; booth++) {
      const serverTime = T0 + booth;
      model.applyFrame(
        { booth: `booth-${booth}`, serverTime, readings: [{ booth: `booth-${booth}`, device: 'd', ts: serverTime, values: { t: 1 } }], devices: [] },
        serverTime,
      );
      expect(model.size).toBeLessThanOrEqual(30);
    }
    expect(model.size).toBe(30);
    // Equal shares: the stalest devices went, so the 30 newest booths remain.
    expect([...model.devicesPerBooth().keys()].sort()).toEqual(Array.from({ length: 30 }, (_, i) => `booth-${270 + i}`).sort());
  });

  it('shares a snapshot that holds more devices than it may keep', () => {
    const model = new WallModel({ windowMs: WINDOW, maxDevices: 10 });
    const flood = Array.from({ length: 500 }, (_, i) => window('booth-a', `f${i}`, T0 - i));
    model.applySnapshot(snapshot([...flood, fridgeB, window('booth-b', 'old', T0 - 3_000_000)]), T0);
    expect(model.devicesPerBooth()).toEqual(
      new Map([
        ['booth-a', 8],
        ['booth-b', 2],
      ]),
    );
    expect(model.device('booth-a/f0')).toBeDefined();
    expect(model.device('booth-a/f499')).toBeUndefined();
  });
});

describe('alarm places shared between booths', () => {
  const alarm = (booth: string, n: number, severity: WallAlarm['severity'] = 'critical'): WallAlarm => ({
    key: `${booth}:${n}`,
    severity,
    booth,
    deviceName: `${booth}-${n}`,
    metric: 'co2',
    text: 'high',
    since: T0 + n,
  });

  it('the strip shows booth B’s warning among booth A’s many critical alarms', () => {
    const alarms = [...Array.from({ length: 50 }, (_, n) => alarm('booth-a', n)), alarm('booth-b', 0, 'warning')];
    const shown = alarmsToShow(alarms, 6);
    expect(shown).toHaveLength(6);
    expect(shown.filter((a) => a.booth === 'booth-b')).toHaveLength(1);
    // Strip order is kept: critical first.
    expect(shown[5]?.booth).toBe('booth-b');
  });

  it('the server list keeps booth B’s alarm past booth A’s thousands', () => {
    const notice = (booth: string, n: number): WallAlarmNotice => ({
      id: `co2/${booth}/d${n}`,
      severity: 'critical',
      booth,
      device: `d${n}`,
      metric: 'co2',
      state: 'active',
      message: 'co2 high',
      raisedAt: n,
      value: 2000,
    });
    const notices = [...Array.from({ length: 5000 }, (_, n) => notice('booth-a', n)), notice('booth-b', 1)];
    const items = serverAlarmItems(notices, new WallModel({ windowMs: WINDOW }), new WallText('en'));
    expect(items).toHaveLength(MAX_SERVER_ALARMS);
    expect(items.some((item) => item.booth === 'booth-b')).toBe(true);
  });
});

describe('automatic kind scenes shared between booths', () => {
  it('booth B’s kind keeps its scene when booth A invents many kinds that sort first', () => {
    const device = (booth: string, kind: string) => ({ booth, meta: { kind }, metrics: new Map() });
    const devices = [...Array.from({ length: 30 }, (_, i) => device('booth-a', `a-kind-${String(i).padStart(2, '0')}`)), device('booth-b', 'zz-fridge')];
    const ids = buildAutoScenes(devices as never).map((scene) => scene.id);
    expect(ids).toContain('kind-zz-fridge');
    expect(ids.filter((id) => id.startsWith('kind-'))).toHaveLength(MAX_AUTO_KIND_SCENES);
  });
});
