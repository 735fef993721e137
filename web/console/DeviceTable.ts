/**
 * The device table: every device of every booth, sortable and filterable, fast at thousands of
 * rows. Only the rows in view (plus a few either side) exist in the DOM; they are absolutely placed
 * in a body sized for all rows, and reused as the list scrolls, so scrolling 2,000 devices moves
 * a few dozen nodes and writes only the text that changed. Device-supplied text goes through
 * textContent (setText) only.
 */
import type { DeviceHealth, DeviceHealthList, HealthState } from '../../contract/console';
import { create, setData, setText } from '../shared/dom';
import {
  countCaption,
  DEFAULT_SORT,
  filterAndSort,
  filterChoices,
  NO_FILTER,
  PROBLEM_FILTERS,
  type ProblemFilter,
  NO_ADAPTER,
  NO_KIND,
  nextSort,
  rejectionSummary,
  topRejectionReason,
  type DeviceFilter,
  type SortKey,
  type SortSpec,
} from './deviceTableModel';
import { badge } from './consoleDom';
import { formatAge, formatCount, formatPower, formatRate, STATE_BADGES, type Badge } from './format';
import { measureWork, PERF } from './perfMarks';
import { deviceHash } from './route';
import type { ServerClock } from './ServerClock';
import { moveIndex, scrollToReveal, virtualWindow } from './virtualWindow';

/** The one place the row height is set: CSS reads it as --dt-row-height. */
export const ROW_HEIGHT_PX = 36;
const OVERSCAN_ROWS = 6;

interface Column {
  readonly key: SortKey;
  readonly label: string;
}

const COLUMNS: readonly Column[] = [
  { key: 'state', label: 'State' },
  { key: 'booth', label: 'Booth' },
  { key: 'device', label: 'Device' },
  { key: 'kind', label: 'Kind' },
  { key: 'adapter', label: 'Adapter · topic' },
  { key: 'lastSeen', label: 'Last seen' },
  { key: 'rate', label: 'Rate' },
  { key: 'errors', label: 'Errors' },
  { key: 'firmware', label: 'Firmware' },
  { key: 'address', label: 'Client address' },
  { key: 'reconnects', label: 'Reconnects' },
  { key: 'power', label: 'Battery · signal' },
];

const STATES: readonly HealthState[] = ['online', 'stale', 'offline'];

interface RowView {
  readonly element: HTMLElement;
  /** One cell per column; most hold their text directly. */
  readonly cells: Record<SortKey, HTMLElement>;
  readonly state: (value: string, badge: Badge) => void;
  readonly link: HTMLAnchorElement;
  readonly name: HTMLElement;
  readonly id: HTMLElement;
  readonly errors: HTMLElement;
  readonly reason: HTMLElement;
  readonly adapter: HTMLElement;
  readonly topic: HTMLElement;
  /** Index in `shown` this element currently displays, -1 when unused. */
  index: number;
}

export class DeviceTable {
  private all: readonly DeviceHealth[] = [];
  private shown: DeviceHealth[] = [];
  private filter: DeviceFilter = NO_FILTER;
  private sort: SortSpec = DEFAULT_SORT;
  private readonly pool: RowView[] = [];
  private focusIndex = 0;
  private firstRenderDone = false;
  private frame = 0;
  private choicesKey = '';

  private readonly viewport: HTMLElement;
  private readonly head: HTMLElement;
  private readonly body: HTMLElement;
  private readonly empty: HTMLElement;
  private readonly count: HTMLElement;
  private readonly textInput: HTMLInputElement;
  private readonly boothSelect: HTMLSelectElement;
  private readonly kindSelect: HTMLSelectElement;
  private readonly stateSelect: HTMLSelectElement;
  private readonly adapterSelect: HTMLSelectElement;
  private readonly problemSelect: HTMLSelectElement;
  private readonly sortButtons = new Map<SortKey, HTMLButtonElement>();
  /** Status line beside the count: last update, or why the list is not current. */
  readonly status: HTMLElement;

