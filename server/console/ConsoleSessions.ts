/**
 * Who is logged in to the technician console. A session is a random 32-byte token held by the
 * browser in an HttpOnly cookie; the server keeps only its SHA-256, so a memory dump does not hand
 * out live sessions. Sessions last a fixed time from login, and there are at most `maxSessions`
 * (oldest dropped), so logging in in a loop cannot grow memory.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { ConsoleSession } from '../../contract/console';

export const SESSION_COOKIE = 'showfloor_console';
export const MAX_SESSIONS = 1000;
const TOKEN_BYTES = 32;

export interface SessionLimits {
  lifetimeMs: number;
  maxSessions: number;
}

function digest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export class ConsoleSessions {
  /** By token digest; insertion order is creation order, which with one lifetime is also expiry order. */
  private readonly sessions = new Map<string, ConsoleSession>();
  droppedSessions = 0;

  constructor(
    private readonly limits: SessionLimits,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.sessions.size;
  }

  get lifetimeMs(): number {
    return this.limits.lifetimeMs;
  }

  create(name: string): { token: string; session: ConsoleSession } {
    this.sweep();
    const token = randomBytes(TOKEN_BYTES).toString('base64url');
    const session: ConsoleSession = { name, expiresAt: this.now() + this.limits.lifetimeMs };
    this.sessions.set(digest(token), session);
    while (this.sessions.size > this.limits.maxSessions) {
      this.sessions.delete(this.sessions.keys().next().value!);
      this.droppedSessions++;
    }
    return { token, session };
  }

  /** The live session for a token, or undefined (unknown, dropped or expired). */
  get(token: string | undefined): ConsoleSession | undefined {
    if (!token) return undefined;
    const key = digest(token);
    const session = this.sessions.get(key);
    if (!session) return undefined;
    if (session.expiresAt <= this.now()) {
      this.sessions.delete(key);
      return undefined;
    }
    return session;
  }

  delete(token: string | undefined): void {
    if (token) this.sessions.delete(digest(token));
  }

  private sweep(): void {
    const now = this.now();
    for (const [key, session] of this.sessions) {
      if (session.expiresAt > now) break;
      this.sessions.delete(key);
    }
  }
}
