/**
 * A booth's adapters in the settings file (issue 11): which device families' own topic layouts it
 * reads (`adapters`), and its generic maps for devices with a fixed layout of their own
 * (`topicMaps`). Field paths are dotted names only (`env.temp`): no expressions, nothing evaluated
 * (JSONPath libraries have a record of eval-based code execution, e.g. jsonpath-plus #266).
 */
import { z } from 'zod';
import { isMetricName, MAX_READINGS_PER_MESSAGE, METRIC_PATTERN } from '../../contract/device';

export const ADAPTER_FAMILIES = ['tasmota', 'shelly', 'esphome', 'homeassistant', 'sparkplug'] as const;
export type AdapterFamily = (typeof ADAPTER_FAMILIES)[number];

/** Maps per booth; each is tried in order for every foreign publish. */
export const MAX_TOPIC_MAPS_PER_BOOTH = 50;
const MAX_PATH_SEGMENTS = 8;
const PATH_SEGMENT = /^[A-Za-z0-9_$-]{1,64}$/;
// MQTT forbids U+0000 in topics [MQTT-4.7.3-2]; the broker has refused it already, so it is not repeated here.
const TOPIC_SEGMENT = /^[^+#/]{1,128}$/;

function pathProblem(path: string): string | undefined {
  const segments = path.split('.');
  if (segments.length > MAX_PATH_SEGMENTS) return `"${path}" has more than ${MAX_PATH_SEGMENTS} parts`;
  const bad = segments.find((segment) => !PATH_SEGMENT.test(segment));
  if (bad !== undefined) {
    return `"${path}" is not a dotted path: write names of letters, digits, _ - $ joined by dots (e.g. env.temp); expressions are not supported`;
  }
  return undefined;
}

const dottedPath = z.string().superRefine((path, ctx) => {
  const problem = pathProblem(path);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** `lab/+device/data`: literal segments, `+` for any one segment, and `+device` exactly once, naming the device. */
const topicPattern = z.string().superRefine((topic, ctx) => {
  const segments = topic.split('/');
  const problem = (() => {
    if (segments[0] === 'booth') return 'starts with booth/: topics under booth/{id}/ are the native contract, not a map';
    if (topic.startsWith('$')) return "topics starting with $ are the broker's own";
    if (segments.filter((s) => s === '+device').length !== 1) return 'needs the named wildcard +device exactly once, where the device id is';
    const bad = segments.find((s) => s !== '+' && s !== '+device' && !TOPIC_SEGMENT.test(s));
    if (bad !== undefined) return `segment "${bad}" is neither text, + nor +device (# and other named wildcards are not supported)`;
    return undefined;
  })();
  if (problem) ctx.addIssue({ code: 'custom', message: `"${topic}" ${problem}` });
});

const fieldSchema = z
  .object({
    metric: z.string().refine(isMetricName, { message: `must match ${METRIC_PATTERN.source} and not be time, booth, device or kind` }),
    unit: z.string().min(1).max(16).optional(),
  })
  .strict();

export const topicMapSchema = z
  .object({
    topic: topicPattern,
    /** Absent: the time the message arrived. */
    timestamp: z
      .object({ field: dottedPath, unit: z.enum(['s', 'ms', 'iso']) })
      .strict()
      .optional(),
    // Keys checked here rather than by a key schema, whose error would only say "Invalid key in record".
    fields: z.record(z.string(), fieldSchema).superRefine((fields, ctx) => {
      const entries = Object.entries(fields);
      for (const [path] of entries) {
        const problem = pathProblem(path);
        if (problem) ctx.addIssue({ code: 'custom', path: [path], message: problem });
      }
      if (entries.length === 0) ctx.addIssue({ code: 'custom', message: 'needs at least one field' });
      if (entries.length > MAX_READINGS_PER_MESSAGE) ctx.addIssue({ code: 'custom', message: `at most ${MAX_READINGS_PER_MESSAGE} fields` });
      const seen = new Set<string>();
      for (const [path, field] of entries) {
        if (seen.has(field.metric))
          ctx.addIssue({ code: 'custom', path: [path, 'metric'], message: `metric "${field.metric}" is already given by another field` });
        seen.add(field.metric);
      }
    }),
  })
  .strict();

export type TopicMapSetting = z.infer<typeof topicMapSchema>;

export const adaptersSchema = z.array(z.enum(ADAPTER_FAMILIES, { error: `must be one of ${ADAPTER_FAMILIES.join(', ')}` })).superRefine((list, ctx) => {
  list.forEach((name, i) => {
    if (list.indexOf(name) !== i) ctx.addIssue({ code: 'custom', path: [i], message: `"${name}" is listed twice` });
  });
});

export const topicMapsSchema = z.array(topicMapSchema).max(MAX_TOPIC_MAPS_PER_BOOTH);
