/**
 * Every adapter over generated input, on every topic shape it reads: it never throws, and every
 * message it lets through is one the native contract accepts (ids, metric names, values, counts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ID_PATTERN, MAX_READINGS_PER_MESSAGE, isMetricName } from '../../contract/device';
import { REJECTION_REASONS } from '../../server/ingest/TelemetryValidator';
import { TOPIC_MAP_YAML } from '../support/adapterFixtures';
import { feed, routerFor } from '../support/adapterRouter';

const NOW = Date.UTC(2026, 11, 3, 10, 0, 5);
const TOPICS = [
  'tele/Plug 1/SENSOR',
  'tele/x/STATE',
  'tele/x/LWT',
  'tele/x/INFO1',
  'stat/x/POWER1',
  'stat/x/RESULT',
  'tasmota/discovery/AABBCCDDEEFF/config',
  'shellyplus1-abc/status/switch:0',
  'shellyplus1-abc/events/rpc',
  'shellyplus1-abc/online',
  'shellies/announce',
  'shellies/shelly1-X/relay/0/power',
  'esp/sensor/t/state',
  'esp/status',
  'lab/__proto__/data',
  'anything/else',
];

const json = fc.jsonValue({ maxDepth: 8 }).map((value) => JSON.stringify(value));
const payload = fc.oneof(
  json,
  fc.string(),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
  fc.constantFrom('nan', 'ON', 'Online', 'true', '', '{'),
);

describe('adapters over generated input', () => {
  it('never throw, and let through only what the native contract accepts', () => {
    const router = routerFor(`    adapters: [tasmota, shelly, esphome]\n${TOPIC_MAP_YAML}`);
    fc.assert(
      fc.property(fc.constantFrom(...TOPICS), payload, (topic, body) => {
        const fed = feed(router, { topic, payload: body }, NOW);
        for (const rejection of fed.rejections) expect(REJECTION_REASONS).toContain(rejection.reason);
        for (const message of fed.messages) {
          expect(message.device).toMatch(ID_PATTERN);
          if (message.kind === 'telemetry') {
            const names = Object.keys(message.values);
            expect(names.length).toBeGreaterThan(0);
            expect(names.length).toBeLessThanOrEqual(MAX_READINGS_PER_MESSAGE);
            for (const name of names) {
              expect(isMetricName(name)).toBe(true);
              const value = message.values[name];
              expect(typeof value === 'boolean' || Number.isFinite(value)).toBe(true);
            }
          }
        }
      }),
      { numRuns: 1500 },
    );
  });
});
