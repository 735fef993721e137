/** The header clock: a ticking clock also tells staff from afar that the page has not frozen. */
import type { WallText } from './wallText';

export class WallClock {
  constructor(
    private readonly hoursMinutes: HTMLElement,
    private readonly seconds: HTMLElement,
    private readonly text: WallText,
  ) {}

  render(now: number): void {
    this.hoursMinutes.textContent = this.text.clock(now);
    this.seconds.textContent = String(new Date(now).getSeconds()).padStart(2, '0');
  }
}
