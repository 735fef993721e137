/**
 * Where moving devices are: a dot per device with its name, and a fading trail of its recent
 * positions, on axes with equal metres per pixel. The dots move with every reading (the position
 * is the reading), within the frame's chart budget.
 */
import { expectedRangeOf } from '../../../contract/device';
import { ScatterChart } from 'echarts/charts';
import { GridComponent } from 'echarts/components';
import { use } from 'echarts/core';
import { LabelLayout } from 'echarts/features';
import { DASHBOARD_LIMITS, type PositionPanelSpec } from '../../../contract/dashboard';
import { create, setData, setText } from '../../shared/dom';
import { assessFreshness } from '../freshness';
import { distinctColors } from '../../shared/metricColors';
import type { RenderWork } from '../RenderLoop';
import type { DeviceState, WallModel } from '../WallModel';
import type { WallText } from '../wallText';
import { chartFontSize, readFontFamily } from '../../shared/chartStyle';
import { readWallColors } from './wallColors';
import { createPartsView, KeyedViews, type KeyedView } from '../../shared/keyedViews';
import { PanelChart } from '../../shared/PanelChart';
import { PanelFrame } from './PanelFrame';
import { deviceName, freshnessNote, metricUnit } from './panelText';
import { LIVE_CHART_INTERVAL_MS, type PanelContext, type PanelView } from './PanelView';
import { buildPositionLayout, buildPositionUpdate, positionLayoutKey, positionMargins, type PlottedDevice, type PositionLook } from './positionOptions';
import { axisExtent, equalAspectExtents, extractTrail, floorPlanRect, type Extent, type TrailPoint } from './positionTrail';

use([ScatterChart, GridComponent, LabelLayout]);

const byName = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

type LegendEntry = KeyedView & Record<'name' | 'note', HTMLElement>;

export class PositionPanel implements PanelView {
  readonly element: HTMLElement;
  private readonly frame: PanelFrame;
  private readonly chart: PanelChart;
  private readonly legend: KeyedViews<DeviceState, LegendEntry>;
  private plottedKeys = new Set<string>();
  private chartPending = true;
  private lastChartAt = -Infinity;
  private palette: { halo: string; axis: string; grid: string } | null = null;
  private fontFamily: string | null = null;
  /** The hall's plan under the dots, placed in metres like them (spec.floorPlan). */
  private readonly floorPlan: HTMLImageElement | null = null;

  constructor(private readonly spec: PositionPanelSpec) {
    this.frame = new PanelFrame(spec.kind);
    this.element = this.frame.element;
    const host = create('div', 'position-panel__chart', this.frame.body);
    host.dataset['testid'] = 'panel-chart';
    // Equal aspect depends on the plot's pixel size: a resize must recompute the extents.
    if (spec.floorPlan) {
      // A sibling under the chart's own element (ECharts empties the element it draws in), so the
      // transparent canvas draws over it.
      this.floorPlan = create('img', 'position-panel__floor-plan', host);
      this.floorPlan.dataset['testid'] = 'floor-plan';
      this.floorPlan.alt = '';
      this.floorPlan.addEventListener('error', () => this.floorPlan?.setAttribute('hidden', ''));
      this.floorPlan.src = spec.floorPlan.image;
    }
    this.chart = new PanelChart(create('div', 'position-panel__canvas', host), () => {
      this.chartPending = true;
    });
    this.legend = new KeyedViews(create('ul', 'position-panel__legend', this.frame.body), (device) => device.key, createLegendEntry);
  }

