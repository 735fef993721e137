import { describe, expect, it } from 'vitest';
import type { DevicePublish } from '../../broker/brokerEvents';
import type { HealthState } from '../../contract/console';
import { AlarmEngine, DEFAULT_ALARM_LIMITS, type AlarmChange, type AlarmDevice } from '../../server/alarms/AlarmEngine';
import { alarmEventLine } from '../../server/alarms/AlarmLog';
import { ThresholdWatch } from '../../server/alarms/ThresholdWatch';
import type { AlarmRule, ThresholdRule } from '../../server/config/consoleSettings';

const CO2: ThresholdRule = {
  id: 'co2-high',
  severity: 'warning',
  kind: 'threshold',
  metric: 'co2',
  direction: 'above',
  threshold: 1200,
  forSeconds: 2,
  clearAt: 1100,
};

describe('ThresholdWatch', () => {
  it('raises only after the value has been above the threshold for forSeconds, by reading or by tick', () => {
    const watch = new ThresholdWatch(CO2);
    expect(watch.reading(1300, 0, false)).toBeNull();
    expect(watch.reading(1250, 1_999, false)).toBeNull();
    expect(watch.reading(1250, 2_000, false)).toBe('raise');
    const sparse = new ThresholdWatch(CO2);
    sparse.reading(1300, 0, false);
    expect(sparse.tick(1_500, false)).toBeNull();
    expect(sparse.tick(2_000, false)).toBe('raise');
  });

  it('starts the duration again when a reading dips back to or below the threshold', () => {
    const watch = new ThresholdWatch(CO2);
    watch.reading(1300, 0, false);
    expect(watch.reading(1200, 1_000, false)).toBeNull();
    expect(watch.reading(1300, 2_500, false)).toBeNull();
    expect(watch.tick(4_000, false)).toBeNull();
    expect(watch.tick(4_500, false)).toBe('raise');
  });

  it('clears only once the value is at or below clearAt (hysteresis), and works the other way round for below', () => {
    const watch = new ThresholdWatch(CO2);
    expect(watch.reading(1150, 0, true)).toBeNull(); // under the threshold, above clearAt: stays
    expect(watch.reading(1101, 1, true)).toBeNull();
    expect(watch.reading(1100, 2, true)).toBe('clear');
    const low = new ThresholdWatch({ ...CO2, direction: 'below', threshold: 15, clearAt: 20, forSeconds: 0 });
    expect(low.reading(14, 0, false)).toBe('raise');
    expect(low.reading(18, 1, true)).toBeNull();
    expect(low.reading(20, 2, true)).toBe('clear');
  });
});

function fixture(rules: AlarmRule[], limits = DEFAULT_ALARM_LIMITS) {
  const devices = new Map<string, AlarmDevice>();
  const device = (booth: string, id: string, state: HealthState = 'online', stateSince = 0, kind?: string): AlarmDevice => {
    const record: AlarmDevice = {
      booth,
      device: id,
      meta: { units: { co2: 'ppm' }, ...(kind ? { kind } : {}) },
      state,
      stateSince,
      stateReason: state === 'offline' ? 'keepalive-timeout' : 'connect',
    };
    devices.set(`${booth}/${id}`, record);
    return record;
  };
  const engine = new AlarmEngine(rules, { get: (b, d) => devices.get(`${b}/${d}`), records: () => devices.values() }, limits);
  const changes: AlarmChange[] = [];
  engine.onChange((c) => changes.push(c));
  const read = (booth: string, id: string, values: Record<string, number>, at: number) =>
    engine.message({} as DevicePublish, { kind: 'telemetry', booth, device: id, ts: at, values }, at);
  return { engine, changes, device, read };
}

