/**
 * Starts a real Showfloor (broker, ingest, store, hub, HTTP) on free loopback ports for a test,
 * configured through the same parsers as production so tests exercise real settings.
 */
import { pino, type Logger } from 'pino';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { io as connectSocket, type Socket } from 'socket.io-client';
import type { ServerToWallEvents, WallSubscription, WallToServerEvents } from '../../contract/live';
import { MIN_SCRYPT_N, hashPasswordSync } from '../../broker/passwordHash';
import { parseEnv, parseSettingsFile, type Settings } from '../../server/config/settings';
import { startShowfloor, type RunningShowfloor } from '../../server/Showfloor';
import { waitForEvent } from './waitFor';

export interface TestBooth {
  id: string;
  name: string;
  password: string;
  /** More YAML for this booth's entry (e.g. `adapters:`), indented four spaces. */
  settingsYaml?: string;
}

export const BOOTH_A: TestBooth = { id: 'booth-a', name: 'Booth A', password: 'password-a-123' };
export const BOOTH_B: TestBooth = { id: 'booth-b', name: 'Booth B', password: 'password-b-456' };

const passwordHashes = new Map<string, string>();

/**
 * The `passwordHash` for `password`, made once per test file at the lowest cost the broker accepts:
 * the format carries its cost, so tests stay fast without a weaker default in production.
 */
export function testPasswordHash(password: string): string {
  let hash = passwordHashes.get(password);
  if (!hash) passwordHashes.set(password, (hash = hashPasswordSync(password, { N: MIN_SCRYPT_N, r: 8, p: 1 })));
  return hash;
}

export interface TestShowfloorOptions {
  booths?: TestBooth[];
  /** InfluxDB 1.x URL; the database is `database`. Omit for in-memory mode. */
  influxUrl?: string;
  database?: string;
  /** Extra YAML appended to the generated settings file. */
  yaml?: string;
  /** Absolute path of a dashboard file (`wall.dashboardFile`); omit for automatic scenes. */
  dashboardFile?: string;
  httpPort?: number;
  mqttPort?: number;
  /** More environment variables, parsed with the rest (e.g. ALLOWED_HOSTS). */
  env?: Record<string, string>;
  /** Default: silent. */
  log?: Logger;
}

export function testSettings(options: TestShowfloorOptions = {}): Settings {
  const booths = options.booths ?? [BOOTH_A, BOOTH_B];
  const env = parseEnv({
    HTTP_PORT: String(options.httpPort ?? 0),
    HTTP_HOST: '127.0.0.1',
    MQTT_PORT: String(options.mqttPort ?? 0),
    MQTT_HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    ...(options.influxUrl ? { INFLUX_URL: options.influxUrl, INFLUX_API: 'v1', INFLUX_BUCKET: options.database ?? 'showfloor' } : {}),
    ...options.env,
  });
  const file = parseSettingsFile(settingsYaml(options, booths), 'test.yaml');
  // The spool is on by default with InfluxDB (data/spool in the working directory). Tests that are
  // not about it run without it, so they neither share nor leave a spool directory in the repository;
  // the spool tests set storage.spoolDir to a temp directory of their own.
  if (options.influxUrl && !/^\s+spoolDir:/m.test(options.yaml ?? '')) file.storage.spoolDir = null;
  return { env, file, configPath: 'test.yaml' };
}

function settingsYaml(options: TestShowfloorOptions, booths: TestBooth[]): string {
  const wall = options.dashboardFile ? `wall:\n  dashboardFile: ${JSON.stringify(options.dashboardFile)}\n` : '';
  return `booths:\n${booths.map((b) => `  - id: ${b.id}\n    name: ${JSON.stringify(b.name)}\n    passwordHash: ${JSON.stringify(testPasswordHash(b.password))}\n${b.settingsYaml ?? ''}`).join('')}${wall}${options.yaml ?? ''}`;
}

export type TestShowfloor = RunningShowfloor & { mqttPort: number; httpUrl: string; mqttUrl: string };

/** With plain MQTT on, as every test but the one that turns it off needs; https:// when `tls` is set. */
export async function startTestShowfloor(options: TestShowfloorOptions = {}): Promise<TestShowfloor> {
  const settings = testSettings(options);
  const running = await startShowfloor(settings, options.log ?? pino({ level: 'silent' }));
  const { mqttPort } = running;
  if (mqttPort === null) {
    await running.close();
    throw new Error('startTestShowfloor needs plain MQTT; start a Showfloor with tls.plainMqtt: false through startShowfloor');
  }
  const scheme = settings.file.tls ? 'https' : 'http';
  return { ...running, mqttPort, httpUrl: `${scheme}://127.0.0.1:${running.httpPort}`, mqttUrl: `mqtt://127.0.0.1:${mqttPort}` };
}

/** An MQTT.js client for a device of `booth`, with a fresh client id of that booth and no reconnects. */
function deviceClient(url: string, booth: TestBooth, options: IClientOptions): MqttClient {
  return mqtt.connect(url, {
    username: booth.id,
    password: booth.password,
    clientId: `${booth.id}-test-${Math.random().toString(16).slice(2, 10)}`,
    reconnectPeriod: 0,
    connectTimeout: 5000,
    ...options,
  });
}

/** Connects an MQTT.js client as a device of `booth`; resolves once connected. */
export async function connectDevice(url: string, booth: TestBooth, options: IClientOptions = {}): Promise<MqttClient> {
  const client = deviceClient(url, booth, options);
  await waitForEvent(client, 'connect', { timeoutMs: 5000 });
  return client;
}

/**
 * Tries to connect as a device of `booth` and disconnects again: 'connected', or what ended the
 * attempt (an error code such as DEPTH_ZERO_SELF_SIGNED_CERT, or 'closed' when the server hung up).
 */
export async function tryConnectDevice(url: string, booth: TestBooth, options: IClientOptions = {}): Promise<string> {
  const client = deviceClient(url, booth, options);
  let ended = 'closed';
  client.on('error', (error: Error & { code?: string | number }) => (ended = String(error.code ?? error.message)));
  try {
    const [event] = await Promise.race([
      waitForEvent<[]>(client, 'connect', { rejectOnError: false }).then(() => ['connect'] as const),
      waitForEvent<[]>(client, 'close', { rejectOnError: false }).then(() => ['close'] as const),
    ]);
    return event === 'connect' ? 'connected' : ended;
  } finally {
    client.end(true);
  }
}

export type WallClient = Socket<ServerToWallEvents, WallToServerEvents>;

/** A socket.io client speaking the wall protocol. Not connected until `connect()`. */
export function wallClient(httpUrl: string, subscription: WallSubscription = {}): WallClient {
  return connectSocket(httpUrl, {
    auth: { ...subscription },
    transports: ['websocket'],
    autoConnect: false,
    reconnectionDelay: 100,
    reconnectionDelayMax: 500,
  });
}

/** GETs `url` and parses its JSON as T, unchecked: pass the shape the test expects (test/support/publicApi.ts). */
export async function getJson<T = unknown>(url: string): Promise<{ status: number; body: T }> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as T };
}
