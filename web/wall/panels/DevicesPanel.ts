/**
 * A tile per device (name, freshness, readouts, chart): the overview panel. Text follows every
 * change at once; charts are redrawn from a queue filled by the one-second tick and by new or
 * resized tiles, within the frame's chart deadline, so a wall of many devices still animates
 * smoothly and no chart is redrawn more than about once a second.
 *
 * Tiles never shrink under the show-floor minimum (tileLayout.ts): when they do not all fit, the
 * panel has pages and the rotation shows one per scene slot ("page 2/4"). Only the tiles of the
 * page on screen exist, so devices on other pages cost no chart. Offline devices are not tiles:
 * they are listed by name, in a band under the tiles when a couple of lines hold them, else on
 * pages of their own after the tiles.
 */
import type { DevicesPanelSpec } from '../../../contract/dashboard';
import { create, setData, setText } from '../../shared/dom';
import { tileMetrics, type TileContext } from '../DeviceTile';
import { assessFreshness } from '../freshness';
import { canvasMeasure, sharedPrefixLengths, type MeasureText } from '../nameShortening';
import { OfflineList, type OfflineEntry } from '../OfflineList';
import type { RenderWork } from '../RenderLoop';
import { TileGrid } from '../TileGrid';
import { planTilePages, pxPerMm, READING_FONT_MM, SECONDARY_FONT_MM, type TilePlan } from '../tileLayout';
import type { DeviceState } from '../WallModel';
import type { WallText } from '../wallText';
import { deviceName, metricUnit } from './panelText';
import { formatReading } from '../readingFormat';
import type { PanelContext, PanelHost, PanelView } from './PanelView';

const NAME_ORDER = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });
/** Tile charts drawn in one animation frame at most. */
const MAX_CHARTS_PER_FRAME = 2;
/** Lines of offline names shown under the tiles on every page; more get pages of their own. */
const MAX_BAND_LINES = 2;
/** The chart beside the readouts is never narrower than this many secondary-font sizes. */
const CHART_MIN_EMS = 3.5;
/** A reading is given room for at least this many digits, so tiles do not reflow as values change. */
const VALUE_WIDTH_SAMPLE = '000.0';
const TILE_BORDER_PX = 4;
/** wall.css --secondary-line and --reading-line. */
const SECONDARY_LINE = 1.2;
const READING_LINE = 1.15;

interface PagePlan {
  readonly live: readonly DeviceState[];
  readonly offline: readonly OfflineEntry[];
  readonly prefixes: ReadonlyMap<string, number>;
  readonly tiles: TilePlan;
  readonly band: boolean;
  readonly offlineColumns: number;
  readonly offlineCellWidth: number;
  readonly offlinePerPage: number;
  readonly pages: number;
  readonly tileNameWidth: number;
}

interface Fonts {
  readonly reading: number;
  readonly secondary: number;
  /** Bold, as names and the offline list's entries are. */
  readonly measureName: MeasureText;
  readonly measureText: MeasureText;
  readonly measureReading: MeasureText;
}

export class DevicesPanel implements PanelView {
  readonly element: HTMLElement;
  private readonly grid: TileGrid;
  private readonly root: HTMLElement;
  private readonly offline: OfflineList;
  private readonly empty: HTMLElement;
  /** Keys of tiles whose chart awaits a redraw, oldest first. */
  private readonly chartQueue = new Set<string>();
  private synced = false;
  private plan: PagePlan | null = null;
  private page = 0;
  private shownPage = 0;
  private fonts: Fonts | null = null;
  private fontsKey = '';

  constructor(
    private readonly spec: DevicesPanelSpec,
    host: PanelHost,
  ) {
    this.element = create('section', 'panel panel--devices');
    this.element.dataset['testid'] = 'panel';
    this.element.dataset['panelKind'] = 'devices';
    this.root = create('div', 'tile-grid', this.element);
    this.root.dataset['testid'] = 'tile-grid';
    this.offline = new OfflineList(this.element);
    this.empty = create('p', 'panel__empty', this.element);
    this.grid = new TileGrid(this.root, (keys) => {
      // A new size may change how many tiles a page holds.
      this.synced = false;
      for (const key of keys) this.chartQueue.add(key);
      host.requestRender();
    });
  }

  /** Pages the panel needs at its present size; 1 before it has been laid out. */
  pageCount(): number {
    return Math.max(1, this.plan?.pages ?? 1);
  }

  showPage(index: number): void {
    this.page = index;
  }

