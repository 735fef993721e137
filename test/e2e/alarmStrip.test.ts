/**
 * The public alarm strip with a real booth's trouble (issue 12): 50 devices, 28 of them offline
 * (an offline rule put on walls with `audience: everyone`), three with CO₂ high and one with a low
 * temperature. In Chromium at 1080p and portrait, in en, zh and both: the strip is ONE line
 * (every item on the same row, the strip no taller than one item plus its padding), nothing in it
 * is cut off, the offline devices are one item that counts them, and the single-device item keeps
 * its device's name; in portrait with both languages at least two groups share the line (the
 * offline one and CO₂ high, in the compact form "28 offline · 离线"). Before a wall has any device it claims nothing ("All readings in range").
 * Screenshots: test-artifacts/alarm-strip-*.png.
 */
import type { MqttClient } from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { deviceTopic } from '../../contract/device';
import { artifactPath, describeWithChromium, launchChromium } from '../support/chromium';
import { BOOTH_A, BOOTH_B, connectDevice, startTestShowfloor } from '../support/showfloor';

const DEVICES = 50;
const OFFLINE = 28;
const CO2_HIGH = 3;
const RULES = 'alarms:\n  - { id: gone, severity: critical, offlineForSeconds: 1, audience: everyone }\n';
const SCREENS = [
  { name: '1080p', width: 1920, height: 1080 },
  { name: 'portrait', width: 1080, height: 1920 },
];
const OFFLINE_TEXT = { en: `${OFFLINE} devices offline`, zh: `${OFFLINE} 台设备离线` };
const COLD = 'Cold room by the loading dock';

const id = (i: number) => `env-${String(i).padStart(2, '0')}`;

interface StripMeasure {
  stripHeight: number;
  itemHeight: number;
  tops: number[];
  clipped: string[];
  texts: string[];
  more: string;
  state: string | null;
  text: string;
}

async function measure(page: Page): Promise<StripMeasure> {
  return page.evaluate(() => {
    const strip = document.querySelector<HTMLElement>('[data-testid="alarm-strip"]')!;
    const list = strip.querySelector<HTMLElement>('.alarm-strip__items')!;
    const items = [...strip.querySelectorAll<HTMLElement>('[data-testid="alarm-item"]')];
    const listBox = list.getBoundingClientRect();
    return {
      stripHeight: strip.getBoundingClientRect().height,
      itemHeight: Math.max(0, ...items.map((i) => i.getBoundingClientRect().height)),
      tops: items.map((i) => Math.round(i.getBoundingClientRect().top)),
      // An item past the list's edge would be hidden by its overflow: cut off, not shown.
      clipped: items.filter((i) => i.getBoundingClientRect().right > listBox.right + 1).map((i) => i.textContent ?? ''),
      texts: items.map((i) => i.textContent ?? ''),
      more: strip.querySelector('[data-testid="alarm-more"]')?.textContent ?? '',
      state: strip.getAttribute('data-state'),
      text: strip.textContent ?? '',
    };
  });
}

