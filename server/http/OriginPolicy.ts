/**
 * Which browser origins may talk to this server: its own, plus those listed in ALLOWED_ORIGINS.
 * Browsers send an Origin header on cross-origin requests and on every WebSocket handshake;
 * clients without one (devices, scripts, curl) are not browsers acting for a foreign page.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { RequestHandler } from 'express';
import type { HostPolicy } from './HostPolicy';

export class OriginPolicy {
  private readonly allowed: ReadonlySet<string>;

  /** With ALLOWED_HOSTS set, a page is same-origin only under one of those names (see HostPolicy). */
  constructor(
    allowedOrigins: readonly string[],
    private readonly hosts?: HostPolicy,
  ) {
    this.allowed = new Set(allowedOrigins);
  }

  /** True when `origin` is one of ALLOWED_ORIGINS (same-origin needs no listing). */
  isListed(origin: string): boolean {
    return this.allowed.has(origin);
  }

  get listed(): string[] {
    return [...this.allowed];
  }

  /** No Origin header, the server's own origin, or a listed one. */
  admits(headers: IncomingHttpHeaders): boolean {
    const origin = headers.origin;
    if (origin === undefined) return true;
    const sameOrigin = isSameOrigin(origin, headers.host) && (this.hosts?.admits(headers.host) ?? true);
    return sameOrigin || this.isListed(origin);
  }

  /**
   * CORS headers for listed origins only: the API answers simple GETs, so an allowed page can
   * read them; every other origin gets no CORS headers and its browser withholds the answer.
   */
  corsForListedOrigins(): RequestHandler {
    return (req, res, next) => {
      res.vary('Origin');
      const origin = req.headers.origin;
      if (origin !== undefined && this.isListed(origin)) res.setHeader('Access-Control-Allow-Origin', origin);
      next();
    };
  }
}

/**
 * Compares host and port only, not the scheme: behind a TLS-terminating proxy the page is
 * https:// while this server sees plain HTTP with the same Host.
 */
function isSameOrigin(origin: string, host: string | undefined): boolean {
  if (host === undefined) return false;
  try {
    return new URL(origin).host === host.toLowerCase();
  } catch {
    return false; // "null" (sandboxed frames, file://) and garbage
  }
}
