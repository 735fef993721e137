/**
 * The history chart's time ranges and the request it makes for each metric. The server averages
 * readings into `points` buckets with GROUP BY time(), so asking for one point per pixel of chart
 * width gives a full-resolution line without sending more than the screen can show.
 */
import { CONSOLE_API } from '../../contract/console';

export type RangePreset = '15m' | '1h' | '6h' | '24h';

export const RANGE_PRESETS: readonly { readonly id: RangePreset; readonly label: string; readonly ms: number }[] = [
  { id: '15m', label: '15 min', ms: 15 * 60_000 },
  { id: '1h', label: '1 h', ms: 3_600_000 },
  { id: '6h', label: '6 h', ms: 6 * 3_600_000 },
  { id: '24h', label: '24 h', ms: 24 * 3_600_000 },
];

export interface TimeRange {
  readonly from: number;
  readonly to: number;
}

export const MIN_POINTS = 50;
export const MAX_POINTS = 2000;
/** The public history API refuses longer spans; the console says so before asking. */
export const MAX_RANGE_MS = 366 * 24 * 3_600_000;

export function presetRange(preset: RangePreset, now: number): TimeRange {
  const ms = RANGE_PRESETS.find((p) => p.id === preset)?.ms ?? 3_600_000;
  return { from: now - ms, to: now };
}

/** One point per pixel of chart width, within what is worth asking for. */
export function historyPoints(chartWidthPx: number): number {
  if (!Number.isFinite(chartWidthPx)) return MIN_POINTS;
  return Math.min(MAX_POINTS, Math.max(MIN_POINTS, Math.round(chartWidthPx)));
}

export function historyUrl(booth: string, device: string, metric: string, range: TimeRange, points: number): string {
  const query = new URLSearchParams({ booth, device, metric, from: String(Math.floor(range.from)), to: String(Math.ceil(range.to)), points: String(points) });
  return `${CONSOLE_API.history}?${query.toString()}`;
}

/** `<input type="datetime-local">` values are local time without a zone: "2026-11-21T09:30". */
export function toDateTimeLocal(ts: number): string {
  const date = new Date(ts);
  const pad = (value: number): string => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

export function fromDateTimeLocal(text: string): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text.trim());
  if (!match) return null;
  const [, y, mo, d, h, mi, s] = match.map(Number) as [number, number, number, number, number, number, number];
  const ts = new Date(y, mo - 1, d, h, mi, Number.isNaN(s) ? 0 : s).getTime();
  return Number.isNaN(ts) ? null : ts;
}

/** A custom range from the two inputs, or the reason it cannot be asked for. */
export function customRange(fromText: string, toText: string): TimeRange | { error: string } {
  const from = fromDateTimeLocal(fromText);
  const to = fromDateTimeLocal(toText);
  if (from === null) return { error: 'Choose a start time' };
  if (to === null) return { error: 'Choose an end time' };
  if (from >= to) return { error: 'The start must be before the end' };
  if (to - from > MAX_RANGE_MS) return { error: 'A range may span at most 366 days' };
  return { from, to };
}

/** "09:30:00 – 10:30:00, one point per 12 s" */
export function describeInterval(intervalMs: number): string {
  if (intervalMs < 1000) return `${intervalMs} ms`;
  const seconds = intervalMs / 1000;
  if (seconds < 120) return `${Math.round(seconds)} s`;
  const minutes = seconds / 60;
  return minutes < 120 ? `${Math.round(minutes)} min` : `${Math.round(minutes / 60)} h`;
}

/** What CONSOLE_API.history answers: the shape of the public /api/history. */
export interface HistoryAnswer {
  booth: string;
  device: string;
  metric: string;
  from: number;
  to: number;
  source: 'influxdb' | 'live';
  /** The GROUP BY time() bucket, ms. */
  intervalMs: number;
  /** [bucket start, mean], oldest first. */
  points: [number, number][];
}
