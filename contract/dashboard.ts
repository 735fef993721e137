/**
 * What a wall shows: branding and scenes of panels. The server sends it to every wall on connect
 * and again whenever the dashboard file changes; with no file it sends `source: 'auto'` and an empty
 * scene list, and the page builds its scenes from the devices it sees (web/wall/autoScenes.ts).
 * The YAML dashboard file has the shape of `DashboardFile` (docs/wall.md, "Dashboard file").
 */

import type { NamedTable } from './device';
import type { MetricDisplay } from './metricDisplay';

export type WallLanguage = 'en' | 'zh';

/** Text for the wall's languages; a plain string is used for every language. */
export type LocalizedText = string | { en?: string; zh?: string };

interface PanelCommon {
  /** Shown above the panel; panels that name one device default to the device's name and metric. */
  title?: LocalizedText;
  /**
   * Booth of the device(s). Panels that name a device show it only from this booth, or without one
   * only on a wall of a single booth; a server of several booths requires it on them (issue 9).
   */
  booth?: string;
}

/** A tile per device (name, freshness, readouts, chart): the overview. */
export interface DevicesPanelSpec extends PanelCommon {
  kind: 'devices';
  /** Only devices whose meta.kind is this. */
  deviceKind?: string;
}

/** A live chart of several metrics of one device. */
export interface TimeSeriesPanelSpec extends PanelCommon {
  kind: 'timeseries';
  device: string;
  metrics: string[];
}

/** One big number with unit, trend arrow and sparkline. */
export interface StatPanelSpec extends PanelCommon {
  kind: 'stat';
  device: string;
  metric: string;
}

/** A dial; min and max default to meta.expected of the metric, coloured bands from that range. */
export interface GaugePanelSpec extends PanelCommon {
  kind: 'gauge';
  device: string;
  metric: string;
  min?: number;
  max?: number;
}

/** Every device as a cell: online / stale / offline, in colour and in words. */
export interface StatusGridPanelSpec extends PanelCommon {
  kind: 'status-grid';
  deviceKind?: string;
}

/** Where moving devices are: a dot and a fading trail per device on x/y axes. */
export interface PositionPanelSpec extends PanelCommon {
  kind: 'position';
  /** Devices to plot; by default every device that reports both metrics. */
  devices?: string[];
  xMetric: string;
  yMetric: string;
  /** A plan of the hall drawn behind the dots, stretched over the given coordinates. */
  floorPlan?: FloorPlan;
}

/** An image behind a position map; its corners sit at (xMin, yMin) bottom left and (xMax, yMax) top right. */
export interface FloorPlan {
  /** In the file: an image file next to the dashboard file. Sent to walls: the URL the server serves it at. */
  image: string;
  xMin: number;
  xMax: number;
  yMin: number;
  yMax: number;
}

/** A QR code visitors scan with a phone, drawn by the page from `url` (no outside service). */
export interface QrCodePanelSpec extends PanelCommon {
  kind: 'qr';
  /** http(s) URL the code holds. */
  url: string;
  /** Shown under the code, e.g. "Scan for the datasheet". */
  caption?: LocalizedText;
}

/**
 * A picture: a product shot, a sponsor, or the booth's logo large. In the file `image` is an image
 * file next to the dashboard file, or the word `logo` for the branding logo; walls are sent the URL.
 */
export interface ImagePanelSpec extends PanelCommon {
  kind: 'image';
  image: string;
  /** `contain` (default) shows the whole picture; `cover` fills the panel and crops. */
  fit?: 'contain' | 'cover';
  caption?: LocalizedText;
}

/** Words for visitors, in each language. */
export interface TextPanelSpec extends PanelCommon {
  kind: 'text';
  text: LocalizedText;
}

/** How a KPI panel reduces each device's readings over the period (server/kpi/kpiQuery.ts). */
export type KpiAggregate = 'increase' | 'sum' | 'mean' | 'max' | 'min' | 'last';
/** `today`: since midnight in the hall's time zone (the panel's or the server's `timeZone`). */
export type KpiPeriod = 'today' | 'last-hour' | 'last-24h';
/** Semantic colour a KPI takes from its threshold (never the brand accent). */
export type KpiColor = 'ok' | 'warn' | 'bad' | 'info';

/**
 * One number over a period for one device or many ("kWh charged today"): computed by the server
 * from InfluxDB, totalled over the devices (`mean`: averaged; `max`/`min`: the extreme).
 */
