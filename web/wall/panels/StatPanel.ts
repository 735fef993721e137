/**
 * One metric of one device as a number big enough to read across a hall, with its unit, the
 * direction it is heading and a sparkline of the window.
 */
import { expectedRangeOf } from '../../../contract/device';
import { LineChart } from 'echarts/charts';
import { GridComponent } from 'echarts/components';
import { use } from 'echarts/core';
import type { StatPanelSpec } from '../../../contract/dashboard';
import { toLinePoints } from '../../shared/chartOptions';
import { create, setData, setText } from '../../shared/dom';
import { deviceStaleAfterMs } from '../freshness';
import { assignMetricColors } from '../../shared/metricColors';
import type { DeviceState } from '../WallModel';
import type { WallText } from '../wallText';
import { MetricReadout } from './metricReadout';
import { PanelChart } from '../../shared/PanelChart';
import { deviceMetricTitle, deviceName } from './panelText';
import type { PanelContext } from './PanelView';
import { SingleDevicePanel } from './SingleDevicePanel';
import { buildSparklineLayout, buildSparklineUpdate, sparklineLayoutKey } from './sparklineOptions';
import { computeTrend, TREND_COLOR, trendArrow, type Trend } from './statTrend';

use([LineChart, GridComponent]);

const TREND_KEYS = { rising: 'trendRising', falling: 'trendFalling', steady: 'trendSteady' } as const;

export class StatPanel extends SingleDevicePanel<StatPanelSpec> {
  private readonly readout: MetricReadout;
  private readonly trend: HTMLElement;
  private readonly color: string;
  private readonly chart: PanelChart;

  constructor(spec: StatPanelSpec) {
    super(spec, false);
    this.color = assignMetricColors([spec.metric]).get(spec.metric) ?? '#ffffff';
    const stat = create('div', 'stat-panel__stat', this.frame.body);
    stat.dataset['metric'] = spec.metric;
    const figureLine = create('div', 'stat-panel__figure', stat);
    this.trend = create('span', 'stat-panel__trend', figureLine);
    this.trend.dataset['testid'] = 'panel-trend';
    this.readout = new MetricReadout(stat, spec.metric, figureLine, stat);
    const host = create('div', 'stat-panel__sparkline', this.frame.body);
    host.dataset['testid'] = 'panel-chart';
    this.chart = new PanelChart(host);
  }

  protected defaultTitle(device: DeviceState | undefined, text: WallText): string {
    return deviceMetricTitle(device ? deviceName(device) : this.spec.device, this.spec.metric, text, device?.meta);
  }

  protected renderText(device: DeviceState, context: PanelContext): void {
    this.readout.render(device, context.text);
    const metric = device.metrics.get(this.spec.metric);
    const trend = metric?.kind === 'number' ? computeTrend(metric.series, expectedRangeOf(device.meta, this.spec.metric)) : null;
    this.renderTrend(trend, context.text);
  }

  protected renderChart(device: DeviceState, context: PanelContext, dataChanged: boolean): boolean {
    const metric = device.metrics.get(this.spec.metric);
    const kind = metric?.kind ?? 'number';
    const window = { min: context.serverNow - context.windowMs, max: context.serverNow };
    const readData = () => (metric ? toLinePoints(metric.series, deviceStaleAfterMs(device)) : []);
    return this.chart.draw(
      sparklineLayoutKey(kind, this.color),
      () => buildSparklineLayout(kind, this.color, window, readData()),
      () => buildSparklineUpdate(window, dataChanged ? readData() : null),
    );
  }

  protected disposeChart(): void {
    this.chart.dispose();
  }

  private renderTrend(trend: Trend | null, text: WallText): void {
    setText(this.trend, trend ? trendArrow(trend) : '');
    setData(this.trend, 'trend', trend ?? 'none');
    const color = trend ? `var(--${TREND_COLOR[trend]})` : '';
    if (this.trend.style.color !== color) this.trend.style.color = color;
    // The arrow's shape carries the meaning; the label is for screen readers and tooltips.
    const label = trend ? text.t(TREND_KEYS[trend]) : '';
    if (this.trend.title !== label) this.trend.title = label;
  }
}
