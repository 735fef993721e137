/**
 * Refuses request URLs no route should have to parse: longer than any real API call (414), or a
 * path that is not valid percent-encoded UTF-8 (400). Answers name neither the URL nor the error.
 */
import type { RequestHandler } from 'express';

/** /api/history with every parameter at its longest is well under 1 KiB. */
export const MAX_URL_BYTES = 4096;

export function requestUrlGuard(): RequestHandler {
  return (req, res, next) => {
    if (Buffer.byteLength(req.originalUrl) > MAX_URL_BYTES) {
      return void res.status(414).json({ error: `URL too long: at most ${MAX_URL_BYTES} bytes` });
    }
    try {
      decodeURIComponent(req.path);
    } catch {
      return void res.status(400).json({ error: 'malformed URL: bad percent-encoding' });
    }
    next();
  };
}
