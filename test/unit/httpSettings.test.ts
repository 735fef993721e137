import { describe, expect, it } from 'vitest';
import { SettingsError, parseEnv, parseSettingsFile } from '../../server/config/settings';
import { HostPolicy, parseHostName } from '../../server/http/HostPolicy';
import { OriginPolicy } from '../../server/http/OriginPolicy';

describe('ALLOWED_ORIGINS', () => {
  it('defaults to none (same origin only)', () => {
    expect(parseEnv({}).ALLOWED_ORIGINS).toEqual([]);
    expect(parseEnv({ ALLOWED_ORIGINS: '' }).ALLOWED_ORIGINS).toEqual([]);
  });

  it('keeps each origin in the form browsers send', () => {
    expect(parseEnv({ ALLOWED_ORIGINS: ' https://Wall.Example.com:443/ , http://10.0.0.5:8080' }).ALLOWED_ORIGINS).toEqual([
      'https://wall.example.com',
      'http://10.0.0.5:8080',
    ]);
  });

  it.each([
    '*',
    'wall.example.com',
    'https://wall.example.com/path',
    'https://wall.example.com?x=1',
    'https://user@wall.example.com',
    'ftp://wall.example.com',
    'null',
  ])('refuses %j naming the variable', (value) => {
    expect(() => parseEnv({ ALLOWED_ORIGINS: value })).toThrow(SettingsError);
    expect(() => parseEnv({ ALLOWED_ORIGINS: value })).toThrow(/environment: ALLOWED_ORIGINS: .* is not an origin/);
  });
});

describe('http: in the YAML file', () => {
  it('defaults to 600 API requests per minute', () => {
    expect(parseSettingsFile('', 'x.yaml').http).toEqual({ rateLimitPerMinute: 600 });
    expect(parseSettingsFile('http:\n  rateLimitPerMinute: 5\n', 'x.yaml').http.rateLimitPerMinute).toBe(5);
  });

  it.each(['http:\n  rateLimitPerMinute: 0\n', 'http:\n  rateLimitPerMinute: 2.5\n', 'http:\n  rateLimitPerMinute: "lots"\n'])(
    'refuses %j naming the key',
    (yaml) => {
      expect(() => parseSettingsFile(yaml, 'x.yaml')).toThrow(/x.yaml: http\.rateLimitPerMinute: /);
    },
  );

  it('refuses unknown keys', () => {
    expect(() => parseSettingsFile('http:\n  rateLimit: 5\n', 'x.yaml')).toThrow(/x.yaml: http: Unrecognized key/i);
  });
});

describe('OriginPolicy', () => {
  const policy = new OriginPolicy(['https://dashboard.example']);

  it.each([
    [{ host: 'wall.local:8080' }, true],
    [{ host: 'wall.local:8080', origin: 'http://wall.local:8080' }, true],
    [{ host: 'wall.local:8080', origin: 'https://wall.local:8080' }, true],
    [{ host: 'wall.local:8080', origin: 'https://dashboard.example' }, true],
    [{ host: 'wall.local:8080', origin: 'http://wall.local:8081' }, false],
    [{ host: 'wall.local:8080', origin: 'http://evil.example' }, false],
    [{ host: 'wall.local:8080', origin: 'null' }, false],
    [{ origin: 'http://wall.local:8080' }, false],
  ])('%j admitted: %s', (headers, admitted) => {
    expect(policy.admits(headers)).toBe(admitted);
  });
});

describe('ALLOWED_HOSTS', () => {
  it('defaults to none (every Host answered) and keeps names in lower case, ports where given', () => {
    expect(parseEnv({}).ALLOWED_HOSTS).toEqual([]);
    expect(parseEnv({ ALLOWED_HOSTS: ' Wall.Example.com , 10.0.0.5:8080,[FD00::5]:443, wall.local. ' }).ALLOWED_HOSTS).toEqual([
      { hostname: 'wall.example.com' },
      { hostname: '10.0.0.5', port: 8080 },
      { hostname: '[fd00::5]', port: 443 },
      { hostname: 'wall.local' },
    ]);
  });

  it.each([
    '*',
    'https://wall.example.com',
    'wall.example.com/path',
    'wall.example.com:0',
    'wall.example.com:99999',
    'fd00::5',
    'wall..example',
    '-wall.example',
    'user@wall',
  ])('refuses %j naming the variable', (value) => {
    expect(() => parseEnv({ ALLOWED_HOSTS: value })).toThrow(SettingsError);
    expect(() => parseEnv({ ALLOWED_HOSTS: value })).toThrow(/environment: ALLOWED_HOSTS: .* is not a host name/);
  });
});

describe('TRUST_PROXY', () => {
  it.each([
    [undefined, false],
    ['false', false],
    ['0', false],
    ['1', 1],
    ['2', 2],
    ['loopback', ['loopback']],
    ['10.0.0.2, 10.0.1.0/24,fd00::/8', ['10.0.0.2', '10.0.1.0/24', 'fd00::/8']],
  ])('reads %j as %j', (value, expected) => {
    expect(parseEnv(value === undefined ? {} : { TRUST_PROXY: value }).TRUST_PROXY).toEqual(expected);
  });

  it('refuses true, which would let any client choose its address', () => {
    expect(() => parseEnv({ TRUST_PROXY: 'true' })).toThrow(/environment: TRUST_PROXY: true would trust X-Forwarded-For from any client/);
  });

  it.each(['proxy.example', '10.0.0.0/33', 'fd00::/129', '10.0.0.1/8/8', '-1', '1.5', '10.0.0.256', ','])('refuses %j naming the variable', (value) => {
    expect(() => parseEnv({ TRUST_PROXY: value })).toThrow(/environment: TRUST_PROXY: .* is neither a hop count nor a proxy address/);
  });
});

describe('HostPolicy', () => {
  const policy = new HostPolicy([parseHostName('wall.example')!, parseHostName('10.0.0.5:8080')!, parseHostName('[::1]')!]);

  it.each([
    ['wall.example', true],
    ['WALL.example:8443', true], // no port listed: any port
    ['wall.example.', true],
    ['10.0.0.5:8080', true],
    ['10.0.0.5:8081', false],
    ['10.0.0.5', false],
    ['[::1]:8080', true],
    ['evil.example', false],
    ['wall.example.evil.example', false],
    ['wall.example@evil.example', false],
    ['', false],
    [undefined, false],
  ])('Host %j admitted: %s', (host, admitted) => {
    expect(policy.admits(host)).toBe(admitted);
  });

  it('admits every Host when ALLOWED_HOSTS is unset', () => {
    expect(new HostPolicy([]).admits('anything.example')).toBe(true);
    expect(new HostPolicy([]).admits(undefined)).toBe(true);
  });

  it('makes a page same-origin only under an allowed name (DNS rebinding)', () => {
    const origins = new OriginPolicy([], policy);
    expect(origins.admits({ host: 'wall.example:8080', origin: 'http://wall.example:8080' })).toBe(true);
    expect(origins.admits({ host: 'rebound.evil.example:8080', origin: 'http://rebound.evil.example:8080' })).toBe(false);
    expect(new OriginPolicy([]).admits({ host: 'rebound.evil.example:8080', origin: 'http://rebound.evil.example:8080' })).toBe(true);
  });
});
