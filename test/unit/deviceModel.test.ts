import { describe, expect, it } from 'vitest';
import type { DevicePublish } from '../../broker/brokerEvents';
import { assessPresence, DEFAULT_STALE_AFTER_MS, staleAfterMs, type Presence } from '../../contract/presence';
import { BudgetRefusals } from '../../server/budgets/BudgetRefusals';
import { DEFAULT_TRACKER_LIMITS, DeviceHealthTracker } from '../../server/console/DeviceHealthTracker';
import { DeviceModel } from '../../server/devices/DeviceModel';
import { TelemetryValidator } from '../../server/ingest/TelemetryValidator';
import { DeviceDirectory } from '../../server/live/DeviceDirectory';

const online = (since: number, reason: Presence['reason'] = 'connect'): Presence => ({ state: 'online', since, reason });

describe('the presence rule (contract/presence.ts)', () => {
  it('takes offline from the event, whatever the readings say', () => {
    const presence: Presence = { state: 'offline', since: 50, reason: 'will' };
    expect(assessPresence({ presence, lastSeen: 100, staleAfterMs: 5_000 }, 101)).toEqual({ state: 'offline', reason: 'will', since: 50 });
  });

  it('calls an online device stale once nothing showed it alive for longer than its limit, from the moment it became so', () => {
    const facts = { presence: online(1_000), lastSeen: 2_000, staleAfterMs: 5_000 };
    expect(assessPresence(facts, 7_000)).toEqual({ state: 'online', reason: 'connect', since: 1_000 });
    expect(assessPresence(facts, 7_001)).toEqual({ state: 'stale', reason: 'inactivity', since: 7_000 });
    // Connected but no reading yet: the connection is the last sign of life.
    expect(assessPresence({ ...facts, lastSeen: null }, 6_001)).toMatchObject({ state: 'stale', since: 6_000 });
  });

  it('does not take readings restored from before the start as a sign of life, but judges later ones by their age', () => {
    const unknown: Presence = { state: 'unknown', since: 10_000, reason: 'server-start' };
    expect(assessPresence({ presence: unknown, lastSeen: 9_999, staleAfterMs: 30_000 }, 10_001)).toEqual({
      state: 'stale',
      reason: 'server-start',
      since: 10_000,
    });
    expect(assessPresence({ presence: unknown, lastSeen: 10_000, staleAfterMs: 30_000 }, 39_000)).toMatchObject({ state: 'online' });
  });

  it('has one stale limit: three intervals, at least 5 s, 30 s without an interval', () => {
    expect(staleAfterMs(2_000)).toBe(6_000);
    expect(staleAfterMs(100)).toBe(5_000);
    expect(staleAfterMs(null)).toBe(DEFAULT_STALE_AFTER_MS);
  });
});

describe('DeviceModel: one record per device, shared by the live directory and the health tracker', () => {
  const validator = new TelemetryValidator();
  const publish = (tracker: DeviceHealthTracker, directory: DeviceDirectory, booth: string, device: string, payload: string, at: number) => {
    const message: DevicePublish = {
      booth,
      topic: `booth/${booth}/${device}/telemetry`,
      payload: Buffer.from(payload),
      clientId: `${booth}-gw`,
      connectionId: 1,
      fromWill: false,
      keepaliveTimedOut: false,
    };
    const verdict = validator.validate(message.topic, message.payload, booth, at);
    if (verdict.kind === 'telemetry') directory.recordTelemetry(booth, device, verdict.ts, verdict.values, at);
    tracker.message(message, verdict, at);
  };

  function setup(maxDevicesPerBooth = 2) {
    const refusals = new BudgetRefusals(['a', 'b']);
    const model = new DeviceModel(maxDevicesPerBooth);
    const directory = new DeviceDirectory({ windowMs: 60_000, maxPointsPerSeries: 60, maxDevicesPerBooth, maxSeriesPerDevice: 8 }, refusals, model);
    const tracker = new DeviceHealthTracker({ ...DEFAULT_TRACKER_LIMITS, maxDevicesPerBooth }, model);
    return { refusals, model, directory, tracker };
  }

  it('keeps what both views write in the same record', () => {
    const { directory, tracker, model } = setup();
    publish(tracker, directory, 'a', 'env', '{"t":21}', 1_000);
    expect(directory.get('a', 'env')).toBe(tracker.get('a', 'env'));
    expect(model.size).toBe(1);
    const record = model.get('a', 'env')!;
    expect(record).toMatchObject({ latest: { t: 21 }, accepted: 1, state: 'online', presence: { state: 'online' }, lastSeen: 1_000 });
    expect(record.readings.ratePerSecond(2_000)).toBeCloseTo(1 / 60, 5); // counted once, though both views saw it
  });

  it('evicts a device once, from everything: its bytes go back to its booth and whoever hangs alarms off it is told', () => {
    const { directory, tracker, refusals, model } = setup(2);
    const forgotten: string[] = [];
    tracker.onEvicted((booth, device) => forgotten.push(`${booth}/${device}`));
    publish(tracker, directory, 'b', 'keeper', '{"t":1}', 0);
    publish(tracker, directory, 'a', 'd0', '{"t":1,"u":2}', 1);
    publish(tracker, directory, 'a', 'd1', '{"t":1}', 2);
    const before = directory.boothUsage('a');
    publish(tracker, directory, 'a', 'd2', '{"t":1}', 3);
    expect(forgotten).toEqual(['a/d0']);
    expect(refusals.forBooth('a').get('device-evicted')).toBe(1);
    expect(model.evictedDevices).toBe(1);
    expect(directory.boothUsage('a').series).toBe(before.series - 2 + 1);
    expect(model.size).toBe(3);
    expect(model.get('b', 'keeper')).toBeDefined();
  });

  it('records stale from when it became so when a reading lands before any tick saw the silence', () => {
    const { directory, tracker } = setup();
    const trail: string[] = [];
    tracker.onChange((c) => trail.push(`${c.state}/${c.reason}@${c.ts}`));
    publish(tracker, directory, 'a', 'env', '{"t":1}', 1_000);
    publish(tracker, directory, 'a', 'env', '{"t":2}', 40_000); // 30 s default limit passed at 31 000
    expect(trail).toEqual(['online/connect@1000', 'stale/inactivity@31000', 'online/telemetry@40000']);
  });
});
