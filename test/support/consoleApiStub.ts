/**
 * A stand-in for the console's server side, to develop and test the console page before (and
 * apart from) the real API: the built pages (dist/web) under the production security headers,
 * `/console` through the production route, and every route of contract/console.ts answered from
 * generated devices. Login takes any name with the configured password and sets an HttpOnly
 * cookie; history returns exactly the points asked for; one alarm waits to be acknowledged.
 * Requests to the API are logged, so a test can check what the page asked for.
 *
 * Run on its own for a look in a browser: `npx tsx test/support/consoleApiStub.ts [devices] [port]`.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import express, { type NextFunction, type Request, type Response } from 'express';
import {
  type BoothBudgets,
  CONSOLE_API,
  type Alarm,
  type AlarmList,
  type ConsoleSession,
  type DeviceDetail,
  type DeviceHealth,
  type DeviceHealthList,
  type HealthChange,
  type HealthState,
  type ServerHealth,
} from '../../contract/console';
import { ID_PATTERN, METRIC_PATTERN, type DeviceMeta, type ReadingValues } from '../../contract/device';
import { listen } from '../../broker/listen';
import { CONSOLE_PAGE_ROUTE, consolePageRoute } from '../../server/http/consolePageRoute';
import { securityHeaders } from '../../server/http/securityHeaders';
import { DEFAULT_WEB_ROOT } from '../../server/Showfloor';
import { alarm, deviceHealth } from './consoleFixtures';

export const STUB_PASSWORD = 'console-password-1';
export const SESSION_COOKIE = 'showfloor_console';
/** A device whose name is markup, to prove the page shows it as text. */
export const HOSTILE_DEVICE = { booth: 'hall-a', device: 'evil-01', name: '<img src=x onerror="window.__pwned=1">Robot <b>arm</b>' } as const;
const SESSION_MS = 12 * 3_600_000;
/**
 * hall-b flooded fresh device ids: refusals to show on the server view, one of them under a reason
 * this page has no words for, and a booth name that is markup (data, shown as text).
 */
export const BOOTH_BUDGETS: BoothBudgets[] = [
  {
    booth: 'hall-a',
    name: 'Hall A',
    refusals: {},
    series: { used: 120, limit: 5000 },
    liveWindowBytes: { used: 2 * 1024 * 1024, limit: 64 * 1024 * 1024 },
    openAlarms: { used: 1, limit: 500 },
  },
  {
    booth: 'hall-b',
    name: 'Hall <b>B</b>',
    refusals: { 'series-budget': 1234, 'device-evicted': 95, 'open-alarms-budget': 7, 'future-reason': 2 },
    series: { used: 5000, limit: 5000 },
    liveWindowBytes: { used: 6 * 1024 * 1024, limit: 64 * 1024 * 1024 },
    openAlarms: { used: 500, limit: 500 },
  },
];
const MAX_LOGGED_REQUESTS = 2_000;

export interface ConsoleStubOptions {
  /** Generated devices, the hostile one included. Default 200. */
  devices?: number;
  password?: string;
  webRoot?: string;
  port?: number;
  seed?: number;
}

export interface LoggedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
}

export interface ConsoleStub {
  /** http://127.0.0.1:port */
  url: string;
  consoleUrl: string;
  password: string;
  devices: readonly DeviceHealth[];
  alarms: readonly Alarm[];
  /** API requests, oldest first (bounded). */
  requests: LoggedRequest[];
  /** Forgets every session: the page's next request gets 401, as after a server restart. */
  endSessions(): void;
  close(): Promise<void>;
}

interface KindProfile {
  kind: string | null;
  prefix: string;
  units: Record<string, string>;
  /** Metric → [base, amplitude, period s]. */
  metrics: Record<string, [number, number, number]>;
  booleans?: string[];
  intervalMs: number;
}

