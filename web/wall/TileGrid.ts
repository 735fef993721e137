/**
 * The set of tiles on screen, kept in step with the model: creates tiles for new devices, disposes
 * tiles (and their charts) for devices that went away or off the page, orders them, and shapes the
 * CSS grid as the panel planned it. Chart resizes are throttled: a grid reflow resizes every tile at once.
 * A tile's first size report (the observer reports every element it starts watching) is not a
 * resize: its chart reads that size when first drawn, and resizing and redrawing every new tile of
 * a page turn again 150 ms later doubled the cost of bringing a page on screen.
 */
import { DeviceTile } from './DeviceTile';
import type { GridShape } from './tileLayout';
import type { DeviceState } from './WallModel';

const RESIZE_THROTTLE_MS = 150;

export class TileGrid {
  private readonly tiles = new Map<string, DeviceTile>();
  private readonly tilesByChartHost = new Map<Element, DeviceTile>();
  private readonly pendingResize = new Set<DeviceTile>();
  /** Each watched chart host's content size as last reported, to tell a resize from a first report. */
  private readonly reportedSize = new Map<DeviceTile, string>();
  private readonly observer: ResizeObserver;
  private resizeTimer: ReturnType<typeof setTimeout> | undefined;
  private gridResized = false;
  private shape: GridShape = { columns: 1, rows: 1 };

  /** `onResized` gets the keys of tiles whose charts changed size, so they can be re-laid out. */
  constructor(
    private readonly root: HTMLElement,
    private readonly onResized: (keys: string[]) => void,
  ) {
    this.observer = new ResizeObserver((entries) => this.queueResize(entries));
    this.observer.observe(this.root);
  }

  get size(): number {
    return this.tiles.size;
  }

  tile(key: string): DeviceTile | undefined {
    return this.tiles.get(key);
  }

  keys(): IterableIterator<string> {
    return this.tiles.keys();
  }

  /** Returns the keys of tiles created now: they need a full render. */
  sync(shown: readonly DeviceState[], shape: GridShape): string[] {
    this.shape = shape;
    const devices = [...shown].sort(byBoothThenDevice);
    const wanted = new Set(devices.map((d) => d.key));
    for (const [key, tile] of this.tiles) {
      if (!wanted.has(key)) this.remove(key, tile);
    }
    const created: string[] = [];
    for (const device of devices) {
      if (this.tiles.has(device.key)) continue;
      const tile = new DeviceTile(device.key, device.booth, device.device);
      this.tiles.set(device.key, tile);
      this.tilesByChartHost.set(tile.chartHost, tile);
      created.push(device.key);
    }
    // Moving nodes makes the browser re-lay out every tile, so only when the order really changed.
    const ordered = devices.map((d) => this.tiles.get(d.key)?.element).filter((e): e is HTMLElement => e !== undefined);
    if (!sameOrder(this.root.children, ordered)) this.root.replaceChildren(...ordered);
    for (const key of created) {
      const tile = this.tiles.get(key);
      if (tile) this.observer.observe(tile.chartHost);
    }
    this.applyShape();
    return created;
  }

  dispose(): void {
    clearTimeout(this.resizeTimer);
    this.observer.disconnect();
    for (const [key, tile] of this.tiles) this.remove(key, tile);
  }

  private remove(key: string, tile: DeviceTile): void {
    this.observer.unobserve(tile.chartHost);
    this.tilesByChartHost.delete(tile.chartHost);
    this.pendingResize.delete(tile);
    this.reportedSize.delete(tile);
    this.tiles.delete(key);
    tile.dispose();
  }

  private applyShape(): void {
    const { columns, rows } = this.shape;
    // Unchanged values are not written again: a style write invalidates the layout of every tile.
    if (this.root.style.getPropertyValue('--columns') !== String(columns)) this.root.style.setProperty('--columns', String(columns));
    if (this.root.style.getPropertyValue('--rows') !== String(rows)) this.root.style.setProperty('--rows', String(rows));
    if (this.root.dataset['count'] !== String(this.tiles.size)) this.root.dataset['count'] = String(this.tiles.size);
  }

  private queueResize(entries: ResizeObserverEntry[]): void {
    let queued = false;
    for (const entry of entries) {
      if (entry.target === this.root) {
        this.gridResized = true;
        queued = true;
      }
      const tile = this.tilesByChartHost.get(entry.target);
      if (!tile) continue;
      const size = `${entry.contentRect.width}x${entry.contentRect.height}`;
      const before = this.reportedSize.get(tile);
      this.reportedSize.set(tile, size);
      if (before === undefined || before === size) continue;
      this.pendingResize.add(tile);
      queued = true;
    }
    if (queued) this.resizeTimer ??= setTimeout(() => this.flushResize(), RESIZE_THROTTLE_MS);
  }

  private flushResize(): void {
    this.resizeTimer = undefined;
    // The screen changed shape (rotation, window resize): the panel plans its pages again on the next render.
    const gridResized = this.gridResized;
    this.gridResized = false;
    const resized = [...this.pendingResize];
    this.pendingResize.clear();
    for (const tile of resized) tile.resize();
    if (resized.length > 0 || gridResized) this.onResized(resized.map((t) => t.key));
  }
}

function byBoothThenDevice(a: DeviceState, b: DeviceState): number {
  return a.booth === b.booth ? compare(a.device, b.device) : compare(a.booth, b.booth);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sameOrder(current: HTMLCollection, wanted: readonly Element[]): boolean {
  if (current.length !== wanted.length) return false;
  return wanted.every((element, index) => current[index] === element);
}
