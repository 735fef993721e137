import { describe, expect, it } from 'vitest';
import { MAX_ALARM_RULES } from '../../server/config/consoleSettings';
import { SettingsError, parseSettingsFile } from '../../server/config/settings';

const HASH = 'scrypt$N=1024,r=8,p=1$MDEyMzQ1Njc4OWFiY2RlZg==$MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=';
const BOOTHS = `booths:\n  - id: hall-a\n    name: A\n    passwordHash: "${HASH}"\n`;

function parse(yaml: string) {
  return parseSettingsFile(`${BOOTHS}${yaml}`, 'x.yaml');
}

describe('console settings', () => {
  it('is absent unless configured, and defaults sessions to 12 hours', () => {
    expect(parse('').console).toBeUndefined();
    expect(parse(`console:\n  passwordHash: "${HASH}"\n`).console).toEqual({ passwordHash: HASH, sessionHours: 12 });
  });

  it.each([
    ['console: {}\n', /x.yaml: console\.passwordHash: required: run `npm run hash-password`/],
    ['console:\n  passwordHash: secret-password\n', /x.yaml: console\.passwordHash: must look like scrypt/],
    [`console:\n  passwordHash: "${HASH}"\n  password: hunter2\n`, /x.yaml: console\.password: plain passwords are not accepted/],
    [`console:\n  passwordHash: "${HASH}"\n  sessionHours: 0\n`, /x.yaml: console\.sessionHours: /],
    [`console:\n  passwordHash: "${HASH}"\n  sesionHours: 1\n`, /x.yaml: console: Unrecognized key/i],
  ])('refuses %j naming the setting', (yaml, message) => {
    expect(() => parse(yaml)).toThrow(SettingsError);
    expect(() => parse(yaml)).toThrow(message);
  });
});

describe('alarm rules', () => {
  it('reads threshold and offline rules into typed rules, with clearAt defaulting to the threshold', () => {
    const rules = parse(
      'alarms:\n' +
        '  - { id: co2-high, severity: warning, deviceKind: env-sensor, metric: co2, above: 1200, forSeconds: 30, clearAt: 1100 }\n' +
        '  - { id: battery-low, severity: info, booth: hall-a, metric: battery, below: 15 }\n' +
        '  - { id: gone, severity: critical, device: env-01, offlineForSeconds: 60 }\n',
    ).alarms;
    expect(rules).toEqual([
      {
        id: 'co2-high',
        severity: 'warning',
        deviceKind: 'env-sensor',
        kind: 'threshold',
        metric: 'co2',
        direction: 'above',
        threshold: 1200,
        forSeconds: 30,
        clearAt: 1100,
      },
      {
        id: 'battery-low',
        severity: 'info',
        booth: 'hall-a',
        kind: 'threshold',
        metric: 'battery',
        direction: 'below',
        threshold: 15,
        forSeconds: 0,
        clearAt: 15,
      },
      { id: 'gone', severity: 'critical', device: 'env-01', kind: 'offline', offlineForSeconds: 60 },
    ]);
  });

  it.each([
    ['alarms:\n  - { id: a, severity: loud, metric: t, above: 1 }\n', /x.yaml: alarms\[0\]\.severity: /],
    ['alarms:\n  - { id: "bad id", severity: info, metric: t, above: 1 }\n', /x.yaml: alarms\[0\]\.id: must match/],
    ['alarms:\n  - { id: a, severity: info }\n', /x.yaml: alarms\[0\]\.metric: required: a rule has either metric/],
    ['alarms:\n  - { id: a, severity: info, metric: t }\n', /x.yaml: alarms\[0\]\.above: give exactly one of above and below/],
    ['alarms:\n  - { id: a, severity: info, metric: t, above: 1, below: 0 }\n', /x.yaml: alarms\[0\]\.below: give exactly one of above and below/],
    ['alarms:\n  - { id: a, severity: info, metric: t, above: 10, clearAt: 11 }\n', /x.yaml: alarms\[0\]\.clearAt: must be at or below above \(10\)/],
    ['alarms:\n  - { id: a, severity: info, metric: t, below: 10, clearAt: 9 }\n', /x.yaml: alarms\[0\]\.clearAt: must be at or above below \(10\)/],
    ['alarms:\n  - { id: a, severity: info, metric: t, above: 1, forSeconds: -1 }\n', /x.yaml: alarms\[0\]\.forSeconds: /],
    ['alarms:\n  - { id: a, severity: info, offlineForSeconds: 5, metric: t }\n', /x.yaml: alarms\[0\]\.metric: not allowed in an offline rule/],
    ['alarms:\n  - { id: a, severity: info, metric: "bad-name", above: 1 }\n', /x.yaml: alarms\[0\]\.metric: must be a metric name/],
    ['alarms:\n  - { id: a, severity: info, metric: t, abov: 1 }\n', /x.yaml: alarms\[0\]: Unrecognized key/i],
    ['alarms:\n  - { id: a, severity: info, booth: hall-z, offlineForSeconds: 5 }\n', /x.yaml: alarms\[0\]\.booth: no booth "hall-z" is configured/],
    [
      'alarms:\n  - { id: a, severity: info, offlineForSeconds: 5 }\n  - { id: a, severity: info, offlineForSeconds: 6 }\n',
      /x.yaml: alarms\[1\]\.id: duplicate rule id "a"/,
    ],
  ])('refuses %j naming the setting', (yaml, message) => {
    expect(() => parse(yaml)).toThrow(SettingsError);
    expect(() => parse(yaml)).toThrow(message);
  });

  it(`refuses more than ${MAX_ALARM_RULES} rules`, () => {
    const rules = Array.from({ length: MAX_ALARM_RULES + 1 }, (_, i) => `  - { id: r${i}, severity: info, offlineForSeconds: 5 }\n`).join('');
    expect(() => parse(`alarms:\n${rules}`)).toThrow(/x.yaml: alarms: at most 200 rules/);
    expect(parse(`alarms:\n${rules.split('\n').slice(0, MAX_ALARM_RULES).join('\n')}\n`).alarms).toHaveLength(MAX_ALARM_RULES);
  });
});
