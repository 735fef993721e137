/**
 * Every device of the wall as a cell: name, state as an icon and a word (never colour alone), and
 * how old the data is when it is not current and the cell has room; problems first. Words are never
 * under the secondary size (tileLayout.ts) and names keep the part that tells devices apart
 * (statusGridLayout.ts); when the cells do not all fit, the grid pages, one page per scene slot
 * with "Page 2/4" in the header, exactly as the overview does (SceneView's paged panels). Offline
 * devices are cells like the others, first, by the same presence rule as the overview's offline list.
 * Cells are kept per device and reused, so a page re-renders by changing text, not by rebuilding.
 */
import type { StatusGridPanelSpec } from '../../../contract/dashboard';
import { create, setData, setText } from '../../shared/dom';
import type { RenderWork } from '../RenderLoop';
import { ResizeWatch } from '../../shared/ResizeWatch';
import { canvasMeasure } from '../nameShortening';
import { pxPerMm, SECONDARY_FONT_MM } from '../tileLayout';
import type { WallText } from '../wallText';
import { createPartsView, KeyedViews, type KeyedView } from '../../shared/keyedViews';
import { PanelFrame } from './PanelFrame';
import type { PanelContext, PanelHost, PanelView } from './PanelView';
import { statusAgeText, statusEntries, statusSummary, statusWord, type StatusEntry, type StatusState } from './statusGrid';
import { planStatusGrid, type StatusFonts, type StatusGridPlan } from './statusGridLayout';

type StatusCell = KeyedView & Record<'name' | 'state' | 'age', HTMLElement>;

const STATES: readonly StatusState[] = ['online', 'stale', 'offline', 'no-data'];

interface Layout {
  readonly key: string;
  readonly plan: StatusGridPlan;
  /** Shown name by device key. */
  readonly names: ReadonlyMap<string, string>;
}

export class StatusGridPanel implements PanelView {
  readonly element: HTMLElement;
  private readonly frame: PanelFrame;
  private readonly summary: HTMLElement;
  private readonly grid: HTMLElement;
  private readonly cells: KeyedViews<StatusEntry, StatusCell>;
  private readonly resizeWatch: ResizeWatch;
  private rendered = false;
  private layout: Layout | null = null;
  /** Set by a resize: the next render plans again. */
  private resized = true;
  private page = 0;
  private shownPage = -1;
  private fonts: StatusFonts | null = null;
  private fontsKey = '';

  constructor(
    private readonly spec: StatusGridPanelSpec,
    private readonly host: PanelHost,
  ) {
    this.frame = new PanelFrame(spec.kind);
    this.element = this.frame.element;
    this.summary = create('p', 'status-panel__summary', this.frame.body);
    this.summary.dataset['testid'] = 'status-summary';
    this.grid = create('ol', 'status-panel__grid', this.frame.body);
    this.grid.dataset['testid'] = 'status-grid';
    this.cells = new KeyedViews(this.grid, (entry) => entry.key, createCell);
    this.resizeWatch = new ResizeWatch(this.grid, () => {
      this.resized = true;
      this.host.requestRender();
    });
  }

  /** Pages the grid needs at its present size; 1 before it has been laid out. */
  pageCount(): number {
    return Math.max(1, this.layout?.plan.pages ?? 1);
  }

  showPage(index: number): void {
    this.page = index;
  }

