/**
 * Response headers that keep the wall page to its own code: a Content-Security-Policy the built
 * page satisfies (everything from the server itself, nothing inline), no framing, no MIME sniffing.
 */
import type { RequestHandler } from 'express';
import helmet from 'helmet';

export const CONTENT_SECURITY_POLICY = {
  'default-src': ["'self'"],
  // Vite emits one module script and one stylesheet, both files under /assets.
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  // ECharts sizes its canvases through element.style (CSSOM), which style-src does not govern.
  'style-src': ["'self'"],
  // The build inlines nothing (assetsInlineLimit: 0), so data: images are not needed.
  'img-src': ["'self'"],
  'font-src': ["'self'"],
  // CSP Level 3 'self' also matches ws: and wss: on the same host and port, which is where
  // socket.io upgrades to; a bare ws: or wss: would allow every host.
  'connect-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'self'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
} as const;

/**
 * `logoOrigin` names the one other server images may come from: the dashboard's logo URL, when it
 * is not a file served here. Read per request, since the dashboard file can change while running.
 */
export function securityHeaders(logoOrigin: () => string | null = () => null): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      // Helmet's defaults add upgrade-insecure-requests, which would send a wall on plain HTTP
      // (the usual LAN kiosk) to https:// for its own scripts; every directive is listed above.
      useDefaults: false,
      directives: {
        ...CONTENT_SECURITY_POLICY,
        'img-src': [
          () => {
            const origin = logoOrigin();
            return [...CONTENT_SECURITY_POLICY['img-src'], ...(origin === null ? [] : [origin])].join(' ');
          },
        ],
      },
    },
    // Not even over Showfloor's own HTTPS: HSTS would pin the wall's name to HTTPS for months, and a
    // show's set-up (TLS or not, which name) changes from one show to the next.
    strictTransportSecurity: false,
    xFrameOptions: { action: 'deny' },
  });
}
