/**
 * Wires one running Showfloor: broker → ingest → (InfluxDB store, live directory → hub) → socket.io
 * and HTTP. `npm start`, `npm run demo`, the tests and the benchmark all start it through here.
 */
import { createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Socket as EngineSocket } from 'engine.io';
import { Server as SocketServer } from 'socket.io';
import { listen } from '../broker/listen';
import { TokenBucketLimiter } from '../broker/TokenBucketLimiter';
import type { BrokerRefusal } from '../broker/brokerEvents';
import { ShowfloorBroker } from '../broker/ShowfloorBroker';
import { AdapterRouter } from './adapters/AdapterRouter';
import type { BoothCommands } from './adapters/DeviceAdapter';
import { BudgetRefusals } from './budgets/BudgetRefusals';
import { dashboardFilePath, type Settings } from './config/settings';
import { loadTlsCredentials } from './config/tlsCredentials';
import { TechnicianConsole } from './console/TechnicianConsole';
import { createHttpApp } from './http/createHttpApp';
import { HostPolicy, MISDIRECTED } from './http/HostPolicy';
import { createMetricsRegistry } from './http/metrics';
import { OriginPolicy } from './http/OriginPolicy';
import { routeUpgrades } from './http/routeUpgrades';
import type { ServerState } from './http/ServerState';
import { KpiReader } from './kpi/KpiReader';
import { Ingest } from './ingest/Ingest';
import { IngestCounters } from './ingest/IngestCounters';
import { DEFAULT_VALIDATOR_LIMITS, TelemetryValidator } from './ingest/TelemetryValidator';
import { DeviceDirectory } from './live/DeviceDirectory';
import { LiveHub, type WallServer } from './live/LiveHub';
import { WALL_REFUSAL_MESSAGES, WallAdmission } from './live/WallAdmission';
import { clientAddressResolver } from './live/clientAddress';
import { WallRegistry } from './live/WallRegistry';
import type { Logger } from './logger';
import { HistoryReader } from './store/HistoryReader';
import { InfluxStore } from './store/InfluxStore';
import { StorageHealth } from './store/StorageHealth';
import { StoreCounters } from './store/StoreCounters';
import { StoredDeviceBudget, learnStoredDevices } from './store/StoredDeviceBudget';
import { warmLiveView } from './store/liveWarmup';
import { DashboardSource } from './dashboard/DashboardSource';
import { ComponentRunner, type ComponentOrder } from './lifecycle/ComponentRunner';

export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../dist/web', import.meta.url));
const MQTT_WEBSOCKET_PATH = '/mqtt';
const INFLUX_PING_INTERVAL_MS = 10_000;
/** As long as a device has to send CONNECT: a TLS client that has not finished by then is not coming. */
const TLS_HANDSHAKE_TIMEOUT_MS = 10_000;
/** Addresses whose wall reports are rate-limited at once; the least recently seen is forgotten past it. */
const WALL_REPORT_ADDRESSES = 10_000;

/**
 * Every part that holds timers, sockets or files, in the order it starts and the order it closes.
 * Start-up follows the data's dependencies: the store before the console (which restores alarms from
 * it), the broker before anything listens, the MQTT ports last so no device arrives before the walls can.
 * Shutdown is not start-up reversed, because what flushes data must outlive what produces it:
 */
const COMPONENT_ORDER: ComponentOrder = {
  start: ['influx store', 'influx ping', 'console', 'broker', 'live hub', 'dashboard watcher', 'http and socket.io', 'mqtt listeners'],
  close: [
    // Nothing left to tell the walls about the file.
    'dashboard watcher',
    // Stops recording before the broker drops the devices: those disconnects are the server's doing, not the devices'.
    'console',
    // No new readings arrive after this, so what the hub and the store hold is all there is to flush.
    'broker',
    'mqtt listeners',
    // One last tick sends the readings taken since the previous tick, then its timer stops.
    'live hub',
    // After that last tick, so the walls receive it before their connections close.
    'http and socket.io',
    'influx ping',
    // Last: it flushes every reading ingest handed it to InfluxDB.
    'influx store',
  ],
};

