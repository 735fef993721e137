/**
 * The wall in a real browser: a demo-like start (broker, server, influxd, simulated booth), a
 * reading published over MQTT appears on the page, the connection indicator says Live,
 * device-supplied text renders as text, and the page runs under its Content-Security-Policy without
 * a single violation. Screenshots land in test-artifacts/.
 */
import { existsSync } from 'node:fs';
import type { Browser, Page, Response } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEFAULT_WEB_ROOT } from '../../server/Showfloor';
import { startSimulatedBooth, type SimulatedBooth } from '../../simulators/booth';
import { artifactPath, describeWithChromium, launchChromium } from '../support/chromium';
import { startInfluxd, type InfluxdProcess } from '../support/influxd';
import { BOOTH_A, connectDevice, startTestShowfloor } from '../support/showfloor';

const HOSTILE_NAME = '<img src=x onerror="window.__pwned=1">Robot <b>arm</b>';

/** Collects every CSP violation the page reports into window.__cspViolations, from the first script on. */
async function collectCspViolations(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const violations: string[] = [];
    (window as unknown as { __cspViolations: string[] }).__cspViolations = violations;
    document.addEventListener('securitypolicyviolation', (event) => violations.push(`${event.effectiveDirective} blocked ${event.blockedURI || '(inline)'}`));
  });
}

function cspViolations(page: Page): Promise<string[]> {
  return page.evaluate(() => [...(window as unknown as { __cspViolations: string[] }).__cspViolations]);
}

describeWithChromium('wall page in Chromium', () => {
  let influxd: InfluxdProcess;
  let showfloor: Awaited<ReturnType<typeof startTestShowfloor>>;
  let simulators: SimulatedBooth;
  let browser: Browser;
  let page: Page;
  let wallResponse: Response | null = null;
  const consoleErrors: string[] = [];
  const webSocketUrls: string[] = [];

  beforeAll(async () => {
    if (!existsSync(DEFAULT_WEB_ROOT)) throw new Error(`${DEFAULT_WEB_ROOT} is missing: run \`npm run build\` first (npm test does)`);
    influxd = await startInfluxd();
    showfloor = await startTestShowfloor({ influxUrl: influxd.url, database: 'e2e', booths: [BOOTH_A] });
    simulators = startSimulatedBooth({ url: showfloor.mqttUrl, booth: BOOTH_A.id, password: BOOTH_A.password, devices: 4, rate: 2, seed: 7 });
    await simulators.ready();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));
    page.on('websocket', (socket) => webSocketUrls.push(socket.url()));
    await collectCspViolations(page);
  });

  afterAll(async () => {
    await browser?.close();
    await simulators?.stop();
    await showfloor?.close();
    await influxd?.dispose();
  });

  it('shows a reading published over MQTT, live, with the simulated booth around it', async () => {
    wallResponse = await page.goto(showfloor.httpUrl);
    await expect.poll(() => page.getByTestId('connection-label').textContent(), { timeout: 15_000 }).toBe('Live');
    // The overview pages through devices that do not fit at show-floor sizes: count what it holds, not what is on screen.
    await expect
      .poll(() => page.locator('[data-panel-kind="devices"]').first().getAttribute('data-devices').then(Number), { timeout: 15_000 })
      .toBeGreaterThanOrEqual(4);

    const device = await connectDevice(showfloor.mqttUrl, BOOTH_A);
    device.publish('booth/booth-a/e2e-01/meta', JSON.stringify({ name: 'Stand climate', kind: 'env-sensor', units: { temperature: '°C' }, intervalMs: 1000 }), {
      qos: 1,
      retain: true,
    });
    device.publish('booth/booth-a/e2e-01/status', 'online', { qos: 1, retain: true });
    device.publish('booth/booth-a/e2e-01/telemetry', JSON.stringify({ temperature: 42.5, humidity: 40 }), { qos: 1 });

    const tile = page.locator('[data-testid="device-tile"][data-device="e2e-01"]');
    const value = tile.locator('li.readout[data-metric="temperature"] [data-testid="metric-value"]');
    await expect.poll(() => value.getAttribute('data-value'), { timeout: 10_000 }).toBe('42.5');
    expect(await tile.getByTestId('device-name').textContent()).toBe('Stand climate');
    expect(await tile.locator('li.readout[data-metric="temperature"] .readout__unit').textContent()).toContain('°C');

    device.publish('booth/booth-a/e2e-01/telemetry', JSON.stringify({ temperature: 43.75, humidity: 41 }), { qos: 1 });
    await expect.poll(() => value.getAttribute('data-value'), { timeout: 10_000 }).toBe('43.75');
    device.end(true);

    // Charts redraw about once a second; give them one redraw before the picture.
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="device-chart"]')].every((chart) => chart.querySelector('canvas') !== null));
    await page.screenshot({ path: artifactPath('wall-1920x1080.png') });
  });

  it('renders a hostile device name as text', async () => {
    const device = await connectDevice(showfloor.mqttUrl, BOOTH_A);
    device.publish('booth/booth-a/evil-01/meta', JSON.stringify({ name: HOSTILE_NAME, units: { t: '<script>alert(1)</script>' } }), { qos: 1, retain: true });
    device.publish('booth/booth-a/evil-01/telemetry', JSON.stringify({ t: 1 }), { qos: 1 });
    const tile = page.locator('[data-testid="device-tile"][data-device="evil-01"]');
    // The whole name is kept beside the text on screen, which may be cut in the middle to fit the tile.
    await expect.poll(() => tile.getByTestId('device-name').getAttribute('data-full-name'), { timeout: 10_000 }).toBe(HOSTILE_NAME);
    expect(await tile.getByTestId('device-name').textContent()).toContain('<img src=x');
    expect(await tile.locator('img, script, b').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    device.end(true);
    expect(consoleErrors).toEqual([]);
  });

  it('runs with live data under its Content-Security-Policy without a violation', async () => {
    const csp = (await wallResponse?.allHeaders())?.['content-security-policy'] ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    // socket.io upgraded to a WebSocket, so connect-src 'self' admits same-origin ws: in this Chromium.
    expect(webSocketUrls.some((url) => new URL(url).pathname === '/socket.io/')).toBe(true);
    expect(await cspViolations(page)).toEqual([]);
  });

  it('would notice a violation: inline script and style are blocked and reported', async () => {
    const probe = await browser.newPage();
    try {
      await collectCspViolations(probe);
      await probe.goto(showfloor.httpUrl);
      await probe.evaluate(() => {
        const script = document.createElement('script');
        script.textContent = 'window.__inlineRan = 1';
        document.head.append(script);
        document.body.setAttribute('style', 'color: red');
      });
      await expect
        .poll(() => cspViolations(probe))
        .toEqual(expect.arrayContaining([expect.stringMatching(/^script-src-elem blocked inline/), expect.stringMatching(/^style-src-attr blocked inline/)]));
      expect(await probe.evaluate(() => (window as unknown as { __inlineRan?: number }).__inlineRan)).toBeUndefined();
    } finally {
      await probe.close();
    }
  });
});