describeWithChromium('alarm strip: one line with 28 of 50 devices offline, in Chromium', () => {
  let showfloor: Awaited<ReturnType<typeof startTestShowfloor>>;
  let client: MqttClient;
  let browser: Browser;

  beforeAll(async () => {
    showfloor = await startTestShowfloor({ booths: [BOOTH_A, BOOTH_B], yaml: RULES });
    client = await connectDevice(showfloor.mqttUrl, BOOTH_A);
    const publish = (device: string, leaf: 'meta' | 'telemetry' | 'status', body: unknown) =>
      client.publishAsync(deviceTopic(BOOTH_A.id, device, leaf), typeof body === 'string' ? body : JSON.stringify(body), { qos: 1 });
    for (let i = 1; i <= DEVICES; i++) {
      const name = i === DEVICES ? COLD : `Environment sensor ${String(i).padStart(2, '0')}`;
      await publish(id(i), 'meta', { name, units: { co2: 'ppm', temperature: '°C' }, expected: { co2: { max: 1000 }, temperature: { min: 2, max: 30 } } });
      const co2 = i <= CO2_HIGH ? 1500 : 600;
      await publish(id(i), 'telemetry', { co2, temperature: i === DEVICES ? -5 : 21 });
    }
    // The last 28 before the cold room say they are going away.
    for (let i = DEVICES - OFFLINE; i < DEVICES; i++) await publish(id(i), 'status', 'offline');
    browser = await launchChromium();
  });

  afterAll(async () => {
    client?.end(true);
    await browser?.close();
    await showfloor?.close();
  });

  it('says nothing is wrong only once it has devices to say it about', async () => {
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    // Booth B has no device: nothing to judge, so no "All readings in range".
    await page.goto(`${showfloor.httpUrl}/?booth=${BOOTH_B.id}`);
    await page.waitForSelector('[data-testid="alarm-strip"][data-state]', { state: 'attached' });
    await expect.poll(() => page.locator('[data-testid="connection"]').getAttribute('data-state'), { timeout: 10_000 }).toBe('live');
    const seen = await measure(page);
    expect(seen.state).toBe('waiting');
    expect(seen.text).not.toContain('All readings in range');
    await page.close();
  });

  for (const screen of SCREENS) {
    for (const lang of ['en', 'zh', 'both'] as const) {
      it(`is one line at ${screen.name} in ${lang}: offline devices counted once, names kept where they fit`, async () => {
        const page = await browser.newPage({ viewport: { width: screen.width, height: screen.height } });
        await page.goto(`${showfloor.httpUrl}/?booth=${BOOTH_A.id}&lang=${lang}`);
        const offlineText = lang === 'zh' ? OFFLINE_TEXT.zh : OFFLINE_TEXT.en;
        // With both languages the offline group may take the compact form "28 offline · 离线".
        await expect
          .poll(async () => (await measure(page)).text, { timeout: 20_000 })
          .toMatch(lang === 'both' ? /28 (devices )?offline/ : new RegExp(offlineText));
        const seen = await measure(page);
        await page.screenshot({ path: artifactPath(`alarm-strip-${screen.name}-${lang}.png`) });

        expect(seen.texts.length).toBeGreaterThanOrEqual(1);
        expect(new Set(seen.tops).size, `items on several rows: ${seen.texts.join(' | ')}`).toBe(1);
        // One line: the strip is an item's height plus its padding and border, never two items tall.
        expect(seen.stripHeight).toBeLessThan(seen.itemHeight * 1.9);
        expect(seen.clipped).toEqual([]);
        // The 28 are one item, not 28 (nor six and "+22 more"); with both languages it may take the
        // compact form "28 offline · 离线" to leave room for a second group.
        const offlineItems = seen.texts.filter((t) => (lang === 'both' ? /\b28 (devices )?offline\b/.test(t) && t.includes('离线') : t.includes(offlineText)));
        expect(offlineItems, seen.texts.join(' | ')).toHaveLength(1);
        expect(seen.texts.filter((t) => t.includes('Environment sensor 3'))).toEqual([]);
        if (lang === 'both' && screen.name === 'portrait') {
          // Issue 12: portrait with both languages showed the first group only, beside "+2 more".
          expect(seen.texts.length, seen.texts.join(' | ')).toBeGreaterThanOrEqual(2);
          const co2 = seen.texts.filter((t) => t.includes('CO₂ high') && t.includes('二氧化碳偏高'));
          expect(co2, seen.texts.join(' | ')).toHaveLength(1);
          expect(co2[0]).toMatch(/\b3\b/);
        }
        // Whatever did not fit is counted, never dropped silently: 3 groups in all.
        const groups = 3;
        const hidden = groups - seen.texts.length;
        if (hidden > 0) expect(seen.more).toMatch(new RegExp(String(hidden)));
        // The one device with a low temperature keeps its name wherever its item is shown.
        const cold = seen.texts.find((t) => t.includes('temperature'));
        if (cold !== undefined) expect(cold).toContain(COLD);
        await page.close();
      });
    }
  }
});
