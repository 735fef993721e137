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