describe('AlarmEngine', () => {
  it('raises, acknowledges and clears a threshold alarm with a message in words, then raises it again as a new raise', () => {
    const { engine, changes, device, read } = fixture([CO2]);
    device('a', 'env');
    read('a', 'env', { co2: 1300 }, 0);
    read('a', 'env', { co2: 1350 }, 2_000);
    expect(engine.list()).toMatchObject([
      { id: 'co2-high/a/env', key: 'co2-high/a/env@2000', state: 'active', value: 1350, message: 'co2 above 1200 ppm for 2 s (1350 ppm)' },
    ]);
    expect(engine.acknowledge('co2-high/a/env', 'Mia', 2_500)).toBe('acknowledged');
    expect(engine.acknowledge('co2-high/a/env', 'Tom', 2_600)).toBe('already-acknowledged');
    read('a', 'env', { co2: 1150 }, 3_000); // between clearAt and the threshold: stays
    expect(engine.get('co2-high/a/env')).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'Mia', acknowledgedAt: 2_500 });
    read('a', 'env', { co2: 1000 }, 4_000);
    expect(engine.acknowledge('co2-high/a/env', 'Tom', 4_100)).toBe('cleared');
    read('a', 'env', { co2: 1300 }, 5_000);
    engine.tick(7_000);
    expect(changes.map((c) => `${c.previous ?? 'none'}→${c.alarm.state}`)).toEqual([
      'none→active',
      'active→acknowledged',
      'acknowledged→cleared',
      'none→active',
    ]);
    expect(engine.list().map((a) => [a.state, a.raisedAt])).toEqual([
      ['active', 7_000],
      ['cleared', 2_000],
    ]);
  });

  it('applies rules only to their booth, device and kind', () => {
    const { engine, device, read } = fixture([{ ...CO2, forSeconds: 0, booth: 'a', deviceKind: 'env-sensor' }]);
    device('a', 'env', 'online', 0, 'env-sensor');
    device('a', 'other', 'online', 0, 'robot');
    device('b', 'env', 'online', 0, 'env-sensor');
    for (const [booth, id] of [
      ['a', 'env'],
      ['a', 'other'],
      ['b', 'env'],
    ] as const)
      read(booth, id, { co2: 2000 }, 0);
    expect(engine.list().map((a) => a.id)).toEqual(['co2-high/a/env']);
    expect(engine.wallNotices(new Set(['b']))).toEqual([]);
    expect(engine.wallNotices(new Set(['a']))).toEqual([expect.objectContaining({ id: 'co2-high/a/env', state: 'active', value: 2000 })]);
  });

  it('raises an offline alarm once the device has been offline for the duration, and clears it when it is back online', () => {
    const { engine, device } = fixture([{ id: 'gone', severity: 'critical', kind: 'offline', offlineForSeconds: 5 }]);
    const record = device('a', 'env', 'offline', 1_000);
    engine.tick(5_999);
    expect(engine.openCount).toBe(0);
    engine.tick(6_000);
    expect(engine.list()).toMatchObject([
      { id: 'gone/a/env', severity: 'critical', metric: null, value: null, message: 'offline for more than 5 s (keepalive-timeout)' },
    ]);
    record.state = 'stale'; // unknown is not back
    engine.presenceChanged('a', 'env', 'stale', 7_000);
    expect(engine.openCount).toBe(1);
    record.state = 'online';
    engine.presenceChanged('a', 'env', 'online', 8_000);
    expect(engine.list()).toMatchObject([{ state: 'cleared', clearedAt: 8_000 }]);
  });

  it('holds at most maxOpen open alarms and counts the raises it refused', () => {
    const { engine, device, read } = fixture([{ ...CO2, forSeconds: 0 }], { ...DEFAULT_ALARM_LIMITS, maxOpen: 10_000 });
    for (let i = 0; i < 10_050; i++) {
      device('a', `d${i}`);
      read('a', `d${i}`, { co2: 2000 }, i);
    }
    expect(engine.openCount).toBe(10_000);
    expect(engine.refusedRaises).toBe(50);
  });

  it('keeps the most recent cleared alarms only, and forgets the oldest watch past its bound', () => {
    const { engine, device, read } = fixture([{ ...CO2, forSeconds: 0 }], { maxOpen: 100, maxOpenPerBooth: 100, maxCleared: 3, maxWatchesPerBooth: 4 });
    for (let i = 0; i < 6; i++) {
      device('a', `d${i}`);
      read('a', `d${i}`, { co2: 2000 }, i);
      read('a', `d${i}`, { co2: 1000 }, i + 100);
    }
    expect(engine.list().map((a) => a.device)).toEqual(['d5', 'd4', 'd3']);
    expect(engine.forgottenWatches).toBe(2);
  });

  it('restores stored alarms, clearing those whose rule is gone', () => {
    const { engine, changes } = fixture([CO2]);
    const base = {
      severity: 'warning' as const,
      booth: 'a',
      metric: 'co2',
      message: 'm',
      value: 1300,
      acknowledgedBy: null,
      acknowledgedAt: null,
      clearedAt: null,
    };
    engine.restore(
      [
        { ...base, id: 'co2-high/a/x', rule: 'co2-high', device: 'x', state: 'acknowledged', raisedAt: 10, acknowledgedBy: 'Mia', acknowledgedAt: 20 },
        { ...base, id: 'removed/a/x', rule: 'removed', device: 'x', state: 'active', raisedAt: 5 },
      ],
      1_000,
    );
    expect(engine.list().map((a) => [a.id, a.state])).toEqual([
      ['co2-high/a/x', 'acknowledged'],
      ['removed/a/x', 'cleared'],
    ]);
    expect(changes.map((c) => c.alarm.id)).toEqual(['removed/a/x']);
  });

  it('writes each transition as one alarm_events line, escaping text', () => {
    const line = alarmEventLine({
      at: 3_000,
      previous: 'active',
      alarm: {
        id: 'r/a/d',
        rule: 'r',
        severity: 'info',
        booth: 'a',
        device: 'd',
        metric: 't',
        state: 'acknowledged',
        message: 't above 1 "x" \\ y',
        raisedAt: 1_000,
        value: 2.5,
        acknowledgedBy: 'Ann "the" tech\n',
        acknowledgedAt: 3_000,
        clearedAt: null,
      },
    });
    expect(line).toBe(
      'alarm_events,rule=r,booth=a,device=d state="acknowledged",severity="info",message="t above 1 \\"x\\" \\\\ y",raisedAt=1000,metric="t",value=2.5,acknowledgedBy="Ann \\"the\\" tech ",acknowledgedAt=3000 3000',
    );
  });
});
