/**
 * Every word the wall shows, in English and Simplified Chinese, and numbers and times formatted for
 * the language. `?lang=both` is for the show floor, where visitors read either: each label carries
 * both languages, English first.
 */
import type { LocalizedText, WallLanguage } from '../../contract/dashboard';
import type { DeviceMeta } from '../../contract/device';
import {
  booleanAxisWords,
  metricLabelIn,
  metricUnitIn,
  metricValueIn,
  resolveMetricDisplay,
  type MetricDisplayOverrides,
  type ResolvedMetricDisplay,
} from '../shared/metricDisplay';
import { fractionDigits } from '../shared/numberFormat';

export type LanguageMode = WallLanguage | 'both';

/** A parameter may depend on the language, e.g. an age inside "last update {age}". */
type Params = Record<string, string | number | ((language: WallLanguage) => string)>;

const EN = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  offlineSince: 'Offline since {time}',
  retrying: 'retrying',
  retryingAttempt: 'retrying (attempt {attempt})',
  attempt: 'attempt {attempt}',
  stale: 'Stale',
  offline: 'Offline',
  online: 'Online',
  noData: 'No data',
  lastUpdate: 'last update {age}',
  secondsAgo: '{n} s ago',
  minutesAgo: '{n} min ago',
  hoursAgo: '{n} h ago',
  daysAgo: '{n} d ago',
  waitingForDevices: 'Waiting for devices…',
  waitingForDevice: 'Waiting for {device}…',
  high: 'High',
  low: 'Low',
  yes: 'Yes',
  no: 'No',
  alarms: 'Alarms',
  noAlarms: 'All readings in range',
  moreAlarms: '+{n} more',
  overview: 'Overview',
  deviceStatus: 'Device status',
  positions: 'Positions',
  lastMinutes: 'last {n} min',
  devicesOnline: '{online} of {total} online',
  acknowledged: 'acknowledged',
  trendRising: 'rising',
  trendFalling: 'falling',
  trendSteady: 'steady',
  metricHigh: '{metric} high',
  metricLow: '{metric} low',
  metricHighAt: '{metric} high at {n} devices',
  metricLowAt: '{metric} low at {n} devices',
  deviceOffline: '{device} offline',
  devicesOffline: '{n} devices offline',
  devicesStale: '{n} devices stale',
  noDevicesYet: 'No devices yet',
} as const;

export type MessageKey = keyof typeof EN;

const ZH: Record<MessageKey, string> = {
  connecting: '正在连接…',
  live: '实时',
  reconnecting: '正在重新连接…',
  offlineSince: '自 {time} 起离线',
  retrying: '正在重试',
  retryingAttempt: '正在重试（第 {attempt} 次）',
  attempt: '第 {attempt} 次尝试',
  stale: '数据过时',
  offline: '离线',
  online: '在线',
  noData: '无数据',
  lastUpdate: '最后更新 {age}',
  secondsAgo: '{n} 秒前',
  minutesAgo: '{n} 分钟前',
  hoursAgo: '{n} 小时前',
  daysAgo: '{n} 天前',
  waitingForDevices: '等待设备接入…',
  waitingForDevice: '等待 {device}…',
  high: '偏高',
  low: '偏低',
  yes: '是',
  no: '否',
  alarms: '告警',
  noAlarms: '所有读数正常',
  moreAlarms: '另有 {n} 条',
  overview: '总览',
  deviceStatus: '设备状态',
  positions: '位置',
  lastMinutes: '最近 {n} 分钟',
  devicesOnline: '{online}/{total} 在线',
  acknowledged: '已确认',
  trendRising: '上升',
  trendFalling: '下降',
  trendSteady: '平稳',
  metricHigh: '{metric}偏高',
  metricLow: '{metric}偏低',
  metricHighAt: '{n} 台设备{metric}偏高',
  metricLowAt: '{n} 台设备{metric}偏低',
  deviceOffline: '{device} 离线',
  devicesOffline: '{n} 台设备离线',
  devicesStale: '{n} 台设备数据过时',
  noDevicesYet: '暂无设备',
};

const MESSAGES: Record<WallLanguage, Record<MessageKey, string>> = { en: EN, zh: ZH };
const LOCALES: Record<WallLanguage, string> = { en: 'en-GB', zh: 'zh-CN' };
/** Metric ids one page asks about per device meta; past it the cache starts over. */
export const MAX_DISPLAYS_PER_META = 64;
/** Between the two languages in `both` mode. */
export const LANGUAGE_SEPARATOR = ' · ';

export function parseLanguageMode(value: string | null): LanguageMode {
  return value === 'zh' || value === 'both' ? value : 'en';
}

export class WallText {
  readonly languages: readonly WallLanguage[];
  /** BCP 47 tag of the first language, for `<html lang>` and number and time formats. */
  readonly locale: string;
  private readonly numberFormats = new Map<number, Intl.NumberFormat>();
  private readonly clockFormat: Intl.DateTimeFormat;
  private metricOverrides: MetricDisplayOverrides | undefined;
  /**
   * Resolved displays per meta object: the model replaces a device's meta when it changes, so an
   * entry never outlives what it was made from. Per meta, at most MAX_DISPLAYS_PER_META metric ids.
   */
  private displays = new WeakMap<DeviceMeta, Map<string, ResolvedMetricDisplay>>();
  private readonly noMeta: DeviceMeta = {};

