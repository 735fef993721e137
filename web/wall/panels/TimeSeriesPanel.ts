/**
 * Several metrics of one device on a live chart over the wall's window, with each metric's latest
 * value beside its row. How metrics share rows is decided in timeSeriesOptions.ts (by unit).
 */
import { LineChart } from 'echarts/charts';
import { GridComponent } from 'echarts/components';
import { use } from 'echarts/core';
import { DASHBOARD_LIMITS, type TimeSeriesPanelSpec } from '../../../contract/dashboard';
import { toLinePoints } from '../../shared/chartOptions';
import { create } from '../../shared/dom';
import { deviceStaleAfterMs } from '../freshness';
import { assignMetricColors } from '../../shared/metricColors';
import type { DeviceState } from '../WallModel';
import type { WallText } from '../wallText';
import { chartWords } from '../readingFormat';
import { chartFontSize, readFontFamily } from '../../shared/chartStyle';
import { MetricReadout } from './metricReadout';
import { PanelChart } from '../../shared/PanelChart';
import { deviceName, metricLabel, metricUnit } from './panelText';
import type { PanelContext } from './PanelView';
import { SingleDevicePanel } from './SingleDevicePanel';
import {
  buildTimeSeriesLayout,
  buildTimeSeriesUpdate,
  groupLinesByUnit,
  linesOf,
  timeSeriesLayoutKey,
  type TimeSeriesGroup,
  type TimeSeriesLine,
} from '../../shared/timeSeriesOptions';

use([LineChart, GridComponent]);

export class TimeSeriesPanel extends SingleDevicePanel<TimeSeriesPanelSpec> {
  private readonly metrics: readonly string[];
  private readonly colors: ReadonlyMap<string, string>;
  private readonly readoutList: HTMLElement;
  private readonly chart: PanelChart;
  private groups: TimeSeriesGroup[] = [];
  private groupsKey = '';
  private readouts: MetricReadout[] = [];
  private fontFamily: string | null = null;

  constructor(spec: TimeSeriesPanelSpec) {
    super(spec, false);
    // The dashboard loader enforces the limit; a panel must not trust that it ran.
    this.metrics = [...new Set(spec.metrics)].slice(0, DASHBOARD_LIMITS.metricsPerTimeSeries);
    this.colors = assignMetricColors(this.metrics);
    this.readoutList = create('div', 'ts-panel__readouts', this.frame.body);
    const host = create('div', 'ts-panel__chart', this.frame.body);
    host.dataset['testid'] = 'panel-chart';
    this.chart = new PanelChart(host);
  }

  protected defaultTitle(device: DeviceState | undefined): string {
    return device ? deviceName(device) : this.spec.device;
  }

  protected renderText(device: DeviceState, context: PanelContext): void {
    this.syncGroups(device, context.text);
    for (const readout of this.readouts) readout.render(device, context.text);
  }

  protected renderChart(device: DeviceState, context: PanelContext, dataChanged: boolean): boolean {
    const groups = this.groups;
    if (groups.length === 0) return true;
    const fontSize = chartFontSize(this.chart.height / groups.length, 0.16, 12, 20);
    const fontFamily = (this.fontFamily ??= readFontFamily(this.element));
    const window = { min: context.serverNow - context.windowMs, max: context.serverNow };
    const gapMs = deviceStaleAfterMs(device);
    const readData = () =>
      linesOf(groups).map(({ line }) => {
        const metric = device.metrics.get(line.metric);
        return metric ? toLinePoints(metric.series, gapMs) : [];
      });
    return this.chart.draw(
      timeSeriesLayoutKey(groups, fontSize, fontFamily),
      () => buildTimeSeriesLayout(groups, window, readData(), fontSize, fontFamily),
      () => buildTimeSeriesUpdate(groups, window, dataChanged ? readData() : null),
    );
  }

  protected disposeChart(): void {
    this.chart.dispose();
  }

  /** Readout rows are rebuilt only when kinds or units change (a meta update), not on every value. */
  private syncGroups(device: DeviceState, text: WallText): void {
    const lines: TimeSeriesLine[] = this.metrics.map((metric) => {
      const kind = device.metrics.get(metric)?.kind ?? 'number';
      const display = text.metric(metric, device.meta);
      return {
        metric,
        kind,
        unit: kind === 'boolean' ? '' : metricUnit(device, metric, text),
        color: this.colors.get(metric) ?? '#ffffff',
        ...chartWords(display, kind, text),
      };
    });
    const groups = groupLinesByUnit(lines);
    const key = JSON.stringify(groups);
    if (key === this.groupsKey) return;
    this.groups = groups;
    this.groupsKey = key;

    this.readouts = [];
    const blocks = groups.map((group) => {
      const block = create('ul', 'ts-group');
      block.style.setProperty('--line-count', String(group.lines.length));
      for (const line of group.lines) {
        const row = create('li', 'ts-line', block);
        row.dataset['metric'] = line.metric;
        // CSSOM, not a style attribute: allowed under a strict style-src CSP.
        row.style.setProperty('--metric-color', line.color);
        const label = create('span', 'ts-line__label', row);
        label.textContent = metricLabel(line.metric, device.meta, text);
        this.readouts.push(new MetricReadout(row, line.metric));
      }
      return block;
    });
    this.readoutList.replaceChildren(...blocks);
    this.readoutList.style.setProperty('--group-count', String(Math.max(groups.length, 1)));
  }
}
