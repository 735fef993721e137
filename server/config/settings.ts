/**
 * Every setting Showfloor reads, validated at start-up: environment variables for deployment
 * wiring, the YAML file for booths and tunables. A bad value stops the process with a message
 * that names the setting; docs/operations.md ("Settings") documents each one.
 */
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { ID_PATTERN } from '../../contract/device';
import { parseHostName, type HostName } from '../http/HostPolicy';
import { adaptersSchema, topicMapsSchema } from './adapterSettings';
import { alarmRulesSchema, consoleSchema } from './consoleSettings';
import { passwordHashSetting } from './passwordHashSetting';

export class SettingsError extends Error {
  override name = 'SettingsError';
}

const port = z.coerce.number().int().min(0).max(65535);

function serializedOrigin(entry: string): string | undefined {
  let url: URL;
  try {
    url = new URL(entry);
  } catch {
    return undefined;
  }
  const bareOrigin = url.href === `${url.origin}/`; // no user, path, query or fragment
  return (url.protocol === 'http:' || url.protocol === 'https:') && bareOrigin ? url.origin : undefined;
}

function splitList(text: string): string[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

/** Comma-separated entries, blanks ignored; each is parsed by `parse` or named in the error. */
function commaList<T>(parse: (entry: string) => T | undefined, explain: (entry: string) => string) {
  return z.string().transform((text, ctx) => {
    const entries: T[] = [];
    for (const entry of splitList(text)) {
      const parsed = parse(entry);
      if (parsed === undefined) {
        ctx.addIssue({ code: 'custom', message: explain(entry) });
        return z.NEVER;
      }
      entries.push(parsed);
    }
    return entries;
  });
}

/**
 * ALLOWED_ORIGINS: comma-separated browser origins besides the server's own. Each is kept in the
 * serialized form browsers send in the Origin header, so matching is a plain string comparison.
 */
const originList = commaList(
  serializedOrigin,
  (entry) => `"${entry}" is not an origin: write scheme, host and optional port, e.g. https://wall.example.com:8443`,
);

/** ALLOWED_HOSTS: the names (optionally with a port) clients use to reach the web server. */
const hostList = commaList<HostName>(
  parseHostName,
  (entry) => `"${entry}" is not a host name: write a name or address with an optional port, e.g. wall.example.com or 10.0.0.5:8080 or [fd00::5]`,
);

/** Names express's `trust proxy` (proxy-addr) accepts for common address ranges. */
const NAMED_SUBNETS = new Set(['loopback', 'linklocal', 'uniquelocal']);

function proxyAddress(entry: string): string | undefined {
  if (NAMED_SUBNETS.has(entry)) return entry;
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return undefined;
  if (prefix === undefined) return entry;
  const bits = /^\d{1,3}$/.test(prefix) ? Number(prefix) : NaN;
  return bits >= 0 && bits <= (family === 4 ? 32 : 128) ? entry : undefined;
}

/**
 * TRUST_PROXY: express's `trust proxy`, limited to the forms that cannot trust every client:
 * a hop count, or the proxies' addresses and subnets. `true` would let any client name its own
 * address in X-Forwarded-For and so step around the per-client rate limit.
 */
const trustProxy = z.string().transform((text, ctx): false | number | string[] => {
  const value = text.trim();
  if (value === 'false') return false;
  if (/^\d{1,3}$/.test(value)) return Number(value) === 0 ? false : Number(value);
  if (value === 'true') {
    ctx.addIssue({
      code: 'custom',
      message: 'true would trust X-Forwarded-For from any client: give the number of proxies in front (e.g. 1) or their addresses (e.g. 10.0.0.2,10.0.1.0/24)',
    });
    return z.NEVER;
  }
  const entries = splitList(value);
  const bad = entries.find((entry) => proxyAddress(entry) === undefined);
  if (bad !== undefined || entries.length === 0) {
    ctx.addIssue({
      code: 'custom',
      message: `"${bad ?? value}" is neither a hop count nor a proxy address: write e.g. 1, or 10.0.0.2,10.0.1.0/24, or loopback`,
    });
    return z.NEVER;
  }
  return entries;
});

const envSchema = z.object({
  HTTP_PORT: port.default(8080),
  HTTP_HOST: z.string().min(1).default('0.0.0.0'),
  MQTT_PORT: port.default(1883),
  MQTT_HOST: z.string().min(1).default('0.0.0.0'),
  /** MQTT over TLS; only listened on when `tls` is configured in the YAML file. */
  MQTT_TLS_PORT: port.default(8883),
  INFLUX_URL: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
  INFLUX_API: z.enum(['v2', 'v1']).default('v2'),
  INFLUX_TOKEN: z.string().default(''),
  INFLUX_ORG: z.string().default(''),
  INFLUX_BUCKET: z.string().min(1).default('showfloor'),
  SHOWFLOOR_CONFIG: z.string().min(1).default('showfloor.yaml'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ALLOWED_ORIGINS: originList.default([]),
  ALLOWED_HOSTS: hostList.default([]),
  TRUST_PROXY: trustProxy.default(false),
});

export type EnvSettings = z.infer<typeof envSchema>;

const boothSchema = z.object({
  id: z.string().regex(ID_PATTERN, 'must match ^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$'),
  name: z.string().min(1).max(80),
  passwordHash: passwordHashSetting,
  // Plain passwords used to be accepted here; an old config must stop with directions, not start without them.
  password: z
    .never({
      error: 'plain passwords are no longer accepted: run `npm run hash-password`, put the line it prints (passwordHash: …) in its place and remove password',
    })
    .optional(),
  /** Device families whose own topic layouts this booth reads (docs/devices.md, "Bring your own device"); absent: the native contract only. */
  adapters: adaptersSchema.default([]),
  /** Generic maps for devices with a fixed layout of their own; tried after the families. */
  topicMaps: topicMapsSchema.default([]),
});

/** PEM files for TLS; relative paths are read from the directory of the YAML file. */
const tlsSchema = z
  .object({
    certFile: z
      .string({ error: (issue) => (issue.input === undefined ? 'required: the PEM certificate (followed by any intermediates)' : 'must be a path') })
      .min(1),
    keyFile: z.string({ error: (issue) => (issue.input === undefined ? 'required: the PEM private key of certFile' : 'must be a path') }).min(1),
    caFile: z.string().min(1).optional(),
    /** Plain MQTT on MQTT_PORT beside MQTT over TLS, for devices that cannot do TLS. */
    plainMqtt: z.boolean().default(true),
  })
  .strict();

const fileSchema = z
  .object({
    booths: z.array(boothSchema).default([]),
    /** Absent: plain HTTP and MQTT only. */
    tls: tlsSchema.optional(),
    live: z
      .object({
        windowMinutes: z
          .number()
          .positive()
          .max(24 * 60)
          .default(15),
        maxPointsPerSeries: z.number().int().min(10).max(100_000).default(900),
        maxDevicesPerBooth: z.number().int().min(1).max(100_000).default(500),
        maxSeriesPerDevice: z.number().int().min(1).max(1000).default(64),
        tickMs: z.number().int().min(20).max(5000).default(200),
        /**
         * Values (device × metric) in one booth's live frame per tick. Within a tick only the newest value
         * of each series is sent (a wall draws one point per series per tick); past this the earliest are
         * dropped from the live view, never from storage, and counted against the booth (live-frame-budget).
         */
        maxFrameReadingsPerBooth: z.number().int().min(10).max(1_000_000).default(5000),
        /** About this many JSON bytes of readings in one booth's live frame per tick; past it, as above. */
        maxFrameBytesPerBooth: z
          .number()
          .int()
          .min(4 * 1024)
          .max(256 * 1024 * 1024)
          .default(512 * 1024),
        /** Open alarms a wall is sent, all its booths together; each booth gets an equal share, most severe and newest first. */
        maxAlarmsPerWall: z.number().int().min(1).max(100_000).default(200),
      })
      .strict()
      .prefault({}),
    mqtt: z
      .object({
        maxPacketBytes: z
          .number()
          .int()
          .min(1024)
          .max(256 * 1024 * 1024)
          .default(64 * 1024),
        /**
         * Connections per client address that have not authenticated yet; an authenticated one counts
         * against its booth's budgets.maxConnectionsPerBooth instead, as a booth behind NAT shares one address.
         */
        maxConnectionsPerAddress: z.number().int().min(1).max(1_000_000).default(200),
        /** Attempts per client address, with a burst; an attempt that proves a booth's password is given back. */
        connectionAttemptsPerSecond: z.number().min(0.01).max(100_000).default(20),
        connectionAttemptBurst: z.number().int().min(1).max(1_000_000).default(40),
        /** Well above the benchmark's 400/s per device. */
        messagesPerSecondPerDevice: z.number().min(1).max(1_000_000).default(1000),
        /** 0: any keepalive, including none. */
        keepaliveLimitSeconds: z.number().int().min(0).max(65_535).default(300),
        maxInflightQos2: z.number().int().min(1).max(65_535).default(100),
        /** Topic filters per connection: a device needs a few, and `booth/{id}/#` covers a whole booth. */
        maxSubscriptionsPerClient: z.number().int().min(1).max(100_000).default(100),
        /** QoS 1/2 messages kept for a persistent session while it is away (or unacknowledged); newer ones are dropped. */
        maxQueuedMessagesPerSession: z.number().int().min(1).max(1_000_000).default(1000),
        /** `clean: false` client ids per booth; keep it above the booth's device count, as devices may connect that way. */
        maxPersistentSessionsPerBooth: z.number().int().min(1).max(1_000_000).default(1000),
      })
      .strict()
      .prefault({}),
    /**
     * The write-ahead spool between ingest and InfluxDB (issue 13, server/store/spool/): readings are
     * on disk before a QoS 1/2 publish is acknowledged, and leave it once InfluxDB confirmed them.
     */
    storage: z
      .object({
        /**
         * Where the spool's segments live, relative to the working directory; on by default with
         * InfluxDB (issue 13: `./data/spool`). `false` or `off` turns it off (readings wait in memory
         * only). No effect in memory mode (no INFLUX_URL). Parsed to null when off.
         */
        spoolDir: z
          .union([z.literal(false), z.string().trim().min(1, 'must be a directory path, or false (or off) to run without a spool')])
          .default('data/spool')
          .transform((dir) => (dir === false || dir === 'off' ? null : dir)),
        /** Group commit: one fsync covers every append of this many ms; a QoS 1/2 acknowledgement waits for it. */
        syncIntervalMs: z.number().int().min(1).max(1000).default(25),
        /** Past this the oldest segments are dropped and counted (default 8 GiB: about 4.5 hours of outage at 5,000 readings/s of ~100 B lines). */
        maxSpoolBytes: z
          .number()
          .int()
          .min(1024 * 1024)
          .max(2 ** 50)
          .default(8 * 1024 ** 3),
        /** /api/health says degraded while the oldest reading InfluxDB has not confirmed is older than this. */
        degradedBacklogSeconds: z.number().int().min(1).max(86_400).default(30),
        /**
         * /api/health says degraded while the mean write round trip over the last 10 s is above this. A
         * local InfluxDB answers a 5,000-line batch in tens of ms, a remote one over hall Wi-Fi in a few
         * hundred; 1 s stalls must show.
         */
        degradedWriteRoundTripMs: z.number().int().min(1).max(600_000).default(800),
      })
      .strict()
      .prefault({}),
    influx: z
      .object({
        batchSize: z.number().int().min(1).max(100_000).default(5000),
        flushIntervalMs: z.number().int().min(10).max(60_000).default(1000),
        /** Lines pending while InfluxDB is away or slow (120 s at 5,000 lines/s by default); past it new readings are dropped from storage. */
        maxBufferLines: z.number().int().min(1000).max(10_000_000).default(600_000),
        maxRetryTimeMs: z
          .number()
          .int()
          .min(1000)
          .max(24 * 3600_000)
          .default(600_000),
      })
      .strict()
      .prefault({}),
    http: z
      .object({
        /** Per client IP, shared by /api and /metrics. */
        rateLimitPerMinute: z.number().int().min(1).max(1_000_000).default(600),
      })
      .strict()
      .prefault({}),
    wall: z
      .object({
        /** What walls show (docs/wall.md, "Dashboard file"); relative to this settings file. Unset: automatic scenes. */
        dashboardFile: z.string().trim().min(1, 'must be a file path; leave it out for automatic scenes').optional(),
        /** socket.io connections (walls) open at once, all addresses together. */
        maxConnections: z.number().int().min(1).max(1_000_000).default(2000),
        /** socket.io connections open at once from one address: a hall's kiosks may share a NAT address. */
        maxConnectionsPerAddress: z.number().int().min(1).max(1_000_000).default(100),
        /** Bytes of one wall's snapshot; past it the oldest points are left out and the wall is told. */
        maxSnapshotBytes: z
          .number()
          .int()
          .min(64 * 1024)
          .max(1024 * 1024 * 1024)
          .default(8 * 1024 * 1024),
        /** Bytes waiting to be written to one wall; a wall that does not read past it is disconnected. */
        maxBufferedBytesPerWall: z
          .number()
          .int()
          .min(64 * 1024)
          .max(1024 * 1024 * 1024)
          .default(16 * 1024 * 1024),
        /** Wall handshakes carrying a report (kiosk id, reloads) per address per minute; past it the report is ignored. */
        reportsPerMinutePerAddress: z.number().int().min(1).max(1_000_000).default(30),
        /** Kiosks remembered in /api/walls; past it the longest-gone is forgotten. */
        maxKnownWalls: z.number().int().min(1).max(1_000_000).default(1000),
      })
      .strict()
      .prefault({}),
    /** What a reading's timestamp may say; impossible dates are always refused. */
    ingest: z
      .object({
        /** Readings older than this are refused as too-old: the wall needs minutes, a gateway's backlog hours. */
        maxReadingAgeHours: z
          .number()
          .positive()
          .max(24 * 366)
          .default(72),
      })
      .strict()
      .prefault({}),
    /**
     * Per booth, so one booth at its limits leaves every other booth exactly as it was. Every refusal is
     * counted against its booth and shown in the console (docs/operations.md, "Budgets").
     */
    budgets: z
      .object({
        /** Series (device × metric) in the live window of one booth. */
        maxSeriesPerBooth: z.number().int().min(1).max(10_000_000).default(5000),
        /** Bytes the live window of one booth may hold (16 bytes a point). */
        maxLiveWindowBytesPerBooth: z
          .number()
          .int()
          .min(64 * 1024)
          .max(64 * 1024 * 1024 * 1024)
          .default(64 * 1024 * 1024),
        /** Alarms open at once for one booth; the server-wide limit stays as the last line. */
        maxOpenAlarmsPerBooth: z.number().int().min(1).max(1_000_000).default(500),
        /** Bytes of retained messages one booth keeps in the broker. */
        maxRetainedBytesPerBooth: z
          .number()
          .int()
          .min(1024)
          .max(1024 * 1024 * 1024)
          .default(4 * 1024 * 1024),
        /** Readings per second for a whole booth, all its devices together; the excess is dropped and counted. */
        readingsPerSecondPerBooth: z.number().min(1).max(10_000_000).default(20_000),
        /** Authenticated MQTT connections one booth may hold, from any addresses. */
        maxConnectionsPerBooth: z.number().int().min(1).max(1_000_000).default(2000),
        /** Distinct device ids one booth may write to InfluxDB within storedDevicePeriodHours (InfluxDB's max-values-per-tag is shared). */
        maxStoredDevicesPerBooth: z.number().int().min(1).max(10_000_000).default(1000),
        storedDevicePeriodHours: z
          .number()
          .positive()
          .max(24 * 366)
          .default(24),
      })
      .strict()
      .prefault({}),
    /** The technician console's login; absent: the console API answers 503. */
    console: consoleSchema.optional(),
    alarms: alarmRulesSchema.default([]),
  })
  .strict()
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    file.booths.forEach((booth, i) => {
      if (seen.has(booth.id)) {
        ctx.addIssue({ code: 'custom', path: ['booths', i, 'id'], message: `duplicate booth id "${booth.id}"` });
      }
      seen.add(booth.id);
    });
    // A rule for a booth that does not exist would never fire; say so instead of staying silent.
    file.alarms.forEach((rule, i) => {
      if (rule.booth !== undefined && !seen.has(rule.booth)) {
        ctx.addIssue({ code: 'custom', path: ['alarms', i, 'booth'], message: `no booth "${rule.booth}" is configured` });
      }
    });
  });