  constructor(
    host: HTMLElement,
    private readonly clock: ServerClock,
  ) {
    const toolbar = create('div', 'toolbar', host);
    this.textInput = create('input', 'field__input toolbar__search', labelled(toolbar, 'Find'));
    this.textInput.type = 'search';
    this.textInput.placeholder = 'Device id or name';
    this.textInput.dataset['testid'] = 'filter-text';
    this.boothSelect = filterSelect(labelled(toolbar, 'Booth'), 'filter-booth', 'All booths');
    this.kindSelect = filterSelect(labelled(toolbar, 'Kind'), 'filter-kind', 'All kinds');
    this.adapterSelect = filterSelect(labelled(toolbar, 'Adapter'), 'filter-adapter', 'All adapters');
    this.stateSelect = filterSelect(labelled(toolbar, 'State'), 'filter-state', 'All states');
    for (const state of STATES) addOption(this.stateSelect, state, `${STATE_BADGES[state].icon} ${STATE_BADGES[state].word}`);
    this.problemSelect = filterSelect(labelled(toolbar, 'Show'), 'filter-problem', 'Every device');
    for (const { value, label } of PROBLEM_FILTERS) addOption(this.problemSelect, value, label);
    const summary = create('div', 'toolbar__summary', toolbar);
    this.count = create('span', 'toolbar__count', summary);
    this.count.dataset['testid'] = 'device-count';
    this.count.setAttribute('role', 'status');
    this.status = create('span', 'toolbar__status', summary);
    this.status.dataset['testid'] = 'devices-updated';

    this.viewport = create('div', 'dt', host);
    this.viewport.dataset['testid'] = 'device-table';
    this.viewport.setAttribute('role', 'table');
    this.viewport.setAttribute('aria-label', 'Devices');
    this.viewport.style.setProperty('--dt-row-height', `${ROW_HEIGHT_PX}px`);
    this.head = create('div', 'dt__head', this.viewport);
    this.head.setAttribute('role', 'rowgroup');
    const headRow = create('div', 'dt__row dt__row--head', this.head);
    headRow.setAttribute('role', 'row');
    headRow.setAttribute('aria-rowindex', '1');
    for (const column of COLUMNS) {
      const cell = create('div', `dt__cell dt__cell--${column.key}`, headRow);
      cell.setAttribute('role', 'columnheader');
      const button = create('button', 'dt__sort', cell);
      button.type = 'button';
      button.dataset['testid'] = `sort-${column.key}`;
      button.dataset['sortKey'] = column.key;
      setText(create('span', 'dt__sort-label', button), column.label);
      create('span', 'dt__sort-mark', button).setAttribute('aria-hidden', 'true');
      this.sortButtons.set(column.key, button);
    }
    this.body = create('div', 'dt__body', this.viewport);
    this.body.setAttribute('role', 'rowgroup');
    this.body.dataset['testid'] = 'device-table-body';
    this.empty = create('p', 'dt__empty', host);
    this.empty.dataset['testid'] = 'device-table-empty';

    this.textInput.addEventListener('input', () => this.setFilter({ ...this.filter, text: this.textInput.value }));
    this.boothSelect.addEventListener('change', () => this.setFilter({ ...this.filter, booth: this.boothSelect.value || null }));
    this.kindSelect.addEventListener('change', () => this.setFilter({ ...this.filter, kind: this.kindSelect.value || null }));
    this.adapterSelect.addEventListener('change', () => this.setFilter({ ...this.filter, adapter: this.adapterSelect.value || null }));
    this.stateSelect.addEventListener('change', () => this.setFilter({ ...this.filter, state: (this.stateSelect.value || null) as HealthState | null }));
    this.problemSelect.addEventListener('change', () =>
      this.setFilter({ ...this.filter, problem: (this.problemSelect.value || null) as ProblemFilter | null }),
    );
    headRow.addEventListener('click', (event) => {
      const key = (event.target as Element).closest<HTMLElement>('[data-sort-key]')?.dataset['sortKey'] as SortKey | undefined;
      if (key) this.setSort(nextSort(this.sort, key));
    });
    this.viewport.addEventListener('scroll', () => this.scheduleRender(), { passive: true });
    this.viewport.addEventListener('keydown', (event) => this.onKey(event));
    this.body.addEventListener('click', (event) => this.onRowClick(event));
    new ResizeObserver(() => this.scheduleRender()).observe(this.viewport);
    this.renderSortMarks();
  }

  get rowCount(): number {
    return this.shown.length;
  }

  /** A new answer from the devices endpoint. The first one is timed (PERF.tableFirstRender). */
  setDevices(list: DeviceHealthList): void {
    this.all = list.devices;
    if (this.firstRenderDone) {
      this.refilter();
      return;
    }
    this.firstRenderDone = true;
    measureWork(PERF.tableFirstRender, PERF.tableFirstPaint, () => this.refilter());
  }

  /** Ages move on between polls. */
  tick(): void {
    this.render();
  }

