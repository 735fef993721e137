/**
 * The alarm engine's parts for issue 13: the server's own alarm (storage behind), technician only
 * and kept across a restart, and reconcile(), which applies the alarm rows an earlier run wrote while
 * InfluxDB was down once the spool's replay brings them, after the restore.
 */
import { describe, expect, it } from 'vitest';
import type { DevicePublish } from '../../broker/brokerEvents';
import type { Alarm, DegradedReason } from '../../contract/console';
import { SERVER_ALARM_BOOTH } from '../../contract/console';
import { AlarmEngine, type AlarmChange, type AlarmDevice } from '../../server/alarms/AlarmEngine';
import { StorageBacklogAlarm } from '../../server/alarms/StorageBacklogAlarm';
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

function fixture() {
  const devices = new Map<string, AlarmDevice>();
  for (const id of ['env', 'other'])
    devices.set(`a/${id}`, { booth: 'a', device: id, meta: { units: { co2: 'ppm' } }, state: 'online', stateSince: 0, stateReason: 'connect' });
  const engine = new AlarmEngine([CO2], { get: (b, d) => devices.get(`${b}/${d}`), records: () => devices.values() });
  const changes: AlarmChange[] = [];
  engine.onChange((c) => changes.push(c));
  const read = (device: string, co2: number, at: number) =>
    engine.message({} as DevicePublish, { kind: 'telemetry', booth: 'a', device, ts: at, values: { co2 } }, at);
  return { engine, changes, read };
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
    watch.check(4_000);
    expect(engine.openCount).toBe(0);
    expect(changes.map((c) => `${c.previous ?? 'none'}→${c.alarm.state}@${c.at}`)).toEqual([
      'none→active@2000',
      'active→acknowledged@3500',
      'acknowledged→cleared@4000',
    ]);
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
    const { engine, changes, read } = fixture();
    read('env', 1300, 1_000);
    read('other', 1300, 1_000);
    const [env, other] = [engine.get('co2-high/a/env')!, engine.get('co2-high/a/other')!].map((a) => ({ ...a }));
    changes.length = 0;
    // This run acknowledged `other` itself, later than the outage's clear of it would have been.
    engine.acknowledge('co2-high/a/other', 'Tom', 9_000);
    changes.length = 0;
    const changed = engine.reconcile(
      [
        stored(env!, { state: 'acknowledged', acknowledgedBy: 'Ada', acknowledgedAt: 2_000 }),
        stored(other!, { state: 'acknowledged', acknowledgedBy: 'Ada', acknowledgedAt: 2_000 }),
      ],
      10_000,
    );
    expect(changed).toBe(1);
    expect(engine.get('co2-high/a/env')).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'Ada', acknowledgedAt: 2_000 });
    expect(engine.get('co2-high/a/other')).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'Tom', acknowledgedAt: 9_000 });
    expect(engine.reconcile([stored(env!, { state: 'cleared', clearedAt: 3_000 })], 10_000)).toBe(1);
    expect(engine.get('co2-high/a/env')).toBeUndefined();
    expect(engine.list().find((a) => a.id === 'co2-high/a/env')).toMatchObject({ state: 'cleared', clearedAt: 3_000 });
    // Storage has these rows already: nothing announced, nothing written twice.
    expect(changes).toEqual([]);
  });

  it('never moves an alarm back, keeps a newer raise of this run, and takes in an alarm raised in the outage', () => {
    const { engine, read } = fixture();
    read('env', 1300, 5_000);
    const current = { ...engine.get('co2-high/a/env')! };
    // An older raise, acknowledged in the outage: this run's raise is newer and stays as it is.
    expect(engine.reconcile([stored(current, { raisedAt: 1_000, key: 'co2-high/a/env@1000', state: 'acknowledged', acknowledgedBy: 'Ada' })], 6_000)).toBe(0);
    expect(engine.get('co2-high/a/env')).toMatchObject({ state: 'active', raisedAt: 5_000 });
    // The same raise stored as active (older row) does not undo an acknowledgement made here.
    engine.acknowledge('co2-high/a/env', 'Tom', 5_500);
    expect(engine.reconcile([current], 6_000)).toBe(0);
    expect(engine.get('co2-high/a/env')).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'Tom' });
    // Raised in the outage, for a device the restore knows: taken in as restore() would.
    const outage = stored(current, { id: 'co2-high/a/other', key: 'co2-high/a/other@2000', device: 'other', raisedAt: 2_000, state: 'active' });
    expect(engine.reconcile([outage], 6_000, () => true)).toBe(1);
    expect(engine.get('co2-high/a/other')).toMatchObject({ state: 'active', raisedAt: 2_000 });
  });
});
