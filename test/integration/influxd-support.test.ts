import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { describeWithChromium, launchChromium } from '../support/chromium';
import { describeWithInfluxd, startInfluxd, type InfluxdProcess } from '../support/influxd';

describeWithInfluxd('influxd test support', () => {
  let influxd: InfluxdProcess;

  beforeAll(async () => {
    influxd = await startInfluxd();
  });

  afterAll(async () => {
    await influxd?.dispose();
  });

  it('keeps written points across a stop and restart on the same port', async () => {
    await influxd.createDatabase('selftest');
    const lines = [
      'telemetry,device=booth-1 temperature=21.5 1700000000000',
      'telemetry,device=booth-1 temperature=22.0 1700000001000',
      'telemetry,device=booth-2 temperature=19.25 1700000000500',
    ].join('\n');
    const written = await fetch(`${influxd.url}/write?db=selftest&precision=ms`, { method: 'POST', body: lines });
    expect(written.status).toBe(204);

    const readBack = () => influxd.queryRows('SELECT temperature FROM telemetry GROUP BY device ORDER BY time', 'selftest');
    const expectedRows = [
      { device: 'booth-1', time: 1700000000000, temperature: 21.5 },
      { device: 'booth-1', time: 1700000001000, temperature: 22 },
      { device: 'booth-2', time: 1700000000500, temperature: 19.25 },
    ];
    expect(await readBack()).toEqual(expectedRows);

    const urlBefore = influxd.url;
    await influxd.stop();
    expect(influxd.running).toBe(false);
    await expect(fetch(`${urlBefore}/ping`)).rejects.toThrow();

    await influxd.restart();
    expect(influxd.url).toBe(urlBefore);
    expect(await readBack()).toEqual(expectedRows);
  });

  it('reports statement errors instead of returning them as data', async () => {
    await expect(influxd.query('SELECT * FROM telemetry', 'no_such_db')).rejects.toThrow(/database not found/);
  });
});

describeWithChromium('chromium test support', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('renders a data: URL and exposes its title', async () => {
    const page = await browser.newPage();
    await page.goto('data:text/html,<title>Showfloor self-test</title><h1>wall</h1>');
    expect(await page.title()).toBe('Showfloor self-test');
    await page.close();
  });
});
