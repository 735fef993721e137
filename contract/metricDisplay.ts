/**
 * How a metric is shown to people (issue 12): its label in each wall language, unit, decimals, words for
 * coded values and its place in the device's order. A device announces it in its meta (`display`), a
 * booth may override it in the dashboard file, and every page (tiles, panels, alarm texts, the console)
 * reads it through one function, so a metric is named the same everywhere.
 */
import type { LocalizedText } from './dashboard';

export interface MetricDisplay {
  /** "Battery", or { en: 'Battery', zh: '电池' }. Absent: a default made from the metric id (never the id in capitals). */
  label?: LocalizedText;
  /** Overrides meta.units for this metric. */
  unit?: string;
  /** Digits after the decimal point; absent: chosen from the value's size. */
  decimals?: number;
  /** Words for coded values, keyed by the value as text: { '0': 'Idle', '1': { en: 'Charging', zh: '充电中' } }. */
  valueMap?: Readonly<Record<string, LocalizedText>>;
  /** Lower first; metrics without one follow in the order they were first seen. */
  order?: number;
}

/** Limits on what a device (or a dashboard file) may say about a metric's display. */
export const METRIC_DISPLAY_LIMITS = {
  /** A label longer than this does not fit a readout on a wall. */
  labelLength: 48,
  unitLength: 16,
  maxDecimals: 6,
  valueMapEntries: 32,
  valueKeyLength: 24,
  valueWordLength: 32,
} as const;

/**
 * A metric's display as it arrived (MQTT meta, JSON, YAML), checked and copied: the display, or a
 * sentence saying what is wrong and where (`label.zh: must be text`). `clean` prepares text the way
 * its caller prepares other meta text (invisible characters out, trimmed, shortened); value-map words
 * are keyed in a null-prototype table, because their keys ('0', 'true', …) are device data too.
 */
export function readMetricDisplay(raw: unknown, clean: (text: string, max: number) => string): MetricDisplay | string {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return 'must be an object with label, unit, decimals, valueMap and/or order';
  const display: MetricDisplay = {};
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    switch (key) {
      case 'label': {
        const label = readLocalized(value, METRIC_DISPLAY_LIMITS.labelLength, clean);
        if (typeof label === 'object' && 'problem' in label) return `label${label.problem}`;
        display.label = label;
        break;
      }
      case 'unit': {
        if (typeof value !== 'string') return 'unit: must be text';
        display.unit = clean(value, METRIC_DISPLAY_LIMITS.unitLength);
        break;
      }
      case 'decimals': {
        if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > METRIC_DISPLAY_LIMITS.maxDecimals) {
          return `decimals: must be a whole number from 0 to ${METRIC_DISPLAY_LIMITS.maxDecimals}`;
        }
        display.decimals = value;
        break;
      }
      case 'order': {
        if (typeof value !== 'number' || !Number.isFinite(value)) return 'order: must be a number';
        display.order = value;
        break;
      }
      case 'valueMap': {
        if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'valueMap: must be an object of value → words, e.g. {"0": "Idle"}';
        const entries = Object.entries(value as Record<string, unknown>);
        if (entries.length > METRIC_DISPLAY_LIMITS.valueMapEntries) return `valueMap: at most ${METRIC_DISPLAY_LIMITS.valueMapEntries} values`;
        const map = Object.create(null) as Record<string, LocalizedText>;
        for (const [code, words] of entries) {
          const key = code.trim();
          if (key === '' || key.length > METRIC_DISPLAY_LIMITS.valueKeyLength)
            return `valueMap: a value must be 1 to ${METRIC_DISPLAY_LIMITS.valueKeyLength} characters`;
          const text = readLocalized(words, METRIC_DISPLAY_LIMITS.valueWordLength, clean);
          if (typeof text === 'object' && 'problem' in text) return `valueMap.${key}${text.problem}`;
          map[key] = text;
        }
        display.valueMap = map;
        break;
      }
      default:
        // Unknown keys are ignored, as elsewhere in meta, so newer firmware can say more.
        break;
    }
  }
  return display;
}

function readLocalized(value: unknown, max: number, clean: (text: string, max: number) => string): LocalizedText | { problem: string } {
  if (typeof value === 'string') {
    const text = clean(value, max);
    return text === '' ? { problem: ': must not be empty' } : text;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { problem: ': must be text, or an object with en and/or zh' };
  const result: { en?: string; zh?: string } = {};
  for (const [language, text] of Object.entries(value)) {
    if (language !== 'en' && language !== 'zh') continue;
    if (typeof text !== 'string') return { problem: `.${language}: must be text` };
    const cleaned = clean(text, max);
    if (cleaned !== '') result[language] = cleaned;
  }
  return result.en === undefined && result.zh === undefined ? { problem: ': needs en, zh or both' } : result;
}