  render(work: RenderWork, context: PanelContext): boolean {
    const { model, text } = context;
    // Membership of a filtered panel also changes when a device's kind does, which the one-second tick catches.
    let created: string[] = [];
    if (work.membership || work.everyTile || !this.synced || this.shownPage !== this.page) {
      this.shownPage = this.page;
      this.plan = this.planPages(context);
      created = this.showPlannedPage(this.plan, text);
    }
    this.synced = true;
    setText(this.empty, this.plan !== null && this.plan.pages > 0 ? '' : text.t('waitingForDevices'));

    for (const key of work.changed) this.grid.tile(key)?.markChartDataChanged();
    for (const key of created) this.chartQueue.add(key);
    if (work.everyTile) for (const key of this.grid.keys()) this.chartQueue.add(key);

    const textKeys = work.everyTile ? this.grid.keys() : new Set([...work.changed, ...created]);
    for (const key of textKeys) {
      const device = model.device(key);
      if (device) this.grid.tile(key)?.renderText(device, tileContext(device, context));
    }

    let drawn = 0;
    for (const key of this.chartQueue) {
      // The deadline bounds the measured cost; the count bounds what a slow machine cannot measure in
      // advance (one chart's first draw can take the whole budget), so tile charts spread over frames.
      if (performance.now() >= context.chartDeadline || drawn >= MAX_CHARTS_PER_FRAME) break;
      drawn++;
      this.chartQueue.delete(key);
      const device = model.device(key);
      const tile = this.grid.tile(key);
      if (device && tile) tile.renderChart(device, tileContext(device, context));
    }
    return this.chartQueue.size > 0;
  }

  dispose(): void {
    this.grid.dispose();
    this.offline.clear();
    this.chartQueue.clear();
  }

  private showPlannedPage(plan: PagePlan, text: WallText): string[] {
    const page = plan.pages === 0 ? 0 : this.page % plan.pages;
    const fonts = this.fonts;
    const onTilePage = page < plan.tiles.pages;
    setData(this.element, 'page', String(page + 1));
    setData(this.element, 'pages', String(plan.pages));
    setData(this.element, 'devices', String(plan.live.length + plan.offline.length));
    setData(this.element, 'pageKind', onTilePage ? 'tiles' : 'offline');
    const shown = onTilePage ? plan.live.slice(page * plan.tiles.perPage, (page + 1) * plan.tiles.perPage) : [];
    const created = this.grid.sync(shown, plan.tiles);
    if (fonts) {
      for (const device of shown) this.grid.tile(device.key)?.setNameFit(plan.prefixes.get(device.key) ?? 0, plan.tileNameWidth, fonts.measureName);
      const offlinePage = page - plan.tiles.pages;
      const entries = plan.band
        ? plan.offline
        : onTilePage
          ? []
          : plan.offline.slice(offlinePage * plan.offlinePerPage, (offlinePage + 1) * plan.offlinePerPage);
      const title = text.localize({ en: `Offline (${plan.offline.length})`, zh: `离线 (${plan.offline.length})` });
      this.offline.render(entries, title, plan.offlineColumns, plan.offlineCellWidth, fonts.measureName);
    }
    return created;
  }

  private planPages(context: PanelContext): PagePlan {
    const all = boothsTakingTurns(this.devices(context).sort(byBoothThenDevice));
    const names = all.map((d) => deviceName(d));
    const prefixList = sharedPrefixLengths(names);
    const prefixes = new Map(all.map((d, i) => [d.key, prefixList[i] ?? 0]));
    const live: DeviceState[] = [];
    const offline: OfflineEntry[] = [];
    all.forEach((device, i) => {
      if (assessFreshness(device, context.serverNow) === 'offline')
        offline.push({ key: device.key, name: names[i] ?? device.device, sharedPrefix: prefixList[i] ?? 0 });
      else live.push(device);
    });

    // Names a reader scans for: "Robot arm 2" before "Robot arm 10", a series together.
    offline.sort((a, b) => NAME_ORDER.compare(a.name, b.name));

    const width = this.element.clientWidth;
    const height = this.element.clientHeight;
    const fonts = this.readFonts();
    const S = fonts.secondary;
    const gap = readGap(this.root);
    const tileChrome = 2 * S * 0.35 + TILE_BORDER_PX;

    // Offline names: a cell as wide as the longest name (within half the panel), as many columns as fit.
    const innerWidth = width - tileChrome;
    const longest = Math.max(0, ...offline.map((o) => fonts.measureName(o.name)));
    const offlineCellWidth = Math.max(S * 3, Math.min(longest + 2, innerWidth / 2 - S));
    const offlineColumns = Math.max(1, Math.floor((innerWidth + S * 0.8) / (offlineCellWidth + S * 0.8)));
    const line = S * SECONDARY_LINE;
    const bandLines = Math.ceil(offline.length / offlineColumns);
    const band = offline.length > 0 && bandLines <= MAX_BAND_LINES;
    const bandHeight = band ? tileChrome + line + S * 0.25 + bandLines * line + gap : 0;
    const offlineRows = Math.max(1, Math.floor((height - tileChrome - line - S * 0.25) / line));
    const offlinePerPage = offlineRows * offlineColumns;
    const offlinePages = band || offline.length === 0 ? 0 : Math.ceil(offline.length / offlinePerPage);

    const minimum = this.tileMinimum(live, context, fonts);
    const tiles = planTilePages(live.length, width, height - bandHeight, minimum, gap);
    // One readout width for every tile, set from the plan and not from the text: a column sized by its
    // content would resize the chart beside it (a full ECharts redraw) whenever a value got a digit wider.
    const readoutsWidth = `${minimum.readouts}px`;
    if (this.root.style.getPropertyValue('--readouts-width') !== readoutsWidth) this.root.style.setProperty('--readouts-width', readoutsWidth);
    const cellWidth = (width - (tiles.columns - 1) * gap) / tiles.columns;
    return {
      live,
      offline,
      prefixes,
      tiles,
      band,
      offlineColumns,
      offlineCellWidth,
      offlinePerPage,
      pages: tiles.pages + offlinePages,
      tileNameWidth: Math.max(0, cellWidth - tileChrome - 2),
    };
  }

