/**
 * The last word on a request nothing else answered: a JSON 404 that does not echo the path, and
 * an error handler that logs the message (never the stack) and answers without detail.
 */
import { STATUS_CODES } from 'node:http';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { z } from 'zod';
import type { Logger } from '../logger';

/** A refused query string in words, naming the parameter: "from: must be a number", "unknown parameter x". */
export function queryProblem(error: z.ZodError): string {
  const issue = error.issues[0];
  const field = issue?.path.join('.') || 'query';
  return `${field}: ${issue?.code === 'unrecognized_keys' ? `unknown parameter ${issue.keys.join(', ')}` : issue?.message}`;
}

export function notFound(): RequestHandler {
  return (_req, res) => {
    res.status(404).json({ error: 'not found' });
  };
}

export function errorResponder(log: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) return next(error);
    const status = clientErrorStatus(error);
    const message = error instanceof Error ? error.message : String(error);
    if (status !== undefined) {
      // A client's mistake (an unreadable request, say) is not the server's failure.
      log.debug({ status, err: message, method: req.method, client: req.ip }, 'request refused');
      return void res.status(status).json({ error: (STATUS_CODES[status] ?? 'bad request').toLowerCase() });
    }
    log.error({ err: message, method: req.method, path: req.path, client: req.ip }, 'request failed');
    res.status(502).json({ error: 'the request could not be completed; see the server log' });
  };
}

/** The 4xx status express middleware attached to an error, if any. */
function clientErrorStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { status, statusCode } = error as { status?: unknown; statusCode?: unknown };
  const code = typeof status === 'number' ? status : statusCode;
  return typeof code === 'number' && code >= 400 && code < 500 ? code : undefined;
}
