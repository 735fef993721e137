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
}

export type PanelSpec = DevicesPanelSpec | TimeSeriesPanelSpec | StatPanelSpec | GaugePanelSpec | StatusGridPanelSpec | PositionPanelSpec;

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
}

/**
 * The YAML dashboard file (docs/wall.md, "Dashboard file"): a WallDashboard without source and version.
 * Scene ids and durations may be left out, and the branding names a logo file or URL (`logo`), from
 * which the server makes `logoUrl`. Leaving out `scenes` keeps the automatic scenes with the branding.
 */
export interface DashboardFile {
  branding?: { name?: LocalizedText; logo?: string; accent?: string };
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
