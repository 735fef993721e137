import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { backoffDelay, Poller, type PollOutcome } from '../../web/console/Poller';

describe('backoff', () => {
  it('doubles the interval per failure up to the cap, and is the interval without failures', () => {
    expect([0, 1, 2, 3, 4, 10].map((failures) => backoffDelay(2000, failures, 30_000))).toEqual([2000, 4000, 8000, 16000, 30000, 30000]);
  });
});

describe('poller', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function deferred(): { promise: Promise<void>; resolve: () => void; reject: (error: Error) => void } {
    let resolve!: () => void;
    let reject!: (error: Error) => void;
    const promise = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  }

  it('never runs two requests at once: the next waits for the last to settle, then the interval', async () => {
    const pending: ReturnType<typeof deferred>[] = [];
    const poller = new Poller(
      () => {
        const next = deferred();
        pending.push(next);
        return next.promise;
      },
      { intervalMs: 2000 },
    );
    poller.start();
    expect(pending).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(pending).toHaveLength(1);
    pending[0]!.resolve();
    await vi.advanceTimersByTimeAsync(1999);
    expect(pending).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(pending).toHaveLength(2);
    poller.stop();
  });

  it('backs off while failing and returns to the interval after a success', async () => {
    let fail = true;
    const outcomes: PollOutcome[] = [];
    const poller = new Poller(() => (fail ? Promise.reject(new Error('down')) : Promise.resolve()), {
      intervalMs: 1000,
      maxBackoffMs: 5000,
      onOutcome: (outcome) => outcomes.push(outcome),
    });
    poller.start();
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(2000);
    await vi.advanceTimersByTimeAsync(4000);
    expect(outcomes.map((o) => [o.ok, o.failures, o.nextInMs])).toEqual([
      [false, 1, 2000],
      [false, 2, 4000],
      [false, 3, 5000],
    ]);
    fail = false;
    await vi.advanceTimersByTimeAsync(5000);
    expect(outcomes.at(-1)).toMatchObject({ ok: true, failures: 0, nextInMs: 1000 });
    poller.stop();
  });

  it('stops: aborts the request in flight and schedules nothing after it settles', async () => {
    let calls = 0;
    let signal: AbortSignal | undefined;
    const gate = deferred();
    const poller = new Poller(
      (s) => {
        calls++;
        signal = s;
        return gate.promise;
      },
      { intervalMs: 1000 },
    );
    poller.start();
    poller.stop();
    expect(signal?.aborted).toBe(true);
    gate.resolve();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls).toBe(1);
    expect(poller.active).toBe(false);
  });

  it('refreshes at once when idle, and right after the request in flight otherwise', async () => {
    let calls = 0;
    let gate = deferred();
    const poller = new Poller(
      () => {
        calls++;
        return gate.promise;
      },
      { intervalMs: 60_000 },
    );
    poller.start();
    poller.refresh();
    expect(calls).toBe(1);
    const first = gate;
    gate = deferred();
    first.resolve();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toBe(2);
    gate.resolve();
    await vi.advanceTimersByTimeAsync(0);
    poller.refresh();
    expect(calls).toBe(3);
    poller.stop();
  });

  it('lets its outcome handler stop it (a 401 goes back to the login)', async () => {
    let calls = 0;
    const poller: Poller = new Poller(
      () => {
        calls++;
        return Promise.reject(new Error('401'));
      },
      { intervalMs: 1000, onOutcome: () => poller.stop() },
    );
    poller.start();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toBe(1);
  });
});
