import { describe, expect, it } from 'vitest';
import { esphome } from '../support/adapterFixtures';
import { BOOTH, feed, plain, routerFor } from '../support/adapterRouter';

const NOW = Date.UTC(2026, 11, 3, 10, 0, 5);

describe('esphome adapter', () => {
  it('reads plain sensor values and ON/OFF, the device id being the prefix', () => {
    const router = routerFor('    adapters: [esphome]\n');
    expect(plain(feed(router, esphome.temperature(), NOW).messages)).toEqual([
      { kind: 'meta', booth: BOOTH, device: 'expo-esp1', meta: { kind: 'esphome' } },
      { kind: 'telemetry', booth: BOOTH, device: 'expo-esp1', ts: NOW, values: { hall_temperature: 23.5 } },
    ]);
    expect(feed(router, esphome.door(), NOW).messages).toEqual([{ kind: 'telemetry', booth: BOOTH, device: 'expo-esp1', ts: NOW, values: { door: 1 } }]);
  });

  it('counts nan as a missing reading and text sensors as no reading, not as bad messages', () => {
    const router = routerFor('    adapters: [esphome]\n');
    const nan = feed(router, esphome.co2Nan(), NOW);
    expect(nan.messages.filter((m) => m.kind === 'telemetry')).toEqual([]);
    expect(nan.rejections.map((r) => [r.reason, r.device, r.adapter])).toEqual([['missing-reading', 'expo-esp1', 'esphome']]);
    expect(feed(router, esphome.ssid(), NOW).rejections.map((r) => r.reason)).toEqual(['not-a-reading']);
  });

  it('reads <prefix>/status as presence', () => {
    const router = routerFor('    adapters: [esphome]\n');
    expect(feed(router, esphome.status(true)).messages).toContainEqual({ kind: 'status', booth: BOOTH, device: 'expo-esp1', status: 'online' });
    expect(feed(router, esphome.status(false)).messages).toContainEqual({ kind: 'status', booth: BOOTH, device: 'expo-esp1', status: 'offline' });
    expect(feed(router, { topic: 'expo-esp1/status', payload: 'rebooting' }).rejections.map((r) => r.reason)).toEqual(['bad-status']);
  });

  it('leaves topics it does not read to the next adapter, or counts them as unmapped', () => {
    const router = routerFor('    adapters: [esphome]\n');
    expect(feed(router, { topic: 'expo-esp1/debug', payload: 'log line' })).toMatchObject({ adapter: null, rejections: [{ reason: 'unmapped-topic' }] });
    expect(feed(router, { topic: 'expo-esp1/light/desk/state', payload: '{"state":"ON"}' }).adapter).toBeNull();
  });
});
