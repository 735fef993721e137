/**
 * The wall in Chromium through the things a show floor does to it: its own network drops while
 * the server carries on, the server restarts under it, and a device goes quiet. Each time the page
 * must say so in words and, once back, show charts without a hole the data does not have.
 */
import type { Browser, Page } from 'playwright-core';
import type { MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { deviceTopic } from '../../contract/device';
import { freePorts } from '../../server/net/freePorts';
import { artifactPath, describeWithChromium, launchChromium } from '../support/chromium';
import { startInfluxd, type InfluxdProcess } from '../support/influxd';
import { BOOTH_A, connectDevice, getJson, startTestShowfloor, type TestShowfloorOptions } from '../support/showfloor';
import { startTcpProxy, type TcpProxy } from '../support/tcpProxy';
import { waitFor } from '../support/waitFor';

const INTERVAL_MS = 500;
/** Longer than the 5 s after which a 500 ms device's line would show a break. */
const OUTAGE_READINGS = 14;

type RunningShowfloor = Awaited<ReturnType<typeof startTestShowfloor>>;

/** A device that publishes every INTERVAL_MS with its own timestamps, QoS 1, and keeps them while offline. */
class BufferingDevice {
  published = 0;
  private timer: ReturnType<typeof setInterval> | undefined;
  constructor(
    private readonly client: MqttClient,
    private readonly device: string,
  ) {}

  start(): void {
    this.client.publish(
      deviceTopic(BOOTH_A.id, this.device, 'meta'),
      JSON.stringify({ name: `Sensor ${this.device}`, intervalMs: INTERVAL_MS, units: { level: '%' } }),
      { qos: 1, retain: true },
    );
    this.timer = setInterval(() => {
      this.published++;
      const level = 50 + 10 * Math.sin(this.published / 5);
      this.client.publish(deviceTopic(BOOTH_A.id, this.device, 'telemetry'), JSON.stringify({ ts: Date.now(), level }), { qos: 1 });
    }, INTERVAL_MS);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

async function acceptedBy(showfloor: RunningShowfloor, device: string): Promise<number> {
  const { body } = await getJson<{ devices: { device: string; accepted: number }[] }>(`${showfloor.httpUrl}/api/devices`);
  return body.devices.find((d) => d.device === device)?.accepted ?? 0;
}

async function connectionLabel(page: Page, text: string): Promise<void> {
  const label = page.locator('[data-testid="connection-label"]');
  await page
    .waitForFunction((t) => document.querySelector('[data-testid="connection-label"]')?.textContent === t, text, { timeout: 30_000 })
    .catch(async (error: Error) => {
      throw new Error(`${error.message}; wanted "${text}", the label says "${await label.textContent()}"`);
    });
}

/** The first metric's chart of `device` holds at least `points` points and no break in its line. */
async function chartWithoutGaps(page: Page, device: string, points: number): Promise<unknown> {
  const chart = page.locator(`[data-testid="device-tile"][data-device="${device}"] [data-testid="device-chart"]`);
  return page
    .waitForFunction(
      ([d, n]) => {
        const chart = document.querySelector<HTMLElement>(`[data-testid="device-tile"][data-device="${d}"] [data-testid="device-chart"]`);
        return chart?.dataset['gaps'] === '0' && Number(chart.dataset['points']) >= Number(n);
      },
      [device, points] as const,
      { timeout: 20_000 },
    )
    .catch(async (error: Error) => {
      const seen = await chart.evaluate((e) => JSON.stringify((e as HTMLElement).dataset)).catch(() => 'no chart');
      throw new Error(`${error.message}; wanted ${points} points without gaps, chart has ${seen}`);
    });
}

describeWithChromium('wall resilience in Chromium', () => {
  let influxd: InfluxdProcess;
  let browser: Browser;
  let showfloor: RunningShowfloor | undefined;
  let proxy: TcpProxy | undefined;
  const clients: MqttClient[] = [];
  const devices: BufferingDevice[] = [];

  beforeAll(async () => {
    influxd = await startInfluxd();
    browser = await launchChromium();
  });

  afterEach(async () => {
    for (const device of devices.splice(0)) device.stop();
    for (const client of clients.splice(0)) client.end(true);
    await proxy?.close();
    proxy = undefined;
    await showfloor?.close();
    showfloor = undefined;
  });

  afterAll(async () => {
    await browser?.close();
    await influxd?.dispose();
  });

  async function startDevice(options: { url: string; device: string; reconnect?: boolean }): Promise<BufferingDevice> {
    const client = await connectDevice(options.url, BOOTH_A, { clientId: `${BOOTH_A.id}-${options.device}`, reconnectPeriod: options.reconnect ? 200 : 0 });
    clients.push(client);
    const device = new BufferingDevice(client, options.device);
    devices.push(device);
    device.start();
    return device;
  }

  it('says Reconnecting… through its own network drop and fills the gap from the live window', async () => {
    showfloor = await startTestShowfloor({ booths: [BOOTH_A] });
    proxy = await startTcpProxy(showfloor.httpPort);
    await startDevice({ url: showfloor.mqttUrl, device: 'drop-01' });
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await page.goto(proxy.url);
    await connectionLabel(page, 'Live');
    await chartWithoutGaps(page, 'drop-01', 4);

    proxy.cut();
    await connectionLabel(page, 'Reconnecting…');
    const before = await acceptedBy(showfloor, 'drop-01');
    const running = showfloor;
    await waitFor(async () => (await acceptedBy(running, 'drop-01')) >= before + OUTAGE_READINGS, {
      timeoutMs: 20_000,
      what: 'readings while the wall is cut off',
    });
    await page.screenshot({ path: artifactPath('wall-network-drop.png') });

    proxy.restore();
    await connectionLabel(page, 'Live');
    await chartWithoutGaps(page, 'drop-01', before + OUTAGE_READINGS);
    await page.close();
  });

  it('says Reconnecting… while the server restarts, then Live with the readings the device kept', async () => {
    const [httpPort, mqttPort] = await freePorts(2);
    const options: TestShowfloorOptions = { booths: [BOOTH_A], influxUrl: influxd.url, database: 'resilience', httpPort, mqttPort };
    showfloor = await startTestShowfloor(options);
    const device = await startDevice({ url: showfloor.mqttUrl, device: 'restart-01', reconnect: true });
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await page.goto(showfloor.httpUrl);
    await connectionLabel(page, 'Live');
    await chartWithoutGaps(page, 'restart-01', 4);

    await showfloor.close();
    showfloor = undefined;
    await connectionLabel(page, 'Reconnecting…');
    const publishedAtStop = device.published;
    await waitFor(() => device.published >= publishedAtStop + OUTAGE_READINGS, { timeoutMs: 20_000, what: 'readings kept by the device' });

    showfloor = await startTestShowfloor(options);
    await connectionLabel(page, 'Live');
    // Everything from before the stop (warmed up from InfluxDB) and through it (replayed by the device).
    await chartWithoutGaps(page, 'restart-01', publishedAtStop + OUTAGE_READINGS);
    await page.close();
  });

  it('marks a device that goes quiet as stale, with the age of its last reading', async () => {
    showfloor = await startTestShowfloor({ booths: [BOOTH_A] });
    const device = await startDevice({ url: showfloor.mqttUrl, device: 'quiet-01' });
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await page.goto(showfloor.httpUrl);
    const tile = page.locator('[data-testid="device-tile"][data-device="quiet-01"]');
    await page.waitForFunction(() => document.querySelector('[data-device="quiet-01"]')?.getAttribute('data-freshness') === 'live');

    device.stop();
    const stoppedAt = Date.now();
    await page.waitForFunction(() => document.querySelector('[data-device="quiet-01"]')?.getAttribute('data-freshness') === 'stale', undefined, {
      timeout: 15_000,
    });
    // Stale after 3 missed intervals with a 5 s floor: not before, and within a tick or two of it.
    expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(4_000);
    expect(await tile.locator('[data-testid="device-status"]').textContent()).toBe('Stale');
    expect(await tile.locator('[data-testid="device-age"]').textContent()).toMatch(/^last update \d+ s ago$/);
    await page.close();
  });
});
