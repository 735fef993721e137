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

/** GET /wall/image/<hash>: an image of a panel, by the content hash in the URL walls were sent. */
export function wallImageRoute(dashboard: DashboardSource): RequestHandler<{ hash: string }> {
  return (req, res) => {
    const image = /^[0-9a-f]{16}$/.test(req.params.hash) ? dashboard.image(req.params.hash) : null;
    if (image === null) return void res.status(404).json({ error: 'no such image in the current dashboard' });
    res.setHeader('Content-Type', image.contentType);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Content-Security-Policy', LOGO_CONTENT_SECURITY_POLICY);
    // The URL names the bytes, so it may be cached for as long as a show lasts.
    res.setHeader('Cache-Control', 'public, max-age=86400, immutable');
    res.send(image.bytes);
  };
}
