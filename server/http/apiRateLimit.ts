/**
 * A per-client-IP request budget for the API and /metrics, which do work per request (history
 * queries reach InfluxDB). Static files and socket.io are not counted: a wall loads them once.
 */
import type { RequestHandler } from 'express';
import { rateLimit, type AugmentedRequest } from 'express-rate-limit';
import type { Logger } from '../logger';

const WINDOW_MS = 60_000;

/** What is being limited, in the 429 answer and the log line; by default, requests to the API. */
export interface RateLimitWording {
  /** e.g. "too many requests" */
  refusal: string;
  logMessage: string;
}

const API_WORDING: RateLimitWording = { refusal: 'too many requests', logMessage: 'API rate limit reached' };

export function apiRateLimit(requestsPerMinute: number, log: Logger, wording: RateLimitWording = API_WORDING): RequestHandler {
  return rateLimit({
    windowMs: WINDOW_MS,
    limit: requestsPerMinute,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    handler(req, res) {
      // Once per client and window, not once per refused request: a flood must not flood the log.
      // The address is the client's, behind a reverse proxy too, when TRUST_PROXY names the proxy.
      if ((req as AugmentedRequest).rateLimit?.used === requestsPerMinute + 1) {
        log.info({ client: req.ip, limitPerMinute: requestsPerMinute }, wording.logMessage);
      }
      res.status(429).json({ error: `${wording.refusal}: at most ${requestsPerMinute} per minute per client; retry after the Retry-After seconds` });
    },
    // The library's configuration warnings (e.g. X-Forwarded-For seen without a trusted proxy)
    // would otherwise reach stderr as stack traces, outside the JSON log.
    logger: {
      warn: (warning) => log.warn(withoutStack(warning), 'rate limiter'),
      error: (problem) => log.error(withoutStack(problem), 'rate limiter'),
    },
  });
}

function withoutStack(problem: unknown): { code?: unknown; detail: string } {
  if (problem instanceof Error) return { code: (problem as Error & { code?: unknown }).code, detail: problem.message };
  return { detail: String(problem) };
}
