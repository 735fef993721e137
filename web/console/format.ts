/**
 * How the console writes numbers, ages, times and states. Pure, so the wording is unit-tested; the
 * views only place the strings. State is always a word with its icon, never colour alone.
 */
import type { AlarmSeverity, HealthState } from '../../contract/console';
import type { DeviceMeta } from '../../contract/device';
import { metricLabelIn, metricUnitIn, metricValueIn, resolveMetricDisplay } from '../shared/metricDisplay';
import { formatNumber } from '../shared/numberFormat';

const COUNT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** 1234 → "1,234". */
export function formatCount(value: number): string {
  return Number.isFinite(value) ? COUNT.format(value) : '–';
}

/**
 * A duration as a technician reads it at a glance: "now", "12 s", "5 min", "2 h 5 min", "3 d 4 h".
 * Negative durations (a device clock or ours slightly ahead) read as "now".
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  const seconds = Math.floor(Math.max(0, ms) / 1000);
  if (seconds < 1) return 'now';
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days} d` : `${days} d ${hours % 24} h`;
}

/** How long ago `ts` was, on the server's clock; "never" when there is no time. */
export function formatAge(ts: number | null, serverNow: number): string {
  if (ts === null) return 'never';
  const text = formatDuration(serverNow - ts);
  return text === 'now' ? 'now' : `${text} ago`;
}

export function formatRate(perSecond: number): string {
  return `${formatNumber(perSecond)}/s`;
}

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return '–';
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  if (bytes < 1024 * 1024) return `${formatNumber(bytes / 1024)} KiB`;
  if (bytes < 1024 ** 3) return `${formatNumber(bytes / 1024 ** 2)} MiB`;
  return `${formatNumber(bytes / 1024 ** 3)} GiB`;
}

export function formatMs(ms: number): string {
  return `${formatNumber(ms)} ms`;
}

/** 0..1 → "45 %". */
export function formatShare(share: number): string {
  return Number.isFinite(share) ? `${formatNumber(share * 100)} %` : '–';
}

const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

/** Local wall-clock time; with the date too when `ts` is not on the same local day as `now`. */
export function formatTime(ts: number | null, now: number = Date.now()): string {
  if (ts === null || !Number.isFinite(ts)) return '–';
  const date = new Date(ts);
  const time = `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
  const today = new Date(now);
  const sameDay = date.getFullYear() === today.getFullYear() && date.getMonth() === today.getMonth() && date.getDate() === today.getDate();
  return sameDay ? time : `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${time}`;
}

/** The colour a badge is drawn in (console.css `[data-tone]`): the wall's live, warn, bad and a calm blue. */
export type Tone = 'good' | 'warn' | 'bad' | 'info';

export interface Badge {
  /** A shape, so state reads without colour (and in a greyscale screenshot). */
  readonly icon: string;
  readonly word: string;
  readonly tone: Tone;
}

export const STATE_BADGES: Readonly<Record<HealthState, Badge>> = {
  online: { icon: '●', word: 'Online', tone: 'good' },
  stale: { icon: '◐', word: 'Stale', tone: 'warn' },
  offline: { icon: '○', word: 'Offline', tone: 'bad' },
};

export const SEVERITY_BADGES: Readonly<Record<AlarmSeverity, Badge>> = {
  critical: { icon: '▲', word: 'Critical', tone: 'bad' },
  warning: { icon: '◆', word: 'Warning', tone: 'warn' },
  info: { icon: 'ℹ', word: 'Info', tone: 'info' },
};

/** Battery and signal in one cell: "82 % · -67 dBm", or "–" when the device reports neither. */
export function formatPower(battery: number | null, signal: number | null): string {
  const parts: string[] = [];
  if (battery !== null) parts.push(`${formatNumber(battery)} %`);
  if (signal !== null) parts.push(`${formatNumber(signal)} dBm`);
  return parts.length === 0 ? '–' : parts.join(' · ');
}

/**
 * A metric as the console names it: the same label the walls show (web/shared/metricDisplay.ts), in
 * English. Technicians write alarm rules with ids, so views keep the id beside it (title, table).
 */
export function consoleMetricLabel(metric: string, meta: DeviceMeta | undefined): string {
  return metricLabelIn(resolveMetricDisplay(metric, meta), CONSOLE_LANGUAGE);
}

/** A latest value as the walls write it, in English: value words, On/Off or Yes/No, the display's decimals. */
export function formatMetricValue(metric: string, meta: DeviceMeta | undefined, value: number | boolean): string {
  return metricValueIn(resolveMetricDisplay(metric, meta), value, CONSOLE_LANGUAGE, (n, decimals) =>
    decimals === undefined ? formatNumber(n) : n.toFixed(decimals),
  );
}

/** The unit the walls show for a metric (display unit, meta.units, or the one its id implies). */
export function consoleMetricUnit(metric: string, meta: DeviceMeta | undefined): string {
  return metricUnitIn(resolveMetricDisplay(metric, meta), CONSOLE_LANGUAGE);
}

const CONSOLE_LANGUAGE = ['en'] as const;
