import { describe, expect, it } from 'vitest';
import { AdapterRouter, FAMILY_FACTORIES, rawTopicOf } from '../../server/adapters/AdapterRouter';
import type { DeviceAdapter } from '../../server/adapters/DeviceAdapter';
import { TelemetryValidator } from '../../server/ingest/TelemetryValidator';
import { esphome, tasmota } from '../support/adapterFixtures';
import { BOOTH, feed, plain, routerFor } from '../support/adapterRouter';
import { DeviceDirectory } from '../../server/live/DeviceDirectory';
import { parseSettingsFile } from '../../server/config/settings';
import { testPasswordHash } from '../support/showfloor';

describe('adapter router', () => {
  it('routes only the booth mount; native topics and other booths mounts are not its business', () => {
    expect(rawTopicOf('acme', 'booth/acme/raw/tele/x/SENSOR')).toBe('tele/x/SENSOR');
    expect(rawTopicOf('acme', 'booth/acme/env-01/telemetry')).toBeNull();
    expect(rawTopicOf('acme', 'booth/other/raw/tele/x/SENSOR')).toBeNull();
    expect(rawTopicOf('acme', 'booth/acme/raw/')).toBeNull();
    const router = routerFor('    adapters: [tasmota]\n');
    expect(router.route(BOOTH, 'booth/acme/env-01/telemetry', Buffer.from('{}'), Date.now(), false, 'x')).toBeNull();
  });

  it('counts a mounted topic no adapter reads as unmapped-topic, also for a booth with no adapters', () => {
    expect(feed(routerFor(''), tasmota.sensor())).toMatchObject({
      adapter: null,
      messages: [],
      rejections: [{ reason: 'unmapped-topic', booth: BOOTH, device: null }],
    });
  });

  it('tries adapters in the order the booth lists them', () => {
    // `x/status` is ESPHome's presence topic and never Tasmota's; Tasmota's LWT is never ESPHome's.
    const router = routerFor('    adapters: [tasmota, esphome]\n');
    expect(feed(router, esphome.status(true)).adapter).toBe('esphome');
    expect(feed(router, tasmota.lwt(true)).adapter).toBe('tasmota');
  });

  it('checks what an adapter made by the native rules, and survives an adapter that throws', () => {
    const file = parseSettingsFile(
      `booths:\n  - id: ${BOOTH}\n    name: ACME\n    passwordHash: ${JSON.stringify(testPasswordHash('pw-acme-123'))}\n    adapters: [tasmota, shelly]\n`,
      'test.yaml',
    );
    const sloppy: DeviceAdapter = {
      name: 'tasmota',
      claims: (topic) => topic.startsWith('sloppy/'),
      decode: (publish) => ({ messages: [{ kind: 'telemetry', booth: publish.booth, device: 'd', ts: 0, values: { 'bad name': 1 } }], rejections: [] }),
    };
    const broken: DeviceAdapter = {
      name: 'shelly',
      claims: () => true,
      decode: () => {
        throw new Error('boom');
      },
    };
    const router = new AdapterRouter(file.booths, new TelemetryValidator(), { publishToBooth: () => undefined }, undefined, {
      tasmota: () => sloppy,
      shelly: () => broken,
    });
    expect(feed(router, { topic: 'sloppy/1', payload: '1' }).rejections).toMatchObject([{ reason: 'bad-metric-name', adapter: 'tasmota' }]);
    expect(feed(router, { topic: 'other', payload: '1' }).rejections).toMatchObject([{ reason: 'unmapped-topic', adapter: 'shelly' }]);
  });

  it('keeps what one booth taught its adapters to itself: a layout learnt in one booth is not read in another', () => {
    const file = parseSettingsFile(
      ['acme', 'other']
        .map((id) => `  - id: ${id}\n    name: ${id}\n    passwordHash: ${JSON.stringify(testPasswordHash('pw-acme-123'))}\n    adapters: [tasmota]\n`)
        .join('')
        .replace(/^/, 'booths:\n'),
      'test.yaml',
    );
    const router = new AdapterRouter(file.booths, new TelemetryValidator(), { publishToBooth: () => undefined });
    // Two prefix levels: a layout only a discovery config teaches (tasmota.ts customFullTopic reads simpler ones by their shape).
    const custom = 'booth/{b}/raw/stat/plug_9/tele/SENSOR';
    const discovery = tasmota.discovery('stat/%topic%/%prefix%/', 'plug_9');
    router.route('acme', `booth/acme/raw/${discovery.topic}`, Buffer.from(discovery.payload), Date.now(), false, 'c');
    expect(router.route('acme', custom.replace('{b}', 'acme'), Buffer.from('{"A":1}'), Date.now(), false, 'c')?.adapter).toBe('tasmota');
    expect(router.route('other', custom.replace('{b}', 'other'), Buffer.from('{"A":1}'), Date.now(), false, 'c')?.adapter).toBeNull();
  });

  it('reads every family of the build in the order the booth lists them', () => {
    const router = routerFor('    adapters: [sparkplug, homeassistant, esphome, shelly, tasmota]\n');
    expect(router.adapterNames(BOOTH)).toEqual(['sparkplug', 'homeassistant', 'esphome', 'shelly', 'tasmota']);
    expect(router.unavailable).toEqual([]);
  });

  it('says which listed families a build cannot read', () => {
    const { homeassistant: _left, ...withoutHomeAssistant } = FAMILY_FACTORIES;
    const router = routerFor('    adapters: [homeassistant, esphome]\n', undefined, withoutHomeAssistant);
    expect(router.adapterNames(BOOTH)).toEqual(['esphome']);
    expect(router.unavailable).toEqual([{ booth: BOOTH, family: 'homeassistant' }]);
  });

  it('remembers merged meta for at most maxDevicesPerBooth devices', () => {
    const router = routerFor('    adapters: [tasmota]\n', { maxDevicesPerBooth: 10, maxPayloadBytes: 16 * 1024 });
    for (let i = 0; i < 50; i++) feed(router, tasmota.discovery(undefined, `plug${i}`, `AABBCC${String(i).padStart(6, '0')}`));
    expect(router.rememberedDevices(BOOTH)).toBe(10);
  });
});

