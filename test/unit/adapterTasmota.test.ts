import { describe, expect, it } from 'vitest';
import { MAX_LEARNED_LAYOUTS } from '../../server/adapters/tasmota';
import { tasmota } from '../support/adapterFixtures';
import { BOOTH, feed, plain, routerFor } from '../support/adapterRouter';

const NOW = Date.UTC(2026, 11, 3, 10, 0, 5);

describe('tasmota adapter', () => {
  it('flattens SENSOR into mapped metric names with units from TempUnit and PressureUnit, stamped at receive time when Time has no zone', () => {
    const router = routerFor('    adapters: [tasmota]\n');
    const fed = feed(router, tasmota.sensor(), NOW);
    expect(fed.adapter).toBe('tasmota');
    expect(fed.rejections).toEqual([]);
    expect(plain(fed.messages)).toEqual([
      {
        kind: 'meta',
        booth: BOOTH,
        device: 'tasmota_a1b2c3',
        // Before the discovery config names the model, the family's kind: the row is not stored as `unknown`.
        meta: { kind: 'tasmota', units: { bme280_temperature: '°C', bme280_humidity: '%', bme280_dewpoint: '°C', bme280_pressure: 'hPa' } },
      },
      {
        kind: 'telemetry',
        booth: BOOTH,
        device: 'tasmota_a1b2c3',
        ts: NOW,
        values: { bme280_temperature: 21.3, bme280_humidity: 45.1, bme280_dewpoint: 8.9, bme280_pressure: 1013.2 },
      },
    ]);
  });

  it('uses a zoned Time (SetOption52 1) as the reading time', () => {
    const router = routerFor('    adapters: [tasmota]\n');
    const fed = feed(router, { topic: 'tele/plug/SENSOR', payload: '{"Time":"2026-12-03T11:00:00+01:00","DS18B20":{"Temperature":20.6},"TempUnit":"C"}' }, NOW);
    expect(fed.messages.find((m) => m.kind === 'telemetry')).toMatchObject({ ts: Date.UTC(2026, 11, 3, 10, 0, 0), values: { ds18b20_temperature: 20.6 } });
  });

  it('keeps STATE relay state (ON as 1) and Wi-Fi signal, and leaves housekeeping out without refusing it', () => {
    const router = routerFor('    adapters: [tasmota]\n');
    const fed = feed(router, tasmota.state(), NOW);
    const telemetry = fed.messages.find((m) => m.kind === 'telemetry');
    // Only these: uptime, heap, load and MQTT counters would take a tile's places ahead of SENSOR's readings.
    expect(plain(telemetry)).toEqual(expect.objectContaining({ values: { power: 1, wifi_rssi: 78, wifi_signal: -61 } }));
    expect(fed.rejections).toEqual([]);
  });

  it('stores ENERGY readings with their units and counts TotalStartTime', () => {
    const fed = feed(routerFor('    adapters: [tasmota]\n'), tasmota.energy(), NOW);
    expect(plain(fed.messages[0])).toMatchObject({ kind: 'meta', meta: { units: { energy_power: 'W', energy_voltage: 'V', energy_total: 'kWh' } } });
    expect(fed.messages[1]).toMatchObject({ kind: 'telemetry', values: { energy_power: 45, energy_factor: 0.87 } });
    expect(fed.rejections.map((r) => r.reason)).toEqual(['not-a-reading']);
  });

  it('reads LWT as presence and the discovery config as meta (name, model as kind, firmware)', () => {
    const router = routerFor('    adapters: [tasmota]\n');
    expect(feed(router, tasmota.lwt(true)).messages).toEqual([{ kind: 'status', booth: BOOTH, device: 'tasmota_a1b2c3', status: 'online' }]);
    expect(feed(router, tasmota.lwt(false)).messages).toEqual([{ kind: 'status', booth: BOOTH, device: 'tasmota_a1b2c3', status: 'offline' }]);
    const fed = feed(router, tasmota.discovery());
    expect(fed.rejections).toEqual([]);
    expect(plain(fed.messages)).toEqual([
      { kind: 'meta', booth: BOOTH, device: 'tasmota_a1b2c3', meta: { name: 'Hall Climate', kind: 'sonoff_th', firmware: 'Tasmota 13.2.0' } },
    ]);
    // Units announced later are merged into the same meta, so the name is not lost.
    const units = feed(router, tasmota.sensor(), NOW).messages[0];
    expect(plain(units)).toMatchObject({ kind: 'meta', meta: { name: 'Hall Climate', kind: 'sonoff_th', units: { bme280_temperature: '°C' } } });
    // And the same units again make no meta message at all.
    expect(feed(router, tasmota.sensor(), NOW).messages.map((m) => m.kind)).toEqual(['telemetry']);
  });

  it('reads a custom FullTopic (%topic%/%prefix%/ swapped) by its shape before the discovery config, under the same id after it', () => {
    const router = routerFor('    adapters: [tasmota]\n');
    const custom = tasmota.sensor('tasmota/plug_2/tele/SENSOR');
    // Tasmota sends LWT Online and its first SENSOR before its discovery config.
    expect(feed(router, tasmota.lwt(true, 'tasmota/plug_2/tele/LWT')).messages).toEqual([{ kind: 'status', booth: BOOTH, device: 'plug_2', status: 'online' }]);
    expect(feed(router, custom, NOW).messages.find((m) => m.kind === 'telemetry')).toMatchObject({ device: 'plug_2', values: { bme280_temperature: 21.3 } });
    feed(router, tasmota.discovery('tasmota/%topic%/%prefix%/', 'plug_2', 'AABBCC000002'));
    expect(feed(router, custom, NOW).messages.find((m) => m.kind === 'telemetry')).toMatchObject({ device: 'plug_2', values: { bme280_temperature: 21.3 } });
  });

  it('reads a layout its shape cannot tell (two prefix levels) only once the discovery config has described it', () => {
    const router = routerFor('    adapters: [tasmota]\n');
    const custom = tasmota.sensor('stat/plug_3/tele/SENSOR');
    expect(feed(router, custom, NOW)).toMatchObject({ adapter: null, rejections: [{ reason: 'unmapped-topic' }] });
    feed(router, tasmota.discovery('stat/%topic%/%prefix%/', 'plug_3', 'AABBCC000003'));
    expect(feed(router, custom, NOW).messages.find((m) => m.kind === 'telemetry')).toMatchObject({ device: 'plug_3', values: { bme280_temperature: 21.3 } });
  });

  it('takes units from the retained discovery sensors snapshot once the config has named the device, and ignores it before', () => {
    const router = routerFor('    adapters: [tasmota]\n');
    const sensors = {
      topic: 'tasmota/discovery/84F3EBA1B2C3/sensors',
      payload: '{"sn":{"Time":"2026-12-03T10:00:00","BME280":{"Temperature":21.3,"Pressure":1013.2},"PressureUnit":"hPa","TempUnit":"F"},"ver":1}',
    };
    expect(feed(router, sensors)).toEqual({ adapter: 'tasmota', messages: [], rejections: [] });
    feed(router, tasmota.discovery());
    expect(plain(feed(router, sensors).messages)).toEqual([
      {
        kind: 'meta',
        booth: BOOTH,
        device: 'tasmota_a1b2c3',
        meta: { name: 'Hall Climate', kind: 'sonoff_th', firmware: 'Tasmota 13.2.0', units: { bme280_temperature: '°F', bme280_pressure: 'hPa' } },
      },
    ]);
    // A device-chosen unit name is looked up as data: "constructor" is no unit, not Object.prototype's function.
    const odd = feed(router, { topic: 'tele/x/SENSOR', payload: '{"A":{"Temperature":1},"TempUnit":"constructor"}' }, NOW);
    expect(odd.rejections).toEqual([]);
    expect(plain(odd.messages)).toEqual([
      { kind: 'meta', booth: BOOTH, device: 'x', meta: { kind: 'tasmota' } },
      { kind: 'telemetry', booth: BOOTH, device: 'x', ts: NOW, values: { a_temperature: 1 } },
    ]);
  });

  it('reads stat/<topic>/POWER as a reading and INFO1 as model and firmware', () => {
    const router = routerFor('    adapters: [tasmota]\n');
    expect(plain(feed(router, { topic: 'stat/plug/POWER1', payload: 'OFF' }, NOW).messages)).toEqual([
      { kind: 'meta', booth: BOOTH, device: 'plug', meta: { kind: 'tasmota' } },
      { kind: 'telemetry', booth: BOOTH, device: 'plug', ts: NOW, values: { power1: 0 } },
    ]);
    const info = feed(router, {
      topic: 'tele/plug/INFO1',
      payload: '{"Info1":{"Module":"Sonoff Basic","Version":"13.2.0(tasmota)","FallbackTopic":"cmnd/DVES_A1B2C3_fb/","GroupTopic":"cmnd/tasmotas/"}}',
    });
    expect(plain(info.messages)).toEqual([{ kind: 'meta', booth: BOOTH, device: 'plug', meta: { kind: 'sonoff_basic', firmware: 'Tasmota 13.2.0(tasmota)' } }]);
  });

  it('maps device-chosen names deterministically: lowercase, invalid characters to _, cut to 64', () => {
    const router = routerFor('    adapters: [tasmota]\n');
    const long = 'A'.repeat(100);
    const fed = feed(router, { topic: 'tele/Küche Plug/SENSOR', payload: JSON.stringify({ 'SHT3X-0x44': { Temperature: 1 }, [long]: 2, '1wire': 3 }) }, NOW);
    expect(fed.messages.find((m) => m.kind === 'telemetry')).toMatchObject({
      device: 'k_che_plug',
      values: { sht3x_0x44_temperature: 1, ['a'.repeat(64)]: 2, m_1wire: 3 },
    });
  });

  it('remembers at most MAX_LEARNED_LAYOUTS custom layouts, forgetting the oldest', () => {
    const router = routerFor('    adapters: [tasmota]\n');
    // Two prefix levels: only a learned layout reads these (not customFullTopic's shape rule).
    for (let i = 0; i <= MAX_LEARNED_LAYOUTS; i++) feed(router, tasmota.discovery('stat/%topic%/%prefix%/', `dev${i}`, `AABBCC${String(i).padStart(6, '0')}`));
    expect(feed(router, tasmota.sensor('stat/dev0/tele/SENSOR'), NOW).adapter).toBeNull();
    expect(feed(router, tasmota.sensor(`stat/dev${MAX_LEARNED_LAYOUTS}/tele/SENSOR`), NOW).adapter).toBe('tasmota');
  });

  it('counts bad input and never throws: truncated JSON, deep nesting, huge arrays, too many fields, binary', () => {
    const router = routerFor('    adapters: [tasmota]\n');
    const topic = 'tele/plug/SENSOR';
    expect(feed(router, { topic, payload: '{"BME280":{"Temperature":21' }).rejections.map((r) => r.reason)).toEqual(['not-json']);
    expect(feed(router, { topic, payload: Buffer.from([0xff, 0xfe]) }).rejections.map((r) => r.reason)).toEqual(['not-utf8']);
    const deep = `{"ok":1,"a":${'{"b":'.repeat(2000)}1${'}'.repeat(2000)}}`;
    const deepFed = feed(router, { topic, payload: deep });
    expect(deepFed.rejections.map((r) => r.reason)).toEqual(['too-deep']);
    expect(deepFed.messages.find((m) => m.kind === 'telemetry')).toMatchObject({ values: { ok: 1 } });
    expect(feed(router, { topic, payload: `{"ok":1,"pad":"${'x'.repeat(17_000)}"}` }).rejections.map((r) => r.reason)).toEqual(['payload-too-large']);
    const huge = feed(router, { topic, payload: JSON.stringify({ ok: 2, list: Array.from({ length: 3000 }, (_, i) => i) }) });
    expect(huge.rejections.map((r) => r.reason)).toEqual(['too-many-fields']);
    expect(huge.messages.find((m) => m.kind === 'telemetry')).toMatchObject({ values: { ok: 2 } });
    const wide = feed(router, { topic, payload: JSON.stringify(Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`S${i}`, i]))) });
    expect(wide.rejections.map((r) => r.reason)).toEqual(['too-many-fields']);
    expect(Object.keys((wide.messages.find((m) => m.kind === 'telemetry') as { values: object }).values)).toHaveLength(64);
    const strings = feed(router, { topic, payload: JSON.stringify(Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`S${i}`, 'x']))) });
    expect(strings.rejections).toHaveLength(17); // 16 kept, one saying how many more were folded
    expect(strings.rejections[16]?.detail).toContain('484 more');
  });

  it('keeps device-chosen names as data: __proto__ and constructor become plain metrics', () => {
    const fed = feed(routerFor('    adapters: [tasmota]\n'), { topic: 'tele/plug/SENSOR', payload: '{"__proto__":{"polluted":1},"constructor":2,"Time":3}' });
    expect(plain(fed.messages.find((m) => m.kind === 'telemetry'))).toMatchObject({ values: { proto_polluted: 1, constructor: 2 } });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
