/**
 * Issue 9: the alarm list a wall is sent is capped (`live.maxAlarmsPerWall`) and shared equally
 * between the wall's booths, so one booth's alarm flood cannot crowd another booth's alarms out.
 */
import { describe, expect, it } from 'vitest';
import type { DevicePublish } from '../../broker/brokerEvents';
import { AlarmEngine, alarmLimitsFor, type AlarmDevice } from '../../server/alarms/AlarmEngine';
import type { ThresholdRule } from '../../server/config/consoleSettings';

const rule = (id: string, severity: ThresholdRule['severity'], metric: string): ThresholdRule => ({
  id,
  severity,
  kind: 'threshold',
  metric,
  direction: 'above',
  threshold: 1200,
  forSeconds: 0,
  clearAt: 1100,
});

function engineWithAlarms() {
  const devices = new Map<string, AlarmDevice>();
  const limits = alarmLimitsFor(3, { maxOpenAlarmsPerBooth: 10_000, maxDevicesPerBooth: 10_000, thresholdRules: 2 });
  const engine = new AlarmEngine(
    [rule('co2-high', 'warning', 'co2'), rule('smoke', 'critical', 'smoke')],
    {
      get: (b, d) => devices.get(`${b}/${d}`),
      records: () => devices.values(),
    },
    limits,
  );
  const raise = (booth: string, device: string, metric: string, at: number) => {
    if (!devices.has(`${booth}/${device}`))
      devices.set(`${booth}/${device}`, { booth, device, meta: {}, state: 'online', stateSince: 0, stateReason: 'connect' });
    engine.message({} as DevicePublish, { kind: 'telemetry', booth, device, ts: at, values: { [metric]: 2000 } }, at);
  };
  return { engine, raise };
}

describe('AlarmEngine.wallNotices', () => {
  it("gives each booth its share of the cap: A's flood does not crowd out B's alarms", () => {
    const { engine, raise } = engineWithAlarms();
    // B's alarms are raised first (older), then A floods with newer and more severe ones.
    raise('b', 'b-env', 'co2', 1);
    raise('b', 'b-env2', 'co2', 2);
    for (let i = 0; i < 1000; i++) raise('a', `flood-${i}`, 'smoke', 100 + i);
    const notices = engine.wallNotices(new Set(['a', 'b']), 50);
    expect(notices).toHaveLength(50);
    expect(notices.filter((n) => n.booth === 'b').map((n) => n.device)).toEqual(['b-env2', 'b-env']);
    // A gets the rest of the cap (B did not use its share): its most severe and newest first.
    const a = notices.filter((n) => n.booth === 'a');
    expect(a).toHaveLength(48);
    expect(a[0]!.device).toBe('flood-999');
    expect(a.at(-1)!.device).toBe('flood-952');
    // The list keeps the strip's order: most severe, then newest.
    expect(notices[0]!.severity).toBe('critical');
    expect(notices.at(-1)!.device).toBe('b-env');
  });

  it('splits the cap equally between booths that both flood, and leaves out booths the wall does not show', () => {
    const { engine, raise } = engineWithAlarms();
    for (let i = 0; i < 100; i++) {
      raise('a', `a-${i}`, 'smoke', i);
      raise('b', `b-${i}`, 'co2', i);
      raise('c', `c-${i}`, 'smoke', i);
    }
    const notices = engine.wallNotices(new Set(['a', 'b']), 21);
    expect(notices.filter((n) => n.booth === 'a')).toHaveLength(11);
    expect(notices.filter((n) => n.booth === 'b')).toHaveLength(10);
    expect(notices.some((n) => n.booth === 'c')).toBe(false);
    // Under the cap, everything.
    expect(engine.wallNotices(new Set(['c']), 1000)).toHaveLength(100);
  });
});
