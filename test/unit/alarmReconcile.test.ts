/**
 * The alarm engine's parts for issue 13: the server's own alarm (storage behind), technician only
 * and kept across a restart, and reconcile(), which applies the alarm rows an earlier run wrote while
 * InfluxDB was down once the spool's replay brings them, after the restore.
 */
import { describe, expect, it } from 'vitest';
import type { DevicePublish } from '../../broker/brokerEvents';
import type { Alarm, DegradedReason } from '../../contract/console';
import { SERVER_ALARM_BOOTH } from '../../contract/console';
import { AlarmEngine, alarmLimitsFor, DEFAULT_ALARM_LIMITS, type AlarmChange, type AlarmDevice, type AlarmLimits } from '../../server/alarms/AlarmEngine';
import { AlarmLog, alarmEventLine } from '../../server/alarms/AlarmLog';
import { STORAGE_BACKLOG_CLEAR_AFTER_MS, StorageBacklogAlarm } from '../../server/alarms/StorageBacklogAlarm';
import type { OfflineRule, ThresholdRule } from '../../server/config/consoleSettings';
import type { InfluxStore } from '../../server/store/InfluxStore';

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

function fixture(limits: AlarmLimits = DEFAULT_ALARM_LIMITS) {
  const devices = new Map<string, AlarmDevice>();
  for (const id of ['env', 'other'])
    devices.set(`a/${id}`, { booth: 'a', device: id, meta: { units: { co2: 'ppm' } }, state: 'online', stateSince: 0, stateReason: 'connect' });
  const engine = new AlarmEngine([CO2], { get: (b, d) => devices.get(`${b}/${d}`), records: () => devices.values() }, limits);
  const changes: AlarmChange[] = [];
  engine.onChange((c) => changes.push(c));
  const reconciled: string[][] = [];
  engine.onReconciled((booths) => reconciled.push([...booths]));
  const read = (device: string, co2: number, at: number) =>
    engine.message({} as DevicePublish, { kind: 'telemetry', booth: 'a', device, ts: at, values: { co2 } }, at);
  return { engine, changes, reconciled, read, devices };
}

const stored = (alarm: Alarm, change: Partial<Alarm>): Alarm => ({ ...alarm, ...change });

