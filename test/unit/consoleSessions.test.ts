import { describe, expect, it } from 'vitest';
import { ConsoleSessions } from '../../server/console/ConsoleSessions';

describe('ConsoleSessions', () => {
  it('hands out distinct 32-byte tokens whose sessions expire after the lifetime', () => {
    let now = 1_000;
    const sessions = new ConsoleSessions({ lifetimeMs: 60_000, maxSessions: 10 }, () => now);
    const first = sessions.create('Mia');
    const second = sessions.create('Tom');
    expect(Buffer.from(first.token, 'base64url')).toHaveLength(32);
    expect(first.token).not.toBe(second.token);
    expect(sessions.get(first.token)).toEqual({ name: 'Mia', expiresAt: 61_000 });
    expect(sessions.get('not-a-token')).toBeUndefined();
    expect(sessions.get(undefined)).toBeUndefined();
    now = 60_999;
    expect(sessions.get(first.token)?.name).toBe('Mia');
    now = 61_000;
    expect(sessions.get(first.token)).toBeUndefined();
    expect(sessions.size).toBe(1); // the expired one went when it was asked for
  });

  it('drops the oldest session past maxSessions and sweeps expired ones when a new one is made', () => {
    let now = 0;
    const sessions = new ConsoleSessions({ lifetimeMs: 1_000, maxSessions: 1000 }, () => now);
    const tokens = Array.from({ length: 1001 }, (_, i) => sessions.create(`tech ${i}`).token);
    expect(sessions.size).toBe(1000);
    expect(sessions.droppedSessions).toBe(1);
    expect(sessions.get(tokens[0])).toBeUndefined();
    expect(sessions.get(tokens[1])?.name).toBe('tech 1');
    now = 1_000;
    sessions.create('late');
    expect(sessions.size).toBe(1);
  });

  it('forgets a session on logout', () => {
    const sessions = new ConsoleSessions({ lifetimeMs: 1_000, maxSessions: 10 });
    const { token } = sessions.create('Mia');
    sessions.delete(token);
    expect(sessions.get(token)).toBeUndefined();
  });
});