export type FileSettings = z.infer<typeof fileSchema>;
export type TlsSettings = z.infer<typeof tlsSchema>;
export type BoothConfig = z.infer<typeof boothSchema>;

export interface Settings {
  env: EnvSettings;
  file: FileSettings;
  /** Where the YAML came from; null when the file did not exist. */
  configPath: string | null;
}

/** `booths[0].id`: how every settings error names its place, so messages read the same everywhere. */
export function settingPath(path: readonly PropertyKey[]): string {
  return path.length > 0
    ? path
        .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
        .join('')
        .replace(/^\./, '')
    : '(root)';
}

function describeIssues(source: string, error: z.ZodError): string {
  return error.issues.map((issue) => `${source}: ${settingPath(issue.path)}: ${issue.message}`).join('\n');
}

export function parseEnv(env: NodeJS.ProcessEnv): EnvSettings {
  // Empty variables count as unset, as a shell user who writes `INFLUX_URL= npm start` expects.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = envSchema.safeParse(present);
  if (!result.success) throw new SettingsError(describeIssues('environment', result.error));
  if (result.data.INFLUX_API === 'v2' && result.data.INFLUX_URL && !result.data.INFLUX_ORG) {
    throw new SettingsError('environment: INFLUX_ORG: required when INFLUX_API=v2 (use INFLUX_API=v1 for InfluxDB 1.x)');
  }
  if (result.data.INFLUX_API === 'v1' && !/^[^/]+(\/[^/]+)?$/.test(result.data.INFLUX_BUCKET)) {
    throw new SettingsError('environment: INFLUX_BUCKET: in v1 mode must be "database" or "database/retention-policy"');
  }
  return result.data;
}

