import { describe, expect, it } from 'vitest';
import type { WallAlarmNotice } from '../../contract/console';
import { MAX_SERVER_ALARMS, serverAlarmItems } from '../../web/wall/panels/serverAlarms';
import { sortAlarms } from '../../web/wall/panels/rangeAlarms';
import { WallModel } from '../../web/wall/WallModel';
import { WallText } from '../../web/wall/wallText';

const notice = (over: Partial<WallAlarmNotice> = {}): WallAlarmNotice => ({
  id: 'co2-high/booth-a/env-01',
  severity: 'warning',
  booth: 'booth-a',
  device: 'env-01',
  metric: 'co2',
  state: 'active',
  message: 'co2 above 1200 ppm for 30 s (1350 ppm)',
  raisedAt: 1_000,
  value: 1350,
  condition: 'above',
  ...over,
});

describe('server alarms on the wall', () => {
  const model = new WallModel({ windowMs: 60_000 });
  model.applySnapshot({
    serverTime: 2_000,
    windowMs: 60_000,
    booths: [{ id: 'booth-a', name: 'A' }],
    devices: [
      {
        booth: 'booth-a',
        device: 'env-01',
        meta: { name: 'Hall sensor' },
        presence: { state: 'online', since: 0, reason: 'status' },
        lastSeen: 1_900,
        latest: {},
        series: [],
      },
    ],
  });

  it('become strip items named after the device, keyed per raise', () => {
    const [item] = serverAlarmItems([notice()], model, new WallText('en'));
    expect(item).toEqual({
      key: 'server:co2-high/booth-a/env-01@1000',
      severity: 'warning',
      booth: 'booth-a',
      deviceName: 'Hall sensor',
      metric: 'co2',
      metricLabels: { en: 'CO₂', zh: '二氧化碳' },
      text: 'co2 above 1200 ppm for 30 s (1350 ppm)',
      since: 1_000,
      condition: 'high',
      deviceKey: 'booth-a/env-01',
      detail: '',
      acknowledged: false,
    });
  });

  it('say when someone acknowledged them, and keep critical apart from the rest', () => {
    const items = serverAlarmItems(
      [notice({ state: 'acknowledged', severity: 'info' }), notice({ id: 'off', severity: 'critical', device: 'gone-01', metric: null, raisedAt: 500 })],
      model,
      new WallText('zh'),
    );
    // A Chinese wall does not show the server's English message: its words come from the structured fields.
    expect(items[0]).toMatchObject({ severity: 'warning', metricLabels: { en: 'CO₂', zh: '二氧化碳' }, text: '1,350 ppm · 已确认' });
    expect(items[1]).toMatchObject({ severity: 'critical', deviceName: 'gone-01', metric: '', text: '离线' });
    expect(items[0]).toMatchObject({ acknowledged: true, detail: '已确认' });
    expect(sortAlarms(items)[0]?.severity).toBe('critical');
  });

  it('holds no more than it can show', () => {
    const many = Array.from({ length: MAX_SERVER_ALARMS + 50 }, (_, i) => notice({ id: `r/${i}` }));
    expect(serverAlarmItems(many, model, new WallText('en'))).toHaveLength(MAX_SERVER_ALARMS);
  });
});