describe('the storage-backlog alarm', () => {
  it('is raised while StorageHealth says storage-backlog, once, for technicians only, and cleared when it recovers', () => {
    const { engine, changes } = fixture();
    const health = { reasons: [] as DegradedReason[] };
    const watch = new StorageBacklogAlarm({ reasons: () => health.reasons }, engine);
    watch.check(1_000);
    expect(engine.openCount).toBe(0);
    health.reasons = [
      { reason: 'influx-slow', detail: 'slow' },
      { reason: 'storage-backlog', detail: 'oldest reading not yet in InfluxDB is 45 s old (threshold 30 s); 900 waiting' },
    ];
    watch.check(2_000);
    watch.check(3_000);
    expect(engine.list()).toMatchObject([
      {
        id: `storage-backlog/${SERVER_ALARM_BOOTH}/storage`,
        booth: SERVER_ALARM_BOOTH,
        severity: 'warning',
        state: 'active',
        raisedAt: 2_000,
        message: 'Storage behind: oldest reading not yet in InfluxDB is 45 s old (threshold 30 s); 900 waiting',
      },
    ]);
    expect(engine.wallNotices(new Set(['a', SERVER_ALARM_BOOTH]))).toEqual([]);
    expect(engine.acknowledge(`storage-backlog/${SERVER_ALARM_BOOTH}/storage`, 'Ada', 3_500)).toBe('acknowledged');
    health.reasons = [{ reason: 'influx-slow', detail: 'slow' }];
    // Cleared once the backlog stayed under the threshold long enough, not on the first tick under it.
    for (let at = 4_000; at < 4_000 + STORAGE_BACKLOG_CLEAR_AFTER_MS; at += 1_000) watch.check(at);
    expect(engine.openCount).toBe(1);
    watch.check(4_000 + STORAGE_BACKLOG_CLEAR_AFTER_MS);
    expect(engine.openCount).toBe(0);
    expect(changes.map((c) => `${c.previous ?? 'none'}→${c.alarm.state}@${c.at}`)).toEqual([
      'none→active@2000',
      'active→acknowledged@3500',
      `acknowledged→cleared@${4_000 + STORAGE_BACKLOG_CLEAR_AFTER_MS}`,
    ]);
  });

  it('does not flap with a backlog hovering at the threshold: one raise, no clear while it keeps coming back', () => {
    const { engine, changes } = fixture();
    const behind: DegradedReason[] = [{ reason: 'storage-backlog', detail: '31 s old (threshold 30 s)' }];
    const watch = new StorageBacklogAlarm({ reasons: (now) => (now % 2_000 === 0 ? behind : []) }, engine);
    for (let at = 1_000; at <= 60_000; at += 1_000) watch.check(at);
    expect(changes.map((c) => `${c.previous ?? 'none'}→${c.alarm.state}@${c.at}`)).toEqual(['none→active@2000']);
    expect(engine.list()).toHaveLength(1);
  });

  it("is not counted in the booths' bound: a booth within its budget still raises while it is open", () => {
    // One booth, budget 1: the bound is exactly 1, which the server's alarm must not take.
    const { engine, read } = fixture(alarmLimitsFor(1, { maxOpenAlarmsPerBooth: 1, maxDevicesPerBooth: 10, thresholdRules: 1 }));
    engine.raiseServerAlarm('storage-backlog', 'storage', 'warning', 'Storage behind', 1_000);
    read('env', 1300, 2_000);
    expect(engine.get('co2-high/a/env')).toMatchObject({ state: 'active' });
    expect(engine.refusedRaises).toBe(0);
    // And restored alike after a restart.
    const second = fixture(alarmLimitsFor(1, { maxOpenAlarmsPerBooth: 1, maxDevicesPerBooth: 10, thresholdRules: 1 }));
    second.engine.restore(engine.list(), 5_000, () => true);
    expect(second.engine.openCount).toBe(2);
    expect(second.engine.refusedRaises).toBe(0);
  });

  it('is restored open as it was, not cleared as an alarm of an unknown rule or device', () => {
    const first = fixture();
    first.engine.raiseServerAlarm('storage-backlog', 'storage', 'warning', 'Storage behind', 1_000);
    first.engine.acknowledge(`storage-backlog/${SERVER_ALARM_BOOTH}/storage`, 'Ada', 1_500);
    const second = fixture();
    second.engine.restore(first.engine.list(), 5_000, () => false);
    expect(second.engine.list()).toMatchObject([{ booth: SERVER_ALARM_BOOTH, state: 'acknowledged', acknowledgedBy: 'Ada' }]);
    expect(second.changes).toEqual([]);
  });
});

