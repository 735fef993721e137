/**
 * Issue 9, item 5: device-chosen names that Object.prototype also has. Booth A's device uses every
 * such name that is a valid metric name (constructor, toString, valueOf, …) in its meta (units for
 * some, expected ranges for all), its telemetry and a server alarm rule, and two more of its devices
 * are called "constructor" and "valueOf". An all-booths wall and the technician console must show
 * them as data, with no page error and no watchdog reload, while booth B's two range alarms stay on
 * the wall's strip. Before the fix the wall threw `units?.[t]?.trim is not a function` every frame.
 */
import { MAX_TILE_READINGS } from '../../web/wall/DeviceTile';
import type { MqttClient } from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { consoleMetricLabel } from '../../web/console/format';
import { deviceTopic, METRIC_PATTERN } from '../../contract/device';
import { artifactPath, describeWithChromium, launchChromium } from '../support/chromium';
import { CONSOLE_PASSWORD, consoleYaml } from '../support/console';
import { BOOTH_A, BOOTH_B, connectDevice, startTestShowfloor } from '../support/showfloor';
import { waitFor } from '../support/waitFor';

/** constructor, hasOwnProperty, isPrototypeOf, propertyIsEnumerable, toString, valueOf, toLocaleString. */
const NAMES = Object.getOwnPropertyNames(Object.prototype).filter((name) => METRIC_PATTERN.test(name));
/** Every other name gets a unit; the rest have none, which a wall must show as none, not as a function. */
const UNITS = new Map(NAMES.filter((_, i) => i % 2 === 0).map((name, i) => [name, `u${i}`]));
const PROBE = 'proto-probe';
/** Device ids that are prototype names too. */
const NAMED_DEVICES = ['constructor', 'valueOf'];
const FRIDGE = 'fridge-b';

const ALARM_RULES = `alarms:
  - id: proto-high
    severity: warning
    metric: constructor
    above: 1
`;

interface PageWatch {
  errors: string[];
  navigations: number;
}

function watch(page: Page): PageWatch {
  const watched: PageWatch = { errors: [], navigations: 0 };
  page.on('pageerror', (error) => watched.errors.push(error.message));
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) watched.navigations++;
  });
  return watched;
}