export interface KpiPanelSpec extends PanelCommon {
  kind: 'kpi';
  metric: string;
  aggregate: KpiAggregate;
  period: KpiPeriod;
  /** These devices; else every device of `deviceKind`; else every device of the booth(s). */
  devices?: string[];
  deviceKind?: string;
  unit?: string;
  decimals?: number;
  /** IANA zone for `today`, e.g. "Asia/Shanghai"; default: the server's. */
  timeZone?: string;
  /** Ascending; the value takes the colour of the last threshold it reaches (Grafana's rule). */
  thresholds?: { from: number; color: KpiColor }[];
}

export type PanelSpec =
  | DevicesPanelSpec
  | TimeSeriesPanelSpec
  | StatPanelSpec
  | GaugePanelSpec
  | StatusGridPanelSpec
  | PositionPanelSpec
  | QrCodePanelSpec
  | ImagePanelSpec
  | TextPanelSpec
  | KpiPanelSpec;

export type PanelKind = PanelSpec['kind'];

export interface SceneSpec {
  /** Stable id, used by `?scene=` to pin a scene and to come back to it after a watchdog reload. */
  id: string;
  title: LocalizedText;
  durationSeconds: number;
  panels: PanelSpec[];
}

export interface Branding {
  /** Replaces the booth names in the header. */
  name?: LocalizedText;
  /** URL the page loads the logo from: the server's `/wall/logo` for a file, or the configured URL. */
  logoUrl?: string;
  /** CSS colour, `#rgb` or `#rrggbb`. */
  accent?: string;
  /** `light` for bright halls; a wall's `?theme=` overrides it. Default dark. */
  theme?: WallTheme;
}

export type WallTheme = 'dark' | 'light';

/**
 * The YAML dashboard file (docs/wall.md, "Dashboard file"): a WallDashboard without source and version.
 * Scene ids and durations may be left out, and the branding names a logo file or URL (`logo`), from
 * which the server makes `logoUrl`. Leaving out `scenes` keeps the automatic scenes with the branding.
 */
export interface DashboardFile {
  branding?: { name?: LocalizedText; logo?: string; accent?: string; theme?: WallTheme };
  scenes?: (Omit<SceneSpec, 'id' | 'durationSeconds'> & { id?: string; durationSeconds?: number })[];
  /** Per metric id: label, unit, decimals, value words, order, over what devices announce (issue 12). */
  metricDisplay?: NamedTable<MetricDisplay>;
}

export interface WallDashboard {
  source: 'auto' | 'file';
  /** Changes whenever the content changes, so a page can ignore a repeat. */
  version: string;
  branding: Branding;
  /** Empty with `source: 'auto'`, or from a file that sets only branding: the page builds them from the devices. */
  scenes: SceneSpec[];
  /** The booth's metric display overrides (DashboardFile.metricDisplay); absent: devices' meta and defaults. */
  metricDisplay?: NamedTable<MetricDisplay>;
}

/** Limits on a dashboard, so a typo cannot build a page the kiosk cannot render. */
export const DASHBOARD_LIMITS = {
  scenes: 50,
  panelsPerScene: 12,
  metricsPerTimeSeries: 8,
  devicesPerPosition: 20,
  devicesPerKpi: 50,
  thresholdsPerKpi: 8,
  /** Image and floor-plan files per dashboard; each is held in memory to be served. */
  imageFiles: 16,
  /** http(s) URL in a QR code: longer codes need more, smaller modules than a phone reads across a booth. */
  qrUrlLength: 300,
  textPanelLength: 600,
  minSceneSeconds: 3,
  maxSceneSeconds: 3600,
} as const;

/** What a wall page reports about itself in the socket.io handshake, for technicians. */
export interface WallReport {
  /** Random id the page keeps in localStorage, so reloads of one kiosk count against it. */
  id: string;
  /** Reloads the watchdog made on this kiosk since it was set up. */
  reloads: number;
  /** Why the page last reloaded itself, when this load is one of those reloads. */
  lastReloadReason?: WallReloadReason;
}

export type WallReloadReason = 'error' | 'preload-error' | 'heap-ceiling' | 'frozen';

/** GET /api/kpi?scene=<id>&panel=<index>[&booth=a,b]: a KPI panel's number (server/http/kpiRoute.ts). */
export interface KpiAnswer {
  /** Null when no device reported the metric in the period. */
  value: number | null;
  /** Epoch ms: the period the value covers. */
  from: number;
  to: number;
  /** `live`: no InfluxDB, so only the live window (minutes) is counted, which the page says. */
  source: 'influxdb' | 'live';
  /** When the server computed it; answers are cached for KPI_REFRESH_MS. */
  computedAt: number;
}

/** How often a KPI is computed again; walls ask this often, the server's cache answers in between. */
export const KPI_REFRESH_MS = 30_000;