const PROFILES: readonly KindProfile[] = [
  {
    kind: 'env-sensor',
    prefix: 'env',
    units: { temperature: '°C', humidity: '%', co2: 'ppm' },
    metrics: { temperature: [22, 3, 600], humidity: [45, 8, 900], co2: [800, 300, 1200] },
    intervalMs: 1000,
  },
  {
    kind: 'ev-charger',
    prefix: 'ev',
    units: { power_kw: 'kW', energy_kwh: 'kWh' },
    metrics: { power_kw: [40, 30, 300], energy_kwh: [120, 20, 3600] },
    intervalMs: 2000,
  },
  {
    kind: 'robot-arm',
    prefix: 'robot',
    units: { j1_temp: '°C', torque_nm: 'N·m' },
    metrics: { j1_temp: [48, 6, 400], torque_nm: [12, 9, 30] },
    booleans: ['gripper_closed'],
    intervalMs: 500,
  },
  {
    kind: 'vehicle',
    prefix: 'vehicle',
    units: { speed_kmh: 'km/h', battery_soc: '%' },
    metrics: { speed_kmh: [25, 25, 120], battery_soc: [70, 20, 7200] },
    intervalMs: 1000,
  },
  { kind: null, prefix: 'gw', units: {}, metrics: { clients: [12, 6, 1800] }, booleans: ['door_open'], intervalMs: 5000 },
];

/** mulberry32: the same devices for the same seed, run after run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface StubDevice {
  health: DeviceHealth;
  profile: KindProfile;
  /** How far behind "now" lastSeen is kept, so ages look alive between polls. */
  quietMs: number | null;
  phase: number;
}

function metricValue(profile: KindProfile, metric: string, ts: number, phase: number): number {
  const [base, amplitude, periodS] = profile.metrics[metric] ?? [0, 1, 60];
  return base + amplitude * Math.sin((ts / 1000 / periodS) * 2 * Math.PI + phase);
}

function generateDevices(count: number, seed: number, now: number): StubDevice[] {
  const next = random(seed);
  const boothCount = Math.max(1, Math.min(10, Math.ceil(count / 50)));
  const devices: StubDevice[] = [];
  for (let i = 0; devices.length < count - 1; i++) {
    const profile = PROFILES[i % PROFILES.length] as KindProfile;
    const booth = `hall-${String.fromCharCode(97 + (i % boothCount))}`;
    const roll = next();
    const state: HealthState = roll < 0.8 ? 'online' : roll < 0.9 ? 'stale' : 'offline';
    const rejectedTotal = next() < 0.15 ? Math.floor(next() * 500) + 1 : 0;
    const rejected: Record<string, number> =
      rejectedTotal === 0 ? {} : { 'bad-value': Math.ceil(rejectedTotal * 0.7), 'not-json': Math.floor(rejectedTotal * 0.3) };
    const quietMs = state === 'online' ? Math.floor(next() * 1500) : state === 'stale' ? 30_000 + Math.floor(next() * 300_000) : null;
    const device = `${profile.prefix}-${String(i).padStart(4, '0')}`;
    const number = String(i);
    // Every fifth device is a stock Tasmota read through the booth's adapter (issue 11), the rest native.
    const tasmota = i % 5 === 1;
    devices.push({
      profile,
      quietMs,
      phase: next() * 2 * Math.PI,
      health: deviceHealth({
        booth,
        device,
        name: i % 7 === 3 ? null : `${profile.kind ?? 'gateway'} ${number}`,
        kind: profile.kind,
        firmware: `${1 + (i % 3)}.${i % 10}.${i % 4}`,
        state,
        stateSince: now - Math.floor(next() * 86_400_000),
        stateReason: state === 'online' ? 'connect' : state === 'stale' ? 'inactivity' : 'keepalive-timeout',
        lastSeen: state === 'offline' ? now - 3_600_000 - Math.floor(next() * 86_400_000) : null,
        ratePerSecond: state === 'online' ? Math.round((1000 / profile.intervalMs) * (0.9 + next() * 0.2) * 100) / 100 : 0,
        expectedIntervalMs: profile.intervalMs,
        intervalSource: i % 4 === 0 ? 'learned' : 'meta',
        rejectedTotal,
        rejected,
        lastRejection: rejectedTotal === 0 ? null : { ts: now - Math.floor(next() * 600_000), reason: 'bad-value', sample: '{"temperature":"NaN"}' },
        reconnects: Math.floor(next() * next() * 40),
        clientAddress: state === 'offline' ? null : `10.0.${(i >> 8) & 255}.${i & 255}`,
        connectedSince: state === 'offline' ? null : now - Math.floor(next() * 86_400_000),
        battery: profile.kind === 'vehicle' || profile.kind === null ? Math.round(next() * 100) : null,
        signal: profile.kind === null ? -40 - Math.round(next() * 50) : null,
        adapter: tasmota ? 'tasmota' : 'native',
        ownTopic: tasmota ? `tele/tasmota_${number.padStart(6, '0')}/SENSOR` : `booth/${booth}/${device}/telemetry`,
      }),
    });
  }
  const robot = PROFILES[2] as KindProfile;
  devices.push({
    profile: robot,
    quietMs: 400,
    phase: 0,
    health: deviceHealth({
      ...HOSTILE_DEVICE,
      kind: robot.kind,
      rejectedTotal: 2,
      rejected: { 'not-json': 2 },
      stateSince: now - 120_000,
      connectedSince: now - 120_000,
      lastSeen: null,
    }),
  });
  return devices;
}

