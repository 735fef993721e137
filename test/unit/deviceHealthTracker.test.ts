import { describe, expect, it } from 'vitest';
import type { ConnectionClosed, DevicePublish } from '../../broker/brokerEvents';
import { DEFAULT_TRACKER_LIMITS, DeviceHealthTracker, type PresenceChange } from '../../server/console/DeviceHealthTracker';
import { TelemetryValidator } from '../../server/ingest/TelemetryValidator';

const validator = new TelemetryValidator();
const BOOTH = 'hall';

function setup(limits = DEFAULT_TRACKER_LIMITS) {
  const tracker = new DeviceHealthTracker(limits);
  const changes: PresenceChange[] = [];
  tracker.onChange((c) => changes.push(c));
  const publish = (connectionId: number, device: string, leaf: string, payload: string, at: number, extra: Partial<DevicePublish> = {}) => {
    const message: DevicePublish = {
      booth: BOOTH,
      topic: `booth/${BOOTH}/${device}/${leaf}`,
      payload: Buffer.from(payload),
      clientId: `${BOOTH}-c${connectionId}`,
      connectionId,
      fromWill: false,
      keepaliveTimedOut: false,
      ...extra,
    };
    tracker.message(message, validator.validate(message.topic, message.payload, BOOTH, at), at);
  };
  const open = (connectionId: number, at: number, clientId = `${BOOTH}-c${connectionId}`) =>
    tracker.connectionOpened({ booth: BOOTH, clientId, connectionId, address: '10.0.0.9' }, at);
  const close = (
    connectionId: number,
    devices: string[],
    reason: ConnectionClosed['reason'],
    at: number,
    willTopic: string | null = null,
    clientId = `${BOOTH}-c${connectionId}`,
  ) => tracker.connectionClosed({ booth: BOOTH, clientId, connectionId, devices, reason, willTopic }, at);
  const trail = (device: string) => changes.filter((c) => c.device === device).map((c) => `${c.state}/${c.reason}`);
  return { tracker, changes, publish, open, close, trail };
}

describe('DeviceHealthTracker', () => {
  it('walks online/connect → stale/inactivity → online/telemetry → offline/disconnect, and a reconnect under the same client id is online at once', () => {
    const { tracker, publish, open, close, trail } = setup();
    open(1, 1_000);
    publish(1, 'env', 'meta', JSON.stringify({ intervalMs: 2_000, kind: 'env-sensor' }), 1_000);
    publish(1, 'env', 'telemetry', '{"t":1}', 1_100);
    tracker.tick(7_000); // 5.9 s quiet: within 3 × 2 s
    tracker.tick(7_200);
    publish(1, 'env', 'telemetry', '{"t":2}', 8_000);
    close(1, ['env'], 'disconnect', 9_000);
    open(2, 10_000, `${BOOTH}-c1`);
    expect(trail('env')).toEqual(['online/connect', 'stale/inactivity', 'online/telemetry', 'offline/disconnect', 'online/connect']);
    const record = tracker.get(BOOTH, 'env')!;
    expect(record.connectionsSeen).toBe(2);
    expect(record.lastAddress).toBe('10.0.0.9');
    expect(tracker.expectedInterval(record)).toEqual({ ms: 6_000, source: 'meta' });
  });

  it('names a lost connection with a will for the device "will" and a keepalive timeout "keepalive-timeout", whichever of the will and the close arrives first', () => {
    const willTopic = `booth/${BOOTH}/w/status`;
    for (const order of ['will first', 'close first']) {
      for (const keepalive of [false, true]) {
        const { publish, open, close, trail } = setup();
        open(1, 0);
        publish(1, 'w', 'telemetry', '{"t":1}', 10);
        const will = () => publish(1, 'w', 'status', 'offline', 20, { fromWill: true, keepaliveTimedOut: keepalive });
        const closed = () => close(1, ['w'], keepalive ? 'keepalive-timeout' : 'connection-lost', 20, willTopic);
        if (order === 'will first') {
          will();
          closed();
        } else {
          closed();
          will();
        }
        expect(trail('w'), `${order}, keepalive ${keepalive}`).toEqual(['online/connect', `offline/${keepalive ? 'keepalive-timeout' : 'will'}`]);
      }
    }
  });

  it('does not take a device offline when an older connection closes after a newer one took over', () => {
    const { tracker, publish, open, close, trail } = setup();
    open(1, 0);
    publish(1, 'd', 'telemetry', '{"t":1}', 10);
    open(2, 20);
    publish(2, 'd', 'telemetry', '{"t":1}', 30);
    publish(1, 'd', 'telemetry', '{"t":1}', 35); // still heard through the old one too
    close(1, ['d'], 'connection-lost', 40);
    expect(trail('d')).toEqual(['online/connect']);
    expect(tracker.get(BOOTH, 'd')!.connectionsSeen).toBe(2);
  });

  it('keeps a status offline published first as offline/status, and counts rejections with cleaned samples', () => {
    const { tracker, publish, open, trail } = setup();
    open(1, 0);
    publish(1, 's', 'status', 'offline', 10);
    publish(1, 's', 'telemetry', 'not json\u0007\u202e', 20);
    // Its own word counts over the connection; a rejected message changes no presence.
    expect(trail('s')).toEqual(['offline/status']);
    const record = tracker.get(BOOTH, 's')!;
    expect(record.rejected.get('not-json')).toBe(1);
    expect(record.rejections.at(-1)!.sample).toBe('not json\uFFFD\uFFFD');
  });

  it('reads battery and signal from common metric names and evicts the least recently heard device past the limit', () => {
    const { tracker, publish, open } = setup({ ...DEFAULT_TRACKER_LIMITS, maxDevicesPerBooth: 2 });
    open(1, 0);
    publish(1, 'a', 'telemetry', '{"battery_soc":81,"wifi_rssi":-67}', 10);
    publish(1, 'b', 'telemetry', '{"t":1}', 20);
    publish(1, 'c', 'telemetry', '{"t":1}', 30);
    expect(tracker.get(BOOTH, 'a')).toBeUndefined();
    expect(tracker.size).toBe(2);
    expect(tracker.evictedDevices).toBe(1);
    publish(1, 'c', 'telemetry', '{"soc":50,"rssi":-80}', 40);
    expect(tracker.get(BOOTH, 'c')).toMatchObject({ battery: 50, signal: -80 });
  });
});