  /** The smallest tile that shows every reading at full size, from what the devices of the panel report. */
  private tileMinimum(devices: readonly DeviceState[], { text, model }: PanelContext, fonts: Fonts): { width: number; height: number; readouts: number } {
    const S = fonts.secondary;
    const R = fonts.reading;
    let readouts = 0;
    let metrics = 1;
    for (const device of devices) {
      const shown = tileMetrics(device, text);
      metrics = Math.max(metrics, shown.length);
      for (const metric of shown) {
        // The value as the tile writes it (value words such as "Charging · 充电中" included).
        const value = formatReading(metric.latest, metric.kind, text, text.metric(metric.name, device.meta));
        // The label as the tile writes it: in the wall's languages, from the metric's display.
        const label = fonts.measureText(text.metricLabel(metric.name, device.meta)) + fonts.measureText('▲') + S * 0.6;
        const figure =
          Math.max(fonts.measureReading(value), fonts.measureReading(VALUE_WIDTH_SAMPLE)) + S * 0.2 + fonts.measureText(metricUnit(device, metric.name, text));
        readouts = Math.max(readouts, 6 + S * 0.3 + label + S * 0.3 + figure);
      }
    }
    const chrome = 2 * S * 0.35 + TILE_BORDER_PX;
    // Name and state lines, and a caption line naming the booth when the wall mixes booths.
    const headerLines = model.booths.length > 1 ? 3 : 2;
    return {
      readouts: Math.ceil(readouts),
      width: chrome + readouts + S * 0.4 + S * CHART_MIN_EMS + 2,
      height: chrome + headerLines * S * SECONDARY_LINE + S * 0.25 + metrics * R * READING_LINE + 2,
    };
  }

  private readFonts(): Fonts {
    const screenWidth = window.innerWidth;
    const screenHeight = window.innerHeight;
    const family = getComputedStyle(this.element).fontFamily;
    const key = `${screenWidth}x${screenHeight}/${family}`;
    if (this.fonts && key === this.fontsKey) return this.fonts;
    const px = pxPerMm(screenWidth, screenHeight);
    const secondary = SECONDARY_FONT_MM * px;
    const reading = READING_FONT_MM * px;
    this.fontsKey = key;
    this.fonts = {
      reading,
      secondary,
      measureName: canvasMeasure(`700 ${secondary}px ${family}`),
      measureText: canvasMeasure(`${secondary}px ${family}`),
      measureReading: canvasMeasure(`700 ${reading}px ${family}`),
    };
    return this.fonts;
  }

  private devices({ model }: PanelContext): DeviceState[] {
    const { booth, deviceKind } = this.spec;
    const devices: DeviceState[] = [];
    for (const device of model.devices()) {
      if (booth !== undefined && device.booth !== booth) continue;
      if (deviceKind !== undefined && device.meta.kind?.trim() !== deviceKind) continue;
      devices.push(device);
    }
    return devices;
  }
}

/**
 * On a wall of several booths the booths take turns (a device of each, then the next of each), so
 * every page shows every booth and a booth that floods the wall with device ids cannot push another
 * booth's devices to its last page. One booth: its devices in order. `sorted` is by booth, then device.
 */
function boothsTakingTurns(sorted: readonly DeviceState[]): DeviceState[] {
  const perBooth = new Map<string, DeviceState[]>();
  for (const device of sorted) {
    const list = perBooth.get(device.booth) ?? [];
    list.push(device);
    perBooth.set(device.booth, list);
  }
  if (perBooth.size <= 1) return [...sorted];
  const lists = [...perBooth.values()];
  const turns: DeviceState[] = [];
  for (let i = 0; turns.length < sorted.length; i++) for (const list of lists) if (i < list.length) turns.push(list[i] as DeviceState);
  return turns;
}

function readGap(element: HTMLElement): number {
  return parseFloat(getComputedStyle(element).columnGap) || 0;
}

function byBoothThenDevice(a: DeviceState, b: DeviceState): number {
  return a.booth === b.booth ? compare(a.device, b.device) : compare(a.booth, b.booth);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function tileContext(device: DeviceState, { model, serverNow, windowMs, text }: PanelContext): TileContext {
  // The booth is only worth naming on a tile when the wall mixes booths.
  const boothName = model.booths.length > 1 ? (model.booths.find((b) => b.id === device.booth)?.name ?? device.booth) : null;
  return { serverNow, windowMs, boothName, text };
}