describe('AlarmEngine.reconcile', () => {
  it('applies an acknowledgement and a clear made in the outage, quietly, and undoes nothing done since', () => {
    const { engine, changes, reconciled, read } = fixture();
    read('env', 1300, 1_000);
    read('other', 1300, 1_000);
    const [env, other] = [engine.get('co2-high/a/env')!, engine.get('co2-high/a/other')!].map((a) => ({ ...a }));
    changes.length = 0;
    // This run acknowledged `other` itself, later than the outage's clear of it would have been.
    engine.acknowledge('co2-high/a/other', 'Tom', 9_000);
    changes.length = 0;
    const { changed } = engine.reconcile(
      [
        stored(env!, { state: 'acknowledged', acknowledgedBy: 'Ada', acknowledgedAt: 2_000 }),
        stored(other!, { state: 'acknowledged', acknowledgedBy: 'Ada', acknowledgedAt: 2_000 }),
      ],
      10_000,
    );
    expect(changed).toBe(1);
    expect(engine.get('co2-high/a/env')).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'Ada', acknowledgedAt: 2_000 });
    expect(engine.get('co2-high/a/other')).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'Tom', acknowledgedAt: 9_000 });
    expect(engine.reconcile([stored(env!, { state: 'cleared', clearedAt: 3_000 })], 10_000).changed).toBe(1);
    expect(engine.get('co2-high/a/env')).toBeUndefined();
    expect(engine.list().find((a) => a.id === 'co2-high/a/env')).toMatchObject({ state: 'cleared', clearedAt: 3_000 });
    // Storage has these rows already: nothing announced, nothing written twice; but walls are told their booth changed.
    expect(changes).toEqual([]);
    expect(reconciled).toEqual([['a'], ['a']]);
  });

  it('never moves an alarm back, keeps a newer raise of this run, and takes in an alarm raised in the outage', () => {
    const { engine, reconciled, read } = fixture();
    read('env', 1300, 5_000);
    const current = { ...engine.get('co2-high/a/env')! };
    // An older raise, acknowledged in the outage: this run's raise is newer and stays as it is.
    expect(
      engine.reconcile([stored(current, { raisedAt: 1_000, key: 'co2-high/a/env@1000', state: 'acknowledged', acknowledgedBy: 'Ada' })], 6_000).changed,
    ).toBe(0);
    expect(engine.get('co2-high/a/env')).toMatchObject({ state: 'active', raisedAt: 5_000 });
    // The same raise stored as active (older row) does not undo an acknowledgement made here.
    engine.acknowledge('co2-high/a/env', 'Tom', 5_500);
    expect(engine.reconcile([current], 6_000).changed).toBe(0);
    expect(reconciled).toEqual([]);
    expect(engine.get('co2-high/a/env')).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'Tom' });
    // Raised in the outage, for a device the restore knows: taken in as restore() would.
    const outage = stored(current, { id: 'co2-high/a/other', key: 'co2-high/a/other@2000', device: 'other', raisedAt: 2_000, state: 'active' });
    expect(engine.reconcile([outage], 6_000, () => true)).toEqual({ changed: 1, booths: new Set(['a']) });
    expect(engine.get('co2-high/a/other')).toMatchObject({ state: 'active', raisedAt: 2_000 });
    expect(reconciled).toEqual([['a']]);
  });

  it('replaces an older raise of this run by a newer raise made in the outage', () => {
    const { engine, changes, read } = fixture();
    // R1: restored open from what InfluxDB had.
    read('env', 1300, 1_000);
    const r1 = { ...engine.get('co2-high/a/env')! };
    const second = fixture();
    second.engine.restore([r1], 5_000, () => true);
    // In the outage R1 cleared and R2 was raised and acknowledged: storage's latest row is R2's.
    const r2 = stored(r1, { key: 'co2-high/a/env@3000', raisedAt: 3_000, state: 'acknowledged', acknowledgedBy: 'Ada', acknowledgedAt: 3_500 });
    expect(second.engine.reconcile([r2], 6_000, () => true)).toEqual({ changed: 1, booths: new Set(['a']) });
    expect(second.engine.get('co2-high/a/env')).toMatchObject({ key: 'co2-high/a/env@3000', raisedAt: 3_000, state: 'acknowledged', acknowledgedBy: 'Ada' });
    expect(second.engine.openCountOf('a')).toBe(1);
    expect(second.changes).toEqual([]);
    expect(changes).toHaveLength(1);
  });

  it('leaves an alarm this run cleared as it forgot the device, when a stale row still says active', () => {
    const { engine, changes, reconciled, read, devices } = fixture();
    read('env', 1300, 1_000);
    const active = { ...engine.get('co2-high/a/env')! };
    // The technician's Forget: cleared with a note, not kept in the cleared list; the device is gone.
    engine.forgetDevice('a', 'env', 2_000, 'cleared: device forgotten by Ada');
    devices.delete('a/env');
    expect(engine.forgottenAlarms).toBe(1);
    changes.length = 0;
    // Storage's snapshot was read before the clear's row reached it.
    expect(engine.reconcile([active], 3_000, (b, d) => devices.has(`${b}/${d}`))).toEqual({ changed: 0, booths: new Set() });
    expect(engine.get('co2-high/a/env')).toBeUndefined();
    expect(engine.forgottenAlarms).toBe(1);
    expect(changes).toEqual([]);
    expect(reconciled).toEqual([]);
  });

  it('does not reopen it either when the forgotten device was heard again since, and remembers a bounded number of such clears', () => {
    const { engine, changes, read } = fixture({ ...DEFAULT_ALARM_LIMITS, maxCleared: 2 });
    read('env', 1300, 1_000);
    const active = { ...engine.get('co2-high/a/env')! };
    engine.forgetDevice('a', 'env', 2_000, 'cleared: device forgotten by Ada');
    changes.length = 0;
    // The device published again after its Forget: known, but this raise is over.
    expect(engine.reconcile([active], 3_000, () => true).changed).toBe(0);
    expect(engine.get('co2-high/a/env')).toBeUndefined();
    // Two more forgotten raises push the first out of the bound: then it is taken as any row would be.
    for (const at of [4_000, 6_000]) {
      read('other', 1300, at);
      engine.forgetDevice('a', 'other', at + 1, 'cleared: device forgotten by Ada');
    }
    expect(engine.reconcile([active], 7_000, () => true).changed).toBe(1);
    expect(changes.filter((c) => c.alarm.device === 'env')).toEqual([]);
  });

  it('does not clear or announce a stored alarm of a rule no longer configured', () => {
    const { engine, changes } = fixture();
    const gone: Alarm = {
      id: 'temp-high/a/env',
      key: 'temp-high/a/env@1000',
      rule: 'temp-high',
      severity: 'warning',
      booth: 'a',
      device: 'env',
      metric: 'temp',
      state: 'active',
      message: 'temp above 30',
      raisedAt: 1_000,
      value: 31,
      acknowledgedBy: null,
      acknowledgedAt: null,
      clearedAt: null,
    };
    expect(engine.reconcile([gone], 3_000, () => true).changed).toBe(0);
    expect(engine.openCount).toBe(0);
    expect(changes).toEqual([]);
  });
});