  render(work: RenderWork, context: PanelContext): boolean {
    const pageTurned = this.shownPage !== this.page;
    if (this.rendered && !this.resized && !pageTurned && !work.membership && !work.everyTile && work.changed.size === 0) return false;
    this.rendered = true;
    const { text } = context;
    const entries = statusEntries(context.model.devices(), context.serverNow, { booth: this.spec.booth, deviceKind: this.spec.deviceKind });
    this.frame.setTitle(text.localize(this.spec.title) || text.t('deviceStatus'));
    this.frame.showWaiting(entries.length === 0 ? text.t('waitingForDevices') : null);

    const { online, total } = statusSummary(entries);
    setText(this.summary, text.t('devicesOnline', { online, total }));
    setData(this.summary, 'online', String(online));
    setData(this.summary, 'total', String(total));

    const layout = this.planLayout(entries, text);
    const { plan } = layout;
    const page = plan.pages === 0 ? 0 : this.page % plan.pages;
    this.shownPage = this.page;
    setData(this.element, 'page', String(page + 1));
    setData(this.element, 'pages', String(plan.pages));
    setData(this.element, 'devices', String(entries.length));
    setData(this.element, 'perPage', String(plan.perPage));
    setData(this.grid, 'density', plan.ageLine ? 'roomy' : 'two-line');
    this.grid.style.setProperty('--columns', String(plan.columns));
    this.grid.style.setProperty('--rows', String(plan.rows));
    // Problems first across the whole panel, so the first page is the one a technician needs.
    const shown = entries.slice(page * plan.perPage, (page + 1) * plan.perPage);
    const fonts = this.readFonts();
    this.cells.render(shown, (cell, entry) => renderCell(cell, entry, layout.names.get(entry.key) ?? entry.name, plan, fonts, text));
    return false;
  }

  dispose(): void {
    this.resizeWatch.dispose();
    this.cells.clear();
  }

  /** Plans again only when the names, the language or the size changed: a state change only reorders. */
  private planLayout(entries: readonly StatusEntry[], text: WallText): Layout {
    const fonts = this.readFonts();
    const width = this.grid.clientWidth;
    const height = this.grid.clientHeight;
    const stateWords = STATES.map((state) => statusWord(state, text));
    const names = entries.map((e) => e.name);
    const key = `${width}x${height}/${this.fontsKey}/${stateWords.join('|')}/${entries.map((e) => `${e.key}\u0000${e.name}`).join('\u0001')}`;
    if (this.layout && !this.resized && this.layout.key === key) return this.layout;
    this.resized = false;
    const plan = planStatusGrid(names, stateWords, width, height, readGap(this.grid), fonts);
    this.layout = { key, plan, names: new Map(entries.map((e, i) => [e.key, plan.shownNames[i] ?? e.name])) };
    return this.layout;
  }

  private readFonts(): StatusFonts {
    const family = getComputedStyle(this.element).fontFamily;
    const key = `${window.innerWidth}x${window.innerHeight}/${family}`;
    if (this.fonts && key === this.fontsKey) return this.fonts;
    const secondary = SECONDARY_FONT_MM * pxPerMm(window.innerWidth, window.innerHeight);
    this.fontsKey = key;
    this.fonts = {
      secondary,
      measureBold: canvasMeasure(`700 ${secondary}px ${family}`),
      measureText: canvasMeasure(`${secondary}px ${family}`),
    };
    return this.fonts;
  }
}

function createCell(entry: StatusEntry): StatusCell {
  return createPartsView('li', 'status-cell', { testid: 'status-cell', device: entry.device, booth: entry.booth }, ['name', 'state', 'age']);
}

function renderCell(cell: StatusCell, entry: StatusEntry, shownName: string, plan: StatusGridPlan, fonts: StatusFonts, text: WallText): void {
  setData(cell.element, 'state', entry.state);
  setData(cell.name, 'fullName', entry.name);
  setText(cell.name, shownName);
  setText(cell.state, statusWord(entry.state, text));
  setText(cell.age, plan.ageLine ? fitAge(entry, plan.textWidth, fonts, text) : '');
}

/** "last update 5 min ago" when it fits the cell, else "5 min ago", else nothing (the state word stays). */
function fitAge(entry: StatusEntry, width: number, fonts: StatusFonts, text: WallText): string {
  const long = statusAgeText(entry, text);
  if (long === '' || fonts.measureText(long) <= width) return long;
  const short = entry.ageMs === null ? '' : text.age(entry.ageMs);
  return fonts.measureText(short) <= width ? short : '';
}

function readGap(element: HTMLElement): number {
  return parseFloat(getComputedStyle(element).columnGap) || 0;
}
