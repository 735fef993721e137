/**
 * A tile per device (name, freshness, readouts, chart): the overview panel. Text follows every
 * change at once; charts are redrawn from a queue filled by the one-second tick and by new or
 * resized tiles, within the frame's chart deadline, so a wall of many devices still animates
 * smoothly and no chart is redrawn more than about once a second.
 */
import type { DevicesPanelSpec } from '../../../contract/dashboard';
import { create, setText } from '../../shared/dom';
import type { TileContext } from '../DeviceTile';
import type { RenderWork } from '../RenderLoop';
import { TileGrid } from '../TileGrid';
import type { DeviceState } from '../WallModel';
import type { PanelContext, PanelHost, PanelView } from './PanelView';

export class DevicesPanel implements PanelView {
  readonly element: HTMLElement;
  private readonly grid: TileGrid;
  private readonly empty: HTMLElement;
  /** Keys of tiles whose chart awaits a redraw, oldest first. */
  private readonly chartQueue = new Set<string>();
  private synced = false;

  constructor(
    private readonly spec: DevicesPanelSpec,
    host: PanelHost,
  ) {
    this.element = create('section', 'panel panel--devices');
    this.element.dataset['testid'] = 'panel';
    this.element.dataset['panelKind'] = 'devices';
    const root = create('div', 'tile-grid', this.element);
    root.dataset['testid'] = 'tile-grid';
    this.empty = create('p', 'panel__empty', this.element);
    this.grid = new TileGrid(root, (keys) => {
      for (const key of keys) this.chartQueue.add(key);
      host.requestRender();
    });
  }

  render(work: RenderWork, context: PanelContext): boolean {
    const { model, text } = context;
    // Membership of a filtered panel also changes when a device's kind does, which the one-second tick catches.
    const created = work.membership || work.everyTile || !this.synced ? this.grid.sync(this.devices(context)) : [];
    this.synced = true;
    setText(this.empty, this.grid.size > 0 ? '' : text.t('waitingForDevices'));

    for (const key of work.changed) this.grid.tile(key)?.markChartDataChanged();
    for (const key of created) this.chartQueue.add(key);
    if (work.everyTile) for (const key of this.grid.keys()) this.chartQueue.add(key);

    const textKeys = work.everyTile ? this.grid.keys() : new Set([...work.changed, ...created]);
    for (const key of textKeys) {
      const device = model.device(key);
      if (device) this.grid.tile(key)?.renderText(device, tileContext(device, context));
    }

    for (const key of this.chartQueue) {
      if (performance.now() >= context.chartDeadline) break;
      this.chartQueue.delete(key);
      const device = model.device(key);
      const tile = this.grid.tile(key);
      if (device && tile) tile.renderChart(device, tileContext(device, context));
    }
    return this.chartQueue.size > 0;
  }

  dispose(): void {
    this.grid.dispose();
    this.chartQueue.clear();
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

function tileContext(device: DeviceState, { model, serverNow, windowMs, text }: PanelContext): TileContext {
  // The booth is only worth naming on a tile when the wall mixes booths.
  const boothName = model.booths.length > 1 ? (model.booths.find((b) => b.id === device.booth)?.name ?? device.booth) : null;
  return { serverNow, windowMs, boothName, text };
}
