/**
 * Tells a chart its host changed size, at most every RESIZE_THROTTLE_MS: a grid reflow resizes
 * every panel at once, and an ECharts resize redraws the whole canvas.
 */
const RESIZE_THROTTLE_MS = 150;

export class ResizeWatch {
  private readonly observer: ResizeObserver;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(element: Element, onResize: () => void) {
    this.observer = new ResizeObserver(() => {
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        onResize();
      }, RESIZE_THROTTLE_MS);
    });
    this.observer.observe(element);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.observer.disconnect();
  }
}