  render(work: RenderWork, context: PanelContext): boolean {
    const { text } = context;
    const devices = this.devicesToPlot(context.model);
    const keys = new Set(devices.map((d) => d.key));
    const membershipChanged = keys.size !== this.plottedKeys.size || [...keys].some((key) => !this.plottedKeys.has(key));
    const changed = membershipChanged || work.membership || devices.some((d) => work.changed.has(d.key));
    this.plottedKeys = keys;

    this.frame.setTitle(text.localize(this.spec.title) || text.t('positions'));
    this.frame.showWaiting(devices.length > 0 ? null : this.waitingMessage(text));
    if (changed || work.everyTile) this.renderLegend(devices, context);
    if (changed || work.everyTile) this.chartPending = true;

    if (!this.chartPending || devices.length === 0) return false;
    const now = performance.now();
    // Throttled, not dropped: the next frame with news, or the tick, draws it.
    if (!work.everyTile && now - this.lastChartAt < LIVE_CHART_INTERVAL_MS) return false;
    if (now >= context.chartDeadline) return true;
    this.lastChartAt = now;
    if (this.renderChart(devices, context)) this.chartPending = false;
    return false;
  }

  dispose(): void {
    this.chart.dispose();
    this.legend.clear();
  }

  /** The devices the spec names, or every device reporting both metrics; bounded either way. */
  private devicesToPlot(model: WallModel): DeviceState[] {
    const { devices, booth, xMetric, yMetric } = this.spec;
    const limit = DASHBOARD_LIMITS.devicesPerPosition;
    if (devices && devices.length > 0) {
      const found = new Map<string, DeviceState>();
      for (const id of devices.slice(0, limit)) {
        const device = model.find(id, booth);
        if (device) found.set(device.key, device);
      }
      return [...found.values()];
    }
    const reporting: DeviceState[] = [];
    for (const device of model.devices()) {
      if (booth !== undefined && device.booth !== booth) continue;
      if (device.metrics.has(xMetric) && device.metrics.has(yMetric)) reporting.push(device);
    }
    return reporting.sort((a, b) => byName.compare(deviceName(a), deviceName(b)) || (a.key < b.key ? -1 : 1)).slice(0, limit);
  }

  private waitingMessage(text: WallText): string {
    const named = this.spec.devices ?? [];
    return named.length > 0 ? text.t('waitingForDevice', { device: named.join(', ') }) : text.t('waitingForDevices');
  }

  private renderChart(devices: readonly DeviceState[], context: PanelContext): boolean {
    const { width, height } = this.chart;
    if (width === 0 || height === 0) return false;
    const { xMetric, yMetric } = this.spec;
    const colors = deviceColors(devices);
    const plotted = devices.map((device) => plottedDevice(device, xMetric, yMetric, colors.get(device.key) ?? '#ffffff', context.serverNow));
    const first = devices[0];
    const look: PositionLook = {
      fontSize: chartFontSize(Math.min(width, height), 0.05, 18, 26) ?? 18,
      fontFamily: (this.fontFamily ??= readFontFamily(this.element)),
      ...(this.palette ??= themePalette(this.element)),
      units: { x: first ? metricUnit(first, xMetric) : '', y: first ? metricUnit(first, yMetric) : '' },
    };
    const extents = this.extents(devices, plotted, look.fontSize);
    this.placeFloorPlan(extents, look.fontSize);
    return this.chart.draw(
      positionLayoutKey(plotted, look),
      () => buildPositionLayout(plotted, extents, look),
      () => buildPositionUpdate(plotted, extents, look),
    );
  }

  private placeFloorPlan(extents: { x: Extent; y: Extent }, fontSize: number): void {
    const plan = this.spec.floorPlan;
    if (!plan || !this.floorPlan) return;
    const margins = positionMargins(fontSize);
    const plot = {
      left: margins.left,
      top: margins.top,
      width: this.chart.width - margins.left - margins.right,
      height: this.chart.height - margins.top - margins.bottom,
    };
    const rect = floorPlanRect(plan, extents, plot);
    const style = this.floorPlan.style;
    style.left = `${rect.left}px`;
    style.top = `${rect.top}px`;
    style.width = `${rect.width}px`;
    style.height = `${rect.height}px`;
  }

