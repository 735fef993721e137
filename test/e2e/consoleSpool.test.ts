/**
 * The console's Server tab and Alarms list while storage is behind (issue 13, Visible), in Chromium
 * against the real server: InfluxDB refuses writes (a relay answering 503), so the spool holds a
 * backlog; the Spool card shows every figure the server keeps (readings sent from memory and
 * acknowledged before on disk included), and the storage-backlog alarm is in the list to acknowledge.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { artifactPath, describeWithChromium, launchChromium } from '../support/chromium';
import { CONSOLE_PASSWORD, consoleYaml } from '../support/console';
import { startInfluxd, type InfluxdProcess } from '../support/influxd';
import { influxWriteGate, type InfluxWriteGate } from '../support/influxWriteGate';
import { BOOTH_A, connectDevice, startTestShowfloor, type TestShowfloor } from '../support/showfloor';

describeWithChromium('the console while storage is behind', () => {
  let influxd: InfluxdProcess;
  let gate: InfluxWriteGate;
  let dir: string;
  let showfloor: TestShowfloor;
  let device: MqttClient;
  let browser: Browser;
  let page: Page;
  const testId = (id: string) => page.getByTestId(id);
  const spoolFact = (key: string) => testId('health-spool').getByTestId(`health-${key}`);

  beforeAll(async () => {
    influxd = await startInfluxd();
    gate = influxWriteGate(influxd.url);
    await new Promise<void>((resolve) => gate.server.listen(0, '127.0.0.1', resolve));
    dir = await mkdtemp(join(tmpdir(), 'showfloor-console-spool-'));
    showfloor = await startTestShowfloor({
      booths: [BOOTH_A],
      influxUrl: gate.url(),
      database: 'console_spool',
      yaml: `${consoleYaml()}storage:\n  spoolDir: ${JSON.stringify(join(dir, 'spool'))}\n  syncIntervalMs: 5\n  degradedBacklogSeconds: 1\n`,
    });
    gate.refuseWrites = true;
    device = await connectDevice(showfloor.mqttUrl, BOOTH_A);
    for (let seq = 0; seq < 20; seq++) await device.publishAsync(`booth/${BOOTH_A.id}/env-1/telemetry`, JSON.stringify({ seq }), { qos: 1 });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  });

  afterAll(async () => {
    device?.end(true);
    await browser?.close();
    await showfloor?.close();
    await new Promise((resolve) => gate?.server.close(resolve));
    gate?.server.closeAllConnections();
    await influxd?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('shows every spool figure on the Server tab', async () => {
    await page.goto(`${showfloor.httpUrl}/console`);
    await testId('login-name').fill('Ana');
    await testId('login-password').fill(CONSOLE_PASSWORD);
    await testId('login-submit').click();
    await expect.poll(() => testId('app-view').isVisible()).toBe(true);
    await testId('nav-server').click();
    await expect.poll(() => spoolFact('unsent').textContent(), { timeout: 15_000 }).toMatch(/^\d+ readings$/);
    expect(Number((await spoolFact('unsent').textContent())!.split(' ')[0])).toBeGreaterThanOrEqual(20);
    expect(await spoolFact('size').textContent()).toMatch(/ · 8(\.0)? GiB · 1$/);
    expect(await spoolFact('oldest').textContent()).not.toMatch(/^none/);
    expect(await spoolFact('replay').textContent()).toBe('none: the start found nothing left unsent');
    expect(await spoolFact('dropped').textContent()).toBe('0 · 0 · 0 · 0');
    expect(await spoolFact('notSpooled').textContent()).toBe('0 readings');
    expect(await spoolFact('early').textContent()).toBe('0 readings');
    // The broker's hold: acknowledgements waiting for the disk now (none between publishes on a healthy disk).
    expect(await testId('health-held').textContent()).toBe('0');
    await expect.poll(() => testId('health-summary').textContent(), { timeout: 15_000 }).toMatch(/^Storage behind: oldest reading not yet in InfluxDB/);
    await testId('health-spool').screenshot({ path: artifactPath('console-spool-behind.png') });
    await page.screenshot({ path: artifactPath('console-server-storage-behind.png') });
  });

  it('lists the storage-backlog alarm to acknowledge', async () => {
    await testId('nav-alarms').click();
    const row = page.locator('[data-testid="alarm-row"][data-alarm-id="storage-backlog/_server_/storage"]');
    await expect.poll(() => row.getAttribute('data-state'), { timeout: 15_000 }).toBe('active');
    expect(await row.getAttribute('data-severity')).toBe('warning');
    expect(await row.textContent()).toContain('Storage behind: oldest reading not yet in InfluxDB is');
    // About no device: no link to a device page that does not exist.
    expect(await row.getByTestId('alarm-device').textContent()).toBe('Server / storage');
    expect(await row.getByTestId('alarm-device').getAttribute('href')).toBeNull();
    // A screen reader hears what the row shows, not the internal booth id.
    expect(await row.getByTestId('alarm-ack-button').getAttribute('aria-label')).toBe('Acknowledge warning alarm on Server / storage');
    await row.getByTestId('alarm-ack-button').click();
    await expect.poll(() => row.getByTestId('alarm-ack').textContent()).toMatch(/^acknowledged by Ana at \d\d:\d\d:\d\d$/);
    await page.screenshot({ path: artifactPath('console-alarms-storage-behind.png') });
  });
});
