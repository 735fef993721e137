/**
 * How a metric is named and its values written, on every page (issue 12): the one place that turns a
 * metric id, the device's meta and the booth's overrides into a label in each wall language, a unit,
 * decimals, words for coded values and booleans, an order and (for angles) fixed axis bounds.
 *
 * Precedence, field by field: the booth's dashboard file (`metricDisplay:`), then the device's
 * `meta.display`, then `meta.units` (unit only), then the defaults below. The defaults make common
 * IoT ids readable with no setup (`battery_soc` → "Battery" %, `pm25` → "PM2.5", `j1_temp` →
 * "J1 temp", `power_kw` → "Power" kW) and never show an id in capitals.
 *
 * Metric ids are device-chosen: every table here is read with ownValue or a Map, so a metric called
 * `__proto__` or `constructor` is a name like any other.
 */
import type { LocalizedText, WallLanguage } from '../../contract/dashboard';
import { expectedRangeOf, ownValue, unitOf, type DeviceMeta, type NamedTable } from '../../contract/device';
import type { MetricDisplay } from '../../contract/metricDisplay';

/** Text in both wall languages; `zh` repeats `en` where nothing Chinese is known. */
export interface BothLanguages {
  readonly en: string;
  readonly zh: string;
}

/** How a boolean reads: a thing that is switched (relay, pump) is On/Off, a condition (fault, motion) Yes/No. */
export type BooleanWords = 'on-off' | 'yes-no';

/** Fixed bounds for a chart axis or dial, where the unit says what they are (0–360 for an angle). */
export interface AxisBounds {
  readonly min: number;
  readonly max: number;
  /** Between labelled ticks. */
  readonly interval: number;
}

export interface ResolvedMetricDisplay {
  readonly metric: string;
  readonly label: BothLanguages;
  /** Empty when there is none; word units ("laps") have a Chinese form. */
  readonly unit: BothLanguages;
  /** Digits after the point; undefined: by magnitude (numberFormat.ts fractionDigits). */
  readonly decimals: number | undefined;
  /** Words for coded values, keyed by the value as text ('0', '1', 'true'). */
  readonly valueWords: ReadonlyMap<string, BothLanguages>;
  readonly booleanWords: BooleanWords;
  /** Lower first; undefined: after those with one, in the order first seen. */
  readonly order: number | undefined;
  readonly axis: AxisBounds | undefined;
}

/** Booth-wide overrides from the dashboard file, metric id → display (contract/dashboard.ts `metricDisplay`). */
export type MetricDisplayOverrides = NamedTable<MetricDisplay>;

export const MAX_DECIMALS = 6;

/**
 * The display of `metric` of a device with `meta`, with the booth's `overrides`. Pure and cheap, but
 * pages call it per reading: WallText.metric caches it per meta object.
 */
export function resolveMetricDisplay(metric: string, meta?: DeviceMeta, overrides?: MetricDisplayOverrides): ResolvedMetricDisplay {
  const booth = displayEntry(overrides, metric);
  const device = displayEntry(meta?.display, metric);
  const fallback = defaultDisplay(metric);

  const label = bothLanguages(booth?.label) ?? bothLanguages(device?.label) ?? fallback.label;
  const declaredUnit = textOf(booth?.unit) ?? textOf(device?.unit) ?? textOf(unitOf(meta, metric));
  const unit = declaredUnit !== undefined ? unitInBothLanguages(declaredUnit) : fallback.unit;
  const decimals = decimalsOf(booth?.decimals) ?? decimalsOf(device?.decimals);
  const valueWords = valueWordsOf(booth?.valueMap) ?? valueWordsOf(device?.valueMap) ?? NO_WORDS;
  const order = finiteOf(booth?.order) ?? finiteOf(device?.order);
  return {
    metric,
    label,
    unit,
    decimals,
    valueWords,
    booleanWords: fallback.booleanWords,
    order,
    axis: axisBounds(unit.en, meta ? expectedRangeOf(meta, metric) : undefined) ?? fallback.axis,
  };
}

/** The label in the wall's languages, joined with `separator` when both differ ("Battery · 电池"). */
export function metricLabelIn(display: Pick<ResolvedMetricDisplay, 'label'>, languages: readonly WallLanguage[], separator = ' · '): string {
  return joinLanguages(display.label, languages, separator);
}