describe('DeviceHealthTracker per booth', () => {
  const closed = (tracker: DeviceHealthTracker, booth: string, clientId: string, connectionId: number, devices: string[]) =>
    tracker.connectionClosed({ booth, clientId, connectionId, devices, reason: 'disconnect', willTopic: null }, connectionId);

  it('tells who listens which device it evicted, and evicts only within the booth past its bound', () => {
    const tracker = new DeviceHealthTracker({ ...DEFAULT_TRACKER_LIMITS, maxDevicesPerBooth: 3 });
    const evicted: string[] = [];
    tracker.onEvicted((booth, device) => evicted.push(`${booth}/${device}`));
    tracker.restore('b', 'keeper', null, {}, 0);
    for (let i = 0; i < 5; i++) tracker.restore('a', `d${i}`, null, {}, i);
    expect(evicted).toEqual(['a/d0', 'a/d1']);
    expect(tracker.get('b', 'keeper')).toBeDefined();
  });

  it("remembers client ids per booth: one booth cycling fresh client ids does not make another booth's reconnecting device unknown", () => {
    const tracker = new DeviceHealthTracker({ ...DEFAULT_TRACKER_LIMITS, rememberedClients: 4 });
    tracker.connectionOpened({ booth: 'b', clientId: 'b-gw', connectionId: 1, address: null }, 1);
    tracker.message(
      {
        booth: 'b',
        topic: 'booth/b/env/telemetry',
        payload: Buffer.from('{"t":1}'),
        clientId: 'b-gw',
        connectionId: 1,
        fromWill: false,
        keepaliveTimedOut: false,
      },
      validator.validate('booth/b/env/telemetry', Buffer.from('{"t":1}'), 'b', 2),
      2,
    );
    closed(tracker, 'b', 'b-gw', 1, ['env']);
    for (let i = 0; i < 100; i++) closed(tracker, 'a', `a-${i}`, 10 + i, [`d${i}`]);
    expect(tracker.get('b', 'env')!.state).toBe('offline');
    tracker.connectionOpened({ booth: 'b', clientId: 'b-gw', connectionId: 500, address: null }, 500);
    expect(tracker.get('b', 'env')).toMatchObject({ state: 'online', stateReason: 'connect' });
  });
});
