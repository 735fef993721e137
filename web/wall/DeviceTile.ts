/**
 * One device on the wall: name, presence, age of its data, a big readout per metric and the chart
 * beside them. Text and chart render separately because their costs differ by orders of magnitude.
 * Everything a device supplies is written with textContent (or handed to ECharts), never parsed as HTML.
 */
import { metricUnit } from './panels/panelText';
import { toLinePoints, type ChartRow } from '../shared/chartOptions';
import { DeviceChart } from './DeviceChart';
import { create, setData, setText } from '../shared/dom';
import { assessFreshness, freshnessLabel, deviceStaleAfterMs } from './freshness';
import { assignMetricColors } from '../shared/metricColors';
import { alarmLabel, chartWords, formatReading, rangeAlarm } from './readingFormat';
import { deviceKindLabel, readsAsWords, sortByDisplayOrder } from '../shared/metricDisplay';
import type { DeviceState, MetricState } from './WallModel';
import type { WallText } from './wallText';

export interface TileContext {
  readonly serverNow: number;
  readonly windowMs: number;
  /** Shown under the name only when the wall mixes booths. */
  readonly boothName: string | null;
  readonly text: WallText;
}

interface Readout {
  readonly row: HTMLElement;
  readonly value: HTMLElement;
  readonly unit: HTMLElement;
  readonly alarm: HTMLElement;
}

export class DeviceTile {
  readonly element: HTMLElement;
  readonly chartHost: HTMLElement;
  private readonly name: HTMLElement;
  private readonly caption: HTMLElement;
  private readonly presence: HTMLElement;
  private readonly age: HTMLElement;
  private readonly status: HTMLElement;
  private readonly readoutList: HTMLElement;
  private readonly chart: DeviceChart;
  private readouts = new Map<string, Readout>();
  private rows: ChartRow[] = [];
  private rowsKey = '';
  private chartDataChanged = true;

  constructor(
    readonly key: string,
    booth: string,
    device: string,
  ) {
    this.element = create('article', 'tile');
    this.element.dataset['testid'] = 'device-tile';
    this.element.dataset['booth'] = booth;
    this.element.dataset['device'] = device;

    const header = create('header', 'tile__header', this.element);
    const titles = create('div', 'tile__titles', header);
    this.name = create('h2', 'tile__name', titles);
    this.name.dataset['testid'] = 'device-name';
    this.caption = create('p', 'tile__caption', titles);
    const state = create('div', 'tile__state', header);
    this.status = create('span', 'tile__status', state);
    this.status.dataset['testid'] = 'device-status';
    this.presence = create('span', 'tile__presence', state);
    this.presence.dataset['testid'] = 'device-presence';
    this.age = create('span', 'tile__age', state);
    this.age.dataset['testid'] = 'device-age';

    const body = create('div', 'tile__body', this.element);
    this.readoutList = create('ul', 'tile__readouts', body);
    this.chartHost = create('div', 'tile__chart', body);
    this.chartHost.dataset['testid'] = 'device-chart';
    this.chart = new DeviceChart(this.chartHost);
  }

  /** Text only (name, readouts, presence, age): cheap, so it follows every frame that changed the device. */
  renderText(device: DeviceState, context: TileContext): void {
    // Metrics with a display order first (meta.display or the booth's file), the rest as first seen.
    const metrics = sortByDisplayOrder([...device.metrics.values()], (metric) => context.text.metric(metric.name, device.meta).order);
    if (this.syncRows(metrics, device, context.text)) this.chartDataChanged = true;
    setText(this.name, device.meta.name?.trim() || device.device);
    const kind = device.meta.kind?.trim();
    setText(this.caption, [context.boothName, kind ? context.text.localize(deviceKindLabel(kind)) : null].filter(Boolean).join(' · '));
    for (const metric of metrics) this.renderReadout(metric, device, context.text);
    this.renderFreshness(device, context);
  }

  /** New data reaches the chart at its next render, not at once: charts are the costly part of a frame. */
  markChartDataChanged(): void {
    this.chartDataChanged = true;
  }

