/**
 * Builds the wall page (web/index.html) and the technician console (web/console.html) into dist/web,
 * which the express server serves at `/` and `/console`. Both pages share one build, so shared
 * modules (ECharts, the DOM helpers) land in one hashed chunk that both load.
 * During development `npx vite` serves web/ and proxies socket.io and the API to a running server
 * (SHOWFLOOR_DEV_SERVER, default http://localhost:8080). vitest.config.ts is standalone and ignores this file.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const devServer = process.env['SHOWFLOOR_DEV_SERVER'] ?? 'http://localhost:8080';
const page = (name: string): string => fileURLToPath(new URL(`./web/${name}`, import.meta.url));

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
    // Two pages: Vite 8 (Rolldown) takes them as named inputs, one HTML file each.
    rolldownOptions: {
      input: { wall: page('index.html'), console: page('console.html') },
    },
  },
  server: {
    proxy: {
      '/socket.io': { target: devServer, ws: true },
      '/api': { target: devServer },
    },
  },
});
