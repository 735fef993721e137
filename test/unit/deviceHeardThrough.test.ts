/**
 * Issue 11 item 4: the device model keeps, per device, the path (native or the adapter family) and
 * the device's own topic of its last message, and each kept rejection says which path refused it;
 * the console's views show both. Fed by the real AdapterRouter with the documented Tasmota fixtures.
 */
import { describe, expect, it } from 'vitest';
import type { DevicePublish } from '../../broker/brokerEvents';
import type { AdapterName } from '../../server/adapters/DeviceAdapter';
import { ConsoleViews, type ConsoleSources } from '../../server/console/ConsoleViews';
import { DEFAULT_TRACKER_LIMITS, DeviceHealthTracker } from '../../server/console/DeviceHealthTracker';
import { TelemetryValidator } from '../../server/ingest/TelemetryValidator';
import { tasmota, type DeviceFixture } from '../support/adapterFixtures';
import { BOOTH, routerFor } from '../support/adapterRouter';

const NOW = Date.UTC(2026, 11, 3, 10, 0, 0);

function setup() {
  const tracker = new DeviceHealthTracker({ ...DEFAULT_TRACKER_LIMITS, recentRejections: 3 });
  const router = routerFor('    adapters: [tasmota]\n');
  const validator = new TelemetryValidator();
  const views = new ConsoleViews({ tracker, statusLog: { timeline: () => Promise.resolve(null) } } as unknown as ConsoleSources);
  const publishOf = (topic: string, payload: string): DevicePublish => ({
    booth: BOOTH,
    topic,
    payload: Buffer.from(payload),
    clientId: 'DVES_A1B2C3',
    connectionId: 1,
    fromWill: false,
    keepaliveTimedOut: false,
  });
  /** What Ingest does: the router's verdicts with its adapter, each to the tracker. */
  const foreign = (fixture: DeviceFixture, at = NOW): void => {
    const publish = publishOf(`booth/${BOOTH}/raw/${fixture.topic}`, fixture.payload);
    const routed = router.route(BOOTH, publish.topic, publish.payload, at, false, publish.clientId);
    if (routed === null) throw new Error('not routed');
    for (const verdict of routed.verdicts) {
      const adapter: AdapterName | null = verdict.kind === 'rejected' ? (verdict.adapter ?? routed.adapter) : routed.adapter;
      tracker.message(publish, verdict, at, adapter);
    }
  };
  const native = (device: string, payload: string, at = NOW): void => {
    const publish = publishOf(`booth/${BOOTH}/${device}/telemetry`, payload);
    tracker.message(publish, validator.validate(publish.topic, publish.payload, BOOTH, at), at, null);
  };
  return { tracker, views, foreign, native };
}

describe('which adapter and topic a device came through', () => {
  it('shows a Tasmota device with its family and its own topic, without the booth mount, and a native one as native', () => {
    const { views, foreign, native } = setup();
    foreign(tasmota.sensor());
    native('env-01', '{"temperature":21}');
    const devices = views.devices(NOW).devices;
    expect(devices.find((d) => d.device === 'tasmota_a1b2c3')).toMatchObject({ adapter: 'tasmota', ownTopic: 'tele/tasmota_A1B2C3/SENSOR' });
    expect(devices.find((d) => d.device === 'env-01')).toMatchObject({ adapter: 'native', ownTopic: `booth/${BOOTH}/env-01/telemetry` });
  });

  it('keeps the last topic only: a device heard on SENSOR then STATE shows STATE, in one entry', () => {
    const { tracker, views, foreign } = setup();
    foreign(tasmota.sensor());
    const first = tracker.get(BOOTH, 'tasmota_a1b2c3')!.heardThrough;
    foreign(tasmota.sensor(), NOW + 1_000);
    // The same path and topic again: the entry is updated, not replaced by a new one.
    expect(tracker.get(BOOTH, 'tasmota_a1b2c3')!.heardThrough).toBe(first);
    expect(first).toEqual({ path: 'tasmota', topic: 'tele/tasmota_A1B2C3/SENSOR', at: NOW + 1_000 });
    foreign(tasmota.state(), NOW + 2_000);
    expect(tracker.get(BOOTH, 'tasmota_a1b2c3')!.heardThrough).toEqual({ path: 'tasmota', topic: 'tele/tasmota_A1B2C3/STATE', at: NOW + 2_000 });
    expect(views.devices(NOW + 2_000).devices).toHaveLength(1);
  });

  it('says which adapter refused each kept rejection, beside its reason', async () => {
    const { views, foreign, native } = setup();
    // The ENERGY fixture's TotalStartTime is text, no reading: the Tasmota adapter drops it with a reason, once per message.
    foreign(tasmota.energy());
    foreign(tasmota.energy());
    native('tasmota_a1b2c3', 'not json');
    const detail = await views.device(BOOTH, 'tasmota_a1b2c3', NOW);
    expect(detail).not.toBeNull();
    const [newest, ...older] = detail!.rejections;
    expect(newest).toMatchObject({ adapter: 'native', reason: 'not-json' });
    expect(older.length).toBeGreaterThan(0);
    for (const rejection of older) expect(rejection).toMatchObject({ adapter: 'tasmota', reason: 'not-a-reading' });
    // The rejection list stays bounded (recentRejections: 3) with the adapter on each.
    expect(detail!.rejections).toHaveLength(3);
    expect(detail!.lastRejection).toMatchObject({ adapter: 'native', reason: 'not-json' });
    // The device's path is its last message's: the native publish.
    expect(detail).toMatchObject({ adapter: 'native', ownTopic: `booth/${BOOTH}/tasmota_a1b2c3/telemetry` });
  });
});