  renderChart(device: DeviceState, context: TileContext): void {
    const gapMs = deviceStaleAfterMs(device);
    const drawn = this.chart.render(this.rows, { min: context.serverNow - context.windowMs, max: context.serverNow }, this.chartDataChanged, () => {
      const data = this.rows.map((row) => {
        const metric = device.metrics.get(row.metric);
        return metric ? toLinePoints(metric.series, gapMs) : [];
      });
      // What the chart holds, for technicians' tools and end-to-end tests: points and breaks in the line.
      const first = data[0] ?? [];
      setData(this.chartHost, 'points', String(first.length));
      setData(this.chartHost, 'gaps', String(first.filter(([, value]) => value === null).length));
      return data;
    });
    if (drawn) this.chartDataChanged = false;
  }

  resize(): void {
    this.chart.resize();
  }

  dispose(): void {
    this.chart.dispose();
    this.element.remove();
    this.readouts.clear();
  }

  private renderFreshness(device: DeviceState, { serverNow, text }: TileContext): void {
    const freshness = assessFreshness(device, serverNow);
    setData(this.element, 'freshness', freshness);
    setData(this.element, 'presence', device.presence.state);
    setText(this.status, freshnessLabel(freshness, text));
    setText(this.presence, device.presence.state === 'unknown' ? '' : text.t(device.presence.state));
    const age = device.lastSeen === null ? null : serverNow - device.lastSeen;
    // A value that is not current must say how old it is, in words, next to it.
    setText(this.age, age === null ? '' : freshness === 'live' ? text.age(age) : text.lastUpdate(age));
  }

  /** Rebuilds the readout rows only when the metric set changes, so steady updates touch text alone. */
  private syncRows(metrics: readonly MetricState[], device: DeviceState, text: WallText): boolean {
    const colors = assignMetricColors(metrics.map((m) => m.name));
    const rows = metrics.map((m) => ({
      metric: m.name,
      kind: m.kind,
      color: colors.get(m.name) ?? '#ffffff',
      ...chartWords(text.metric(m.name, device.meta), m.kind, text),
    }));
    // Labels are part of the key: a meta or dashboard change renames rows without new metrics.
    const labels = metrics.map((m) => text.metricLabel(m.name, device.meta));
    const key = JSON.stringify([rows, labels]);
    if (key === this.rowsKey) return false;
    this.rows = rows;
    this.rowsKey = key;

    const readouts = new Map<string, Readout>();
    for (const [index, row] of rows.entries()) {
      const item = create('li', 'readout');
      item.dataset['metric'] = row.metric;
      item.dataset['kind'] = row.kind;
      // CSSOM, not a style attribute: allowed under a strict style-src CSP.
      item.style.setProperty('--metric-color', row.color);
      const label = create('span', 'readout__label', item);
      label.textContent = labels[index] ?? row.metric;
      const alarm = create('span', 'readout__alarm', item);
      const figure = create('span', 'readout__figure', item);
      const value = create('span', 'readout__value', figure);
      value.dataset['testid'] = 'metric-value';
      const unit = create('span', 'readout__unit', figure);
      readouts.set(row.metric, { row: item, value, unit, alarm });
    }
    this.readoutList.replaceChildren(...[...readouts.values()].map((r) => r.row));
    this.readoutList.style.setProperty('--metric-count', String(Math.max(rows.length, 1)));
    this.readouts = readouts;
    return true;
  }

  private renderReadout(metric: MetricState, device: DeviceState, text: WallText): void {
    const readout = this.readouts.get(metric.name);
    if (!readout) return;
    const alarm = metric.kind === 'number' ? rangeAlarm(metric.latest, device.meta.expected, metric.name) : null;
    const display = text.metric(metric.name, device.meta);
    setText(readout.value, formatReading(metric.latest, metric.kind, text, display));
    setData(readout.value, 'value', metric.latest === undefined ? '' : String(metric.latest));
    // Words ("Charging", "On") are the whole reading: no unit after them.
    const worded = metric.kind === 'boolean' || (metric.latest !== undefined && readsAsWords(display, metric.latest));
    setText(readout.unit, worded ? '' : metricUnit(device, metric.name, text));
    setText(readout.alarm, alarmLabel(alarm, text));
    setData(readout.row, 'alarm', alarm ?? 'none');
  }
}