  private extents(devices: readonly DeviceState[], plotted: readonly PlottedDevice[], fontSize: number): { x: Extent; y: Extent } {
    const points = plotted.flatMap((d): { x: number; y: number }[] => (d.position ? [...d.trail, d.position] : [...d.trail]));
    // The whole plan is always in view, so a device is seen where it is in the hall.
    const plan = this.spec.floorPlan;
    const x = axisExtent(
      [...devices.map((d) => expectedRangeOf(d.meta, this.spec.xMetric)), plan ? { min: plan.xMin, max: plan.xMax } : undefined],
      points.map((p) => p.x),
    ) ?? { min: -1, max: 1 };
    const y = axisExtent(
      [...devices.map((d) => expectedRangeOf(d.meta, this.spec.yMetric)), plan ? { min: plan.yMin, max: plan.yMax } : undefined],
      points.map((p) => p.y),
    ) ?? { min: -1, max: 1 };
    const margins = positionMargins(fontSize);
    return equalAspectExtents(x, y, this.chart.width - margins.left - margins.right, this.chart.height - margins.top - margins.bottom);
  }

  /** A line per device under the chart: its colour, name and, when not current, how old its position is. */
  private renderLegend(devices: readonly DeviceState[], { serverNow, text }: PanelContext): void {
    const colors = deviceColors(devices);
    this.legend.render(devices, (entry, device) => {
      const freshness = assessFreshness(device, serverNow);
      const position = latestPosition(device, this.spec.xMetric, this.spec.yMetric);
      entry.element.style.setProperty('--device-color', colors.get(device.key) ?? '#ffffff');
      setData(entry.element, 'freshness', freshness);
      setData(entry.element, 'x', position ? String(position.x) : '');
      setData(entry.element, 'y', position ? String(position.y) : '');
      setText(entry.name, deviceName(device));
      setText(entry.note, freshnessNote(freshness, device.lastSeen === null ? null : serverNow - device.lastSeen, text));
    });
  }
}

/** Read once per panel: the theme is set before a scene is built (WallScreen.applyBranding). */
function themePalette(element: Element): { halo: string; axis: string; grid: string } {
  const colors = readWallColors(element);
  return { halo: colors.panel, axis: colors.muted, grid: colors['panel-edge'] };
}

/**
 * A colour per device, none repeated on a map of up to DASHBOARD_LIMITS.devicesPerPosition: by place
 * in the plotted list, which is in the file's order or sorted by name, so it survives a restart.
 */
function deviceColors(devices: readonly DeviceState[]): Map<string, string> {
  const colors = distinctColors(devices.length);
  return new Map(devices.map((device, i) => [device.key, colors[i] ?? '#ffffff']));
}

function createLegendEntry(device: DeviceState): LegendEntry {
  return createPartsView('li', 'position-legend', { testid: 'position-device', device: device.device, booth: device.booth }, ['name', 'note']);
}

function plottedDevice(device: DeviceState, xMetric: string, yMetric: string, color: string, serverNow: number): PlottedDevice {
  const x = device.metrics.get(xMetric);
  const y = device.metrics.get(yMetric);
  const trail = x && y ? extractTrail(x.series, y.series) : [];
  return {
    key: device.key,
    label: deviceName(device),
    color,
    dimmed: assessFreshness(device, serverNow) !== 'live',
    trail,
    position: latestPosition(device, xMetric, yMetric, trail),
  };
}

/** The newest paired position; the latest values when the window holds none (a summary only). */
function latestPosition(device: DeviceState, xMetric: string, yMetric: string, trail: readonly TrailPoint[] = []): { x: number; y: number } | null {
  const last = trail[trail.length - 1];
  if (last) return { x: last.x, y: last.y };
  const x = device.metrics.get(xMetric)?.latest;
  const y = device.metrics.get(yMetric)?.latest;
  return typeof x === 'number' && typeof y === 'number' ? { x, y } : null;
}