/**
 * The unit in the wall's first language: a readout has room for one unit, and with both languages
 * on screen the number and its unit read the same in either.
 */
export function metricUnitIn(display: Pick<ResolvedMetricDisplay, 'unit'>, languages: readonly WallLanguage[]): string {
  return display.unit[languages[0] ?? 'en'];
}

/**
 * A reading as words or a number: a value map's word first (`0` → "Idle"), then a boolean's On/Off or
 * Yes/No, then the number with the display's decimals, written by `formatNumber` (the page's locale).
 */
export function metricValueIn(
  display: Pick<ResolvedMetricDisplay, 'valueWords' | 'booleanWords' | 'decimals'>,
  value: number | boolean,
  languages: readonly WallLanguage[],
  formatNumber: (value: number, decimals: number | undefined) => string,
  separator = ' · ',
): string {
  const words = valueWordsFor(display, value);
  if (words) return joinLanguages(words, languages, separator);
  if (typeof value === 'boolean') return joinLanguages(BOOLEAN_WORDS[display.booleanWords][value ? 1 : 0], languages, separator);
  return formatNumber(value, display.decimals);
}

/** Words for a boolean axis: [false, true], in the wall's languages. */
export function booleanAxisWords(display: Pick<ResolvedMetricDisplay, 'valueWords' | 'booleanWords'>, languages: readonly WallLanguage[]): [string, string] {
  const word = (value: boolean) => joinLanguages(valueWordsFor(display, value) ?? BOOLEAN_WORDS[display.booleanWords][value ? 1 : 0], languages, '/');
  return [word(false), word(true)];
}

/** Sorts metric ids by display order, those without one after, in their given order (stable). */
export function sortByDisplayOrder<T>(items: readonly T[], orderOf: (item: T) => number | undefined): T[] {
  return items
    .map((item, index) => ({ item, index, order: orderOf(item) ?? Infinity }))
    .sort((a, b) => a.order - b.order || a.index - b.index)
    .map(({ item }) => item);
}

/** True when `value` reads as words (a value map's or a boolean's), so no unit belongs after it. */
export function readsAsWords(display: Pick<ResolvedMetricDisplay, 'valueWords'>, value: number | boolean): boolean {
  return typeof value === 'boolean' || valueWordsFor(display, value) !== undefined;
}

function valueWordsFor(display: Pick<ResolvedMetricDisplay, 'valueWords'>, value: number | boolean): BothLanguages | undefined {
  if (display.valueWords.size === 0) return undefined;
  // A device may map a boolean as 'true' or as '1': both are the same reading.
  if (typeof value === 'boolean') return display.valueWords.get(String(value)) ?? display.valueWords.get(value ? '1' : '0');
  return display.valueWords.get(String(value)) ?? (value === 1 || value === 0 ? display.valueWords.get(String(value === 1)) : undefined);
}

function joinLanguages(text: BothLanguages, languages: readonly WallLanguage[], separator: string): string {
  const parts = languages.map((language) => text[language]).filter((part) => part !== '');
  return [...new Set(parts)].join(separator);
}

const NO_WORDS: ReadonlyMap<string, BothLanguages> = new Map();

const BOOLEAN_WORDS: Record<BooleanWords, readonly [BothLanguages, BothLanguages]> = {
  'on-off': [
    { en: 'Off', zh: '关' },
    { en: 'On', zh: '开' },
  ],
  'yes-no': [
    { en: 'No', zh: '否' },
    { en: 'Yes', zh: '是' },
  ],
};

function displayEntry(table: NamedTable<MetricDisplay> | undefined, metric: string): MetricDisplay | undefined {
  const entry: unknown = ownValue<unknown>(table, metric);
  // Only objects: what a page got from JSON may be anything, whatever the type says.
  return typeof entry === 'object' && entry !== null ? entry : undefined;
}

/**
 * Text given for the wall's languages, both filled: a plain string is every language's, and a
 * mapping with only English shows that English on a Chinese wall too (and the other way round).
 */
