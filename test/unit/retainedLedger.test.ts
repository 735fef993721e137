import { describe, expect, it } from 'vitest';
import { RetainedLedger } from '../../broker/RetainedLedger';

const META = 'booth/booth-a/dev-1/meta';
/** Bytes the ledger counts for a message: topic and payload. */
const size = (topic: string, payload: string) => Buffer.byteLength(topic) + Buffer.byteLength(payload);

describe('RetainedLedger', () => {
  it('retains only status and meta of a valid device id', () => {
    const ledger = new RetainedLedger({ maxTopicsPerBooth: 10, maxBytesPerBooth: 10_000 });
    expect(ledger.offer('booth-a', 'booth/booth-a/dev-1/status', 'online')).toBe('kept');
    expect(ledger.offer('booth-a', META, '{}')).toBe('kept');
    expect(ledger.offer('booth-a', 'booth/booth-a/dev-1/telemetry', '{}')).toBe('not-retainable');
    expect(ledger.offer('booth-a', 'booth/booth-a/dev 1/meta', '{}')).toBe('not-retainable');
    expect(ledger.offer('booth-a', 'booth/booth-a/dev-1/meta/extra', '{}')).toBe('not-retainable');
    expect(ledger.topicCount('booth-a')).toBe(2);
  });

  it('counts a replaced message once, with its new bytes, and gives bytes back when a topic is cleared', () => {
    const ledger = new RetainedLedger({ maxTopicsPerBooth: 10, maxBytesPerBooth: 10_000 });
    ledger.offer('booth-a', META, 'first');
    ledger.offer('booth-a', META, 'the second one');
    expect(ledger.topicCount('booth-a')).toBe(1);
    expect(ledger.bytes('booth-a')).toBe(size(META, 'the second one'));
    expect(ledger.offer('booth-a', META, '')).toBe('cleared');
    expect(ledger.topicCount('booth-a')).toBe(0);
    expect(ledger.bytes('booth-a')).toBe(0);
    // Clearing a topic that holds nothing changes nothing.
    expect(ledger.offer('booth-a', META, '')).toBe('cleared');
    expect(ledger.bytes('booth-a')).toBe(0);
  });

  it('refuses a new topic past the topic limit, while a held topic may still be replaced', () => {
    const ledger = new RetainedLedger({ maxTopicsPerBooth: 1, maxBytesPerBooth: 10_000 });
    ledger.offer('booth-a', META, 'a');
    expect(ledger.offer('booth-a', 'booth/booth-a/dev-2/meta', 'b')).toBe('over-topics');
    expect(ledger.offer('booth-a', META, 'replaced')).toBe('kept');
    // Each booth has its own limit.
    expect(ledger.offer('booth-b', 'booth/booth-b/dev-2/meta', 'b')).toBe('kept');
  });

  it('refuses a message past the byte budget and keeps the one it would have replaced', () => {
    const budget = size(META, 'x'.repeat(10));
    const ledger = new RetainedLedger({ maxTopicsPerBooth: 10, maxBytesPerBooth: budget });
    expect(ledger.offer('booth-a', META, 'x'.repeat(10))).toBe('kept');
    expect(ledger.offer('booth-a', META, 'x'.repeat(11))).toBe('over-bytes');
    expect(ledger.bytes('booth-a')).toBe(budget);
    // A replacement is measured without the message it replaces.
    expect(ledger.offer('booth-a', META, 'y'.repeat(10))).toBe('kept');
    expect(ledger.bytes('booth-a')).toBe(budget);
  });
});
