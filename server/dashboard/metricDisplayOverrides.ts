/**
 * The dashboard file's `metricDisplay:` block (issue 12): a booth renames a metric, sets its unit,
 * decimals, words for coded values and order, over whatever its devices announce in meta.display.
 * Same fields and limits as meta.display (contract/metricDisplay.ts), checked with the file's other
 * settings so a mistake is reported with its line.
 *
 *   metricDisplay:
 *     battery_soc: { label: { en: Battery, zh: 电池电量 }, decimals: 0 }
 *     state: { valueMap: { "0": { en: Idle, zh: 空闲 }, "1": { en: Charging, zh: 充电中 } } }
 */
import { z } from 'zod';
import { isMetricName, type NamedTable } from '../../contract/device';
import { METRIC_DISPLAY_LIMITS, type MetricDisplay } from '../../contract/metricDisplay';

/** A booth has a few dozen metrics; past this a file is more likely a mistake than a dashboard. */
export const MAX_METRIC_OVERRIDES = 200;

const words = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

const localized = (max: number) =>
  z.union(
    [
      words(max),
      z
        .object({ en: words(max).optional(), zh: words(max).optional() })
        .strict()
        .refine((t) => t.en !== undefined || t.zh !== undefined, 'needs en, zh or both'),
    ],
    { error: 'must be text, or a mapping with en and/or zh' },
  );

const metricDisplaySchema = z
  .object({
    label: localized(METRIC_DISPLAY_LIMITS.labelLength).optional(),
    unit: z.string().trim().max(METRIC_DISPLAY_LIMITS.unitLength, `must be at most ${METRIC_DISPLAY_LIMITS.unitLength} characters`).optional(),
    decimals: z
      .number()
      .int('must be a whole number')
      .min(0, 'must be 0 or more')
      .max(METRIC_DISPLAY_LIMITS.maxDecimals, `must be at most ${METRIC_DISPLAY_LIMITS.maxDecimals}`)
      .optional(),
    // YAML reads `0: Idle` with a number key; JavaScript makes every key text, which is how values are matched.
    valueMap: z
      .record(z.string().trim().min(1).max(METRIC_DISPLAY_LIMITS.valueKeyLength), localized(METRIC_DISPLAY_LIMITS.valueWordLength))
      .refine((map) => Object.keys(map).length <= METRIC_DISPLAY_LIMITS.valueMapEntries, `may hold at most ${METRIC_DISPLAY_LIMITS.valueMapEntries} values`)
      .readonly()
      .optional(),
    order: z.number().finite().optional(),
  })
  .strict();

export const metricDisplayOverridesSchema = z.record(z.string(), metricDisplaySchema).superRefine((table, ctx) => {
  // Checked here rather than as the record's key schema, so the message says what a metric name is.
  const names = Object.keys(table);
  if (names.length > MAX_METRIC_OVERRIDES) ctx.addIssue({ code: 'custom', message: `may hold at most ${MAX_METRIC_OVERRIDES} metrics` });
  for (const name of names) {
    if (!isMetricName(name)) {
      ctx.addIssue({
        code: 'custom',
        path: [name],
        message: 'must be a metric name: a letter, then letters, digits or _, at most 64 in all, and not time, booth, device or kind',
      });
    }
  }
});

/** The parsed block as walls get it: null-prototype tables, since metric ids and value codes are names, not keys. */
export function asOverrideTable(parsed: Readonly<Record<string, MetricDisplay>>): NamedTable<MetricDisplay> {
  const table = Object.create(null) as NamedTable<MetricDisplay>;
  for (const [metric, display] of Object.entries(parsed)) {
    const copy: MetricDisplay = { ...display };
    if (display.valueMap) copy.valueMap = Object.assign(Object.create(null) as Record<string, never>, display.valueMap);
    table[metric] = copy;
  }
  return table;
}
