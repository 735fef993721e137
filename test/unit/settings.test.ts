import { describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { SettingsError, dashboardFilePath, parseEnv, parseSettingsFile } from '../../server/config/settings';

describe('environment settings', () => {
  it('applies documented defaults and treats empty variables as unset', () => {
    const env = parseEnv({ INFLUX_URL: '', PATH: '/bin' });
    expect(env).toMatchObject({
      HTTP_PORT: 8080,
      MQTT_PORT: 1883,
      INFLUX_API: 'v2',
      INFLUX_BUCKET: 'showfloor',
      SHOWFLOOR_CONFIG: 'showfloor.yaml',
      LOG_LEVEL: 'info',
    });
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

const HASH = 'scrypt$N=1024,r=8,p=1$MDEyMzQ1Njc4OWFiY2RlZg==$MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=';
const booth = (id: string, name = 'A', credential = `passwordHash: "${HASH}"`) => `  - id: ${id}\n    name: ${name}\n    ${credential}\n`;

describe('YAML settings file', () => {
  it('reads booths and fills tunable defaults', () => {
    const file = parseSettingsFile(`booths:\n${booth('hall-a', 'ACME')}`, 'x.yaml');
    expect(file.booths).toEqual([{ id: 'hall-a', name: 'ACME', passwordHash: HASH, adapters: [], topicMaps: [] }]);
    expect(file.live.windowMinutes).toBe(15);
    expect(file.mqtt).toEqual({
      maxPacketBytes: 65536,
      maxConnectionsPerAddress: 200,
      connectionAttemptsPerSecond: 20,
      connectionAttemptBurst: 40,
      messagesPerSecondPerDevice: 1000,
      keepaliveLimitSeconds: 300,
      maxInflightQos2: 100,
      maxSubscriptionsPerClient: 100,
      maxQueuedMessagesPerSession: 1000,
      maxPersistentSessionsPerBooth: 1000,
    });
    expect(file.influx.maxBufferLines).toBe(600_000);
  });

  it.each([
    [`booths:\n${booth('"bad id"')}`, /x.yaml: booths\[0\]\.id: must match/],
    [`booths:\n${booth('a')}${booth('a', 'B')}`, /booths\[1\]\.id: duplicate booth id "a"/],
    [
      `booths:\n${booth('a', 'A', 'password: a-long-random-secret')}`,
      /x.yaml: booths\[0\]\.password: plain passwords are no longer accepted: run `npm run hash-password`/,
    ],
    [`booths:\n${booth('a', 'A', 'password: a-long-random-secret')}`, /x.yaml: booths\[0\]\.passwordHash: required: run `npm run hash-password`/],
    [`booths:\n${booth('a', 'A', `password: x\n    passwordHash: "${HASH}"`)}`, /x.yaml: booths\[0\]\.password: plain passwords are no longer accepted/],
    [
      `booths:\n${booth('a', 'A', 'passwordHash: a-long-random-secret')}`,
      /x.yaml: booths\[0\]\.passwordHash: must look like scrypt\$N=16384,r=8,p=1\$<salt base64>\$<key base64> \(make one with `npm run hash-password`\)/,
    ],
    [`booths:\n${booth('a', 'A', `passwordHash: "${HASH.replace('N=1024', 'N=512')}"`)}`, /x.yaml: booths\[0\]\.passwordHash: N must be at least 1024/],
    ['booths: [\n', /x.yaml \(line \d+\): not valid YAML/],
    ['boths: []\n', /x.yaml: \(root\): Unrecognized key/i],
    ['live:\n  tickMs: 1\n', /x.yaml: live\.tickMs: /],
    ['mqtt:\n  maxPacketBytes: "big"\n', /x.yaml: mqtt\.maxPacketBytes: /],
    ['mqtt:\n  maxConnectionsPerAddress: 0\n', /x.yaml: mqtt\.maxConnectionsPerAddress: /],
    ['mqtt:\n  messagesPerSecondPerDevice: 0\n', /x.yaml: mqtt\.messagesPerSecondPerDevice: /],
    ['mqtt:\n  keepaliveLimitSeconds: -1\n', /x.yaml: mqtt\.keepaliveLimitSeconds: /],
    ['mqtt:\n  maxSubscriptionsPerClient: 0\n', /x.yaml: mqtt\.maxSubscriptionsPerClient: /],
    ['mqtt:\n  maxQueuedMessagesPerSession: 0\n', /x.yaml: mqtt\.maxQueuedMessagesPerSession: /],
    ['mqtt:\n  maxPersistentSessionsPerBooth: 0\n', /x.yaml: mqtt\.maxPersistentSessionsPerBooth: /],
    ['mqtt:\n  maxConnectionsPerIp: 5\n', /x.yaml: mqtt: Unrecognized key/i],
    ['wall:\n  dashboard: d.yaml\n', /x.yaml: wall: Unrecognized key/i],
    ['wall:\n  dashboardFile: ""\n', /x.yaml: wall\.dashboardFile: must be a file path; leave it out for automatic scenes/],
  ])('refuses %j naming the path', (text, message) => {
    expect(() => parseSettingsFile(text, 'x.yaml')).toThrow(message);
  });
});

describe('dashboard file setting', () => {
  const settings = (yaml: string, configPath: string | null) => ({ env: parseEnv({}), file: parseSettingsFile(yaml, 'x.yaml'), configPath });

  it('is unset by default: automatic scenes', () => {
    expect(dashboardFilePath(settings('', '/etc/showfloor/showfloor.yaml'))).toBeNull();
  });

  it("reads a relative path from the settings file's folder, wherever the server starts", () => {
    expect(dashboardFilePath(settings('wall:\n  dashboardFile: walls/dashboard.yaml\n', '/etc/showfloor/showfloor.yaml'))).toBe(
      '/etc/showfloor/walls/dashboard.yaml',
    );
    expect(dashboardFilePath(settings('wall:\n  dashboardFile: dashboard.yaml\n', 'showfloor.yaml'))).toBe(resolve('dashboard.yaml'));
  });

  it('keeps an absolute path as it is', () => {
    expect(dashboardFilePath(settings('wall:\n  dashboardFile: /srv/dashboard.yaml\n', '/etc/showfloor/showfloor.yaml'))).toBe('/srv/dashboard.yaml');
  });
});

describe('TLS settings', () => {
  it('are off unless tls is in the file; MQTT over TLS defaults to port 8883', () => {
    expect(parseSettingsFile('', 'x.yaml').tls).toBeUndefined();
    expect(parseEnv({}).MQTT_TLS_PORT).toBe(8883);
  });

  it('read the file paths and keep plain MQTT by default', () => {
    expect(parseSettingsFile('tls:\n  certFile: cert.pem\n  keyFile: key.pem\n', 'x.yaml').tls).toEqual({
      certFile: 'cert.pem',
      keyFile: 'key.pem',
      plainMqtt: true,
    });
    expect(parseSettingsFile('tls:\n  certFile: c\n  keyFile: k\n  caFile: ca\n  plainMqtt: false\n', 'x.yaml').tls).toEqual({
      certFile: 'c',
      keyFile: 'k',
      caFile: 'ca',
      plainMqtt: false,
    });
  });

  it.each([
    ['tls:\n  keyFile: key.pem\n', /x.yaml: tls\.certFile: required: the PEM certificate/],
    ['tls:\n  certFile: cert.pem\n', /x.yaml: tls\.keyFile: required: the PEM private key/],
    ['tls:\n  certFile: ""\n  keyFile: k\n', /x.yaml: tls\.certFile: /],
    ['tls:\n  certFile: c\n  keyFile: k\n  plainMqtt: "no"\n', /x.yaml: tls\.plainMqtt: /],
    ['tls:\n  certFile: c\n  keyFile: k\n  cert: c\n', /x.yaml: tls: Unrecognized key/i],
    ['tls: true\n', /x.yaml: tls: /],
  ])('refuses %j naming the key', (yaml, message) => {
    expect(() => parseSettingsFile(yaml, 'x.yaml')).toThrow(message);
  });

  it('refuses a bad MQTT_TLS_PORT', () => {
    expect(() => parseEnv({ MQTT_TLS_PORT: '88830' })).toThrow(/environment: MQTT_TLS_PORT: /);
  });
});

describe('storage.spoolDir', () => {
  it('is on by default (data/spool), off with false or off, and a directory otherwise', () => {
    expect(parseSettingsFile('', 'x.yaml').storage.spoolDir).toBe('data/spool');
    expect(parseSettingsFile('storage:\n  spoolDir: false\n', 'x.yaml').storage.spoolDir).toBeNull();
    expect(parseSettingsFile('storage:\n  spoolDir: off\n', 'x.yaml').storage.spoolDir).toBeNull();
    expect(parseSettingsFile('storage:\n  spoolDir: /var/spool/showfloor\n', 'x.yaml').storage.spoolDir).toBe('/var/spool/showfloor');
    expect(() => parseSettingsFile('storage:\n  spoolDir: true\n', 'x.yaml')).toThrow(/spoolDir/);
  });
});
