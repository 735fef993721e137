import { EventEmitter } from 'node:events';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort, freePorts } from '../support/ports';
import { eventually, waitFor, waitForEvent } from '../support/waitFor';

describe('waitFor', () => {
  it('returns the first truthy value, retrying falsy results and throws', async () => {
    let calls = 0;
    const value = await waitFor(
      () => {
        calls++;
        if (calls === 1) throw new Error('not yet');
        return calls >= 3 ? { calls } : null;
      },
      { intervalMs: 1, what: 'three calls' },
    );
    expect(value).toEqual({ calls: 3 });
  });

  it('names the condition and the last error on timeout', async () => {
    await expect(
      waitFor(
        () => {
          throw new Error('connection refused');
        },
        { timeoutMs: 50, intervalMs: 5, what: 'the broker' },
      ),
    ).rejects.toThrow(/waiting for the broker; last error: Error: connection refused/);
  });

  it('does not let a hanging probe outlive the deadline', async () => {
    const startedAt = Date.now();
    await expect(waitFor(() => new Promise<never>(() => {}), { timeoutMs: 50, what: 'a hung probe' })).rejects.toThrow(/had not settled/);
    expect(Date.now() - startedAt).toBeLessThan(2_000);
  });

  it('stops early when its signal aborts', async () => {
    const controller = new AbortController();
    const waiting = waitFor(() => false, { timeoutMs: 5_000, intervalMs: 5, signal: controller.signal, what: 'never' });
    controller.abort(new Error('process died'));
    await expect(waiting).rejects.toThrow(/Stopped waiting for never/);
  });
});

describe('eventually', () => {
  it('passes once the assertion stops throwing', async () => {
    let counter = 0;
    await eventually(() => expect(++counter).toBeGreaterThanOrEqual(3), { intervalMs: 1 });
    expect(counter).toBe(3);
  });
});

describe('waitForEvent', () => {
  it('resolves with the arguments of the first emission passing the filter', async () => {
    const emitter = new EventEmitter();
    const received = waitForEvent<[string, number]>(emitter, 'reading', { filter: (_device, value) => value > 10 });
    emitter.emit('reading', 'booth-1', 5);
    emitter.emit('reading', 'booth-2', 12);
    await expect(received).resolves.toEqual(['booth-2', 12]);
    expect(emitter.listenerCount('reading')).toBe(0);
    expect(emitter.listenerCount('error')).toBe(0);
  });

  it('rejects on timeout and on error events', async () => {
    const emitter = new EventEmitter();
    await expect(waitForEvent(emitter, 'never', { timeoutMs: 20 })).rejects.toThrow(/20 ms waiting for event 'never'/);
    const failing = waitForEvent(emitter, 'connect');
    emitter.emit('error', new Error('ECONNREFUSED'));
    await expect(failing).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe('freePort', () => {
  it('returns a port that can be bound on 127.0.0.1', async () => {
    const port = await freePort();
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('returns distinct ports when asked for several', async () => {
    const ports = await freePorts(5);
    expect(new Set(ports).size).toBe(5);
  });
});
