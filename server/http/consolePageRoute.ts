/**
 * The technician console is a second page of the wall's build (dist/web/console.html), served at
 * `/console` under the same security headers as the wall; its scripts and styles are under /assets
 * like the wall's, so the strict CSP needs nothing new. Its API (/api/console/*) is separate.
 */
import type { RequestHandler } from 'express';

export const CONSOLE_PAGE_ROUTE = '/console';

export function consolePageRoute(webRoot: string): RequestHandler {
  return (_req, res, next) => {
    // Fetched fresh after a redeploy, like index.html: it names the hashed assets of its build.
    res.sendFile('console.html', { root: webRoot, headers: { 'Cache-Control': 'no-cache' } }, (error) => {
      if (!error) return;
      if (res.headersSent) return next(error);
      res.status(503).type('text/plain').send('The console is not built yet: run `npm run build`, then reload.');
    });
  };
}