export function parseSettingsFile(text: string, source: string): FileSettings {
  let raw: unknown;
  try {
    raw = parseYaml(text) ?? {};
  } catch (error) {
    const where = error instanceof YAMLParseError && error.linePos ? ` (line ${error.linePos[0].line})` : '';
    throw new SettingsError(`${source}${where}: not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  const result = fileSchema.safeParse(raw);
  if (!result.success) throw new SettingsError(describeIssues(source, result.error));
  return result.data;
}

/**
 * The dashboard file's absolute path, or null for automatic scenes. Relative paths are read from the
 * settings file's folder, so `dashboardFile: dashboard.yaml` means the file beside showfloor.yaml
 * wherever the server is started from.
 */
export function dashboardFilePath(settings: Settings): string | null {
  const file = settings.file.wall.dashboardFile;
  return file === undefined ? null : resolve(dirname(settings.configPath ?? '.'), file);
}

export async function loadSettings(env: NodeJS.ProcessEnv = process.env): Promise<Settings> {
  const envSettings = parseEnv(env);
  const path = envSettings.SHOWFLOOR_CONFIG;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return { env: envSettings, file: parseSettingsFile('', path), configPath: null };
    }
    throw new SettingsError(`SHOWFLOOR_CONFIG: cannot read ${path}: ${(error as Error).message}`);
  }
  return { env: envSettings, file: parseSettingsFile(text, path), configPath: path };
}
