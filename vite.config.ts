/**
 * Builds the wall page (web/) into dist/web, which the express server serves at `/`.
 * During development `npx vite` serves web/ and proxies socket.io to a running server
 * (SHOWFLOOR_DEV_SERVER, default http://localhost:8080). vitest.config.ts is standalone and ignores this file.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('./web', import.meta.url)),
  base: '/',
  publicDir: false,
  build: {
    outDir: fileURLToPath(new URL('./dist/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // Inlined assets would become data: URLs, which a strict CSP (img-src 'self') refuses.
    assetsInlineLimit: 0,
    // ECharts is most of the ~530 kB bundle; the page is loaded once per kiosk over the LAN.
    chunkSizeWarningLimit: 1024,
  },
  server: {
    proxy: {
      '/socket.io': { target: process.env['SHOWFLOOR_DEV_SERVER'] ?? 'http://localhost:8080', ws: true },
    },
  },
});
