import { describe, expect, it } from 'vitest';
import { SettingsError, parseEnv, parseSettingsFile } from '../../server/config/settings';

describe('environment settings', () => {
  it('applies documented defaults and treats empty variables as unset', () => {
    const env = parseEnv({ INFLUX_URL: '', PATH: '/bin' });
    expect(env).toMatchObject({ HTTP_PORT: 8080, MQTT_PORT: 1883, INFLUX_API: 'v2', INFLUX_BUCKET: 'showfloor', SHOWFLOOR_CONFIG: 'showfloor.yaml', LOG_LEVEL: 'info' });
    expect(env.INFLUX_URL).toBeUndefined();
  });

  it.each([
    [{ HTTP_PORT: 'eighty' }, /environment: HTTP_PORT: /],
    [{ MQTT_PORT: '70000' }, /environment: MQTT_PORT: /],
    [{ INFLUX_URL: 'influx:8086' }, /environment: INFLUX_URL: must be an http/],
    [{ INFLUX_API: 'v3' }, /environment: INFLUX_API: /],
    [{ LOG_LEVEL: 'loud' }, /environment: LOG_LEVEL: /],
    [{ INFLUX_URL: 'http://localhost:8086' }, /INFLUX_ORG: required when INFLUX_API=v2/],
    [{ INFLUX_API: 'v1', INFLUX_BUCKET: 'a/b/c' }, /INFLUX_BUCKET: in v1 mode/],
  ])('refuses %j naming the setting', (env, message) => {
    expect(() => parseEnv(env)).toThrow(SettingsError);
    expect(() => parseEnv(env)).toThrow(message);
  });
});

describe('YAML settings file', () => {
  it('reads booths and fills tunable defaults', () => {
    const file = parseSettingsFile('booths:\n  - id: hall-a\n    name: ACME\n    password: longenough\n', 'x.yaml');
    expect(file.booths).toEqual([{ id: 'hall-a', name: 'ACME', password: 'longenough' }]);
    expect(file.live.windowMinutes).toBe(15);
    expect(file.mqtt.maxPacketBytes).toBe(65536);
    expect(file.influx.maxBufferLines).toBe(600_000);
  });

  it.each([
    ['booths:\n  - id: "bad id"\n    name: A\n    password: longenough\n', /x.yaml: booths\[0\]\.id: must match/],
    ['booths:\n  - id: a\n    name: A\n    password: short\n', /x.yaml: booths\[0\]\.password: must be at least 8/],
    ['booths:\n  - id: a\n    name: A\n    password: longenough\n  - id: a\n    name: B\n    password: longenough\n', /booths\[1\]\.id: duplicate booth id "a"/],
    ['booths: [\n', /x.yaml \(line \d+\): not valid YAML/],
    ['boths: []\n', /x.yaml: \(root\): Unrecognized key/i],
    ['live:\n  tickMs: 1\n', /x.yaml: live\.tickMs: /],
    ['mqtt:\n  maxPacketBytes: "big"\n', /x.yaml: mqtt\.maxPacketBytes: /],
  ])('refuses %j naming the path', (text, message) => {
    expect(() => parseSettingsFile(text, 'x.yaml')).toThrow(message);
  });
});
