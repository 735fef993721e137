/**
 * The HTTP surface: the built wall pages and their logo, the technician console's page, a health
 * report a technician can read, the device and wall lists, history for charts, and Prometheus metrics. Every query string is validated here, at the edge;
 * every response carries the security headers, and the API and metrics are rate limited per client.
 */
import { existsSync } from 'node:fs';
import express, { type Express, type Response, type Router } from 'express';
import type { Registry } from 'prom-client';
import type { Logger } from '../logger';
import type { HistoryReader } from '../store/HistoryReader';
import { IMAGE_ROUTE, LOGO_ROUTE } from '../dashboard/dashboardLogo';
import { apiRateLimit } from './apiRateLimit';
import { CONSOLE_PAGE_ROUTE, consolePageRoute } from './consolePageRoute';
import { errorResponder, notFound } from './errorResponses';
import { historyRoute } from './historyRoute';
import type { HostPolicy } from './HostPolicy';
import type { OriginPolicy } from './OriginPolicy';
import { requestUrlGuard } from './requestUrlGuard';
import { securityHeaders } from './securityHeaders';
import type { ServerState } from './ServerState';
import { wallImageRoute, wallLogoRoute } from './wallLogoRoute';
import { kpiRoute } from './kpiRoute';
import type { KpiReader } from '../kpi/KpiReader';