  setFilter(filter: DeviceFilter): void {
    this.filter = filter;
    measureWork(PERF.tableFilter, PERF.tableFilterPaint, () => {
      this.focusIndex = 0;
      this.viewport.scrollTop = 0;
      this.refilter();
    });
  }

  private setSort(sort: SortSpec): void {
    this.sort = sort;
    this.renderSortMarks();
    this.refilter();
  }

  private refilter(): void {
    this.updateChoices();
    this.shown = filterAndSort(this.all, this.filter, this.sort, this.clock.now());
    this.focusIndex = Math.min(this.focusIndex, Math.max(0, this.shown.length - 1));
    setText(this.count, countCaption(this.shown.length, this.all.length, formatCount));
    setData(this.viewport, 'total', String(this.all.length));
    setData(this.viewport, 'shown', String(this.shown.length));
    this.viewport.setAttribute('aria-rowcount', String(this.shown.length + 1));
    setText(this.empty, this.shown.length > 0 ? '' : this.all.length === 0 ? 'No devices have connected yet.' : 'No device matches the filter.');
    this.render();
  }

  private updateChoices(): void {
    const choices = filterChoices(this.all);
    const key = JSON.stringify(choices);
    if (key === this.choicesKey) return;
    this.choicesKey = key;
    fillChoices(this.boothSelect, 'All booths', choices.booths, (booth) => booth);
    fillChoices(this.kindSelect, 'All kinds', choices.kinds, (kind) => (kind === NO_KIND ? '(no kind)' : kind));
    fillChoices(this.adapterSelect, 'All adapters', choices.adapters, (adapter) => (adapter === NO_ADAPTER ? '(not heard yet)' : adapter));
  }

