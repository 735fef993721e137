/**
 * GET /wall/logo: the dashboard's logo file, from the bytes read with the dashboard. The request
 * names no file (the query's `v` only busts caches), so there is no path to traverse.
 */
import type { RequestHandler } from 'express';
import type { DashboardSource } from '../dashboard/DashboardSource';

/**
 * An SVG opened on its own is a document that could run script; this policy forbids that and any
 * request it would make. Raster logos get it too, as it costs nothing.
 */
export const LOGO_CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; script-src 'none'; sandbox";

export function wallLogoRoute(dashboard: DashboardSource): RequestHandler {
  return (_req, res) => {
    const logo = dashboard.logo;
    if (logo === null) return void res.status(404).json({ error: 'no logo file is configured' });
    res.setHeader('Content-Type', logo.contentType);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Content-Security-Policy', LOGO_CONTENT_SECURITY_POLICY);
    // Revalidated each time (express answers 304 by ETag): a replaced logo must show without a purge.
    res.setHeader('Cache-Control', 'no-cache');
    res.send(logo.bytes);
  };
}