export function createHttpApp(options: {
  state: ServerState;
  history: HistoryReader;
  /** Numbers of the dashboard's KPI panels, at /api/kpi. */
  kpis?: KpiReader;
  metrics: Registry;
  webRoot: string;
  log: Logger;
  originPolicy: OriginPolicy;
  hostPolicy: HostPolicy;
  /** Express's `trust proxy` (TRUST_PROXY): which hops' X-Forwarded-For to believe for req.ip. */
  trustProxy: false | number | string[];
  rateLimitPerMinute: number;
  /** The technician console's API, mounted at /api/console; it does its own login checks. */
  consoleApi?: Router;
}): Express {
  const { state, history, metrics, webRoot, log, originPolicy } = options;
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  // req.ip, which the API rate limit counts by and the logs name, is the client's behind a proxy.
  app.set('trust proxy', options.trustProxy);
  app.use(securityHeaders(() => state.dashboard.logoOrigin));
  app.use(options.hostPolicy.guard(log));
  app.use(requestUrlGuard());
  const rateLimit = apiRateLimit(options.rateLimitPerMinute, log);
  app.use('/api', rateLimit);
  app.use('/metrics', rateLimit);
  app.use('/api', originPolicy.corsForListedOrigins());

  app.get('/api/health', (_req, res) => {
    const influx = state.influx;
    const rejected = Object.fromEntries(state.ingest.rejected);
    const now = Date.now();
    const spool = influx?.spoolHealth(now) ?? null;
    const degraded = state.storageHealth.reasons(now, spool);
    res.json({
      status: degraded.length > 0 ? 'degraded' : 'ok',
      degraded,
      uptimeSeconds: Math.round((Date.now() - state.startedAt) / 1000),
      broker: {
        clients: state.mqttClients(),
        ...state.mqtt,
        refusals: Object.fromEntries(state.brokerRefusals),
        // QoS 1/2 acknowledgements waiting for their readings to be on disk (the spool's group commit).
        acknowledgementsHeld: state.acknowledgementsHeld(),
      },
      influxdb: influx
        ? {
            mode: influx.target.api,
            ...influx.describe(),
            reachable: state.influxReachable(),
            lastError: influx.lastError,
            // Lines InfluxDB refused (max-values-per-tag, field type conflicts...), by reason, and the last few with their booth and device.
            refused: Object.fromEntries(state.store.refused),
            recentRefusals: influx.recentRefusals,
            spool,
          }
        : { mode: 'memory', reachable: false, note: 'INFLUX_URL is not set: history is kept in memory for the live window only' },
      counters: {
        received: state.ingest.received,
        accepted: state.ingest.accepted,
        rejected,
        rejectedTotal: state.ingest.rejectedTotal(),
        written: state.store.written,
        writeFailures: state.store.writeFailures,
        dropped: state.store.dropped,
        pending: state.store.pendingLines(),
      },
      live: {
        devices: state.directory.size,
        walls: state.wallClients(),
        evictedDevices: state.directory.evictedDevices,
        droppedSeries: state.directory.droppedSeries,
        droppedLiveReadings: state.hub.droppedLiveReadings,
      },
      // Per booth: what its budgets refused, and its live window and open alarms against their budgets.
      budgets: state.console.boothBudgets(),
      storage: {
        maxStoredDevicesPerBooth: state.storedDevices.limits.maxDevicesPerBooth,
        storedDevicePeriodHours: state.storedDevices.limits.periodMs / 3600_000,
        // Per booth: distinct devices written within the period, readings left out past the budget, lines InfluxDB refused.
        booths: Object.fromEntries(
          state.booths.map((b) => {
            const refusals = state.budgetRefusals.forBooth(b.id);
            return [
              b.id,
              {
                storedDevices: state.storedDevices.storedDevices(b.id, Date.now()),
                refusedReadings: refusals.get('stored-devices-budget') ?? 0,
                refusedByInflux: refusals.get('influx-refused-line') ?? 0,
              },
            ];
          }),
        ),
      },
      dashboard: state.dashboard.status,
      walls: {
        connected: state.walls.connectedCount,
        reloads: Object.fromEntries(state.walls.reloads()),
        refused: Object.fromEntries(state.walls.refusals()),
        snapshotsTruncated: state.hub.snapshotsTruncated,
        snapshotPointsLeftOut: state.hub.snapshotPointsLeftOut,
        snapshotDevicesLeftOut: state.hub.snapshotDevicesLeftOut,
      },
    });
  });

  app.get('/api/devices', (_req, res) => {
    const now = Date.now();
    const devices = [...state.directory.records()].map((record) => {
      // The one presence rule's verdict (contract/presence.ts), named as the console names it.
      const verdict = state.directory.model.presenceOf(record, now);
      return {
        ...state.directory.summary(record),
        state: verdict.state,
        stateReason: verdict.reason,
        stateSince: verdict.since,
        accepted: record.accepted,
        rejected: Object.fromEntries(record.rejected),
        lastRejection: record.lastRejection,
      };
    });
    const booths = state.booths.map((b) => ({ ...b, unattributedRejections: state.directory.unattributedRejections(b.id) }));
    res.json({ booths, devices });
  });

  app.get('/api/walls', (_req, res) => {
    res.json(state.walls.list());
  });

  app.get('/api/history', historyRoute(state.booths, history));
  if (options.consoleApi) app.use('/api/console', options.consoleApi);

  app.get('/metrics', async (_req, res, next) => {
    try {
      res.type(metrics.contentType).send(await metrics.metrics());
    } catch (error) {
      next(error);
    }
  });

  if (options.kpis) app.get('/api/kpi', kpiRoute(state.booths, state.dashboard, options.kpis));

  app.get(LOGO_ROUTE, wallLogoRoute(state.dashboard));
  app.get(`${IMAGE_ROUTE}/:hash`, wallImageRoute(state.dashboard));
  app.get(CONSOLE_PAGE_ROUTE, consolePageRoute(webRoot));

  if (existsSync(webRoot)) {
    app.use(express.static(webRoot, { index: 'index.html', maxAge: '1h', setHeaders: noCacheForHtml }));
  } else {
    app.get('/', (_req, res) => {
      res.status(503).type('text/plain').send('The wall is not built yet: run `npm run build`, then reload.');
    });
  }

  app.use('/api', (_req, res) => {
    res.status(404).json({ error: 'no such endpoint' });
  });

  app.use(notFound());
  app.use(errorResponder(log));
  return app;
}

/** index.html must be fetched fresh after a redeploy; hashed assets may be cached. */
function noCacheForHtml(res: Response, path: string): void {
  if (path.endsWith('.html')) res.setHeader('Cache-Control', 'no-cache');
}
