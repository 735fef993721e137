/**
 * The console API's access rules against a real server (in-memory mode, no influxd needed): a
 * login with the configured password, an HttpOnly SameSite=Strict session cookie, 401 for every
 * route without it, a login rate limit, POSTs refused from foreign origins, and 503 when the
 * console is not configured. Also that the data routes answer in the contract's shapes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsoleSession, DeviceDetail, DeviceHealthList, ServerHealth } from '../../contract/console';
import type { ApiError } from '../support/publicApi';
import { CONSOLE_API } from '../../contract/console';
import { LOGIN_ATTEMPTS_PER_MINUTE } from '../../server/console/consoleApi';
import { ConsoleClient, CONSOLE_PASSWORD, consoleYaml } from '../support/console';
import { BOOTH_A, connectDevice, startTestShowfloor, wallClient, type TestShowfloor } from '../support/showfloor';
import { waitFor, waitForEvent } from '../support/waitFor';

const GETS = [
  CONSOLE_API.session,
  CONSOLE_API.devices,
  `${CONSOLE_API.deviceDetail}/${BOOTH_A.id}/x`,
  `${CONSOLE_API.history}?booth=${BOOTH_A.id}&device=x&metric=t`,
  CONSOLE_API.health,
  CONSOLE_API.alarms,
  '/api/console/nothing-here',
];
const POSTS = [CONSOLE_API.logout, `${CONSOLE_API.acknowledge}/r%2Fb%2Fd/ack`];

describe('console API access', () => {
  let showfloor: TestShowfloor;

  beforeAll(async () => {
    showfloor = await startTestShowfloor({ yaml: consoleYaml() });
  });

  afterAll(async () => {
    await showfloor?.close();
  });

  it('answers 401 to every route but login without a session, and to a made-up cookie', async () => {
    const anonymous = new ConsoleClient(showfloor.httpUrl);
    for (const path of GETS) expect(await anonymous.get(path), path).toMatchObject({ status: 401, body: { error: 'login required' } });
    for (const path of POSTS) expect((await anonymous.post(path)).status, path).toBe(401);
    const forged = await fetch(`${showfloor.httpUrl}${CONSOLE_API.session}`, { headers: { cookie: 'showfloor_console=AAAA' } });
    expect(forged.status).toBe(401);
    // The page itself and the wall are not gated; only the API is.
    expect((await fetch(`${showfloor.httpUrl}/api/health`)).status).toBe(200);
  });

  it('refuses a wrong password with 401 and sets no cookie', async () => {
    const client = new ConsoleClient(showfloor.httpUrl);
    const refused = await client.login('Mia', 'not-the-password');
    expect(refused).toMatchObject({ status: 401, body: { error: 'wrong password' } });
    expect(refused.headers.getSetCookie()).toEqual([]);
    expect((await client.login('', CONSOLE_PASSWORD)).status).toBe(400);
    expect((await client.login('Mia', '')).status).toBe(400);
  });

  it('logs in with an HttpOnly, SameSite=Strict, Path=/ cookie (not Secure over plain HTTP), serves the session, and logs out', async () => {
    const client = new ConsoleClient(showfloor.httpUrl);
    const before = Date.now();
    expect((await client.login(' Mia\u0007 ')).status).toBe(204);
    const cookie = client.setCookie!;
    expect(cookie).toMatch(/^showfloor_console=[A-Za-z0-9_-]{43};/);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Strict/);
    expect(cookie).toMatch(/; Path=\//);
    expect(cookie).toMatch(/; Max-Age=43200/);
    expect(cookie).not.toMatch(/Secure/);
    const session = await client.get<ConsoleSession>(CONSOLE_API.session);
    expect(session.status).toBe(200);
    expect(session.body.name).toBe('Mia');
    expect(session.body.expiresAt).toBeGreaterThanOrEqual(before + 12 * 3600_000);
    expect(session.headers.get('cache-control')).toBe('no-store');

    const logout = await client.post(CONSOLE_API.logout);
    expect(logout.status).toBe(204);
    expect(logout.headers.getSetCookie()[0]).toMatch(/^showfloor_console=;.*Expires=Thu, 01 Jan 1970/);
    expect((await client.get(CONSOLE_API.session)).status).toBe(401); // the old cookie is dead on the server too
  });

  it('refuses POSTs from a foreign Origin with 403, logins included, and takes them from its own origin', async () => {
    const client = new ConsoleClient(showfloor.httpUrl);
    expect((await client.login('Mia', CONSOLE_PASSWORD, { origin: 'http://evil.example' })).status).toBe(403);
    expect((await client.login('Mia', CONSOLE_PASSWORD, { origin: showfloor.httpUrl })).status).toBe(204);
    const foreign = await client.post(`${CONSOLE_API.acknowledge}/x%2Fy%2Fz/ack`, undefined, { origin: 'http://evil.example' });
    expect(foreign.status).toBe(403);
    expect((await client.post(CONSOLE_API.logout, undefined, { origin: 'http://evil.example' })).status).toBe(403);
    expect((await client.get(CONSOLE_API.session)).status).toBe(200); // that logout did not happen
    expect((await client.post(`${CONSOLE_API.acknowledge}/x%2Fy%2Fz/ack`, undefined, { origin: showfloor.httpUrl })).status).toBe(404);
  });

  it('answers devices, device detail, history, health and alarms in the contract shapes', async () => {
    const client = new ConsoleClient(showfloor.httpUrl);
    await client.login('Mia');
    const wall = wallClient(showfloor.httpUrl, { wall: { id: 'wall-lobby-01', reloads: 3 } });
    const sensor = await connectDevice(showfloor.mqttUrl, BOOTH_A);
    try {
      wall.connect();
      await waitForEvent(wall, 'alarms');
      await sensor.publishAsync(`booth/${BOOTH_A.id}/api-01/meta`, JSON.stringify({ kind: 'env-sensor', firmware: '1.0.0', intervalMs: 1000 }), {
        qos: 1,
        retain: true,
      });
      const ts = Date.now() - 1000;
      await sensor.publishAsync(`booth/${BOOTH_A.id}/api-01/telemetry`, JSON.stringify({ t: 21.5, battery: 87, rssi: -61, ts }), { qos: 1 });
      const list = await waitFor(
        async () => {
          const body = (await client.get<DeviceHealthList>(CONSOLE_API.devices)).body;
          return body.devices.some((d) => d.device === 'api-01' && d.battery === 87) && body;
        },
        { what: 'api-01 in the list' },
      );
      expect(list.devices.find((d) => d.device === 'api-01')).toMatchObject({
        booth: BOOTH_A.id,
        kind: 'env-sensor',
        firmware: '1.0.0',
        state: 'online',
        stateReason: 'connect',
        battery: 87,
        signal: -61,
        expectedIntervalMs: 5000,
        intervalSource: 'meta',
        clientAddress: '127.0.0.1',
        reconnects: 0,
        rejectedTotal: 0,
        lastRejection: null,
      });
      const detail = (await client.get<DeviceDetail>(`${CONSOLE_API.deviceDetail}/${BOOTH_A.id}/api-01`)).body;
      expect(detail.latest).toEqual({ t: 21.5, battery: 87, rssi: -61 });
      expect(detail.timeline).toEqual([expect.objectContaining({ state: 'online', reason: 'connect' })]);
      expect(detail.recentPayloads[0]?.topic).toBe(`booth/${BOOTH_A.id}/api-01/telemetry`);
      expect((await client.get(`${CONSOLE_API.deviceDetail}/${BOOTH_A.id}/nobody`)).status).toBe(404);

      const history = (await client.get(`${CONSOLE_API.history}?booth=${BOOTH_A.id}&device=api-01&metric=t&points=10`)).body;
      expect(history).toMatchObject({ source: 'live', points: [[expect.any(Number), 21.5]] });
      expect((await client.get(`${CONSOLE_API.history}?booth=${BOOTH_A.id}&device=api-01&metric=t&points=0`)).body).toEqual({
        error: expect.stringMatching(/^points: /) as unknown,
      });

      const health = (await client.get<ServerHealth>(CONSOLE_API.health)).body;
      expect(health.influx).toMatchObject({ mode: 'memory', reachable: false, writeLatencyMs: null, pendingLines: 0, bufferFill: 0 });
      expect(health.walls.list).toEqual([expect.objectContaining({ id: 'wall-lobby-01', reloads: 3, address: expect.any(String) as unknown })]);
      expect(health.ingest.accepted).toBeGreaterThanOrEqual(2);
      expect(health.process.rssBytes).toBeGreaterThan(0);
      expect(health.process.eventLoopLagMs).toEqual({
        p50: expect.any(Number) as unknown,
        p99: expect.any(Number) as unknown,
        max: expect.any(Number) as unknown,
      });
      expect((await client.get(CONSOLE_API.alarms)).body).toEqual({ serverTime: expect.any(Number) as unknown, alarms: [] });
      const metrics = await (await fetch(`${showfloor.httpUrl}/metrics`)).text();
      expect(metrics).toMatch(/showfloor_devices\{state="online"\} [1-9]/);
      expect(metrics).toMatch(/showfloor_ingest_readings_per_second /);
      // What the console's bounds drop is visible, not silent.
      for (const name of ['showfloor_alarm_watches_forgotten_total', 'showfloor_console_sessions_dropped_total', 'showfloor_console_devices_evicted_total']) {
        expect(metrics).toMatch(new RegExp(`^${name} 0$`, 'm'));
      }
    } finally {
      wall.disconnect();
      sensor.end(true);
    }
  });

  it(`limits logins to ${LOGIN_ATTEMPTS_PER_MINUTE} a minute per client address, right or wrong`, async () => {
    const client = new ConsoleClient(showfloor.httpUrl);
    // Earlier tests in this file used some of this minute's budget; use up what is left.
    let status = 0;
    for (let i = 0; i <= LOGIN_ATTEMPTS_PER_MINUTE && status !== 429; i++) status = (await client.login('Mia', 'wrong-password-x')).status;
    expect(status).toBe(429);
    const refused = await client.login('Mia');
    expect(refused.status).toBe(429);
    expect((refused.body as ApiError).error).toMatch(/too many login attempts/);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('console API without a console section', () => {
  let showfloor: TestShowfloor;

  beforeAll(async () => {
    showfloor = await startTestShowfloor();
  });

  afterAll(async () => {
    await showfloor?.close();
  });

  it('answers 503 saying how to configure it, on every route', async () => {
    const client = new ConsoleClient(showfloor.httpUrl);
    const login = await client.login();
    expect(login.status).toBe(503);
    expect((login.body as ApiError).error).toMatch(/^console is not configured: add `console: \{ passwordHash/);
    for (const path of GETS) expect((await client.get(path)).status, path).toBe(503);
  });
});
