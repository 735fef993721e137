/**
 * What every panel of a scene is to the screen: an element to place, a render that follows the
 * model, and a dispose that frees its chart. Panels read the model and never change it.
 */
import type { RenderWork } from '../RenderLoop';
import type { WallModel } from '../WallModel';
import type { WallText } from '../wallText';

export interface PanelContext {
  readonly model: WallModel;
  readonly text: WallText;
  /** Server clock, ms: ages and windows are measured against the server's timestamps. */
  readonly serverNow: number;
  /** Width of the live window the charts show, ms. */
  readonly windowMs: number;
  /**
   * performance.now() by which chart work in this frame should stop. Text is cheap and always
   * follows; charts past the deadline wait for the next frame (return true from render).
   */
  readonly chartDeadline: number;
}

/**
 * Charts that follow every reading (a gauge's needle, positions) redraw at most this often: at a
 * few hundred readings a second a redraw per animation frame would take the whole frame budget.
 * Four times a second still reads as live; charts of the window redraw on the one-second tick.
 */
export const LIVE_CHART_INTERVAL_MS = 250;

/** What a panel may ask of the screen that holds it. */
export interface PanelHost {
  /** Schedules a render in the next animation frame, e.g. after the panel's size changed. */
  requestRender(): void;
}

export interface PanelView {
  /** Placed by the scene in its grid; the panel fills it. */
  readonly element: HTMLElement;
  /**
   * `work.changed` holds keys of devices whose data changed, `work.everyTile` is the one-second
   * tick (ages, sliding windows), `work.membership` means devices came or went.
   * Returns true when chart work is left over for the next frame.
   */
  render(work: RenderWork, context: PanelContext): boolean;
  /** Disposes charts and observers; the element is removed by the scene. */
  dispose(): void;
}
