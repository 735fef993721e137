/**
 * The whole page: header (booths, window, clock, connection) and the tile grid. It draws what the
 * model holds when the RenderLoop says so, and never mutates the model.
 */
import { ConnectionIndicator } from './ConnectionIndicator';
import type { ConnectionView } from './connectionStatus';
import type { RenderWork } from './RenderLoop';
import type { TileContext } from './DeviceTile';
import { TileGrid } from './TileGrid';
import { WallClock } from './WallClock';
import type { WallModel } from './WallModel';
import { ENGLISH } from './wallText';

/** Chart work allowed per animation frame, ms; the rest waits for the next frame. */
const CHART_BUDGET_MS = 10;

export class WallScreen {
  private readonly grid: TileGrid;
  private readonly boothTitle: HTMLElement;
  private readonly windowCaption: HTMLElement;
  private readonly emptyState: HTMLElement;
  private readonly clock: WallClock;
  private readonly indicator: ConnectionIndicator;
  /** Keys of tiles whose chart awaits a redraw, oldest first. */
  private readonly chartQueue = new Set<string>();

  constructor(
    private readonly document: Document,
    private readonly model: WallModel,
    onTilesResized: (keys: string[]) => void,
  ) {
    this.grid = new TileGrid(find(document, '[data-testid="tile-grid"]'), onTilesResized);
    this.boothTitle = find(document, '[data-testid="booth-names"]');
    this.windowCaption = find(document, '[data-testid="window-caption"]');
    this.emptyState = find(document, '[data-testid="empty-state"]');
    this.clock = new WallClock(find(document, '.clock__hm'), find(document, '.clock__s'));
    this.indicator = new ConnectionIndicator(find(document, '[data-testid="connection"]'));
    this.windowCaption.textContent = `last ${formatWindow(model.windowMs)}`;
  }

  /**
   * Text follows every change at once; charts are redrawn from a queue filled by the one-second
   * tick and by new tiles, within a per-frame time budget, so a wall of many devices still animates
   * smoothly and no chart is redrawn more than about once a second. Returns true if charts are left.
   */
  render(work: RenderWork): boolean {
    const model = this.model;
    const created = work.membership ? this.grid.sync(model) : [];
    if (work.membership) this.renderBooths();
    this.emptyState.hidden = this.grid.size > 0;

    for (const key of work.changed) this.grid.tile(key)?.markChartDataChanged();
    for (const key of created) this.chartQueue.add(key);
    if (work.everyTile) for (const key of this.grid.keys()) this.chartQueue.add(key);

    const textKeys = work.everyTile ? this.grid.keys() : new Set([...work.changed, ...created]);
    for (const key of textKeys) {
      const device = model.device(key);
      if (device) this.grid.tile(key)?.renderText(device, this.tileContext(device.booth));
    }

    const deadline = performance.now() + CHART_BUDGET_MS;
    for (const key of this.chartQueue) {
      this.chartQueue.delete(key);
      const device = model.device(key);
      const tile = this.grid.tile(key);
      if (!device || !tile) continue;
      tile.renderChart(device, this.tileContext(device.booth));
      if (performance.now() >= deadline) break;
    }
    return this.chartQueue.size > 0;
  }

  renderClock(now: number): void {
    this.clock.render(now);
  }

  renderConnection(view: ConnectionView): void {
    this.indicator.render(view);
  }

  private tileContext(booth: string): TileContext {
    const model = this.model;
    // The booth is only worth naming on a tile when the wall mixes booths.
    const boothName = model.booths.length > 1 ? (model.booths.find((b) => b.id === booth)?.name ?? booth) : null;
    return { serverNow: model.serverNow(), windowMs: model.windowMs, boothName, text: ENGLISH };
  }

  private renderBooths(): void {
    const names = this.model.booths.map((b) => b.name.trim() || b.id);
    const title = names.length > 0 ? names.join(' · ') : 'Showfloor';
    if (this.boothTitle.textContent !== title) this.boothTitle.textContent = title;
    this.document.title = names.length > 0 ? `${title} — Showfloor` : 'Showfloor';
  }
}

function find(document: Document, selector: string): HTMLElement {
  const element = document.querySelector<HTMLElement>(selector);
  if (!element) throw new Error(`wall page is missing ${selector}`);
  return element;
}

function formatWindow(windowMs: number): string {
  const minutes = windowMs / 60_000;
  return Number.isInteger(minutes) ? `${minutes} min` : `${Math.round(windowMs / 1000)} s`;
}
