/**
 * Each booth's budget refusals in words, for the server view: "Booth A (booth-a): 1,234 readings
 * refused (series budget)". Pure, so the wording is unit-tested. Reasons come from the server as
 * data: they are looked up in a Map, and one this page does not know yet is still shown, by name.
 */
import type { BoothBudgets } from '../../contract/console';
import { formatBytes, formatCount } from './format';

/** What was refused, in words a technician acts on; the budget's name says which setting to look at. */
const REFUSAL_WORDS: ReadonlyMap<string, string> = new Map([
  ['series-budget', 'readings refused (series budget)'],
  ['live-window-bytes', 'readings cut from the live window (live-window bytes budget)'],
  ['device-evicted', 'devices evicted (devices per booth)'],
  ['open-alarms-budget', 'alarm raises refused (open-alarms budget)'],
  ['retained-bytes-budget', 'retained messages not kept (retained-bytes budget)'],
  ['booth-rate-limited', 'readings dropped (booth readings per second)'],
  ['booth-connections-budget', 'connections refused (booth connections budget)'],
  ['stored-devices-budget', 'readings not stored (stored-devices budget)'],
  ['influx-refused-line', 'lines refused by InfluxDB'],
  ['live-frame-budget', 'readings left out of live frames (live frame budget)'],
  ['wall-frame-skipped', 'frames skipped for backed-up walls (wall share)'],
]);

/** "1,234 readings refused (series budget)". */
export function describeRefusal(reason: string, count: number): string {
  return `${formatCount(count)} ${REFUSAL_WORDS.get(reason) ?? `refused (${reason})`}`;
}

export function boothLabel(booth: Pick<BoothBudgets, 'booth' | 'name'>): string {
  return booth.name && booth.name !== booth.booth ? `${booth.name} (${booth.booth})` : booth.booth;
}

/** One line per booth and reason with something refused, largest first within a booth; booths in settings order. */
export function refusalLines(budgets: readonly BoothBudgets[]): { booth: string; text: string }[] {
  const lines: { booth: string; text: string }[] = [];
  for (const booth of budgets) {
    const refused = Object.entries(booth.refusals)
      .filter(([, count]) => typeof count === 'number' && count > 0)
      .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1));
    for (const [reason, count] of refused) lines.push({ booth: booth.booth, text: `${boothLabel(booth)}: ${describeRefusal(reason, count)}` });
  }
  return lines;
}

/** "series 5,000 / 5,000 · live window 1.2 MiB / 64 MiB · open alarms 3 / 500". */
export function budgetUse(booth: BoothBudgets): string {
  return [
    `series ${formatCount(booth.series.used)} / ${formatCount(booth.series.limit)}`,
    `live window ${formatBytes(booth.liveWindowBytes.used)} / ${formatBytes(booth.liveWindowBytes.limit)}`,
    `open alarms ${formatCount(booth.openAlarms.used)} / ${formatCount(booth.openAlarms.limit)}`,
  ].join(' · ');
}

/** A booth using all of one budget: its next series, point or alarm will be refused. */
export function atBudget(booth: BoothBudgets): boolean {
  return [booth.series, booth.liveWindowBytes, booth.openAlarms].some((use) => use.used >= use.limit);
}
