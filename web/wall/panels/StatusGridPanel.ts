/**
 * Every device of the wall as a cell: name, state as an icon and a word (never colour alone), and
 * how old the data is when it is not current; problems first. Cells are kept per device and reused,
 * so a wall of 200 devices re-renders by changing text, not by rebuilding the grid.
 */
import type { StatusGridPanelSpec } from '../../../contract/dashboard';
import { create, setData, setText } from '../../shared/dom';
import type { RenderWork } from '../RenderLoop';
import { ResizeWatch } from '../../shared/ResizeWatch';
import { chooseGridShape } from '../tileLayout';
import type { WallText } from '../wallText';
import { createPartsView, KeyedViews, type KeyedView } from '../../shared/keyedViews';
import { PanelFrame } from './PanelFrame';
import type { PanelContext, PanelView } from './PanelView';
import { statusAgeText, statusEntries, statusSummary, statusWord, type StatusEntry } from './statusGrid';

/** Width to height of a cell: a name over a state line reads best wide. */
const CELL_ASPECT = 2.6;
/**
 * Cell heights, px, below which a cell drops its age line, and then shows name and state icon on
 * one line: text is never shrunk below legibility, so a crowded grid says less instead.
 */
const ROOMY_CELL_PX = 84;
const TWO_LINE_CELL_PX = 54;

type StatusCell = KeyedView & Record<'name' | 'state' | 'age', HTMLElement>;

export class StatusGridPanel implements PanelView {
  readonly element: HTMLElement;
  private readonly frame: PanelFrame;
  private readonly summary: HTMLElement;
  private readonly grid: HTMLElement;
  private readonly cells: KeyedViews<StatusEntry, StatusCell>;
  private readonly resizeWatch: ResizeWatch;
  private rendered = false;

  constructor(private readonly spec: StatusGridPanelSpec) {
    this.frame = new PanelFrame(spec.kind);
    this.element = this.frame.element;
    this.summary = create('p', 'status-panel__summary', this.frame.body);
    this.summary.dataset['testid'] = 'status-summary';
    this.grid = create('ol', 'status-panel__grid', this.frame.body);
    this.cells = new KeyedViews(this.grid, (entry) => entry.key, createCell);
    this.resizeWatch = new ResizeWatch(this.grid, () => this.applyShape());
  }

  render(work: RenderWork, context: PanelContext): boolean {
    if (this.rendered && !work.membership && !work.everyTile && work.changed.size === 0) return false;
    this.rendered = true;
    const { text } = context;
    const entries = statusEntries(context.model.devices(), context.serverNow, { booth: this.spec.booth, deviceKind: this.spec.deviceKind });
    this.frame.setTitle(text.localize(this.spec.title) || text.t('deviceStatus'));
    this.frame.showWaiting(entries.length === 0 ? text.t('waitingForDevices') : null);

    const { online, total } = statusSummary(entries);
    setText(this.summary, text.t('devicesOnline', { online, total }));
    setData(this.summary, 'online', String(online));
    setData(this.summary, 'total', String(total));
    if (this.cells.render(entries, (cell, entry) => renderCell(cell, entry, text))) this.applyShape();
    return false;
  }

  dispose(): void {
    this.resizeWatch.dispose();
    this.cells.clear();
  }

  private applyShape(): void {
    const height = this.grid.clientHeight;
    const { columns, rows } = chooseGridShape(this.cells.size, this.grid.clientWidth, height, CELL_ASPECT);
    this.grid.style.setProperty('--columns', String(columns));
    this.grid.style.setProperty('--rows', String(rows));
    const cellHeight = height / rows;
    setData(this.grid, 'density', cellHeight >= ROOMY_CELL_PX ? 'roomy' : cellHeight >= TWO_LINE_CELL_PX ? 'two-line' : 'one-line');
  }
}

function createCell(entry: StatusEntry): StatusCell {
  return createPartsView('li', 'status-cell', { testid: 'status-cell', device: entry.device, booth: entry.booth }, ['name', 'state', 'age']);
}

function renderCell(cell: StatusCell, entry: StatusEntry, text: WallText): void {
  setData(cell.element, 'state', entry.state);
  setText(cell.name, entry.name);
  setText(cell.state, statusWord(entry.state, text));
  setText(cell.age, statusAgeText(entry, text));
}
