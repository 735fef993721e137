/**
 * Which names this server answers to (ALLOWED_HOSTS). A browser trusts a page by the name in its
 * address bar, so a hostile name pointed at this server's address (DNS rebinding) would make its
 * page same-origin with the wall and the API. Checking the Host header against the names the
 * organiser listed closes that; unset, every Host is answered, as on a LAN reached by address.
 */
import type { RequestHandler } from 'express';
import type { Logger } from '../logger';

export interface HostName {
  /** Lower case, without a trailing dot; IPv6 addresses in brackets, as in a Host header. */
  hostname: string;
  /** Absent: any port. */
  port?: number;
}

// Underscores are not valid in DNS host names but occur in container and LAN names.
const HOSTNAME = /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*$/;
const IPV6_IN_BRACKETS = /^\[[0-9a-f:.]+\]$/;

/**
 * Parses `name`, `name:port`, `10.0.0.5:8080` or `[::1]:8080` (the forms of a Host header), or
 * returns undefined. Used for ALLOWED_HOSTS entries and for the Host header of each request.
 */
export function parseHostName(text: string): HostName | undefined {
  const match = /^(\[[^\]]*\]|[^:]+)(?::(\d{1,5}))?$/.exec(text.trim().toLowerCase());
  if (!match) return undefined;
  const hostname = (match[1] as string).replace(/\.$/, '');
  if (!HOSTNAME.test(hostname) && !IPV6_IN_BRACKETS.test(hostname)) return undefined;
  if (match[2] === undefined) return { hostname };
  const port = Number(match[2]);
  return port >= 1 && port <= 65_535 ? { hostname, port } : undefined;
}

export function formatHostName({ hostname, port }: HostName): string {
  return port === undefined ? hostname : `${hostname}:${port}`;
}

export class HostPolicy {
  constructor(private readonly allowed: readonly HostName[]) {}

  /** True when ALLOWED_HOSTS is set, so the Host header decides what is answered. */
  get restricts(): boolean {
    return this.allowed.length > 0;
  }

  admits(hostHeader: string | undefined): boolean {
    if (!this.restricts) return true;
    const host = hostHeader === undefined ? undefined : parseHostName(hostHeader);
    if (!host) return false;
    return this.allowed.some((entry) => entry.hostname === host.hostname && (entry.port === undefined || entry.port === host.port));
  }

  /** 421 Misdirected Request, before any other middleware, for a Host not in ALLOWED_HOSTS. */
  guard(log: Logger): RequestHandler {
    return (req, res, next) => {
      if (this.admits(req.headers.host)) return next();
      log.info({ host: req.headers.host, client: req.ip }, 'HTTP request refused: Host not in ALLOWED_HOSTS');
      res.status(421).json({ error: MISDIRECTED });
    };
  }
}

/** The answer to a request for a name this server does not serve; it does not echo the name. */
export const MISDIRECTED = 'misdirected request: this server does not answer to that host name';
