/**
 * The technician console in Chromium against the console API stub (test/support/consoleApiStub.ts),
 * which speaks contract/console.ts with generated devices: a wrong password is refused, then a
 * login, a device found by filter, its detail with 1 h of history drawn, an alarm acknowledged,
 * the back button, a lost session, and all of it under the production CSP without a violation.
 * The same flow against the real server is the integrator's, once both halves are merged.
 * Needs the built pages: `npm run build` (npm test does).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEFAULT_WEB_ROOT } from '../../server/Showfloor';
import { artifactPath, describeWithChromium, launchChromium } from '../support/chromium';
import { HOSTILE_DEVICE, startConsoleApiStub, type ConsoleStub } from '../support/consoleApiStub';

const DEVICES = 300;
const VIEWPORT = { width: 1600, height: 1000 };

async function collectCspViolations(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const violations: string[] = [];
    (window as unknown as { __cspViolations: string[] }).__cspViolations = violations;
    document.addEventListener('securitypolicyviolation', (event) => violations.push(`${event.effectiveDirective} blocked ${event.blockedURI || '(inline)'}`));
  });
}

describeWithChromium('technician console in Chromium (API stub)', () => {
  let stub: ConsoleStub;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  let cspHeader = '';

  const testId = (id: string) => page.getByTestId(id);

  beforeAll(async () => {
    if (!existsSync(join(DEFAULT_WEB_ROOT, 'console.html')))
      throw new Error(`${DEFAULT_WEB_ROOT}/console.html is missing: run \`npm run build\` first (npm test does)`);
    stub = await startConsoleApiStub({ devices: DEVICES });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: VIEWPORT });
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await collectCspViolations(page);
  });

  afterAll(async () => {
    await browser?.close();
    await stub?.close();
  });

  it('refuses a wrong password and stays on the login form', async () => {
    const response = await page.goto(stub.consoleUrl);
    cspHeader = (await response?.allHeaders())?.['content-security-policy'] ?? '';
    await expect.poll(() => testId('login-view').isVisible()).toBe(true);
    expect(await testId('app-view').isVisible()).toBe(false);

    await testId('login-name').fill('Ana');
    await testId('login-password').fill('not-the-password');
    await testId('login-submit').click();
    await expect.poll(() => testId('login-error').textContent()).toBe('Wrong password');
    expect(await testId('app-view').isVisible()).toBe(false);
    expect(await testId('login-password').inputValue()).toBe('');
    // The stub never answered anything but the login and the session check.
    expect(stub.requests.filter((r) => !['/console/login', '/console/session'].includes(r.path))).toEqual([]);
  });

  it('logs in and finds a device by filter among hundreds, with only the visible rows in the DOM', async () => {
    await testId('login-password').fill(stub.password);
    await testId('login-submit').click();
    await expect.poll(() => testId('app-view').isVisible()).toBe(true);
    expect(await testId('session-name').textContent()).toBe('Ana');
    await expect.poll(() => testId('device-count').textContent(), { timeout: 10_000 }).toBe(`${DEVICES} devices`);

    const rendered = await page.locator('[data-testid="device-row"]:not([hidden])').count();
    expect(rendered).toBeGreaterThan(10);
    expect(rendered).toBeLessThan(60);
    expect(await testId('devices-updated').textContent()).toMatch(/^Updated \d\d:\d\d:\d\d$/);

    // State in words and icon, not colour alone.
    const firstState = page.locator('[data-testid="device-row"]:not([hidden]) .state').first();
    expect(await firstState.textContent()).toMatch(/^[●◐○](Online|Stale|Offline)$/);

    const target = stub.devices.find((d) => d.name !== null && d.kind === 'ev-charger' && d.device.endsWith('6')) ?? stub.devices[1]!;
    await testId('filter-kind').selectOption('ev-charger');
    await expect.poll(() => testId('device-count').textContent()).toMatch(new RegExp(`^\\d+ of ${DEVICES} devices$`));
    await testId('filter-text').fill(target.device);
    await expect.poll(() => testId('device-count').textContent()).toBe(`1 of ${DEVICES} devices`);
    const rows = page.locator('[data-testid="device-row"]:not([hidden])');
    expect(await rows.count()).toBe(1);
    expect(await rows.first().getAttribute('data-device')).toBe(target.device);
    expect(await rows.first().getByTestId('device-link').textContent()).toContain(target.name ?? target.device);
    await page.screenshot({ path: artifactPath('console-table-filtered.png') });
  });

  it('sorts by a column header, both ways, and says so to assistive technology', async () => {
    await testId('filter-text').fill('');
    await testId('filter-kind').selectOption('');
    await expect.poll(() => testId('device-count').textContent()).toBe(`${DEVICES} devices`);
    await testId('sort-errors').click();
    const header = page.locator('[role="columnheader"]', { has: testId('sort-errors') });
    expect(await header.getAttribute('aria-sort')).toBe('descending');
    const topErrors = await page.locator('[data-testid="device-row"][aria-rowindex="2"] .dt__errors').textContent();
    const most = Math.max(...stub.devices.map((d) => d.rejectedTotal));
    expect(Number(topErrors?.replace(/,/g, ''))).toBe(most);
    await testId('sort-errors').click();
    expect(await header.getAttribute('aria-sort')).toBe('ascending');
    await testId('sort-state').click();
  });

  it("shows each device's adapter and own topic, filters by adapter, and names the adapter beside each rejection (issue 11)", async () => {
    const tasmotaDevices = stub.devices.filter((d) => d.adapter === 'tasmota');
    expect(tasmotaDevices.length).toBeGreaterThan(0);
    await testId('filter-adapter').selectOption('tasmota');
    await expect.poll(() => testId('device-count').textContent()).toBe(`${tasmotaDevices.length} of ${DEVICES} devices`);
    const rows = page.locator('[data-testid="device-row"]:not([hidden])');
    for (const adapter of await rows.evaluateAll((elements) => elements.map((e) => e.getAttribute('data-adapter')))) expect(adapter).toBe('tasmota');

    const target = tasmotaDevices.find((d) => d.rejectedTotal > 0)!;
    await testId('filter-text').fill(target.device);
    await expect.poll(() => testId('device-count').textContent()).toBe(`1 of ${DEVICES} devices`);
    const row = rows.first();
    expect(await row.locator('.dt__adapter').textContent()).toBe('tasmota');
    expect(await row.locator('.dt__topic').textContent()).toBe(target.ownTopic);
    await page.screenshot({ path: artifactPath('console-table-adapter.png') });

    await row.getByTestId('device-link').click();
    await expect.poll(() => testId('device-detail').isVisible()).toBe(true);
    await expect.poll(() => testId('fact-adapter').textContent()).toBe('tasmota');
    expect(await testId('fact-topic').textContent()).toBe(target.ownTopic);
    await expect.poll(() => testId('detail-rejections').locator('.list__adapter').count()).toBeGreaterThan(0);
    for (const text of await testId('detail-rejections').locator('.list__adapter').allTextContents()) expect(text).toBe('tasmota');
    await page.screenshot({ path: artifactPath('console-detail-adapter.png'), fullPage: true });

    await page.goBack();
    await expect.poll(() => testId('devices-view').isVisible()).toBe(true);
    await testId('filter-text').fill('');
    await testId('filter-adapter').selectOption('');
    await expect.poll(() => testId('device-count').textContent()).toBe(`${DEVICES} devices`);
  });

  it('opens the device detail and draws 1 h of history at one point per pixel', async () => {
    const target = stub.devices.find((d) => d.name !== null && d.kind === 'ev-charger' && d.device.endsWith('6')) ?? stub.devices[1]!;
    await testId('filter-text').fill(target.device);
    await expect.poll(() => testId('device-count').textContent()).toBe(`1 of ${DEVICES} devices`);
    await page.locator('[data-testid="device-row"]:not([hidden])').getByTestId('device-link').click();

    expect(new URL(page.url()).hash).toBe(`#/device/${target.booth}/${target.device}`);
    await expect.poll(() => testId('device-detail').isVisible()).toBe(true);
    await expect.poll(() => testId('detail-name').textContent()).toBe(target.name);
    expect(await testId('detail-ids').textContent()).toBe(`${target.booth} / ${target.device}`);
    expect(await testId('detail-state').getAttribute('data-value')).toBe(target.state);
    await expect.poll(() => testId('live-chart').getAttribute('data-drawn')).toBe('true');
    expect(Number(await testId('live-chart').getAttribute('data-series'))).toBeGreaterThan(0);
    // The default 15 min history loads by itself.
    await expect.poll(() => testId('history-chart').getAttribute('data-state')).toBe('ready');

    const historyBefore = stub.requests.filter((r) => r.path === '/console/history').length;
    await testId('range-1h').click();
    expect(await testId('range-1h').getAttribute('aria-pressed')).toBe('true');
    const chart = testId('history-chart');
    await expect.poll(() => chart.getAttribute('data-range')).toBe('1h');
    await expect.poll(() => chart.getAttribute('data-state')).toBe('ready');
    expect(Number(await chart.getAttribute('data-points'))).toBeGreaterThan(100);
    expect(await chart.locator('canvas').count()).toBeGreaterThan(0);

    // The live chart's own requests (its first 5 min) span less than the hour.
    const asked = stub.requests
      .filter((r) => r.path === '/console/history')
      .slice(historyBefore)
      .filter((r) => Number(r.query['to']) - Number(r.query['from']) === 3_600_000);
    expect(asked.length).toBe(Number(await chart.getAttribute('data-series')));
    const width = await chart.evaluate((element) => element.clientWidth);
    for (const request of asked) {
      expect(request.query).toMatchObject({ booth: target.booth, device: target.device });
      expect(Number(request.query['points'])).toBe(Math.min(2000, Math.max(50, width)));
    }
    expect(await testId('history-status').textContent()).toMatch(/points from InfluxDB, one point per \d+ s$/);

    // Raw payloads, timeline and rejections, as text.
    await expect.poll(() => testId('detail-payloads').locator('.list__payload').count()).toBe(5);
    expect(await testId('detail-payloads').locator('.list__topic').first().textContent()).toBe(`booth/${target.booth}/${target.device}/telemetry`);
    expect(await testId('detail-timeline').locator('li').count()).toBe(3);
    await page.screenshot({ path: artifactPath('console-device-detail.png'), fullPage: true });
  });

  it('asks for a custom range from the two time inputs', async () => {
    await testId('range-custom').click();
    await testId('history-from').fill('2026-11-20T08:00');
    await testId('history-to').fill('2026-11-20T10:00');
    await testId('history-apply').click();
    const chart = testId('history-chart');
    await expect.poll(() => chart.getAttribute('data-range')).toBe('custom');
    await expect.poll(() => chart.getAttribute('data-state')).toBe('ready');
    const last = stub.requests.filter((r) => r.path === '/console/history').at(-1);
    expect(Number(last?.query['to']) - Number(last?.query['from'])).toBe(2 * 3_600_000);
    await testId('history-to').fill('2026-11-20T07:00');
    await testId('history-apply').click();
    await expect.poll(() => testId('history-status').textContent()).toBe('The start must be before the end');
  });

  it('goes back to the filtered table with the back button', async () => {
    await page.goBack();
    await expect.poll(() => testId('devices-view').isVisible()).toBe(true);
    expect(await testId('device-detail').isVisible()).toBe(false);
    expect(await testId('device-count').textContent()).toBe(`1 of ${DEVICES} devices`);
  });

  it('moves through the rows with the keyboard, reusing the same few row elements, and opens one with Enter', async () => {
    await testId('filter-text').fill('');
    await expect.poll(() => testId('device-count').textContent()).toBe(`${DEVICES} devices`);
    const rowElements = await page.locator('[data-testid="device-row"]').count();
    const focusedRow = () => page.evaluate(() => document.activeElement?.closest('[data-testid="device-row"]')?.getAttribute('aria-rowindex') ?? null);

    await page.locator('[data-testid="device-row"][aria-rowindex="2"]').getByTestId('device-link').focus();
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowDown');
    expect(await focusedRow()).toBe('5');
    await page.keyboard.press('End');
    expect(await focusedRow()).toBe(String(DEVICES + 1));
    expect(await testId('device-table').evaluate((table) => table.scrollTop)).toBeGreaterThan(0);
    // Scrolled to the end of 300 rows: still the same elements, moved and rewritten.
    expect(await page.locator('[data-testid="device-row"]').count()).toBe(rowElements);

    const last = page.locator(`[data-testid="device-row"][aria-rowindex="${DEVICES + 1}"]`);
    const device = await last.getAttribute('data-device');
    await page.keyboard.press('Enter');
    await expect.poll(() => testId('device-detail').isVisible()).toBe(true);
    expect(new URL(page.url()).hash).toMatch(new RegExp(`/${device}$`));
    await page.goBack();
    await expect.poll(() => testId('devices-view').isVisible()).toBe(true);
  });

  it('shows a device whose name and payloads are markup as text', async () => {
    await page.evaluate(({ booth, device }) => (window.location.hash = `#/device/${booth}/${device}`), HOSTILE_DEVICE);
    await expect.poll(() => testId('detail-name').textContent()).toBe(HOSTILE_DEVICE.name);
    await expect.poll(() => testId('detail-rejections').locator('.list__payload').count()).toBeGreaterThan(0);
    expect(await testId('detail-rejections').textContent()).toContain('<script>alert(1)</script>');
    expect(await testId('device-detail').locator('img, script, b').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  });

  it('acknowledges the active alarm and shows who did it', async () => {
    await testId('nav-alarms').click();
    await expect.poll(() => testId('alarms-view').isVisible()).toBe(true);
    expect(await testId('alarm-count').getAttribute('data-count')).toBe('1');
    const active = page.locator('[data-testid="alarm-row"][data-state="active"]');
    await expect.poll(() => active.count()).toBe(1);
    expect(await active.getByTestId('alarm-state').textContent()).toBe('Active');
    expect(await active.locator('.severity').textContent()).toBe('▲Critical');
    const id = await active.getAttribute('data-alarm-id');

    await active.getByTestId('alarm-ack-button').click();
    const row = page.locator(`[data-testid="alarm-row"][data-alarm-id="${id}"]`);
    await expect.poll(() => row.getAttribute('data-state')).toBe('acknowledged');
    expect(await row.getByTestId('alarm-ack').textContent()).toMatch(/^acknowledged by Ana at \d\d:\d\d:\d\d$/);
    expect(await row.getByTestId('alarm-ack-button').isVisible()).toBe(false);
    await expect.poll(() => testId('alarm-count').getAttribute('data-count')).toBe('0');
    expect(stub.alarms.find((a) => a.id === id)?.acknowledgedBy).toBe('Ana');
    // Another technician's name is data too.
    expect(await page.locator('[data-testid="alarm-row"] [data-testid="alarm-ack"]', { hasText: 'Night shift <b>Bo</b>' }).count()).toBe(1);
    await page.screenshot({ path: artifactPath('console-alarms.png') });
  });

  it('shows the server health', async () => {
    await testId('nav-server').click();
    await expect.poll(() => testId('health-readings').textContent()).toMatch(/\/s$/);
    expect(await testId('health-mode').textContent()).toBe('InfluxDB v1');
    expect(await testId('health-summary').getAttribute('data-state')).toBe('ok');
    expect(await testId('health-wall-list').locator('li').count()).toBe(2);
  });

  it("shows each booth's budget refusals in words, booth names as text, only booths held back", async () => {
    await testId('nav-server').click();
    const booths = page.getByTestId('health-budget-booth');
    await expect.poll(() => booths.count()).toBe(1);
    expect(await booths.first().getAttribute('data-booth')).toBe('hall-b');
    expect(await booths.first().getByTestId('health-budget-refusal').allTextContents()).toEqual([
      'Hall <b>B</b> (hall-b): 1,234 readings refused (series budget)',
      'Hall <b>B</b> (hall-b): 95 devices evicted (devices per booth)',
      'Hall <b>B</b> (hall-b): 7 alarm raises refused (open-alarms budget)',
      'Hall <b>B</b> (hall-b): 2 refused (future-reason)',
    ]);
    expect(await booths.first().textContent()).toContain('series 5,000 / 5,000');
    expect(await page.locator('[data-testid="health-budgets"] b').count()).toBe(0);
    await testId('health-budgets').screenshot({ path: artifactPath('console-budgets.png') });
  });

  it('goes back to the login form when the session is gone', async () => {
    stub.endSessions();
    await expect.poll(() => testId('login-view').isVisible(), { timeout: 10_000 }).toBe(true);
    expect(await testId('login-note').textContent()).toBe('Your session has ended. Log in again.');
    const requestsAfter = stub.requests.length;
    await page.waitForTimeout(2_500);
    // Stopped polling: at most the requests already in flight when the 401 came.
    expect(stub.requests.length - requestsAfter).toBeLessThanOrEqual(2);
  });

  it('ran under the production Content-Security-Policy without a violation or a script error', async () => {
    expect(cspHeader).toContain("script-src 'self'");
    expect(cspHeader).not.toContain('unsafe-inline');
    expect(await page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations)).toEqual([]);
    // Failed requests (401 before login) are the console's expected answers, not errors in the page.
    expect(pageErrors.filter((text) => !/status of 401/.test(text))).toEqual([]);
  });
});
