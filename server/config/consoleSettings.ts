/**
 * The technician console's part of the settings file: its login (`console`) and the alarm rules
 * (`alarms`). Checked as strictly as the rest, with every error naming its place, and turned into
 * the typed rules the alarm engine evaluates.
 */
import { z } from 'zod';
import { DEVICE_KIND_PATTERN, ID_PATTERN, METRIC_PATTERN } from '../../contract/device';
import { passwordHashSetting } from './passwordHashSetting';

/** Rules are evaluated on every accepted reading; a few hundred is far beyond any show's needs. */
export const MAX_ALARM_RULES = 200;
/** A duration above a day is a typo, not an alarm. */
const MAX_RULE_SECONDS = 24 * 3600;

export const consoleSchema = z
  .object({
    passwordHash: passwordHashSetting,
    // Plain secrets in the file would leak with it, as for booths.
    password: z
      .never({ error: 'plain passwords are not accepted: run `npm run hash-password` and put the line it prints (passwordHash: …) in its place' })
      .optional(),
    /** How long a login lasts, from the moment it was made. */
    sessionHours: z
      .number()
      .positive()
      .max(24 * 30)
      .default(12),
  })
  .strict();

export type ConsoleSettings = z.infer<typeof consoleSchema>;

export type AlarmSeverity = 'info' | 'warning' | 'critical';

/**
 * Who sees a rule's alarms. `everyone`: the console and the walls' alarm strip; `technician`: the
 * console only, the server never sends them to a wall. Offline rules default to `technician`: a
 * wall already marks each offline tile, and a visitor gains nothing from a list of dead devices
 * (put `audience: everyone` on the rule to have walls say "28 devices offline", once, grouped).
 * Threshold rules default to `everyone`.
 */
export type AlarmAudience = 'everyone' | 'technician';

interface RuleScope {
  id: string;
  severity: AlarmSeverity;
  /** Absent: every booth, device or kind. */
  booth?: string;
  device?: string;
  deviceKind?: string;
  /** Absent: the kind's default (audienceOf). */
  audience?: AlarmAudience;
}

export interface ThresholdRule extends RuleScope {
  kind: 'threshold';
  metric: string;
  direction: 'above' | 'below';
  threshold: number;
  forSeconds: number;
  /** The alarm clears once the value is at or past this, on the safe side of the threshold (hysteresis). */
  clearAt: number;
}

export interface OfflineRule extends RuleScope {
  kind: 'offline';
  offlineForSeconds: number;
}

export type AlarmRule = ThresholdRule | OfflineRule;

/** Who sees the rule's alarms: as the settings say, else technicians only for offline rules (AlarmAudience). */
export function audienceOf(rule: Pick<AlarmRule, 'kind' | 'audience'>): AlarmAudience {
  return rule.audience ?? (rule.kind === 'offline' ? 'technician' : 'everyone');
}

const seconds = z.number().min(0).max(MAX_RULE_SECONDS);

const ruleSchema = z
  .object({
    id: z.string().regex(ID_PATTERN, 'must match ^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$'),
    severity: z.enum(['info', 'warning', 'critical']),
    booth: z.string().regex(ID_PATTERN, 'must be a booth id').optional(),
    device: z.string().regex(ID_PATTERN, 'must be a device id').optional(),
    deviceKind: z.string().regex(DEVICE_KIND_PATTERN, 'must be a device kind (meta.kind)').optional(),
    metric: z.string().regex(METRIC_PATTERN, 'must be a metric name').optional(),
    above: z.number().optional(),
    below: z.number().optional(),
    forSeconds: seconds.optional(),
    clearAt: z.number().optional(),
    offlineForSeconds: seconds.optional(),
    audience: z.enum(['everyone', 'technician']).optional(),
  })
  .strict()
  .superRefine((rule, ctx) => {
    const problem = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    const thresholdKeys = (['metric', 'above', 'below', 'forSeconds', 'clearAt'] as const).filter((key) => rule[key] !== undefined);
    if (rule.offlineForSeconds !== undefined) {
      for (const key of thresholdKeys) problem(key, 'not allowed in an offline rule (one with offlineForSeconds)');
      return;
    }
    if (rule.metric === undefined) {
      problem('metric', 'required: a rule has either metric with above or below, or offlineForSeconds');
      return;
    }
    if ((rule.above === undefined) === (rule.below === undefined)) {
      problem(rule.above === undefined ? 'above' : 'below', 'give exactly one of above and below');
      return;
    }
    if (rule.clearAt === undefined) return;
    if (rule.above !== undefined && rule.clearAt > rule.above) {
      problem('clearAt', `must be at or below above (${rule.above}): the alarm clears once the value is back on the safe side`);
    }
    if (rule.below !== undefined && rule.clearAt < rule.below) {
      problem('clearAt', `must be at or above below (${rule.below}): the alarm clears once the value is back on the safe side`);
    }
  })
  .transform((rule): AlarmRule => {
    const scope: RuleScope = {
      id: rule.id,
      severity: rule.severity,
      ...(rule.audience !== undefined ? { audience: rule.audience } : {}),
      ...(rule.booth !== undefined ? { booth: rule.booth } : {}),
      ...(rule.device !== undefined ? { device: rule.device } : {}),
      ...(rule.deviceKind !== undefined ? { deviceKind: rule.deviceKind } : {}),
    };
    if (rule.offlineForSeconds !== undefined) return { ...scope, kind: 'offline', offlineForSeconds: rule.offlineForSeconds };
    const direction = rule.above !== undefined ? 'above' : 'below';
    const threshold = (rule.above ?? rule.below) as number;
    return {
      ...scope,
      kind: 'threshold',
      metric: rule.metric as string,
      direction,
      threshold,
      forSeconds: rule.forSeconds ?? 0,
      clearAt: rule.clearAt ?? threshold,
    };
  });

export const alarmRulesSchema = z
  .array(ruleSchema)
  .max(MAX_ALARM_RULES, `at most ${MAX_ALARM_RULES} rules`)
  .superRefine((rules, ctx) => {
    const seen = new Set<string>();
    rules.forEach((rule, i) => {
      if (seen.has(rule.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `duplicate rule id "${rule.id}"` });
      seen.add(rule.id);
    });
  });
