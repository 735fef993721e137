import { describe, expect, it } from 'vitest';
import { SettingsError, parseEnv, parseSettingsFile } from '../../server/config/settings';
import { OriginPolicy } from '../../server/http/OriginPolicy';

describe('ALLOWED_ORIGINS', () => {
  it('defaults to none (same origin only)', () => {
    expect(parseEnv({}).ALLOWED_ORIGINS).toEqual([]);
    expect(parseEnv({ ALLOWED_ORIGINS: '' }).ALLOWED_ORIGINS).toEqual([]);
  });

  it('keeps each origin in the form browsers send', () => {
    expect(parseEnv({ ALLOWED_ORIGINS: ' https://Wall.Example.com:443/ , http://10.0.0.5:8080' }).ALLOWED_ORIGINS).toEqual(['https://wall.example.com', 'http://10.0.0.5:8080']);
  });

  it.each(['*', 'wall.example.com', 'https://wall.example.com/path', 'https://wall.example.com?x=1', 'https://user@wall.example.com', 'ftp://wall.example.com', 'null'])('refuses %j naming the variable', (value) => {
    expect(() => parseEnv({ ALLOWED_ORIGINS: value })).toThrow(SettingsError);
    expect(() => parseEnv({ ALLOWED_ORIGINS: value })).toThrow(/environment: ALLOWED_ORIGINS: .* is not an origin/);
  });
});

describe('http: in the YAML file', () => {
  it('defaults to 600 API requests per minute', () => {
    expect(parseSettingsFile('', 'x.yaml').http).toEqual({ rateLimitPerMinute: 600 });
    expect(parseSettingsFile('http:\n  rateLimitPerMinute: 5\n', 'x.yaml').http.rateLimitPerMinute).toBe(5);
  });

  it.each(['http:\n  rateLimitPerMinute: 0\n', 'http:\n  rateLimitPerMinute: 2.5\n', 'http:\n  rateLimitPerMinute: "lots"\n'])('refuses %j naming the key', (yaml) => {
    expect(() => parseSettingsFile(yaml, 'x.yaml')).toThrow(/x.yaml: http\.rateLimitPerMinute: /);
  });

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
