/**
 * The wall, the console and /api/devices judge a device with one rule (contract/presence.ts) and
 * the same facts, so they never disagree: one device, real Aedes and MQTT.js, driven through
 * online → stale → offline → online, checked in all three at every step. The wall is a socket.io
 * client running the page's own model (web/wall/WallModel.ts) and freshness rule (web/wall/freshness.ts).
 *
 * The device says no interval in its meta, so its stale limit is learned: a wall that fell back to
 * its own default (30 s) would still call it live long after the console called it stale.
 */
import type mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceHealth, DeviceHealthList } from '../../contract/console';
import type { Frame, Snapshot } from '../../contract/live';
import type { DeviceState as PresenceState } from '../../contract/presence';
import { assessFreshness, deviceStaleAfterMs, type Freshness } from '../../web/wall/freshness';
import { WallModel } from '../../web/wall/WallModel';
import { ConsoleClient, consoleYaml } from '../support/console';
import type { PublicDevice, PublicDeviceList } from '../support/publicApi';
import { BOOTH_A, connectDevice, getJson, startTestShowfloor, wallClient, type TestShowfloor, type WallClient } from '../support/showfloor';
import { waitFor } from '../support/waitFor';

const DEVICE = 'agree-01';
const CLIENT_ID = `${BOOTH_A.id}-agree-01`;
const telemetryTopic = `booth/${BOOTH_A.id}/${DEVICE}/telemetry`;
/** The device's own rate: six readings this far apart teach the server a limit of 5 s (the floor). */
const GAP_MS = 300;

/** What a wall tile says, in the rule's words; 'no-data' is a tile with nothing to show yet. */
const WALL_STATE: Record<Freshness, PresenceState | 'no-data'> = { live: 'online', stale: 'stale', offline: 'offline', 'no-data': 'no-data' };

interface Views {
  api: PublicDevice | undefined;
  console: DeviceHealth | undefined;
  wall: PresenceState | 'no-data' | undefined;
  wallStaleAfterMs: number | undefined;
}

describe('one presence rule for the wall, the console and /api/devices', () => {
  let showfloor: TestShowfloor;
  let consoleClient: ConsoleClient;
  let wall: WallClient;
  const model = new WallModel({ windowMs: 15 * 60_000 });
  const devices: mqtt.MqttClient[] = [];

  const views = async (): Promise<Views> => {
    const [api, health] = await Promise.all([
      getJson<PublicDeviceList>(`${showfloor.httpUrl}/api/devices`),
      consoleClient.get<DeviceHealthList>('/api/console/devices'),
    ]);
    const onWall = model.find(DEVICE, BOOTH_A.id);
    return {
      api: api.body.devices.find((d) => d.device === DEVICE),
      console: health.body.devices.find((d) => d.device === DEVICE),
      wall: onWall && WALL_STATE[assessFreshness(onWall, model.serverNow())],
      wallStaleAfterMs: onWall && deviceStaleAfterMs(onWall),
    };
  };

  /**
   * Waits until all three say `state` from the same stale limit (the wall hears of a change with
   * the next frame, a tick later), and checks the API and the console give the same reason and time.
   */
  const allSay = async (state: PresenceState, timeoutMs = 10_000): Promise<Views> => {
    const seen = await waitFor(
      async () => {
        const v = await views();
        const limit = v.console?.expectedIntervalMs;
        const sameLimit = limit !== undefined && v.wallStaleAfterMs === limit && v.api?.staleAfterMs === limit;
        return sameLimit && v.api?.state === state && v.console?.state === state && v.wall === state && v;
      },
      { what: `wall, console and /api/devices all ${state} with one stale limit`, timeoutMs, intervalMs: 50 },
    );
    expect(seen.api!.stateReason).toBe(seen.console!.stateReason);
    expect(seen.api!.stateSince).toBe(seen.console!.stateSince);
    return seen;
  };

  beforeAll(async () => {
    showfloor = await startTestShowfloor({ yaml: consoleYaml() });
    consoleClient = new ConsoleClient(showfloor.httpUrl);
    expect((await consoleClient.login()).status).toBe(204);
    wall = wallClient(showfloor.httpUrl, { booths: [BOOTH_A.id] });
    wall.on('snapshot', (snapshot: Snapshot) => model.applySnapshot(snapshot));
    wall.on('frame', (frame: Frame) => model.applyFrame(frame));
    wall.connect();
    await waitFor(() => wall.connected, { what: 'the wall connected' });
  });

  afterAll(async () => {
    wall?.disconnect();
    for (const device of devices) device.end(true);
    await showfloor?.close();
  });

  it('online → stale → offline → online, the same in all three at every step', async () => {
    const first = await connectDevice(showfloor.mqttUrl, BOOTH_A, { clientId: CLIENT_ID });
    devices.push(first);
    for (let i = 0; i < 6; i++) {
      const sentAt = Date.now();
      await first.publishAsync(telemetryTopic, JSON.stringify({ t: i }), { qos: 1 });
      if (i < 5) await new Promise<void>((resolve) => setTimeout(resolve, sentAt + GAP_MS - Date.now())); // the device's own rate, not synchronisation
    }
    const online = await allSay('online');
    await waitFor(async () => (await views()).console?.intervalSource === 'learned', { what: 'the interval learned' });
    expect(online.console!.stateReason).toBe('connect');

    // Quiet past its learned limit (5 s): stale everywhere, long before the wall's old 30 s default.
    const stale = await allSay('stale', 15_000);
    expect(stale.console).toMatchObject({ intervalSource: 'learned', expectedIntervalMs: 5_000, stateReason: 'inactivity' });
    expect(stale.api).toMatchObject({ intervalSource: 'learned', staleAfterMs: 5_000 });

    await first.endAsync();
    const offline = await allSay('offline');
    expect(offline.console!.stateReason).toBe('disconnect');

    // The same client id again, and a reading: online again everywhere.
    const again = await connectDevice(showfloor.mqttUrl, BOOTH_A, { clientId: CLIENT_ID });
    devices.push(again);
    await again.publishAsync(telemetryTopic, JSON.stringify({ t: 99 }), { qos: 1 });
    const back = await allSay('online');
    expect(back.console!.stateReason).toBe('connect');
    expect(back.console!.reconnects).toBe(1);
  });
});