  constructor(readonly mode: LanguageMode) {
    this.languages = mode === 'both' ? ['en', 'zh'] : [mode];
    this.locale = LOCALES[this.languages[0] ?? 'en'];
    this.clockFormat = new Intl.DateTimeFormat(this.locale, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  }

  t(key: MessageKey, params: Params = {}): string {
    return this.languages.map((language) => fill(MESSAGES[language][key], params, language)).join(LANGUAGE_SEPARATOR);
  }

  /** Text from config: a plain string as is, otherwise the wall's languages, falling back to whichever exists. */
  localize(text: LocalizedText | undefined): string {
    if (text === undefined) return '';
    if (typeof text === 'string') return text;
    const parts = this.languages.map((language) => text[language]).filter((part): part is string => !!part?.trim());
    if (parts.length > 0) return [...new Set(parts)].join(LANGUAGE_SEPARATOR);
    return text.en ?? text.zh ?? '';
  }

  /** Precision by magnitude (fractionDigits), grouped and written for the locale. */
  number(value: number): string {
    if (!Number.isFinite(value)) return '–';
    const digits = fractionDigits(value);
    let format = this.numberFormats.get(digits);
    if (!format) {
      format = new Intl.NumberFormat(this.locale, { maximumFractionDigits: digits });
      this.numberFormats.set(digits, format);
    }
    const text = format.format(value);
    return /^-0(\D0*)?$/.test(text) ? '0' : text;
  }

  /** Number with the decimals a metric's display fixes, or precision by magnitude without. */
  fixedNumber(value: number, decimals: number | undefined): string {
    if (decimals === undefined || !Number.isFinite(value)) return this.number(value);
    const key = -1 - decimals;
    let format = this.numberFormats.get(key);
    if (!format) {
      format = new Intl.NumberFormat(this.locale, { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
      this.numberFormats.set(key, format);
    }
    const text = format.format(value);
    return /^-0(\D0*)?$/.test(text) ? text.slice(1) : text;
  }

  /** The booth's overrides from the dashboard file (`metricDisplay:`); replaces the previous ones. */
  setMetricOverrides(overrides: MetricDisplayOverrides | undefined): void {
    this.metricOverrides = overrides;
    this.displays = new WeakMap();
  }

  /** How `metric` of a device with `meta` is named and written (web/shared/metricDisplay.ts), cached per meta. */
  metric(metric: string, meta: DeviceMeta | undefined): ResolvedMetricDisplay {
    const key = meta ?? this.noMeta;
    let perMeta = this.displays.get(key);
    if (!perMeta) this.displays.set(key, (perMeta = new Map<string, ResolvedMetricDisplay>()));
    let display = perMeta.get(metric);
    if (!display) {
      display = resolveMetricDisplay(metric, meta, this.metricOverrides);
      if (perMeta.size >= MAX_DISPLAYS_PER_META) perMeta.clear();
      perMeta.set(metric, display);
    }
    return display;
  }

  /** "Battery", "电量", or "Battery · 电量" for `both`. */
  metricLabel(metric: string, meta: DeviceMeta | undefined): string {
    return metricLabelIn(this.metric(metric, meta), this.languages, LANGUAGE_SEPARATOR);
  }

  /** The unit a readout shows beside the number; empty when none. */
  metricUnit(metric: string, meta: DeviceMeta | undefined): string {
    return metricUnitIn(this.metric(metric, meta), this.languages);
  }

  /** A reading as the wall writes it: mapped words, On/Off or Yes/No, or the number with its decimals. */
  metricValue(display: ResolvedMetricDisplay, value: number | boolean): string {
    return metricValueIn(display, value, this.languages, (n, decimals) => this.fixedNumber(n, decimals), LANGUAGE_SEPARATOR);
  }

  /** [false, true] words for a boolean chart axis. */
  booleanWords(display: ResolvedMetricDisplay): [string, string] {
    return booleanAxisWords(display, this.languages);
  }

  /**
   * Alarm words built from structured fields, for the alarm strip: "CO₂ high", "CO₂ high at 3
   * devices", "28 devices offline", in the wall's languages. `display` names the metric (high, low).
   */
  alarmSummary(condition: 'high' | 'low' | 'offline', count: number, display?: Pick<ResolvedMetricDisplay, 'label'>): string {
    if (condition === 'offline') return this.t('devicesOffline', { n: count });
    const metric = (language: WallLanguage) => display?.label[language] ?? '';
    if (count > 1) return this.t(condition === 'high' ? 'metricHighAt' : 'metricLowAt', { metric, n: count });
    return this.t(condition === 'high' ? 'metricHigh' : 'metricLow', { metric });
  }

  /** 24-hour HH:MM in the page's local time: what the stand staff read on their own watches. */
  clock(epochMs: number): string {
    return this.clockFormat.format(epochMs);
  }

  /** Short enough to read from across the aisle. */
  age(ageMs: number): string {
    return this.languages.map((language) => ageIn(language, ageMs)).join(LANGUAGE_SEPARATOR);
  }

  /** "last update 2 min ago", with the age in the same language as the words around it. */
  lastUpdate(ageMs: number): string {
    return this.t('lastUpdate', { age: (language) => ageIn(language, ageMs) });
  }
}

function ageIn(language: WallLanguage, ageMs: number): string {
  const messages = MESSAGES[language];
  const seconds = Math.max(0, Math.floor(ageMs / 1000));
  if (seconds < 60) return fill(messages.secondsAgo, { n: seconds }, language);
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return fill(messages.minutesAgo, { n: minutes }, language);
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return fill(messages.hoursAgo, { n: hours }, language);
  return fill(messages.daysAgo, { n: Math.floor(hours / 24) }, language);
}

function fill(template: string, params: Params, language: WallLanguage): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    if (value === undefined) return whole;
    return typeof value === 'function' ? value(language) : String(value);
  });
}

/** Plain English, for code that runs outside a page (tests, logs). */
export const ENGLISH = new WallText('en');