function currentHealth(device: StubDevice, now: number): DeviceHealth {
  return device.quietMs === null ? device.health : { ...device.health, lastSeen: now - device.quietMs };
}

function latestValues(device: StubDevice, ts: number): ReadingValues {
  const values: ReadingValues = {};
  for (const metric of Object.keys(device.profile.metrics)) values[metric] = Math.round(metricValue(device.profile, metric, ts, device.phase) * 100) / 100;
  for (const flag of device.profile.booleans ?? []) values[flag] = Math.floor(ts / 30_000 + device.phase) % 2 === 0;
  return values;
}

function deviceDetail(device: StubDevice, now: number): DeviceDetail {
  const health = currentHealth(device, now);
  const { profile } = device;
  const meta: DeviceMeta = {
    name: health.name ?? undefined,
    kind: profile.kind ?? undefined,
    firmware: health.firmware ?? undefined,
    units: profile.units,
    intervalMs: profile.intervalMs,
  };
  const seen = health.lastSeen ?? now;
  const recentPayloads = Array.from({ length: 5 }, (_, i) => {
    const ts = seen - i * profile.intervalMs;
    return { ts, topic: `booth/${health.booth}/${health.device}/telemetry`, payload: JSON.stringify({ ...latestValues(device, ts), ts }) };
  });
  const timeline: HealthChange[] = [
    { ts: health.stateSince, state: health.state, reason: health.stateReason },
    { ts: health.stateSince - 3_600_000, state: 'offline', reason: 'connection-lost' },
    { ts: health.stateSince - 7_200_000, state: 'online', reason: 'connect' },
  ];
  const rejections = Object.keys(health.rejected).map((reason, i) => ({
    ts: now - (i + 1) * 90_000,
    reason,
    ...(health.adapter !== null ? { adapter: health.adapter } : {}),
    sample: reason === 'not-json' ? '<script>alert(1)</script>{temperature: 21' : '{"temperature":"NaN"}',
  }));
  return { ...health, meta, latest: latestValues(device, seen), recentPayloads, timeline, rejections };
}

function history(device: StubDevice, metric: string, from: number, to: number, points: number): { intervalMs: number; points: [number, number][] } {
  const intervalMs = Math.max(1, Math.ceil((to - from) / points));
  const values: [number, number][] = [];
  const isFlag = device.profile.booleans?.includes(metric) ?? false;
  if (!isFlag && !(metric in device.profile.metrics)) return { intervalMs, points: values };
  // Buckets aligned to the epoch, as InfluxQL's GROUP BY time() makes them.
  for (let bucket = Math.floor(from / intervalMs) * intervalMs; bucket < to; bucket += intervalMs) {
    if (bucket < from - intervalMs) continue;
    const mid = bucket + intervalMs / 2;
    const value = isFlag ? (Math.floor(mid / 30_000 + device.phase) % 2 === 0 ? 1 : 0) : metricValue(device.profile, metric, mid, device.phase);
    values.push([bucket, Math.round(value * 1000) / 1000]);
  }
  return { intervalMs, points: values };
}

function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0) cookies.set(part.slice(0, at).trim(), part.slice(at + 1).trim());
  }
  return cookies;
}

function integer(text: unknown, fallback: number | null): number | null {
  if (text === undefined) return fallback;
  return typeof text === 'string' && /^\d{1,15}$/.test(text) ? Number(text) : null;
}

