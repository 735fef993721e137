/**
 * The technician console against the real server, in Chromium: a wrong password refused, log in,
 * find a device by filter, open its detail, see an hour of history from InfluxDB, acknowledge the
 * alarm a config rule raised on it, and see that alarm on the wall's strip, acknowledged.
 */
import type { MqttClient } from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { deviceTopic } from '../../contract/device';
import { startSimulatedBooth, type SimulatedBooth } from '../../simulators/booth';
import { artifactPath, describeWithChromium, launchChromium } from '../support/chromium';
import { CONSOLE_PASSWORD, consoleYaml } from '../support/console';
import { startInfluxd, type InfluxdProcess } from '../support/influxd';
import { BOOTH_A, connectDevice, startTestShowfloor } from '../support/showfloor';

const DEVICE = 'hall-co2-07';
const HOSTILE_DEVICE = 'evil-07';
const HOSTILE = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';

const ALARM_RULES = `alarms:
  - id: co2-high
    severity: critical
    metric: co2
    above: 1200
    forSeconds: 1
    clearAt: 1100
`;

describeWithChromium('technician console in Chromium', () => {
  let influxd: InfluxdProcess;
  let showfloor: Awaited<ReturnType<typeof startTestShowfloor>>;
  let simulators: SimulatedBooth;
  let device: MqttClient;
  let timer: ReturnType<typeof setInterval>;
  let browser: Browser;
  let page: Page;
  const testId = (id: string) => page.getByTestId(id);

  beforeAll(async () => {
    influxd = await startInfluxd();
    showfloor = await startTestShowfloor({ booths: [BOOTH_A], influxUrl: influxd.url, database: 'console_e2e', yaml: consoleYaml() + ALARM_RULES });
    simulators = startSimulatedBooth({ url: showfloor.mqttUrl, booth: BOOTH_A.id, password: BOOTH_A.password, devices: 8, rate: 1, seed: 3 });
    device = await connectDevice(showfloor.mqttUrl, BOOTH_A, { clientId: `${BOOTH_A.id}-${DEVICE}` });
    device.publish(
      deviceTopic(BOOTH_A.id, DEVICE, 'meta'),
      JSON.stringify({ name: 'Hall CO₂ 07', kind: 'env-sensor', intervalMs: 1000, units: { co2: 'ppm' } }),
      { qos: 1, retain: true },
    );
    // An hour of history, one reading a minute, then live readings above the alarm threshold.
    const now = Date.now();
    for (let minute = 60; minute >= 1; minute--) {
      device.publish(deviceTopic(BOOTH_A.id, DEVICE, 'telemetry'), JSON.stringify({ ts: now - minute * 60_000, co2: 600 + 5 * minute }), { qos: 1 });
    }
    timer = setInterval(() => device.publish(deviceTopic(BOOTH_A.id, DEVICE, 'telemetry'), JSON.stringify({ ts: Date.now(), co2: 1350 })), 1000);
    // Every free-text field a device controls, and a refused payload, all hostile.
    device.publish(
      deviceTopic(BOOTH_A.id, HOSTILE_DEVICE, 'meta'),
      JSON.stringify({ name: HOSTILE, firmware: HOSTILE, kind: 'env-sensor', units: { co2: HOSTILE } }),
      { qos: 1, retain: true },
    );
    device.publish(deviceTopic(BOOTH_A.id, HOSTILE_DEVICE, 'telemetry'), JSON.stringify({ co2: 1500 }), { qos: 1 });
    device.publish(deviceTopic(BOOTH_A.id, HOSTILE_DEVICE, 'telemetry'), `{"co2": "${HOSTILE.replaceAll('"', "'")}"`, { qos: 1 });
    await simulators.ready();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  });

  afterAll(async () => {
    clearInterval(timer);
    device?.end(true);
    await browser?.close();
    await simulators?.stop();
    await showfloor?.close();
    await influxd?.dispose();
  });

  it('refuses a wrong password, then logs in', async () => {
    await page.goto(`${showfloor.httpUrl}/console`);
    await expect.poll(() => testId('login-view').isVisible()).toBe(true);
    await testId('login-name').fill('Ana');
    await testId('login-password').fill('not-the-password');
    await testId('login-submit').click();
    await expect.poll(() => testId('login-error').textContent()).toBe('Wrong password');

    await testId('login-password').fill(CONSOLE_PASSWORD);
    await testId('login-submit').click();
    await expect.poll(() => testId('app-view').isVisible()).toBe(true);
    await expect.poll(() => testId('session-name').textContent()).toContain('Ana');
  });

  it('finds a device by filter and opens its detail with an hour of history', async () => {
    await expect.poll(async () => Number(await testId('device-table').getAttribute('data-total')), { timeout: 15_000 }).toBeGreaterThanOrEqual(9);
    await testId('filter-text').fill('co2-07');
    const rows = page.locator('[data-testid="device-row"]:not([hidden])');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().getAttribute('data-device')).toBe(DEVICE);
    await rows.first().getByTestId('device-link').click();

    await expect.poll(() => testId('device-detail').getAttribute('data-device')).toBe(DEVICE);
    await testId('range-1h').click();
    const chart = testId('history-chart');
    await expect.poll(() => chart.getAttribute('data-state'), { timeout: 15_000 }).toBe('ready');
    // Sixty readings a minute apart, plus the live ones: all from InfluxDB, one bucket per pixel.
    await expect.poll(async () => Number(await chart.getAttribute('data-points')), { timeout: 15_000 }).toBeGreaterThanOrEqual(55);
    const requested = Number(await chart.getAttribute('data-requested-points'));
    expect(requested).toBeGreaterThanOrEqual(50);
    await page.screenshot({ path: artifactPath('console-detail.png') });
  });

  it('acknowledges the alarm the rule raised, and the wall shows it acknowledged', async () => {
    await testId('nav-alarms').click();
    const row = page.locator(`[data-testid="alarm-row"][data-alarm-id="co2-high/${BOOTH_A.id}/${DEVICE}"]`);
    await expect.poll(() => row.getAttribute('data-state'), { timeout: 15_000 }).toBe('active');
    expect(await row.getAttribute('data-severity')).toBe('critical');
    await row.getByTestId('alarm-ack-button').click();
    await expect.poll(() => row.getByTestId('alarm-ack').textContent()).toMatch(/^acknowledged by Ana at \d\d:\d\d:\d\d$/);
    await page.screenshot({ path: artifactPath('console-alarms.png') });

    const wall = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await wall.goto(showfloor.httpUrl);
    const item = wall.locator(`[data-testid="alarm-item"][data-key^="server:co2-high/${BOOTH_A.id}/${DEVICE}@"]`);
    await expect.poll(() => item.textContent(), { timeout: 15_000 }).toContain('acknowledged');
    expect(await item.getAttribute('data-severity')).toBe('critical');
    await wall.close();
  });

  it('shows a hostile device as text on the table, its detail, the alarms and the server page', async () => {
    const injected = (): Promise<{ elements: number; pwned: unknown }> =>
      page.evaluate(() => ({
        elements: document.querySelectorAll('[data-testid="app-view"] img, [data-testid="app-view"] script').length,
        pwned: (window as unknown as { __pwned?: unknown }).__pwned,
      }));
    await testId('nav-devices').click();
    await testId('filter-text').fill('');
    // Found by its numbers first: it is the one device with a rejected message.
    await testId('filter-problem').selectOption('errors');
    await expect.poll(() => page.locator('[data-testid="device-row"]:not([hidden])').count()).toBe(1);
    await testId('filter-text').fill(HOSTILE_DEVICE);
    const row = page.locator('[data-testid="device-row"]:not([hidden])');
    await expect.poll(() => row.count()).toBe(1);
    await expect.poll(() => row.first().textContent()).toContain('<img src=x');
    expect(await injected()).toEqual({ elements: 0, pwned: undefined });

    await row.first().getByTestId('device-link').click();
    await expect.poll(() => testId('detail-name').textContent()).toContain('<img src=x');
    await expect.poll(() => testId('detail-rejections').textContent(), { timeout: 10_000 }).toContain('<img src=x');
    await expect.poll(() => testId('detail-payloads').textContent()).toContain('<script>');
    expect(await injected()).toEqual({ elements: 0, pwned: undefined });

    await testId('nav-alarms').click();
    await expect
      .poll(() => page.locator(`[data-testid="alarm-row"][data-alarm-id="co2-high/${BOOTH_A.id}/${HOSTILE_DEVICE}"]`).count(), { timeout: 15_000 })
      .toBe(1);
    await testId('nav-server').click();
    await expect.poll(() => testId('server-view').isVisible()).toBe(true);
    expect(await injected()).toEqual({ elements: 0, pwned: undefined });
  });
});
