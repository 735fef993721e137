/**
 * Coalesces work into animation frames: socket events arrive every ~200 ms per booth and the clock
 * ticks every second, but the screen is drawn at most once per frame, and only what is dirty.
 * A render that ran out of its time budget says so, and gets another frame to finish.
 */
import type { WallChange } from './WallModel';

export interface RenderWork {
  /** Devices came or went: tiles must be created or disposed first. */
  readonly membership: boolean;
  /** Devices whose data changed since the last frame. */
  readonly changed: ReadonlySet<string>;
  /** Every tile needs its time window slid and its age refreshed. */
  readonly everyTile: boolean;
}

export type FrameRequester = (callback: () => void) => unknown;

export class RenderLoop {
  private membership = false;
  private everyTile = false;
  private changed = new Set<string>();
  private scheduled = false;

  constructor(
    /** Returns true when work is left over for the next frame. */
    private readonly render: (work: RenderWork) => boolean,
    private readonly requestFrame: FrameRequester = (callback) => requestAnimationFrame(callback),
  ) {}

  markChange(change: WallChange): void {
    this.membership ||= change.membership;
    for (const key of change.devices) this.changed.add(key);
    this.schedule();
  }

  markDevices(keys: Iterable<string>): void {
    for (const key of keys) this.changed.add(key);
    this.schedule();
  }

  markEveryTile(): void {
    this.everyTile = true;
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.requestFrame(() => this.flush());
  }

  private flush(): void {
    const work: RenderWork = { membership: this.membership, changed: this.changed, everyTile: this.everyTile };
    this.scheduled = false;
    this.membership = false;
    this.everyTile = false;
    this.changed = new Set();
    if (this.render(work)) this.schedule();
  }
}