export interface RunningShowfloor {
  /** Serves HTTPS when `tls` is configured. */
  httpPort: number;
  /** Plain MQTT; null when `tls.plainMqtt` is false. */
  mqttPort: number | null;
  /** MQTT over TLS; null without `tls`. */
  mqttTlsPort: number | null;
  state: ServerState;
  broker: ShowfloorBroker;
  /** Flushes everything held (live frames, InfluxDB buffers) and stops listening. */
  close(): Promise<void>;
}

export async function startShowfloor(settings: Settings, log: Logger, webRoot = DEFAULT_WEB_ROOT): Promise<RunningShowfloor> {
  const { env, file } = settings;
  // First, so a bad certificate stops start-up before anything else is started.
  const tls = file.tls ? await loadTlsCredentials(file.tls, settings.configPath ?? env.SHOWFLOOR_CONFIG) : undefined;
  if (tls) {
    const { subject, validTo } = tls.certificate;
    if (Date.parse(validTo) < Date.now()) log.warn({ subject, validTo }, 'the TLS certificate has expired: devices and browsers will refuse it');
    else log.info({ subject, validTo }, 'TLS certificate loaded');
  }
  const booths = file.booths.map((b) => ({ id: b.id, name: b.name }));
  const components = new ComponentRunner(COMPONENT_ORDER, log);
  const windowMs = file.live.windowMinutes * 60_000;
  // First, before anything listens: a dashboard file that cannot be served stops start-up like a bad setting.
  const dashboardFile = dashboardFilePath(settings);
  const dashboard =
    dashboardFile === null
      ? DashboardSource.automatic(log)
      : await DashboardSource.open(
          dashboardFile,
          log,
          booths.map((b) => b.id),
        );
  const walls = new WallRegistry(file.wall.maxKnownWalls);
  const wallAdmission = new WallAdmission(file.wall);
  // Behind a reverse proxy, the walls' own addresses, as express's req.ip finds them (TRUST_PROXY).
  const wallAddress = clientAddressResolver(env.TRUST_PROXY);
  // Per address, bounded like the broker's limiters: an address forgotten past the bound starts with a full bucket.
  const wallReports = new TokenBucketLimiter({
    ratePerSecond: file.wall.reportsPerMinutePerAddress / 60,
    burst: file.wall.reportsPerMinutePerAddress,
    maxKeys: WALL_REPORT_ADDRESSES,
  });

  const ingestCounters = new IngestCounters();
  const storeCounters = new StoreCounters();
  const brokerRefusals = new Map<BrokerRefusal, number>();
  const budgetRefusals = new BudgetRefusals(booths.map((b) => b.id));
  const directory = new DeviceDirectory(
    {
      windowMs,
      maxPointsPerSeries: file.live.maxPointsPerSeries,
      maxDevicesPerBooth: file.live.maxDevicesPerBooth,
      maxSeriesPerDevice: file.live.maxSeriesPerDevice,
      maxSeriesPerBooth: file.budgets.maxSeriesPerBooth,
      maxLiveWindowBytesPerBooth: file.budgets.maxLiveWindowBytesPerBooth,
    },
    budgetRefusals,
  );
  // Made once the store is ready (it restores alarms from there); walls connect only after that.
  // eslint-disable-next-line prefer-const -- the hub's alarm callback closes over it before it is made
  let technicianConsole: TechnicianConsole | undefined;
  const hub = new LiveHub(
    directory,
    booths,
    {
      tickMs: file.live.tickMs,
      windowMs,
      maxFrameReadingsPerBooth: file.live.maxFrameReadingsPerBooth,
      maxFrameBytesPerBooth: file.live.maxFrameBytesPerBooth,
      maxSnapshotBytes: file.wall.maxSnapshotBytes,
      maxBufferedBytesPerWall: file.wall.maxBufferedBytesPerWall,
    },
    {
      dashboard: () => dashboard.current,
      registry: walls,
      alarms: (wanted) => technicianConsole?.alarms.wallNotices(wanted, file.live.maxAlarmsPerWall) ?? [],
      admitReport: (address) => wallReports.take(address),
      addressOf: wallAddress,
    },
    budgetRefusals,
  );

  let store: InfluxStore | null = null;
  const storedDevices = new StoredDeviceBudget(
    booths.map((b) => b.id),
    { maxDevicesPerBooth: file.budgets.maxStoredDevicesPerBooth, periodMs: file.budgets.storedDevicePeriodHours * 3600_000 },
    budgetRefusals,
  );
  if (env.INFLUX_URL) {
    const influx = new InfluxStore(
      { url: env.INFLUX_URL, api: env.INFLUX_API, token: env.INFLUX_TOKEN, org: env.INFLUX_ORG, bucket: env.INFLUX_BUCKET },
      file.influx,
      storeCounters,
      log,
      budgetRefusals,
      storedDevices,
      // The write-ahead spool (issue 13): opened and replayed in the 'influx store' component's start.
      file.storage.spoolDir === null
        ? null
        : { dir: resolve(file.storage.spoolDir), syncIntervalMs: file.storage.syncIntervalMs, maxBytes: file.storage.maxSpoolBytes },
    );
    store = influx;
    await components.start({ name: 'influx store', start: () => influx.prepare(), close: () => influx.close() });
    if (store.reachable) {
      const boothIds = booths.map((b) => b.id);
      // Each is a help, not a need: the server starts without them and says so.
      await bestEffort(log, 'live view warmed from InfluxDB', 'could not warm the live view from InfluxDB', async () => ({
        points: await warmLiveView(influx, directory, boothIds),
      }));
      await bestEffort(
        log,
        'stored-device budgets learned from InfluxDB',
        'could not learn which devices each booth stored recently; stored-device budgets start empty',
        async () => ({ devices: await learnStoredDevices(influx, storedDevices, boothIds) }),
      );
    } else {
      log.warn({ influxdb: store.describe(), err: store.lastError }, 'InfluxDB is not reachable yet; readings are buffered and retried');
    }
    let pingTimer: NodeJS.Timeout | undefined;
    await components.start({
      name: 'influx ping',
      start() {
        pingTimer = setInterval(() => void influx.ping(), INFLUX_PING_INTERVAL_MS);
        pingTimer.unref();
      },
      close: () => clearInterval(pingTimer),
    });
  } else {
    log.warn('INFLUX_URL is not set: running with in-memory history only (the live window); nothing is stored');
  }

  const startedAt = Date.now();
  const storageHealth = new StorageHealth(store, storeCounters, {
    degradedWriteRoundTripMs: file.storage.degradedWriteRoundTripMs,
    degradedBacklogSeconds: file.storage.degradedBacklogSeconds,
    maxBufferLines: file.influx.maxBufferLines,
  });
  // The broker starts after the console: its count is read through this until then (0: nothing held).
  const heldAcknowledgements = { count: () => 0 };
  const consoleParts = await TechnicianConsole.start({
    acknowledgementsHeld: () => heldAcknowledgements.count(),
    file,
    booths,
    directory,
    budgetRefusals,
    store,
    ingestCounters,
    storeCounters,
    walls,
    startedAt,
    log,
    storageHealth,
  });
  technicianConsole = consoleParts;
  technicianConsole.alarms.onChange((change) => hub.alarmsChanged(change.alarm.booth));
  // Alarm changes a late spool replay brought: quiet for storage (it has the rows), not for walls.
  technicianConsole.alarms.onReconciled((changedBooths) => {
    for (const booth of changedBooths) hub.alarmsChanged(booth);
  });
  // Presence events are the tracker's to write; walls hear of them in the next frame's device summaries.
  technicianConsole.tracker.onChange((change) => hub.deviceChanged(change.booth, change.device));
  directory.model.onForgotten((record) => hub.deviceForgotten(record.booth, record.device));
  if (!file.console) log.warn('console is not configured (no `console` section in the settings file): the technician console API answers 503');

  const hostPolicy = new HostPolicy(env.ALLOWED_HOSTS);
  const originPolicy = new OriginPolicy(env.ALLOWED_ORIGINS, hostPolicy);
  const validator = new TelemetryValidator({ ...DEFAULT_VALIDATOR_LIMITS, maxAgeMs: file.ingest.maxReadingAgeHours * 3600_000 });
  const ingest = new Ingest(validator, directory, hub, store, ingestCounters, log);
  // Adapters are made before the broker, which needs ingest as its sink; their commands (Sparkplug's
  // rebirth request) reach the broker once it runs, and go nowhere before: no device is connected then.
  const commandTarget: { broker?: BoothCommands } = {};
  const adapters = new AdapterRouter(
    file.booths,
    validator,
    { publishToBooth: (booth, topic, payload) => commandTarget.broker?.publishToBooth(booth, topic, payload) },
    { maxDevicesPerBooth: file.live.maxDevicesPerBooth, maxPayloadBytes: DEFAULT_VALIDATOR_LIMITS.maxPayloadBytes },
  );
  // After a restart the router remembers nothing: it merges from the identity restored into the model.
  adapters.useKnownMeta((booth, device) => directory.get(booth, device)?.meta);
  for (const { booth, family } of adapters.unavailable)
    log.warn({ booth, family }, 'adapter listed for a booth is not part of this build; its topics are counted as unmapped-topic');
  ingest.useAdapters(adapters);
  await components.start({ name: 'console', start: () => consoleParts.attach(ingest), close: () => consoleParts.close() });
  const broker = await ShowfloorBroker.start({
    booths: file.booths,
    maxPacketBytes: file.mqtt.maxPacketBytes,
    maxRetainedTopicsPerBooth: 2 * file.live.maxDevicesPerBooth, // a status and a meta per device
    limits: file.mqtt,
    budgets: file.budgets,
    admitsWebSocketOrigin: (headers) => originPolicy.admits(headers),
    sink: ingest,
    onRefusal(refusal, detail) {
      brokerRefusals.set(refusal, (brokerRefusals.get(refusal) ?? 0) + 1);
      // A flooding device, or a flood queued for an absent session, is refused thousands of times a second: counted always, logged only at debug.
      if (refusal === 'rate-limited' || refusal === 'booth-rate-limited' || refusal === 'session-queue-full') log.debug({ refusal, ...detail }, 'MQTT refused');
      else log.info({ refusal, ...detail }, 'MQTT refused');
    },
    onBudgetRefusal: (booth, refusal) => budgetRefusals.count(booth, refusal),
  });
  commandTarget.broker = broker;
  heldAcknowledgements.count = () => broker.acknowledgementsHeld;
  await components.start({ name: 'broker', close: () => broker.close() });

  const ports = { mqtt: null as number | null, mqttTls: null as number | null };
  const state: ServerState = {
    startedAt,
    booths,
    ingest: ingestCounters,
    store: storeCounters,
    influx: store,
    storedDevices,
    brokerRefusals,
    budgetRefusals,
    directory,
    hub,
    walls,
    dashboard,
    console: technicianConsole,
    mqttClients: () => broker.connectedClients,
    acknowledgementsHeld: () => broker.acknowledgementsHeld,
    wallClients: () => hub.connectedWalls,
    influxReachable: () => store?.reachable ?? false,
    storageHealth,
    get mqtt() {
      return { tcpPort: ports.mqtt, tlsPort: ports.mqttTls, webSocketPath: MQTT_WEBSOCKET_PATH };
    },
  };

  const history = new HistoryReader(store, directory);
  const app = createHttpApp({
    state,
    history,
    kpis: new KpiReader(store, directory),
    consoleApi: technicianConsole.api({ history, originPolicy, servesHttps: tls !== undefined }),
    metrics: createMetricsRegistry(state),
    webRoot,
    log,
    originPolicy,
    hostPolicy,
    trustProxy: env.TRUST_PROXY,
    rateLimitPerMinute: file.http.rateLimitPerMinute,
  });
  const httpServer = tls ? createHttpsServer({ ...tls.pem, handshakeTimeout: TLS_HANDSHAKE_TIMEOUT_MS }, app) : createServer(app);
  const io: WallServer = new SocketServer(httpServer, {
    serveClient: false,
    // A WebSocket handshake is not bound by CORS, so a foreign page could otherwise read the live
    // stream through its visitor's browser; clients without an Origin header are not browsers.
    allowRequest: (req, callback) => {
      // socket.io answers its own path before express sees it, so the Host is checked here too.
      if (!hostPolicy.admits(req.headers.host)) {
        log.info({ host: req.headers.host }, 'socket.io handshake refused: Host not in ALLOWED_HOSTS');
        return callback(MISDIRECTED, false);
      }
      const admitted = originPolicy.admits(req.headers);
      // Says which origin to list in ALLOWED_ORIGINS, e.g. behind a proxy that rewrites Host.
      if (!admitted) {
        log.info({ origin: req.headers.origin, host: req.headers.host }, 'socket.io handshake refused: origin not allowed');
        return callback('origin not allowed', false);
      }
      // Only new sessions come here (engine.io asks for handshakes only), so each open connection is checked once.
      const address = wallAddress(req);
      const refusal = wallAdmission.refusal(address);
      if (refusal) {
        walls.countRefusal(refusal);
        log.debug({ address, refusal }, 'socket.io handshake refused: connection limit');
        return callback(WALL_REFUSAL_MESSAGES[refusal], false);
      }
      callback(null, true);
    },
    // Listed origins may also use HTTP long-polling, which needs CORS headers.
    ...(originPolicy.listed.length > 0 ? { cors: { origin: originPolicy.listed } } : {}),
    // Walls only listen; nothing they send needs more than this.
    maxHttpBufferSize: 16 * 1024,
    // Upgrades on other paths (MQTT over WebSocket) are ours to handle, not socket.io's to destroy.
    destroyUpgrade: false,
  });
  io.engine.on('connection', (conn: EngineSocket) => {
    const address = wallAddress(conn.request);
    const refusal = wallAdmission.opened(address);
    if (refusal) {
      walls.countRefusal(refusal);
      conn.close(true);
      return;
    }
    conn.once('close', () => wallAdmission.closed(address));
  });
  await components.start({
    name: 'live hub',
    start: () => hub.attach(io),
    close() {
      hub.tick();
      hub.close();
    },
  });
  await components.start({
    name: 'dashboard watcher',
    start: () => dashboard.watch((changed) => hub.publishDashboard(changed)),
    close: () => dashboard.close(),
  });
  routeUpgrades(httpServer, {
    hostPolicy,
    mqttPath: MQTT_WEBSOCKET_PATH,
    mqtt: (req, socket, head) => broker.handleWebSocketUpgrade(req, socket, head),
    log,
  });

  let httpPort = 0;
  await components.start({
    name: 'http and socket.io',
    async start() {
      httpPort = await listen(httpServer, env.HTTP_PORT, env.HTTP_HOST);
    },
    // socket.io closes the HTTP server it is attached to.
    close: () => new Promise<void>((resolve) => void io.close(() => resolve())),
  });
  await components.start({
    name: 'mqtt listeners',
    async start() {
      if (!tls || file.tls?.plainMqtt) ports.mqtt = await broker.listenTcp(env.MQTT_PORT, env.MQTT_HOST);
      if (tls) ports.mqttTls = await broker.listenTls(env.MQTT_TLS_PORT, env.MQTT_HOST, tls.context);
    },
    // Listed so a port that cannot be bound closes everything started before it; the broker's own close stops its listeners.
    close() {},
  });
  log.info({ httpPort, https: tls !== undefined, mqttPort: ports.mqtt, mqttTlsPort: ports.mqttTls, booths: booths.map((b) => b.id) }, 'Showfloor is running');

  let closing: Promise<void> | undefined;
  return {
    httpPort,
    mqttPort: ports.mqtt,
    mqttTlsPort: ports.mqttTls,
    state,
    broker,
    close() {
      // Once: a second call gets the same shutdown, and "stopped" is logged once.
      closing ??= components.close().finally(() => log.info({ written: storeCounters.written, dropped: storeCounters.dropped }, 'Showfloor stopped'));
      return closing;
    },
  };
}

/** Runs a start-up step the server can do without: logs what it did, or why it could not. */
async function bestEffort(log: Logger, done: string, failed: string, step: () => Promise<Record<string, unknown>>): Promise<void> {
  try {
    log.info(await step(), done);
  } catch (error) {
    log.warn({ err: (error as Error).message }, failed);
  }
}
