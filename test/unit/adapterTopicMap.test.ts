import { describe, expect, it } from 'vitest';
import { TOPIC_MAP_YAML, topicMap } from '../support/adapterFixtures';
import { BOOTH, feed, plain, routerFor } from '../support/adapterRouter';
import { parseSettingsFile, SettingsError } from '../../server/config/settings';
import { testPasswordHash } from '../support/showfloor';

const NOW = Date.UTC(2026, 11, 3, 10, 0, 5);

function settingsError(boothYaml: string): string {
  try {
    parseSettingsFile(
      `booths:\n  - id: acme\n    name: ACME\n    passwordHash: ${JSON.stringify(testPasswordHash('pw-acme-123'))}\n${boothYaml}`,
      'showfloor.yaml',
    );
  } catch (error) {
    if (error instanceof SettingsError) return error.message;
    throw error;
  }
  return 'accepted';
}

describe('topic maps', () => {
  it('reads the issue example: +device names the device, dotted paths the readings with their units, t in seconds the time', () => {
    const router = routerFor(TOPIC_MAP_YAML);
    const sent = NOW - 3000;
    const fed = feed(router, topicMap.reading(sent), NOW);
    expect(fed.adapter).toBe('topic-map');
    expect(fed.rejections).toEqual([]);
    expect(plain(fed.messages)).toEqual([
      { kind: 'meta', booth: BOOTH, device: 'rig7', meta: { units: { temperature: '°C', humidity: '%' } } },
      { kind: 'telemetry', booth: BOOTH, device: 'rig7', ts: Math.round(sent / 1000) * 1000, values: { temperature: 22.4, humidity: 40 } },
    ]);
  });

  it('reads ms and iso timestamps, and refuses a message whose timestamp is unusable', () => {
    const ms = routerFor(TOPIC_MAP_YAML.replace('unit: s', 'unit: ms'));
    expect(feed(ms, { topic: 'lab/a/data', payload: JSON.stringify({ t: NOW - 5, env: { temp: 1 } }) }, NOW).messages.at(-1)).toMatchObject({ ts: NOW - 5 });
    const iso = routerFor(TOPIC_MAP_YAML.replace('unit: s', 'unit: iso'));
    expect(
      feed(iso, { topic: 'lab/a/data', payload: JSON.stringify({ t: '2026-12-03T11:00:00+01:00', env: { temp: 1 } }) }, NOW).messages.at(-1),
    ).toMatchObject({
      ts: Date.UTC(2026, 11, 3, 10),
    });
    expect(
      feed(iso, { topic: 'lab/a/data', payload: JSON.stringify({ t: '2026-12-03T11:00:00', env: { temp: 1 } }) }, NOW).rejections.map((r) => r.reason),
    ).toEqual(['bad-timestamp']);
    // Seconds where the device really sends ms land far in the future: the native rule refuses them.
    expect(
      feed(routerFor(TOPIC_MAP_YAML), { topic: 'lab/a/data', payload: JSON.stringify({ t: NOW, env: { temp: 1 } }) }, NOW).rejections.map((r) => r.reason),
    ).toEqual(['bad-timestamp']);
  });

  it('looks paths up as own properties only, and counts a text value while the other field lands', () => {
    const router = routerFor(TOPIC_MAP_YAML.replace('env.rh', 'env.constructor'));
    const fed = feed(router, { topic: 'lab/a/data', payload: JSON.stringify({ t: Math.round(NOW / 1000), env: { temp: 'warm' } }) }, NOW);
    expect(fed.rejections.map((r) => r.reason)).toEqual(['not-a-reading']);
    expect(fed.messages.filter((m) => m.kind === 'telemetry')).toEqual([]);
    const other = feed(router, { topic: 'lab/a/data', payload: JSON.stringify({ t: Math.round(NOW / 1000), env: { temp: 3, constructor: 4 } }) }, NOW);
    expect(other.messages.at(-1)).toMatchObject({ values: { temperature: 3, humidity: 4 } });
  });

  it('settings errors name the path and say what to write', () => {
    expect(settingsError('    adapters: [tasmota, zigbee]\n')).toMatch(
      /booths\[0\]\.adapters\[1\]: must be one of tasmota, shelly, esphome, homeassistant, sparkplug/,
    );
    expect(settingsError('    adapters: [tasmota, tasmota]\n')).toMatch(/booths\[0\]\.adapters\[1\]: "tasmota" is listed twice/);
    expect(settingsError('    topicMaps:\n      - topic: "lab/+/data"\n        fields: { a: { metric: a } }\n')).toMatch(
      /booths\[0\]\.topicMaps\[0\]\.topic: .*\+device exactly once/,
    );
    expect(settingsError('    topicMaps:\n      - topic: "lab/+device/#"\n        fields: { a: { metric: a } }\n')).toMatch(
      /topicMaps\[0\]\.topic: .*# and other named wildcards/,
    );
    expect(settingsError('    topicMaps:\n      - topic: "lab/+device"\n        fields: { "env[0].temp": { metric: a } }\n')).toMatch(
      /topicMaps\[0\]\.fields.*is not a dotted path.*expressions are not supported/,
    );
    expect(settingsError('    topicMaps:\n      - topic: "lab/+device"\n        fields: { a: { metric: time } }\n')).toMatch(
      /topicMaps\[0\]\.fields\.a\.metric: must match/,
    );
    expect(
      settingsError('    topicMaps:\n      - topic: "lab/+device"\n        timestamp: { field: t, unit: minutes }\n        fields: { a: { metric: a } }\n'),
    ).toMatch(/topicMaps\[0\]\.timestamp\.unit/);
    expect(settingsError('    topicMaps:\n      - topic: "booth/acme/+device"\n        fields: { a: { metric: a } }\n')).toMatch(/starts with booth\//);
    expect(settingsError(TOPIC_MAP_YAML)).toBe('accepted');
  });
});