describeWithChromium('booth isolation: prototype property names as data, in Chromium', () => {
  let showfloor: Awaited<ReturnType<typeof startTestShowfloor>>;
  let deviceA: MqttClient;
  let deviceB: MqttClient;
  let timer: ReturnType<typeof setInterval>;
  let browser: Browser;
  let n = 0;

  beforeAll(async () => {
    showfloor = await startTestShowfloor({ booths: [BOOTH_A, BOOTH_B], yaml: consoleYaml() + ALARM_RULES });
    deviceA = await connectDevice(showfloor.mqttUrl, BOOTH_A);
    deviceB = await connectDevice(showfloor.mqttUrl, BOOTH_B);
    const expected = Object.fromEntries(NAMES.map((name) => [name, { max: 0 }]));
    deviceA.publish(
      deviceTopic(BOOTH_A.id, PROBE, 'meta'),
      // valueOf first on the tile (display order, itself keyed by a prototype name): the counter below reads it.
      JSON.stringify({ name: 'Proto probe', kind: 'probe', units: Object.fromEntries(UNITS), expected, intervalMs: 500, display: { valueOf: { order: 0 } } }),
      { qos: 1, retain: true },
    );
    for (const id of NAMED_DEVICES) {
      deviceA.publish(deviceTopic(BOOTH_A.id, id, 'meta'), JSON.stringify({ kind: 'probe', units: { level: '%' }, intervalMs: 500 }), { qos: 1, retain: true });
    }
    deviceB.publish(
      deviceTopic(BOOTH_B.id, FRIDGE, 'meta'),
      JSON.stringify({
        name: 'Fridge B',
        kind: 'fridge',
        units: { temperature: '°C', co2: 'ppm' },
        expected: { temperature: { max: 8 }, co2: { max: 1000 } },
        intervalMs: 500,
      }),
      { qos: 1, retain: true },
    );
    // Telemetry only once the server holds every meta: the alarm message names its unit when raised.
    await waitFor(
      () =>
        [PROBE, ...NAMED_DEVICES].every((id) => showfloor.state.directory.get(BOOTH_A.id, id)?.meta.units !== undefined) &&
        showfloor.state.directory.get(BOOTH_B.id, FRIDGE)?.meta.expected !== undefined,
    );
    const publish = (): void => {
      n++;
      // Every name above its range of max 0; valueOf counts up so a test can see the page keep up.
      const values = Object.fromEntries(NAMES.map((name) => [name, name === 'valueOf' ? n : 5]));
      deviceA.publish(deviceTopic(BOOTH_A.id, PROBE, 'telemetry'), JSON.stringify(values));
      for (const id of NAMED_DEVICES) deviceA.publish(deviceTopic(BOOTH_A.id, id, 'telemetry'), JSON.stringify({ level: 40 }));
      deviceB.publish(deviceTopic(BOOTH_B.id, FRIDGE, 'telemetry'), JSON.stringify({ temperature: 12, co2: 1500 }));
    };
    publish();
    timer = setInterval(publish, 500);
    browser = await launchChromium();
  });

  afterAll(async () => {
    clearInterval(timer);
    deviceA?.end(true);
    deviceB?.end(true);
    await browser?.close();
    await showfloor?.close();
  });

  it('an all-booths wall shows the names as metrics with their units, and booth B’s alarms in the strip', async () => {
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    const watched = watch(page);
    await page.goto(`${showfloor.httpUrl}/?scene=overview`);
    const probe = page.locator(`[data-testid="device-tile"][data-device="${PROBE}"]`);
    // A tile shows its first MAX_TILE_READINGS readings; the console's chips below list all of them.
    const shown = ['valueOf', ...NAMES.filter((name) => name !== 'valueOf')].slice(0, MAX_TILE_READINGS);
    await expect.poll(() => probe.locator('.readout').count(), { timeout: 15_000 }).toBe(shown.length);
    for (const id of NAMED_DEVICES) {
      await expect
        .poll(() => page.locator(`[data-testid="device-tile"][data-booth="${BOOTH_A.id}"][data-device="${id}"] .readout__unit`).textContent())
        .toBe('%');
    }

    // The page keeps up with at least six more readings: long enough for the old code to throw several times.
    const start = n;
    const counter = probe.locator('.readout[data-metric="valueOf"] [data-testid="metric-value"]');
    await expect.poll(async () => Number(await counter.getAttribute('data-value')), { timeout: 15_000 }).toBeGreaterThanOrEqual(start + 6);

    for (const name of shown) {
      const readout = probe.locator(`.readout[data-metric="${name}"]`);
      expect(await readout.locator('.readout__unit').textContent(), name).toBe(UNITS.get(name) ?? '');
      expect(await readout.getAttribute('data-alarm'), name).toBe('high');
      // Named for people like any metric (issue 12: "toString" reads "To string"), never Object.prototype's function.
      expect(await readout.locator('.readout__label').textContent(), name).toBe(consoleMetricLabel(name, undefined));
    }

    const strip = page.getByTestId('alarm-strip');
    for (const metric of ['temperature', 'co2']) {
      await expect
        .poll(() => strip.locator(`[data-testid="alarm-item"][data-key="range:${BOOTH_B.id}/${FRIDGE}:${metric}"]`).count(), { timeout: 10_000 })
        .toBe(1);
    }
    // Booth A's seven range alarms and its server alarm are there too: counted, some shown.
    expect(Number(await strip.getAttribute('data-count'))).toBeGreaterThanOrEqual(NAMES.length + 2);
    expect(await strip.getAttribute('data-state')).not.toBe('calm');
    expect(await page.locator('body').textContent()).not.toContain('[native code]');
    await page.screenshot({ path: artifactPath('boothIsolation-names-wall.png') });

    expect(watched.errors).toEqual([]);
    expect(watched.navigations).toBe(1);
    expect(await page.evaluate(() => localStorage.getItem('showfloor.wall.reloads'))).toBeNull();
    await page.close();
  });

  it('the console shows the names as metrics with their units, the devices named after them, and the alarm on constructor', async () => {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    const watched = watch(page);
    const testId = (id: string) => page.getByTestId(id);
    await page.goto(`${showfloor.httpUrl}/console`);
    await testId('login-name').fill('Ana');
    await testId('login-password').fill(CONSOLE_PASSWORD);
    await testId('login-submit').click();
    await expect.poll(() => testId('app-view').isVisible()).toBe(true);

    const rows = page.locator('[data-testid="device-row"]:not([hidden])');
    await expect.poll(async () => Number(await testId('device-table').getAttribute('data-total')), { timeout: 15_000 }).toBeGreaterThanOrEqual(4);
    for (const id of NAMED_DEVICES) {
      await testId('filter-text').fill(id);
      await expect.poll(async () => (await rows.evaluateAll((list) => list.map((row) => row.getAttribute('data-device')))).includes(id)).toBe(true);
    }
    await testId('filter-text').fill('');

    await page.goto(`${showfloor.httpUrl}/console#/device/${BOOTH_A.id}/${PROBE}`);
    await expect.poll(() => testId('device-detail').getAttribute('data-device'), { timeout: 15_000 }).toBe(PROBE);
    const chips = testId('metric-chips');
    await expect.poll(() => chips.locator('[data-testid="metric-chip"]').count(), { timeout: 15_000 }).toBe(NAMES.length);
    for (const name of NAMES) {
      const chip = chips.locator(`[data-testid="metric-chip"][data-metric="${name}"]`);
      expect(await chip.locator('.chip__name').textContent(), name).toBe(consoleMetricLabel(name, undefined));
      expect(await chip.getAttribute('title'), name).toBe(name);
      const unit = chip.locator('.chip__unit');
      const sent = UNITS.get(name);
      if (sent === undefined) expect(await unit.count(), name).toBe(0);
      else expect(await unit.textContent(), name).toBe(sent);
      await expect.poll(() => chip.locator('.chip__value').textContent(), { message: name }).toMatch(/^\d+$/);
    }
    expect(await page.locator('body').textContent()).not.toContain('[native code]');
    await page.screenshot({ path: artifactPath('boothIsolation-names-console-detail.png') });

    await testId('nav-alarms').click();
    const alarm = page.locator(`[data-testid="alarm-row"][data-alarm-id="proto-high/${BOOTH_A.id}/${PROBE}"]`);
    await expect.poll(() => alarm.getAttribute('data-state'), { timeout: 15_000 }).toBe('active');
    expect(await alarm.getByTestId('alarm-message').textContent()).toContain(`constructor above 1 ${UNITS.get('constructor') ?? ''}`);
    await page.screenshot({ path: artifactPath('boothIsolation-names-console-alarms.png') });

    expect(watched.errors).toEqual([]);
    await page.close();
  });
});
