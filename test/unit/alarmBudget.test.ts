/**
 * The alarm engine's per-booth budgets: a booth's open alarms and watches are bounded per booth, its
 * refusals counted against it, the server-wide bound out of any one booth's reach, and a forgotten
 * device's alarms and watches gone with it (live and at restore).
 */
import { describe, expect, it } from 'vitest';
import type { DevicePublish } from '../../broker/brokerEvents';
import type { Alarm } from '../../contract/console';
import { AlarmEngine, alarmLimitsFor, FORGOTTEN_DEVICE_NOTE, type AlarmChange, type AlarmDevice, type AlarmLimits } from '../../server/alarms/AlarmEngine';
import { BudgetRefusals } from '../../server/budgets/BudgetRefusals';
import type { ThresholdRule } from '../../server/config/consoleSettings';

const CO2: ThresholdRule = {
  id: 'co2-high',
  severity: 'warning',
  kind: 'threshold',
  metric: 'co2',
  direction: 'above',
  threshold: 1200,
  forSeconds: 0,
  clearAt: 1100,
};

function fixture(limits: AlarmLimits, rule: ThresholdRule = CO2) {
  const devices = new Map<string, AlarmDevice>();
  const refusals = new BudgetRefusals(['a', 'b']);
  const engine = new AlarmEngine([rule], { get: (b, d) => devices.get(`${b}/${d}`), records: () => devices.values() }, limits, refusals);
  const changes: AlarmChange[] = [];
  engine.onChange((c) => changes.push(c));
  const read = (booth: string, device: string, co2: number, at: number) => {
    if (!devices.has(`${booth}/${device}`))
      devices.set(`${booth}/${device}`, { booth, device, meta: {}, state: 'online', stateSince: 0, stateReason: 'connect' });
    engine.message({} as DevicePublish, { kind: 'telemetry', booth, device, ts: at, values: { co2 } }, at);
  };
  const forget = (booth: string, device: string, at: number) => {
    devices.delete(`${booth}/${device}`);
    engine.forgetDevice(booth, device, at);
  };
  return { engine, refusals, changes, read, forget };
}

const TWO_BOOTHS = alarmLimitsFor(2, { maxOpenAlarmsPerBooth: 10, maxDevicesPerBooth: 500, thresholdRules: 1 });

describe('AlarmEngine per-booth budget', () => {
  it('sizes the server-wide bound from booths × the per-booth budget', () => {
    expect(TWO_BOOTHS).toMatchObject({ maxOpen: 20, maxOpenPerBooth: 10, maxWatchesPerBooth: 500 });
    expect(alarmLimitsFor(500, { maxOpenAlarmsPerBooth: 500, maxDevicesPerBooth: 500, thresholdRules: 3 })).toMatchObject({
      maxOpen: 250_000,
      maxWatchesPerBooth: 1500,
    });
  });

  it("refuses a booth's raises past its budget, counted against it, while another booth still raises", () => {
    const { engine, refusals, read } = fixture(TWO_BOOTHS);
    for (let i = 0; i < 100; i++) read('a', `flood-${i}`, 2000, i);
    expect(engine.openCountOf('a')).toBe(10);
    expect(refusals.forBooth('a').get('open-alarms-budget')).toBe(90);
    read('b', 'env', 1500, 200);
    expect(engine.get('co2-high/b/env')).toMatchObject({ state: 'active', booth: 'b' });
    expect(engine.openCountOf('b')).toBe(1);
    expect(refusals.forBooth('b').size).toBe(0);
    // b can use its whole budget with a at its own: the global bound is never what refuses.
    for (let i = 0; i < 20; i++) read('b', `env-${i}`, 1500, 300 + i);
    expect(engine.openCountOf('b')).toBe(10);
    expect(engine.openCount).toBe(20);
  });

  it('frees budget as alarms clear', () => {
    const { engine, read } = fixture(TWO_BOOTHS);
    for (let i = 0; i < 10; i++) read('a', `d${i}`, 2000, i);
    read('a', 'late', 2000, 20);
    expect(engine.get('co2-high/a/late')).toBeUndefined();
    read('a', 'd0', 1000, 30);
    read('a', 'late', 2000, 40);
    expect(engine.get('co2-high/a/late')).toMatchObject({ state: 'active' });
    expect(engine.openCountOf('a')).toBe(10);
  });

  it('keeps watches per booth: a flood of breaching devices in one booth never forgets another booth’s breach under way', () => {
    const rule = { ...CO2, forSeconds: 2 };
    const { engine, read } = fixture({ ...TWO_BOOTHS, maxWatchesPerBooth: 4 }, rule);
    read('b', 'env', 1500, 0);
    for (let i = 0; i < 100; i++) read('a', `flood-${i}`, 2000, i);
    expect(engine.forgottenWatches).toBe(96);
    engine.tick(2_500);
    expect(engine.get('co2-high/b/env')).toMatchObject({ state: 'active' });
  });
});

describe('AlarmEngine forgetting a device', () => {
  it('clears its open alarms (announced with the reason, not kept in the cleared list), frees its budget and drops its watches', () => {
    const { engine, changes, read, forget } = fixture(TWO_BOOTHS, { ...CO2, forSeconds: 0 });
    read('a', 'gone', 2000, 0);
    read('b', 'env', 2000, 0);
    forget('a', 'gone', 100);
    const last = changes.at(-1)!;
    expect(last).toMatchObject({ previous: 'active', at: 100, alarm: { id: 'co2-high/a/gone', state: 'cleared', clearedAt: 100 } });
    expect(last.alarm.message).toContain(FORGOTTEN_DEVICE_NOTE);
    expect(engine.openCountOf('a')).toBe(0);
    expect(engine.list().map((a) => a.id)).toEqual(['co2-high/b/env']);
    expect(engine.forgottenAlarms).toBe(1);
  });

  it('a breach under way does not raise once its device is forgotten', () => {
    const { engine, changes, read, forget } = fixture(TWO_BOOTHS, { ...CO2, forSeconds: 2 });
    read('a', 'gone', 2000, 0);
    forget('a', 'gone', 500);
    engine.tick(5_000);
    expect(changes).toEqual([]);
  });

  it('at restore, clears open alarms of devices no longer known, and holds the per-booth budget', () => {
    const { engine, changes, refusals } = fixture(TWO_BOOTHS);
    const stored = (booth: string, device: string, raisedAt: number): Alarm => ({
      id: `co2-high/${booth}/${device}`,
      rule: 'co2-high',
      severity: 'warning',
      booth,
      device,
      metric: 'co2',
      state: 'active',
      message: 'm',
      raisedAt,
      value: 2000,
      acknowledgedBy: null,
      acknowledgedAt: null,
      clearedAt: null,
    });
    const alarms = [stored('a', 'evicted', 1), stored('b', 'env', 2), ...Array.from({ length: 15 }, (_, i) => stored('a', `known-${i}`, 10 + i))];
    engine.restore(alarms, 1_000, (_booth, device) => device !== 'evicted');
    expect(engine.get('co2-high/a/evicted')).toBeUndefined();
    expect(changes.map((c) => `${c.alarm.id} ${c.alarm.state}`)).toEqual(['co2-high/a/evicted cleared']);
    expect(engine.openCountOf('a')).toBe(10);
    expect(refusals.forBooth('a').get('open-alarms-budget')).toBe(5);
    expect(engine.get('co2-high/b/env')).toMatchObject({ state: 'active' });
  });
});
