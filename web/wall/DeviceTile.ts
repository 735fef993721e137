/**
 * One device on the wall: name, presence, age of its data, a big readout per metric and the chart
 * beside them. Text and chart render separately because their costs differ by orders of magnitude.
 * Everything a device supplies is written with textContent (or handed to ECharts), never parsed as HTML.
 */
import { metricUnit } from './panels/panelText';
import { fitName, type MeasureText } from './nameShortening';
import { toLinePoints, type ChartRow } from '../shared/chartOptions';
import { DeviceChart } from './DeviceChart';
import { create, setData, setText } from '../shared/dom';
import { assessFreshness, freshnessLabel, deviceStaleAfterMs } from './freshness';
import { assignMetricColors } from '../shared/metricColors';
import { alarmLabel, chartWords, formatReading, rangeAlarm } from './readingFormat';
import { readsAsWords, sortByDisplayOrder } from '../shared/metricDisplay';
import type { DeviceState, MetricState } from './WallModel';
import type { WallText } from './wallText';

export interface TileContext {
  readonly serverNow: number;
  readonly windowMs: number;
  /** Shown under the name only when the wall mixes booths. */
  readonly boothName: string | null;
  readonly text: WallText;
}

/**
 * Readings one overview tile shows, the first by display order (meta.display, the booth's file),
 * then first seen. Every tile of a page is as tall as the tallest, so one device with a dozen
 * readings (a Tasmota's STATE) would otherwise give every device of the wall a page of its own.
 */
export const MAX_TILE_READINGS = 4;

/** The readings a tile shows, in the order it shows them. */
export function tileMetrics(device: DeviceState, text: WallText): MetricState[] {
  return sortByDisplayOrder([...device.metrics.values()], (metric) => text.metric(metric.name, device.meta).order).slice(0, MAX_TILE_READINGS);
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
  /** One state badge: the freshness verdict when the data is not current, else presence. */
  private readonly status: HTMLElement;
  private readonly age: HTMLElement;
  private readonly readoutList: HTMLElement;
  private readonly chart: DeviceChart;
  private readouts = new Map<string, Readout>();
  private rows: ChartRow[] = [];
  private rowsKey = '';
  private chartDataChanged = true;
  private fullName = '';
  private sharedPrefix = 0;
  private nameFit: { width: number; measure: MeasureText } | null = null;

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
    const state = create('div', 'tile__state', titles);
    this.status = create('span', 'tile__status', state);
    this.status.dataset['testid'] = 'device-status';
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
    const metrics = tileMetrics(device, context.text);
    if (this.syncRows(metrics, device, context.text)) this.chartDataChanged = true;
    this.fullName = device.meta.name?.trim() || device.device;
    setData(this.name, 'fullName', this.fullName);
    this.renderName();
    // Only the booth, and only on a wall that mixes booths: the kind is in the scene title and the
    // name, and a line of it per tile costs a row of tiles at show-floor sizes.
    setText(this.caption, context.boothName ?? '');
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

  /**
   * What the name has in common with the other names on the wall (cut first when it does not fit),
   * and the width it gets; both change only with the set of devices or the layout.
   */
  setNameFit(sharedPrefix: number, width: number, measure: MeasureText): void {
    this.sharedPrefix = sharedPrefix;
    this.nameFit = { width, measure };
    this.renderName();
  }

  /** The longest of the age texts that fits beside the badge; none when even the shortest does not. */
  private fitAge(badge: string, choices: readonly string[]): string {
    const fit = this.nameFit;
    if (fit === null) return choices[0] ?? '';
    const room = fit.width - (badge === '' ? 0 : fit.measure(badge) + fit.measure('  ') * 2);
    return choices.find((choice) => choice !== '' && fit.measure(choice) <= room) ?? '';
  }

  private renderName(): void {
    const fit = this.nameFit;
    setText(this.name, fit === null ? this.fullName : fitName(this.fullName, Math.min(this.sharedPrefix, this.fullName.length), fit.width, fit.measure));
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
    // One badge: "Offline" once, not a badge and a presence word saying the same thing.
    setData(this.status, 'state', freshness);
    setText(this.status, freshness === 'live' ? (device.presence.state === 'online' ? text.t('online') : '') : freshnessLabel(freshness, text));
    const age = device.lastSeen === null ? null : serverNow - device.lastSeen;
    // A value that is not current must say how old it is, in words, next to it.
    const ageText = age === null ? '' : freshness === 'live' ? text.age(age) : text.lastUpdate(age);
    setText(this.age, this.fitAge(this.status.textContent ?? '', [ageText, age === null ? '' : text.age(age)]));
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
    // The arrow alone (the value turns red too): a word beside every reading would not fit a tile
    // at show-floor sizes, and the alarm strip says it in words.
    setText(readout.alarm, alarmLabel(alarm, text).split(' ')[0] ?? '');
    readout.alarm.title = alarmLabel(alarm, text);
    setData(readout.row, 'alarm', alarm ?? 'none');
  }
}