export async function startConsoleApiStub(options: ConsoleStubOptions = {}): Promise<ConsoleStub> {
  const password = options.password ?? STUB_PASSWORD;
  const webRoot = options.webRoot ?? DEFAULT_WEB_ROOT;
  const startedAt = Date.now();
  const devices = generateDevices(Math.max(1, options.devices ?? 200), options.seed ?? 42, startedAt);
  const byKey = new Map(devices.map((d) => [`${d.health.booth}/${d.health.device}`, d]));
  const first = devices[0] as StubDevice;
  const third = devices[Math.min(3, devices.length - 1)] as StubDevice;
  const alarms: Alarm[] = [
    alarm({
      id: `co2-high/${first.health.booth}/${first.health.device}`,
      booth: first.health.booth,
      device: first.health.device,
      raisedAt: startedAt - 90_000,
    }),
    alarm({
      id: `offline/${HOSTILE_DEVICE.booth}/${HOSTILE_DEVICE.device}`,
      rule: 'offline',
      severity: 'warning',
      booth: HOSTILE_DEVICE.booth,
      device: HOSTILE_DEVICE.device,
      metric: null,
      value: null,
      state: 'acknowledged',
      message: 'offline for 2 min',
      raisedAt: startedAt - 600_000,
      acknowledgedBy: 'Night shift <b>Bo</b>',
      acknowledgedAt: startedAt - 300_000,
    }),
    alarm({
      id: `battery-low/${third.health.booth}/${third.health.device}`,
      rule: 'battery-low',
      severity: 'info',
      booth: third.health.booth,
      device: third.health.device,
      metric: 'battery_soc',
      value: 9,
      message: 'battery_soc below 10 % (9 %)',
      state: 'cleared',
      raisedAt: startedAt - 3_600_000,
      clearedAt: startedAt - 1_800_000,
    }),
  ];
  const sessions = new Map<string, ConsoleSession>();
  const requests: LoggedRequest[] = [];

  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(securityHeaders());
  app.use('/api', (req, _res, next) => {
    requests.push({ method: req.method, path: req.path, query: { ...(req.query as Record<string, string>) } });
    if (requests.length > MAX_LOGGED_REQUESTS) requests.shift();
    next();
  });
  app.use('/api', express.json({ limit: '4kb' }));

  const sessionOf = (req: Request): { token: string; session: ConsoleSession } | null => {
    const token = parseCookies(req.headers.cookie).get(SESSION_COOKIE);
    const session = token === undefined ? undefined : sessions.get(token);
    if (token === undefined || !session) return null;
    if (session.expiresAt <= Date.now()) {
      sessions.delete(token);
      return null;
    }
    return { token, session };
  };

  app.post(CONSOLE_API.login, (req, res) => {
    const body = (req.body ?? {}) as { name?: unknown; password?: unknown };
    const name = typeof body.name === 'string' ? body.name.trim().slice(0, 80) : '';
    if (name === '' || body.password !== password) return void res.status(401).json({ error: 'wrong name or password' });
    const token = randomBytes(24).toString('base64url');
    sessions.set(token, { name, expiresAt: Date.now() + SESSION_MS });
    res.setHeader('Set-Cookie', `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${SESSION_MS / 1000}`);
    res.status(204).end();
  });

  // Everything else under /api/console needs a session.
  app.use('/api/console', (req: Request, res: Response, next: NextFunction) => {
    const found = sessionOf(req);
    if (!found) return void res.status(401).json({ error: 'log in first' });
    res.locals['session'] = found;
    next();
  });

  app.post(CONSOLE_API.logout, (_req, res) => {
    sessions.delete((res.locals['session'] as { token: string }).token);
    res.setHeader('Set-Cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`);
    res.status(204).end();
  });

  app.get(CONSOLE_API.session, (_req, res) => {
    res.json((res.locals['session'] as { session: ConsoleSession }).session);
  });

  app.get(CONSOLE_API.devices, (_req, res) => {
    const now = Date.now();
    const body: DeviceHealthList = { serverTime: now, devices: devices.map((d) => currentHealth(d, now)) };
    res.json(body);
  });

  app.get(`${CONSOLE_API.deviceDetail}/:booth/:device`, (req, res) => {
    const device = byKey.get(`${req.params['booth']}/${req.params['device']}`);
    if (!device) return void res.status(404).json({ error: 'no such device' });
    res.json(deviceDetail(device, Date.now()));
  });

  app.get(CONSOLE_API.history, (req, res) => {
    const q = req.query as Record<string, string | undefined>;
    const now = Date.now();
    const to = integer(q['to'], now);
    const from = integer(q['from'], (to ?? now) - 15 * 60_000);
    const points = integer(q['points'], 300);
    if (!ID_PATTERN.test(q['booth'] ?? '') || !ID_PATTERN.test(q['device'] ?? '') || !METRIC_PATTERN.test(q['metric'] ?? ''))
      return void res.status(400).json({ error: 'booth, device and metric are required' });
    if (from === null || to === null || from >= to) return void res.status(400).json({ error: 'from: must be before to' });
    if (points === null || points < 1 || points > 5000) return void res.status(400).json({ error: 'points: must be 1 to 5000' });
    const device = byKey.get(`${q['booth']}/${q['device']}`);
    const result = device ? history(device, q['metric'] as string, from, to, points) : { intervalMs: Math.ceil((to - from) / points), points: [] };
    res.json({ booth: q['booth'], device: q['device'], metric: q['metric'], from, to, source: 'influxdb', ...result });
  });

  app.get(CONSOLE_API.health, (_req, res) => {
    const now = Date.now();
    const readingsPerSecond = devices.reduce((sum, d) => sum + d.health.ratePerSecond, 0);
    const body: ServerHealth = {
      serverTime: now,
      uptimeSeconds: Math.round((now - startedAt) / 1000) + 86_400,
      ingest: {
        readingsPerSecond,
        rejectedPerSecond: 0.4,
        accepted: Math.round(readingsPerSecond * 86_400),
        rejected: devices.reduce((sum, d) => sum + d.health.rejectedTotal, 0),
        acknowledgementsHeld: 3,
      },
      status: 'ok',
      degraded: [],
      influx: {
        mode: 'v1',
        reachable: true,
        writeLatencyMs: { mean: 14, max: 95 },
        pendingLines: 1_200,
        bufferFill: 0.002,
        dropped: 0,
        lastError: null,
        spool: {
          dir: 'data/spool',
          bytes: 48 * 1024 * 1024,
          maxBytes: 2 * 1024 ** 3,
          segments: 2,
          unsentReadings: 1_200,
          oldestUnsentAt: now - 1_500,
          replay: null,
          replayFinished: null,
          dropped: { overflow: 0, diskFull: 0, tornTail: 0, lostSegment: 0 },
          notSpooled: 0,
          acknowledgedBeforeDurable: 0,
          lastError: null,
          syncIntervalMs: 25,
        },
      },
      walls: {
        connected: 2,
        list: [
          { id: 'wall-hall-a', address: '10.0.9.1', reloads: 1, lastReloadReason: 'heap', connectedAt: startedAt - 3_600_000 },
          { id: null, address: '10.0.9.2', reloads: 0, lastReloadReason: null, connectedAt: startedAt - 60_000 },
        ],
      },
      process: { rssBytes: 310 * 1024 * 1024, heapUsedBytes: 140 * 1024 * 1024, eventLoopLagMs: { p50: 1.2, p99: 6.5, max: 21 } },
      budgets: BOOTH_BUDGETS,
    };
    res.json(body);
  });

  app.get(CONSOLE_API.alarms, (_req, res) => {
    const body: AlarmList = { serverTime: Date.now(), alarms };
    res.json(body);
  });

  app.post(`${CONSOLE_API.acknowledge}/:id/ack`, (req, res) => {
    const target = alarms.find((a) => a.id === req.params['id']);
    if (!target) return void res.status(404).json({ error: 'no such alarm' });
    if (target.state === 'active') {
      target.state = 'acknowledged';
      target.acknowledgedBy = (res.locals['session'] as { session: ConsoleSession }).session.name;
      target.acknowledgedAt = Date.now();
    }
    res.status(204).end();
  });

  app.use('/api', (_req, res) => {
    res.status(404).json({ error: 'no such endpoint' });
  });
  app.get(CONSOLE_PAGE_ROUTE, consolePageRoute(webRoot));
  app.use(express.static(webRoot, { index: 'index.html' }));

  const server: Server = createServer(app);
  const port = await listen(server, options.port ?? 0, '127.0.0.1');
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    consoleUrl: `${url}${CONSOLE_PAGE_ROUTE}`,
    password,
    devices: devices.map((d) => d.health),
    alarms,
    requests,
    endSessions: () => sessions.clear(),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const stub = await startConsoleApiStub({ devices: Number(process.argv[2] ?? 2000), port: Number(process.argv[3] ?? 0) });
  console.log(`console stub: ${stub.consoleUrl} (password ${stub.password}); Ctrl-C stops it`);
}
