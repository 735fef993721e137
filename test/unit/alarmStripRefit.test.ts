/**
 * The alarm strip refits (and rewrites "+N more") only when what it would write changed. That
 * includes the number of groups not shown: a new group ranking below the six shown leaves those six
 * as they were, yet "+1 more" must become "+2 more". And the calm/waiting state, which empties the line.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AlarmStrip, MAX_ALARMS_SHOWN } from '../../web/wall/panels/AlarmStrip';
import type { WallAlarm } from '../../web/wall/panels/rangeAlarms';
import { WallText } from '../../web/wall/wallText';
import { installFakeDocument, type FakeElement } from '../support/fakeDocument';

/** One group per metric: warnings, the higher `n` the older, so each new one ranks below the others. */
const alarm = (n: number): WallAlarm => ({
  key: `server:rule-${n}/a/lab@1`,
  severity: 'warning',
  booth: 'a',
  deviceName: 'Lab',
  metric: `metric_${n}`,
  text: 'above',
  since: 1_000_000 - n,
  condition: 'high',
  deviceKey: 'a/lab',
  detail: '',
});

const context = { model: { devices: () => [], size: 1 }, text: new WallText('en'), serverNow: 1_000_000 } as unknown as Parameters<AlarmStrip['render']>[0];

describe('alarm strip refit', () => {
  let undo: () => void;
  beforeEach(() => {
    undo = installFakeDocument();
  });
  afterEach(() => undo());

  it('recounts "+N more" when a group ranking below those shown comes or goes', () => {
    const strip = new AlarmStrip();
    const element = strip.element as unknown as FakeElement;
    const more = () => element.findAll('testid', 'alarm-more')[0]?.textContent;
    const items = () => element.findAll('testid', 'alarm-item').length;
    const alarms = Array.from({ length: MAX_ALARMS_SHOWN + 1 }, (_, i) => alarm(i));

    strip.render(context, alarms);
    expect([items(), more()]).toEqual([MAX_ALARMS_SHOWN, '+1 more']);
    strip.render(context, [...alarms, alarm(MAX_ALARMS_SHOWN + 1)]);
    expect([items(), more()]).toEqual([MAX_ALARMS_SHOWN, '+2 more']);
    strip.render(context, alarms.slice(0, MAX_ALARMS_SHOWN));
    expect([items(), more()]).toEqual([MAX_ALARMS_SHOWN, '']);
  });

  it('clears the line when the alarms end', () => {
    const strip = new AlarmStrip();
    const element = strip.element as unknown as FakeElement;
    strip.render(context, [alarm(0)]);
    expect(element.findAll('testid', 'alarm-item')).toHaveLength(1);
    strip.render(context, []);
    expect([element.findAll('testid', 'alarm-item').length, element.dataset['state']]).toEqual([0, 'calm']);
  });
});