  private scheduleRender(): void {
    if (this.frame !== 0) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  /** Places the pooled rows over the window of `shown` that is in view. */
  private render(): void {
    const headHeight = this.head.offsetHeight;
    const slice = virtualWindow({
      scrollTop: this.viewport.scrollTop,
      viewportHeight: this.viewport.clientHeight - headHeight,
      rowHeight: ROW_HEIGHT_PX,
      rowCount: this.shown.length,
      overscan: OVERSCAN_ROWS,
    });
    this.body.style.setProperty('height', `${slice.totalHeight}px`);
    while (this.pool.length < slice.count) this.pool.push(this.createRow());
    const serverNow = this.clock.now();
    for (let slot = 0; slot < this.pool.length; slot++) {
      const row = this.pool[slot] as RowView;
      const index = slice.first + slot;
      const device = slot < slice.count ? this.shown[index] : undefined;
      if (!device) {
        if (row.index !== -1) {
          row.index = -1;
          row.element.hidden = true;
        }
        continue;
      }
      if (row.index !== index) {
        row.index = index;
        row.element.style.setProperty('transform', `translateY(${index * ROW_HEIGHT_PX}px)`);
        row.element.setAttribute('aria-rowindex', String(index + 2));
      }
      row.element.hidden = false;
      row.link.tabIndex = index === this.focusIndex ? 0 : -1;
      this.updateRow(row, device, serverNow);
    }
    setData(this.viewport, 'renderedRows', String(slice.count));
  }

  private createRow(): RowView {
    const element = create('div', 'dt__row', this.body);
    element.setAttribute('role', 'row');
    element.dataset['testid'] = 'device-row';
    const cells = {} as Record<SortKey, HTMLElement>;
    for (const { key } of COLUMNS) {
      cells[key] = create('div', `dt__cell dt__cell--${key}`, element);
      cells[key].setAttribute('role', 'cell');
    }
    const link = create('a', 'dt__link', cells.device);
    link.dataset['testid'] = 'device-link';
    return {
      element,
      cells,
      state: badge(cells.state, 'state').set,
      link,
      name: create('span', 'dt__name', link),
      id: create('span', 'dt__id', link),
      errors: create('span', 'dt__errors', cells.errors),
      reason: create('span', 'dt__reason', cells.errors),
      adapter: create('span', 'dt__adapter', cells.adapter),
      topic: create('span', 'dt__topic', cells.adapter),
      index: -1,
    };
  }

  private updateRow(row: RowView, device: DeviceHealth, serverNow: number): void {
    setData(row.element, 'booth', device.booth);
    setData(row.element, 'device', device.device);
    setData(row.element, 'state', device.state);
    row.state(device.state, STATE_BADGES[device.state]);
    const { cells } = row;
    setText(cells.booth, device.booth);
    const href = deviceHash(device.booth, device.device);
    if (row.link.getAttribute('href') !== href) row.link.setAttribute('href', href);
    // Long names are cut with an ellipsis; the tooltip (an attribute, never markup) has all of it.
    const title = device.name === null ? device.device : `${device.name} (${device.device})`;
    if (row.link.title !== title) row.link.title = title;
    setText(row.name, device.name ?? device.device);
    setText(row.id, device.name === null ? '' : device.device);
    setText(cells.kind, device.kind ?? '–');
    // The family as a badge, the device's own topic beside it (cut; the tooltip has all of it).
    setText(row.adapter, device.adapter ?? '–');
    setData(row.element, 'adapter', device.adapter ?? '');
    setText(row.topic, device.ownTopic ?? '');
    const topicTitle = device.ownTopic ?? '';
    if (cells.adapter.title !== topicTitle) cells.adapter.title = topicTitle;
    setText(cells.lastSeen, formatAge(device.lastSeen, serverNow));
    setText(cells.rate, formatRate(device.ratePerSecond));
    setText(row.errors, formatCount(device.rejectedTotal));
    setData(row.element, 'errors', device.rejectedTotal > 0 ? 'some' : 'none');
    setText(row.reason, device.rejectedTotal > 0 ? (topRejectionReason(device.rejected) ?? '') : '');
    const reasons = rejectionSummary(device.rejected, formatCount);
    if (cells.errors.title !== reasons) cells.errors.title = reasons;
    setText(cells.firmware, device.firmware ?? '–');
    setText(cells.address, device.clientAddress ?? '–');
    setText(cells.reconnects, formatCount(device.reconnects));
    setText(cells.power, formatPower(device.battery, device.signal));
  }

  private renderSortMarks(): void {
    for (const [key, button] of this.sortButtons) {
      const sorted = key === this.sort.key;
      const header = button.parentElement as HTMLElement;
      header.setAttribute('aria-sort', sorted ? (this.sort.direction === 'asc' ? 'ascending' : 'descending') : 'none');
      setData(button, 'sorted', sorted ? this.sort.direction : '');
      setText(button.querySelector('.dt__sort-mark') as HTMLElement, sorted ? (this.sort.direction === 'asc' ? '▲' : '▼') : '');
    }
  }

  /** Arrow keys, Page keys, Home and End move between rows; the list scrolls to keep focus in view. */
  private onKey(event: KeyboardEvent): void {
    const row = (event.target as Element).closest<HTMLElement>('.dt__row');
    if (!row || !this.body.contains(row)) return;
    const current = this.pool.find((view) => view.element === row)?.index ?? this.focusIndex;
    const bodyHeight = this.viewport.clientHeight - this.head.offsetHeight;
    const next = moveIndex(current, event.key, this.shown.length, Math.floor(bodyHeight / ROW_HEIGHT_PX));
    if (next === null) return;
    event.preventDefault();
    this.focusIndex = next;
    this.viewport.scrollTop = scrollToReveal(next, this.viewport.scrollTop, bodyHeight, ROW_HEIGHT_PX);
    this.render();
    this.pool.find((view) => view.index === next)?.link.focus({ preventScroll: true });
  }

  /** A click anywhere on a row opens the device, not only on its name. */
  private onRowClick(event: MouseEvent): void {
    const target = event.target as Element;
    if (target.closest('a')) return;
    const row = target.closest<HTMLElement>('.dt__row');
    const view = this.pool.find((candidate) => candidate.element === row);
    const device = view ? this.shown[view.index] : undefined;
    if (device) window.location.hash = deviceHash(device.booth, device.device);
  }
}

function labelled(parent: HTMLElement, text: string): HTMLElement {
  const label = create('label', 'field field--inline', parent);
  setText(create('span', 'field__label', label), text);
  return label;
}

function filterSelect(parent: HTMLElement, testId: string, allLabel: string): HTMLSelectElement {
  const select = create('select', 'field__input', parent);
  select.dataset['testid'] = testId;
  addOption(select, '', allLabel);
  return select;
}

function addOption(select: HTMLSelectElement, value: string, label: string): void {
  const option = create('option', '', select);
  option.value = value;
  option.textContent = label;
}

/** Replaces a select's choices, keeping the current one even if no device has it any more. */
function fillChoices(select: HTMLSelectElement, allLabel: string, values: readonly string[], label: (value: string) => string): void {
  const current = select.value;
  select.replaceChildren();
  addOption(select, '', allLabel);
  const all = current !== '' && !values.includes(current) ? [...values, current] : values;
  for (const value of all) addOption(select, value, label(value));
  select.value = current;
}