describe('alarms through InfluxDB rows', () => {
  /** The rows InfluxDB would give back for these alarms' lines: tags as the line wrote them, fields as stored. */
  function readBack(alarms: Alarm[]): Promise<Alarm[]> {
    const series = alarms.map((alarm) => {
      const line = alarmEventLine({ alarm, previous: null, at: alarm.raisedAt });
      const tags = Object.fromEntries(
        line
          .slice(0, line.indexOf(' '))
          .split(',')
          .slice(1)
          .map((pair) => pair.split('=') as [string, string]),
      );
      const { state, severity, message, raisedAt, metric, value, acknowledgedBy, acknowledgedAt, clearedAt } = alarm;
      const row = { time: raisedAt, state, severity, message, raisedAt, metric, value, acknowledgedBy, acknowledgedAt, clearedAt };
      return { name: 'alarm_events', tags, columns: Object.keys(row), values: [Object.values(row)] };
    });
    const store = { query: () => Promise.resolve({ series }) } as unknown as InfluxStore;
    return new AlarmLog(store).latest(Date.now());
  }

  it("keeps the server's own alarm as the server's, acknowledged, across a restart", async () => {
    const { engine } = fixture();
    const watch = new StorageBacklogAlarm({ reasons: () => [{ reason: 'storage-backlog', detail: 'behind' }] }, engine);
    const now = Date.now();
    watch.check(now);
    const [raised] = engine.list();
    engine.acknowledge(raised!.id, 'Ada', now + 1_000);
    const [back] = await readBack(engine.list());
    expect(back).toMatchObject({ id: raised!.id, booth: SERVER_ALARM_BOOTH, state: 'acknowledged', acknowledgedBy: 'Ada' });
    const next = fixture();
    next.engine.restore([back!], now + 2_000, () => true);
    expect(next.engine.get(raised!.id)).toMatchObject({ booth: SERVER_ALARM_BOOTH, state: 'acknowledged', acknowledgedBy: 'Ada' });
    expect(next.engine.list().filter((a) => a.state === 'cleared')).toEqual([]);
  });
});

describe('AlarmEngine.reconcile of offline alarms', () => {
  const OFFLINE: OfflineRule = { id: 'gone', severity: 'critical', kind: 'offline', offlineForSeconds: 60 };

  it('takes in an offline alarm from the outage only for a device that is still offline', () => {
    const devices = new Map<string, AlarmDevice>([
      ['a/back', { booth: 'a', device: 'back', meta: {}, state: 'online', stateSince: 9_000, stateReason: 'connect' }],
      ['a/away', { booth: 'a', device: 'away', meta: {}, state: 'offline', stateSince: 1_000, stateReason: 'keepalive-timeout' }],
    ]);
    const engine = new AlarmEngine([OFFLINE], { get: (b, d) => devices.get(`${b}/${d}`), records: () => devices.values() }, DEFAULT_ALARM_LIMITS);
    const row = (device: string): Alarm => ({
      id: `gone/a/${device}`,
      key: `gone/a/${device}@61000`,
      rule: 'gone',
      severity: 'critical',
      booth: 'a',
      device,
      metric: null,
      state: 'active',
      message: 'offline for more than 60 s (keepalive-timeout)',
      raisedAt: 61_000,
      value: null,
      acknowledgedBy: null,
      acknowledgedAt: null,
      clearedAt: null,
    });
    // `back` reconnected before the replay brought its row: nothing would ever clear the alarm.
    expect(engine.reconcile([row('back'), row('away')], 70_000, () => true).changed).toBe(1);
    expect(engine.get('gone/a/back')).toBeUndefined();
    expect(engine.get('gone/a/away')).toMatchObject({ state: 'active' });
  });
});
