import { describe, expect, it } from 'vitest';
import { boothOfSessionKey, mountName, sessionKey, unmountTopic } from '../../broker/BoothMount';
import { deviceOf } from '../../broker/publishPipeline';

describe('mountName', () => {
  it.each([
    // Today's native topics stay as they are.
    ['booth/acme/dev-1/telemetry', 'booth/acme/dev-1/telemetry'],
    ['booth/acme/#', 'booth/acme/#'],
    ['booth/acme/raw/x', 'booth/acme/raw/x'],
    // A stock device's own topics and filters are mounted.
    ['tele/tasmota_A1B2C3/SENSOR', 'booth/acme/raw/tele/tasmota_A1B2C3/SENSOR'],
    ['#', 'booth/acme/raw/#'],
    ['+/#', 'booth/acme/raw/+/#'],
    ['tele/+/SENSOR', 'booth/acme/raw/tele/+/SENSOR'],
    // Path-like and odd names are just levels inside the mount.
    ['/booth/other/x', 'booth/acme/raw//booth/other/x'],
    ['../booth/other/x', 'booth/acme/raw/../booth/other/x'],
    ['a//b', 'booth/acme/raw/a//b'],
    ['Booth/other/x', 'booth/acme/raw/Booth/other/x'],
    ['b\u043e\u043eth/other/x', 'booth/acme/raw/b\u043e\u043eth/other/x'], // Cyrillic о
    ['booth\u200b/other/x', 'booth/acme/raw/booth\u200b/other/x'], // zero-width space
  ])('%j → %j', (name, mounted) => {
    expect(mountName('acme', name)).toEqual({ topic: mounted });
  });

  it('mounts a name that just fits in 65535 bytes [MQTT-1.5.3]', () => {
    const longest = 'x'.repeat(65_535 - 'booth/acme/raw/'.length);
    expect(mountName('acme', longest)).toEqual({ topic: `booth/acme/raw/${longest}` });
    expect(mountName('acme', `${longest}x`)).toEqual({ refused: 'too-long' });
    // Bytes, not characters: 'é' is two.
    expect(mountName('acme', `${longest.slice(1)}é`)).toEqual({ refused: 'too-long' });
  });

  it.each([
    ['booth/other/dev-1/telemetry', 'other-booth'],
    ['booth/acme-b/x', 'other-booth'], // a booth id that starts with this one's is another booth
    ['booth/acme', 'other-booth'],
    ['booth/+/dev-1/telemetry', 'other-booth'],
    ['booth/#', 'other-booth'],
    ['booth', 'other-booth'],
    ['$SYS/#', 'reserved-topic'],
    ['$share/g/#', 'reserved-topic'],
    ['$share/g/booth/other/#', 'reserved-topic'],
  ])('refuses %j (%s)', (name, refused) => {
    expect(mountName('acme', name)).toEqual({ refused });
  });
});

describe('unmountTopic', () => {
  it.each([
    ['booth/acme/raw/tele/tasmota_A1B2C3/SENSOR', 'tele/tasmota_A1B2C3/SENSOR'],
    ['booth/acme/dev-1/telemetry', 'booth/acme/dev-1/telemetry'],
    // Only what mounting gives back is unmounted: a native publish there stays where it is.
    ['booth/acme/raw/$SYS/x', 'booth/acme/raw/$SYS/x'],
    ['booth/acme/raw/booth/other/x', 'booth/acme/raw/booth/other/x'],
    ['booth/acme/raw/', 'booth/acme/raw/'],
  ])('%j → %j', (topic, delivered) => {
    expect(unmountTopic('acme', topic)).toBe(delivered);
  });

  it.each(['booth/other/raw/tele/x/SENSOR', 'booth/acme-b/x', '$SYS/broker/uptime', 'tele/x/SENSOR'])('delivers nothing of %j', (topic) => {
    expect(unmountTopic('acme', topic)).toBeUndefined();
  });
});

describe('session keys', () => {
  it('gives the same client id in two booths two keys, each naming its booth, also for booth ids that prefix each other', () => {
    expect(sessionKey('hall', 'DVES_A1B2C3')).not.toBe(sessionKey('hall-a', 'DVES_A1B2C3'));
    // Booth ids hold no `/`, so a `/` or a booth-like prefix in the client id cannot shift the boundary.
    expect(sessionKey('hall', 'a-x')).not.toBe(sessionKey('hall-a', 'x'));
    expect(boothOfSessionKey(sessionKey('hall', 'hall-a/x'))).toBe('hall');
    expect(boothOfSessionKey(sessionKey('hall-a', ''))).toBe('hall-a');
    expect(boothOfSessionKey('aedes_0f8fad5b')).toBeUndefined();
  });
});

describe('deviceOf', () => {
  it('names no device for the raw mount, so its publishes do not pose as a device called raw', () => {
    expect(deviceOf('booth/acme/raw/tele/x/SENSOR')).toBeUndefined();
    expect(deviceOf('booth/acme/dev-1/telemetry')).toBe('dev-1');
  });

  it('reads the third level of any topic, as split("/")[2] would', () => {
    const bySplit = (topic: string) => topic.split('/')[2];
    for (const topic of ['', 'booth', 'booth/acme', 'booth/acme/', 'booth/acme/dev-1', 'booth/acme/dev-1/', '//dev-1/x', 'a//b/c', 'booth/acme/dev-1/a/b/c']) {
      const third = bySplit(topic);
      expect(deviceOf(topic), topic).toBe(third !== undefined && /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(third) ? third : undefined);
    }
    expect(deviceOf(`booth/acme/${'d'.repeat(65)}/telemetry`)).toBeUndefined();
  });
});