export function bothLanguages(text: LocalizedText | undefined): BothLanguages | undefined {
  if (typeof text === 'string') {
    const trimmed = text.trim();
    return trimmed === '' ? undefined : { en: trimmed, zh: trimmed };
  }
  if (typeof text !== 'object' || text === null) return undefined;
  const en = textOf(ownValue<unknown>(text, 'en'));
  const zh = textOf(ownValue<unknown>(text, 'zh'));
  if (en === undefined && zh === undefined) return undefined;
  return { en: en ?? zh ?? '', zh: zh ?? en ?? '' };
}

function textOf(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

function decimalsOf(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_DECIMALS ? value : undefined;
}

function finiteOf(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function valueWordsOf(map: unknown): ReadonlyMap<string, BothLanguages> | undefined {
  if (typeof map !== 'object' || map === null || Array.isArray(map)) return undefined;
  const words = new Map<string, BothLanguages>();
  for (const [key, text] of Object.entries(map as Record<string, unknown>)) {
    const both = bothLanguages(text as LocalizedText);
    if (both) words.set(key.trim(), both);
  }
  return words.size > 0 ? words : undefined;
}

// ---------------------------------------------------------------------------------------------
// Defaults: what a metric id says about itself.

interface DefaultDisplay {
  readonly label: BothLanguages;
  readonly unit: BothLanguages;
  readonly booleanWords: BooleanWords;
  readonly axis: AxisBounds | undefined;
}

interface KnownMetric {
  readonly en: string;
  readonly zh: string;
  /** Used when the device declares no unit. */
  readonly unit?: string;
  readonly switched?: true;
}

/**
 * Whole ids (and id parts) people name the same way at every booth. English in sentence case, so a
 * label reads as a word and not as a code; Chinese as it is written on equipment in mainland China.
 */
const KNOWN_METRICS: ReadonlyMap<string, KnownMetric> = new Map<string, KnownMetric>([
  ['temperature', { en: 'Temperature', zh: '温度' }],
  ['temp', { en: 'Temperature', zh: '温度' }],
  ['humidity', { en: 'Humidity', zh: '湿度', unit: '%' }],
  ['rh', { en: 'Humidity', zh: '湿度', unit: '%' }],
  ['pressure', { en: 'Pressure', zh: '气压' }],
  ['voltage', { en: 'Voltage', zh: '电压', unit: 'V' }],
  ['current', { en: 'Current', zh: '电流', unit: 'A' }],
  ['power', { en: 'Power', zh: '功率' }],
  ['energy', { en: 'Energy', zh: '电能' }],
  ['frequency', { en: 'Frequency', zh: '频率', unit: 'Hz' }],
  ['power_factor', { en: 'Power factor', zh: '功率因数' }],
  ['rssi', { en: 'Signal', zh: '信号强度', unit: 'dBm' }],
  ['signal', { en: 'Signal', zh: '信号强度' }],
  ['snr', { en: 'Signal/noise', zh: '信噪比', unit: 'dB' }],
  ['speed', { en: 'Speed', zh: '速度' }],
  ['soc', { en: 'Battery', zh: '电量', unit: '%' }],
  ['battery', { en: 'Battery', zh: '电量', unit: '%' }],
  ['battery_soc', { en: 'Battery', zh: '电量', unit: '%' }],
  ['battery_level', { en: 'Battery', zh: '电量', unit: '%' }],
  ['co2', { en: 'CO₂', zh: '二氧化碳', unit: 'ppm' }],
  ['pm25', { en: 'PM2.5', zh: 'PM2.5', unit: 'µg/m³' }],
  ['pm2_5', { en: 'PM2.5', zh: 'PM2.5', unit: 'µg/m³' }],
  ['pm10', { en: 'PM10', zh: 'PM10', unit: 'µg/m³' }],
  ['tvoc', { en: 'TVOC', zh: '挥发性有机物' }],
  ['voc', { en: 'VOC', zh: '挥发性有机物' }],
  ['illuminance', { en: 'Light', zh: '照度', unit: 'lx' }],
  ['lux', { en: 'Light', zh: '照度', unit: 'lx' }],
  ['noise', { en: 'Noise', zh: '噪声', unit: 'dB' }],
  ['sound', { en: 'Sound', zh: '声音', unit: 'dB' }],
  ['heading', { en: 'Heading', zh: '航向', unit: '°' }],
  ['bearing', { en: 'Heading', zh: '航向', unit: '°' }],
  ['angle', { en: 'Angle', zh: '角度', unit: '°' }],
  ['latitude', { en: 'Latitude', zh: '纬度', unit: '°' }],
  ['lat', { en: 'Latitude', zh: '纬度', unit: '°' }],
  ['longitude', { en: 'Longitude', zh: '经度', unit: '°' }],
  ['lon', { en: 'Longitude', zh: '经度', unit: '°' }],
  ['lng', { en: 'Longitude', zh: '经度', unit: '°' }],
  ['altitude', { en: 'Altitude', zh: '海拔', unit: 'm' }],
  ['distance', { en: 'Distance', zh: '距离' }],
  ['torque', { en: 'Torque', zh: '扭矩' }],
  ['gripper', { en: 'Gripper', zh: '夹爪' }],
  ['rpm', { en: 'Speed', zh: '转速', unit: 'rpm' }],
  ['vibration', { en: 'Vibration', zh: '振动' }],
  ['flow', { en: 'Flow', zh: '流量' }],
  ['level', { en: 'Level', zh: '液位' }],
  ['weight', { en: 'Weight', zh: '重量' }],
  ['load', { en: 'Load', zh: '负载' }],
  ['uptime', { en: 'Uptime', zh: '运行时间', unit: 's' }],
  ['count', { en: 'Count', zh: '计数' }],
  ['cycle', { en: 'Cycles', zh: '循环次数' }],
  ['cycles', { en: 'Cycles', zh: '循环次数' }],
  ['lap', { en: 'Laps', zh: '圈数' }],
  ['laps', { en: 'Laps', zh: '圈数' }],
  ['session', { en: 'Sessions', zh: '会话数' }],
  ['sessions', { en: 'Sessions', zh: '会话数' }],
  ['pos', { en: 'Position', zh: '位置' }],
  ['position', { en: 'Position', zh: '位置' }],
  ['state', { en: 'State', zh: '状态' }],
  ['status', { en: 'Status', zh: '状态' }],
  ['mode', { en: 'Mode', zh: '模式' }],
  ['fault', { en: 'Fault', zh: '故障' }],
  ['error', { en: 'Error', zh: '错误' }],
  ['alarm', { en: 'Alarm', zh: '告警' }],
  ['motion', { en: 'Motion', zh: '移动' }],
  ['occupancy', { en: 'Occupied', zh: '有人' }],
  ['occupied', { en: 'Occupied', zh: '有人' }],
  ['presence', { en: 'Presence', zh: '有人' }],
  ['door', { en: 'Door', zh: '门' }],
  ['door_open', { en: 'Door open', zh: '门已打开' }],
  ['wifi_rssi', { en: 'Wi-Fi signal', zh: '无线信号', unit: 'dBm' }],
  ['wifi_signal', { en: 'Wi-Fi signal', zh: '无线信号' }],
  ['light_level', { en: 'Light level', zh: '亮度' }],
  ['water_level', { en: 'Water level', zh: '水位' }],
  ['wind_speed', { en: 'Wind speed', zh: '风速' }],
  ['contact', { en: 'Contact', zh: '触点' }],
  ['leak', { en: 'Leak', zh: '漏水' }],
  ['charging', { en: 'Charging', zh: '充电中' }],
  ['connected', { en: 'Connected', zh: '已连接' }],
  ['plugged', { en: 'Plugged in', zh: '已插枪' }],
  ['running', { en: 'Running', zh: '运行中' }],
  ['active', { en: 'Active', zh: '活动' }],
  ['open', { en: 'Open', zh: '打开' }],
  ['closed', { en: 'Closed', zh: '关闭' }],
  ['locked', { en: 'Locked', zh: '已锁定' }],
  ['ready', { en: 'Ready', zh: '就绪' }],
  ['busy', { en: 'Busy', zh: '忙碌' }],
  ['stopped', { en: 'Stopped', zh: '已停止' }],
  ['estop', { en: 'Emergency stop', zh: '急停' }],
  ['emergency_stop', { en: 'Emergency stop', zh: '急停' }],
  ['online', { en: 'Online', zh: '在线' }],
  ['switch', { en: 'Switch', zh: '开关', switched: true }],
  ['relay', { en: 'Relay', zh: '继电器', switched: true }],
  ['light', { en: 'Light', zh: '灯', switched: true }],
  ['lamp', { en: 'Lamp', zh: '灯', switched: true }],
  ['pump', { en: 'Pump', zh: '水泵', switched: true }],
  ['fan', { en: 'Fan', zh: '风扇', switched: true }],
  ['heater', { en: 'Heater', zh: '加热器', switched: true }],
  ['motor', { en: 'Motor', zh: '电机', switched: true }],
  ['valve', { en: 'Valve', zh: '阀门', switched: true }],
  ['output', { en: 'Output', zh: '输出', switched: true }],
  ['enabled', { en: 'Enabled', zh: '启用', switched: true }],
  ['x', { en: 'X', zh: 'X' }],
  ['y', { en: 'Y', zh: 'Y' }],
  ['z', { en: 'Z', zh: 'Z' }],
  ['wind', { en: 'Wind', zh: '风' }],
  ['rain', { en: 'Rain', zh: '降雨' }],
  ['uv', { en: 'UV', zh: '紫外线' }],
  ['water', { en: 'Water', zh: '水' }],
  ['gas', { en: 'Gas', zh: '燃气' }],
  ['air', { en: 'Air', zh: '空气' }],
  ['cpu', { en: 'CPU', zh: '处理器' }],
  ['memory', { en: 'Memory', zh: '内存' }],
  ['total', { en: 'Total', zh: '总' }],
  ['today', { en: 'Today', zh: '今日' }],
  ['inside', { en: 'Inside', zh: '室内' }],
  ['outside', { en: 'Outside', zh: '室外' }],
  ['indoor', { en: 'Indoor', zh: '室内' }],
  ['outdoor', { en: 'Outdoor', zh: '室外' }],
]);

/** Parts after the name that say the unit (`power_kw`, `heading_deg`): the part goes, the unit stays. */
const UNIT_SUFFIXES: ReadonlyMap<string, string> = new Map([
  ['kw', 'kW'],
  ['w', 'W'],
  ['kwh', 'kWh'],
  ['wh', 'Wh'],
  ['v', 'V'],
  ['mv', 'mV'],
  ['a', 'A'],
  ['ma', 'mA'],
  ['c', '°C'],
  ['f', '°F'],
  ['deg', '°'],
  ['degrees', '°'],
  ['pct', '%'],
  ['percent', '%'],
  ['kmh', 'km/h'],
  ['kph', 'km/h'],
  ['mps', 'm/s'],
  ['ms', 'ms'],
  ['s', 's'],
  ['sec', 's'],
  ['min', 'min'],
  ['h', 'h'],
  ['m', 'm'],
  ['mm', 'mm'],
  ['cm', 'cm'],
  ['km', 'km'],
  ['kg', 'kg'],
  ['g', 'g'],
  ['nm', 'N·m'],
  ['ppm', 'ppm'],
  ['ppb', 'ppb'],
  ['hpa', 'hPa'],
  ['kpa', 'kPa'],
  ['pa', 'Pa'],
  ['bar', 'bar'],
  ['hz', 'Hz'],
  ['db', 'dB'],
  ['dbm', 'dBm'],
  ['lx', 'lx'],
  ['rpm', 'rpm'],
  ['l', 'L'],
  ['lpm', 'L/min'],
]);

/** Parts that say "how many": `lap_count` is "Laps", not "Lap count". */
const COUNT_SUFFIXES: ReadonlySet<string> = new Set(['count', 'total', 'num']);

/** Units that are words, in Chinese: a count of laps is 圈 on a Chinese wall. */
const WORD_UNITS: ReadonlyMap<string, string> = new Map([
  ['laps', '圈'],
  ['lap', '圈'],
  ['cycles', '次'],
  ['cycle', '次'],
  ['sessions', '次'],
  ['session', '次'],
  ['times', '次'],
  ['count', '次'],
  ['events', '次'],
  ['people', '人'],
  ['persons', '人'],
  ['visitors', '人'],
  ['pcs', '件'],
  ['pieces', '件'],
  ['items', '件'],
  ['parts', '件'],
  ['units', '台'],
  ['steps', '步'],
  ['cars', '辆'],
  ['vehicles', '辆'],
  ['days', '天'],
  ['hours', '小时'],
  ['minutes', '分钟'],
  ['seconds', '秒'],
]);

/** Angles read 0–360 (or the device's range within it), not whatever an auto-scaled axis picks. */
const ANGLE_UNITS: ReadonlySet<string> = new Set(['°', 'deg', 'degree', 'degrees']);
const FULL_TURN: AxisBounds = { min: 0, max: 360, interval: 90 };

function unitInBothLanguages(unit: string): BothLanguages {
  return { en: unit, zh: WORD_UNITS.get(unit.toLowerCase()) ?? unit };
}

function axisBounds(unit: string, expected: { min?: number; max?: number } | undefined): AxisBounds | undefined {
  if (!ANGLE_UNITS.has(unit.trim().toLowerCase())) return undefined;
  // A device that says its angle spans -180..180 gets that; anything else is the full compass.
  if (expected?.min !== undefined && expected.max !== undefined && expected.max > expected.min && expected.max - expected.min <= 360) {
    return { min: expected.min, max: expected.max, interval: (expected.max - expected.min) / 4 };
  }
  return FULL_TURN;
}

/** Defaults are asked for per reading; the ids are device-chosen, so the memo is bounded. */
const DEFAULTS_MEMO = new Map<string, DefaultDisplay>();
export const MAX_MEMOISED_DEFAULTS = 1000;

export function defaultDisplay(metric: string): DefaultDisplay {
  const memo = DEFAULTS_MEMO.get(metric);
  if (memo) return memo;
  const built = buildDefault(metric);
  if (DEFAULTS_MEMO.size >= MAX_MEMOISED_DEFAULTS) DEFAULTS_MEMO.clear();
  DEFAULTS_MEMO.set(metric, built);
  return built;
}

/** For tests: how many defaults are memoised. */
export function memoisedDefaults(): number {
  return DEFAULTS_MEMO.size;
}

function buildDefault(metric: string): DefaultDisplay {
  const id = metric.trim();
  // camelCase ids (batterySoc) are split like snake_case ones.
  const parts = id
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[_\-.\s]+/)
    .filter((part) => part !== '')
    // `relay1` is relay 1; `j1` stays a code (isCode).
    .flatMap((part) => /^([a-z]{3,})(\d+)$/.exec(part)?.slice(1) ?? [part]);
  const whole = KNOWN_METRICS.get(parts.join('_'));
  let unit = whole?.unit ?? '';
  let words = parts;
  if (!whole && parts.length > 1) {
    const last = parts[parts.length - 1] ?? '';
    const suffixUnit = UNIT_SUFFIXES.get(last);
    if (suffixUnit !== undefined) {
      unit = suffixUnit;
      words = parts.slice(0, -1);
    } else if (COUNT_SUFFIXES.has(last)) {
      words = parts.slice(0, -1);
    }
  }
  const known = whole ?? KNOWN_METRICS.get(words.join('_'));
  // `switch_0`, `relay_2`: a switched thing with a channel number is still switched.
  const switched = known ? known.switched === true : words.some((word) => KNOWN_METRICS.get(word)?.switched === true);
  const label = known ? { en: known.en, zh: known.zh } : composeLabel(words.length > 0 ? words : [id]);
  unit ||= known?.unit ?? '';
  return {
    label,
    unit: unitInBothLanguages(unit),
    booleanWords: switched ? 'on-off' : 'yes-no',
    axis: axisBounds(unit, undefined),
  };
}

/**
 * "J1 temp" from `j1_temp`: short codes (j1, x, ch2) in capitals as written on the machine, the first
 * word capitalised, the rest as they are. Chinese only when every part is known, else the English.
 */
function composeLabel(words: readonly string[]): BothLanguages {
  const en = words.map((word, index) => englishWord(word, index === 0)).join(' ');
  const zhParts: string[] = [];
  for (const word of words) {
    if (isCode(word)) zhParts.push(word.toUpperCase());
    else {
      const known = KNOWN_METRICS.get(word);
      if (!known) return { en, zh: en };
      zhParts.push(known.zh);
    }
  }
  // Chinese words join without spaces; a code beside them keeps one, as "J1 温度".
  const zh = zhParts.reduce(
    (joined, part) => (joined === '' ? part : /[\x21-\x7e]$/.test(joined) || /^[\x21-\x7e]/.test(part) ? `${joined} ${part}` : `${joined}${part}`),
    '',
  );
  return { en, zh };
}

/** A letter (or two) and digits, or a single letter: an axis or channel name, not a word. */
function isCode(word: string): boolean {
  return /^[a-z]{1,2}\d+[a-z]?$/.test(word) || /^[a-z]$/.test(word) || /^\d+$/.test(word);
}

/** Parts kept as people write them on a label ("J1 temp", not "J1 temperature"). */
const KEPT_AS_WRITTEN: ReadonlySet<string> = new Set(['temp']);

function englishWord(word: string, first: boolean): string {
  if (isCode(word)) return word.toUpperCase();
  const known = KEPT_AS_WRITTEN.has(word) ? undefined : KNOWN_METRICS.get(word)?.en;
  // Acronyms (CO₂, TVOC) keep their capitals anywhere; other words only at the start.
  const written = known === undefined ? word : known === known.toUpperCase() || first ? known : known.toLowerCase();
  return first ? capitalise(written) : written;
}

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

// ---------------------------------------------------------------------------------------------
// Device kinds: a tile's caption and an automatic scene's title name the kind a device announces.

const KNOWN_KINDS: ReadonlyMap<string, BothLanguages> = new Map([
  ['vehicle', { en: 'Vehicle', zh: '车辆' }],
  ['car', { en: 'Car', zh: '汽车' }],
  ['robot-arm', { en: 'Robot arm', zh: '机械臂' }],
  ['robot', { en: 'Robot', zh: '机器人' }],
  ['env-sensor', { en: 'Environment sensor', zh: '环境传感器' }],
  ['environment', { en: 'Environment', zh: '环境' }],
  ['sensor', { en: 'Sensor', zh: '传感器' }],
  ['ev-charger', { en: 'EV charger', zh: '充电桩' }],
  ['charger', { en: 'Charger', zh: '充电器' }],
  ['smart-plug', { en: 'Smart plug', zh: '智能插座' }],
  ['plug', { en: 'Plug', zh: '插座' }],
  ['switch', { en: 'Switch', zh: '开关' }],
  ['relay', { en: 'Relay', zh: '继电器' }],
  ['light', { en: 'Light', zh: '灯' }],
  ['thermostat', { en: 'Thermostat', zh: '温控器' }],
  ['meter', { en: 'Meter', zh: '电表' }],
  ['energy-meter', { en: 'Energy meter', zh: '电能表' }],
  ['power-meter', { en: 'Power meter', zh: '功率计' }],
  ['gateway', { en: 'Gateway', zh: '网关' }],
  ['camera', { en: 'Camera', zh: '摄像头' }],
  ['drone', { en: 'Drone', zh: '无人机' }],
  ['agv', { en: 'AGV', zh: '自动导引车' }],
  ['forklift', { en: 'Forklift', zh: '叉车' }],
  ['conveyor', { en: 'Conveyor', zh: '传送带' }],
  ['pump', { en: 'Pump', zh: '水泵' }],
  ['battery', { en: 'Battery', zh: '电池' }],
  ['solar', { en: 'Solar', zh: '光伏' }],
  ['inverter', { en: 'Inverter', zh: '逆变器' }],
  ['weather-station', { en: 'Weather station', zh: '气象站' }],
  ['air-quality', { en: 'Air quality', zh: '空气质量' }],
]);

/**
 * A device kind as people read it ("robot-arm" → "Robot arm", 机械臂). An unknown kind reads as its
 * words in both languages: the kind is the device's own text, and it is better shown than hidden.
 */
export function deviceKindLabel(kind: string): BothLanguages {
  const id = kind.trim();
  const known = KNOWN_KINDS.get(id.toLowerCase().replace(/[_\s]+/g, '-'));
  if (known) return known;
  const words = id.replace(/[-_]+/g, ' ').trim();
  const en = words === '' ? id : capitalise(words);
  return { en, zh: en };
}