describe('AdapterRouter after a restart (issue 12: identity restored from storage)', () => {
  it('merges an adapter device’s first publish into its restored meta: name, units and kind stay', () => {
    const directory = new DeviceDirectory({ windowMs: 60_000, maxPointsPerSeries: 60, maxDevicesPerBooth: 10, maxSeriesPerDevice: 16 });
    // As TechnicianConsole.restoreIdentities leaves it: the router, new with the process, remembers nothing.
    directory.recordMeta(BOOTH, 'tasmota_a1b2c3', { name: 'Kitchen plug', kind: 'sonoff-s31', units: { power: 'W' } });
    const router = routerFor('    adapters: [tasmota]\n');
    router.useKnownMeta((booth, device) => directory.get(booth, device)?.meta);
    const fed = feed(router, tasmota.sensor());
    for (const message of fed.messages) if (message.kind === 'meta') directory.recordMeta(message.booth, message.device, message.meta);
    const meta = plain(directory.get(BOOTH, 'tasmota_a1b2c3')!.meta) as Record<string, unknown>;
    expect(meta).toMatchObject({ name: 'Kitchen plug', kind: 'sonoff-s31', units: { power: 'W', bme280_temperature: '°C' } });
    // No default kind over the known one, in any message of the publish.
    expect(fed.messages.filter((m) => m.kind === 'meta' && m.meta.kind !== undefined && m.meta.kind !== 'sonoff-s31')).toEqual([]);
    // A publish that adds nothing to the restored meta sends no meta at all.
    expect(feed(router, tasmota.sensor()).messages.map((m) => m.kind)).toEqual(['telemetry']);
  });
});
