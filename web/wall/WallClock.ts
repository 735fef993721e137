/** The header clock: a ticking clock also tells staff from afar that the page has not frozen. */

/** 24-hour HH:MM in the page's local time: what the stand staff read on their own watches. */
export function formatClockTime(epochMs: number): string {
  const date = new Date(epochMs);
  return `${twoDigits(date.getHours())}:${twoDigits(date.getMinutes())}`;
}

export class WallClock {
  constructor(
    private readonly hoursMinutes: HTMLElement,
    private readonly seconds: HTMLElement,
  ) {}

  render(now: number): void {
    this.hoursMinutes.textContent = formatClockTime(now);
    this.seconds.textContent = twoDigits(new Date(now).getSeconds());
  }
}

function twoDigits(n: number): string {
  return String(n).padStart(2, '0');
}
