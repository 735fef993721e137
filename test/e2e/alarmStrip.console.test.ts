/**
 * The console side of issue 12's alarms, in Chromium: "Acknowledge all" acknowledges every active
 * alarm in one go (each row says who), and the wall's strip follows; a device's Forget (two clicks)
 * removes its tile and its alarm from a wall that is open, without a reload.
 * Screenshots: test-artifacts/alarm-strip-console-*.png.
 */
import type { MqttClient } from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { deviceTopic } from '../../contract/device';
import { artifactPath, describeWithChromium, launchChromium } from '../support/chromium';
import { CONSOLE_PASSWORD, consoleYaml } from '../support/console';
import { BOOTH_A, connectDevice, startTestShowfloor } from '../support/showfloor';

const OVENS = ['oven-1', 'oven-2', 'oven-3'];
const RULES = 'alarms:\n  - { id: heat, severity: warning, metric: heat, above: 90 }\n';

describeWithChromium('console: acknowledge all, and forget a device, in Chromium', () => {
  let showfloor: Awaited<ReturnType<typeof startTestShowfloor>>;
  let device: MqttClient;
  let timer: ReturnType<typeof setInterval>;
  let browser: Browser;
  let page: Page;
  let wall: Page;

  beforeAll(async () => {
    showfloor = await startTestShowfloor({ booths: [BOOTH_A], yaml: consoleYaml() + RULES });
    device = await connectDevice(showfloor.mqttUrl, BOOTH_A);
    const publish = () => {
      for (const oven of OVENS) device.publish(deviceTopic(BOOTH_A.id, oven, 'telemetry'), JSON.stringify({ heat: 99 }));
    };
    for (const oven of OVENS) device.publish(deviceTopic(BOOTH_A.id, oven, 'meta'), JSON.stringify({ name: `Oven ${oven.slice(-1)}` }), { qos: 1 });
    publish();
    timer = setInterval(publish, 1000);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    wall = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await wall.goto(showfloor.httpUrl);
  });

  afterAll(async () => {
    clearInterval(timer);
    device?.end(true);
    await browser?.close();
    await showfloor?.close();
  });

  it('acknowledges every active alarm with one button, and the wall strip says so', async () => {
    await page.goto(`${showfloor.httpUrl}/console`);
    await page.getByTestId('login-name').fill('Lin');
    await page.getByTestId('login-password').fill(CONSOLE_PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('nav-alarms').click();
    const rows = page.locator('[data-testid="alarm-row"]');
    await expect.poll(() => page.locator('[data-testid="alarm-row"][data-state="active"]').count(), { timeout: 15_000 }).toBe(3);
    const all = page.getByTestId('alarms-ack-all');
    expect(await all.textContent()).toBe('Acknowledge all 3 active');
    await all.click();
    await expect.poll(() => page.locator('[data-testid="alarm-row"][data-state="acknowledged"]').count(), { timeout: 10_000 }).toBe(3);
    for (const text of await rows.getByTestId('alarm-ack').allTextContents()) expect(text).toMatch(/^acknowledged by Lin at /);
    expect(await all.isHidden()).toBe(true);
    await page.screenshot({ path: artifactPath('alarm-strip-console-ack-all.png') });
    // The three are one group on the wall, acknowledged.
    const item = wall.locator('[data-testid="alarm-item"][data-condition="high"]');
    await expect.poll(() => item.textContent(), { timeout: 10_000 }).toContain('acknowledged');
    expect(await item.getAttribute('data-devices')).toBe('3');
  });

  it('forgets a device from its detail: the open wall drops its tile and counts it out of the alarm', async () => {
    await expect.poll(() => wall.locator('[data-testid="device-tile"][data-device="oven-2"]').count(), { timeout: 10_000 }).toBe(1);
    clearInterval(timer); // a device that keeps publishing would come straight back, as new
    await page.goto(`${showfloor.httpUrl}/console#/device/${BOOTH_A.id}/oven-2`);
    const forget = page.getByTestId('detail-forget');
    await forget.click();
    await expect.poll(() => forget.textContent()).toContain('Click again');
    await forget.click();
    await expect.poll(() => page.evaluate(() => location.hash)).toBe('#/devices');
    await expect.poll(() => wall.locator('[data-testid="device-tile"][data-device="oven-2"]').count(), { timeout: 10_000 }).toBe(0);
    await expect.poll(() => wall.locator('[data-testid="alarm-item"][data-condition="high"]').getAttribute('data-devices'), { timeout: 10_000 }).toBe('2');
    await wall.screenshot({ path: artifactPath('alarm-strip-console-forgotten-wall.png') });
  });
});
