import { afterEach, describe, expect, it, vi } from 'vitest';
import { forgetReloadReason, MIN_RELOAD_INTERVAL_MS, reloadDelay, takeResumeScene, Watchdog, wallReport, type KeyValueStore } from '../../web/wall/Watchdog';

function memoryStore(): KeyValueStore & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return {
    map,
    getItem: (key) => map.get(key) ?? null,
    setItem: (key, value) => void map.set(key, value),
    removeItem: (key) => void map.delete(key),
  };
}

function brokenStore(): KeyValueStore {
  const fail = (): never => {
    throw new Error('SecurityError');
  };
  return { getItem: fail, setItem: fail, removeItem: fail };
}

afterEach(() => vi.useRealTimers());

describe('Watchdog', () => {
  it('reloads at once the first time, then no more than once a minute', () => {
    expect(reloadDelay(null, 1_000_000)).toBe(0);
    expect(reloadDelay(1_000_000, 1_000_000 + 10_000)).toBe(MIN_RELOAD_INTERVAL_MS - 10_000);
    expect(reloadDelay(1_000_000, 1_000_000 + MIN_RELOAD_INTERVAL_MS)).toBe(0);
    expect(reloadDelay(2_000_000, 1_000_000)).toBe(0); // clock went back
  });

  it('records the reload, the scene to resume and the reason, and reports them once', () => {
    const local = memoryStore();
    const session = memoryStore();
    const reload = vi.fn();
    const watchdog = new Watchdog({ heapCeilingBytes: 1, local, session, currentScene: () => 'kind-vehicle', reload });
    watchdog.trigger('heap-ceiling');
    watchdog.trigger('error'); // a burst makes one reload
    expect(reload).toHaveBeenCalledTimes(1);

    const report = wallReport(local, session, () => 'abcdef0123456789');
    expect(report).toEqual({ id: 'abcdef0123456789', reloads: 1, lastReloadReason: 'heap-ceiling' });
    expect(takeResumeScene(session)).toBe('kind-vehicle');
    expect(takeResumeScene(session)).toBeNull();
    forgetReloadReason(session);
    expect(wallReport(local, session, () => 'other-id-000000')).toEqual({ id: 'abcdef0123456789', reloads: 1 });
  });

  it('waits out the minimum interval after a recent reload instead of looping', () => {
    vi.useFakeTimers({ now: 5_000_000 });
    const local = memoryStore();
    local.setItem('showfloor.wall.lastReloadAt', String(5_000_000 - 1_000));
    const reload = vi.fn();
    new Watchdog({ heapCeilingBytes: 1, local, session: memoryStore(), currentScene: () => null, reload }).trigger('error');
    vi.advanceTimersByTime(MIN_RELOAD_INTERVAL_MS - 1_001);
    expect(reload).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(reload).toHaveBeenCalledTimes(1);
  });

  it('still reloads when storage is locked down', () => {
    const reload = vi.fn();
    new Watchdog({ heapCeilingBytes: 1, local: brokenStore(), session: brokenStore(), currentScene: () => 'x', reload }).trigger('frozen');
    expect(reload).toHaveBeenCalledTimes(1);
    expect(wallReport(brokenStore(), brokenStore(), () => 'fresh-id-1234567')).toEqual({ id: 'fresh-id-1234567', reloads: 0 });
  });

  it('ignores a stored id or reason that is not its own format', () => {
    const local = memoryStore();
    const session = memoryStore();
    local.setItem('showfloor.wall.id', '<script>');
    local.setItem('showfloor.wall.reloads', '-4');
    session.setItem('showfloor.wall.reloadReason', 'boom');
    expect(wallReport(local, session, () => 'generated-id-0001')).toEqual({ id: 'generated-id-0001', reloads: 0 });
  });
});

describe('Watchdog heap ceiling', () => {
  it('reloads only when the heap passes the ceiling after it was once seen under it', () => {
    const reload = vi.fn();
    const watchdog = new Watchdog({ heapCeilingBytes: 100, local: memoryStore(), session: memoryStore(), currentScene: () => null, reload });
    watchdog.checkHeap(150); // just after a reload: the old page's heap, not ours
    expect(reload).not.toHaveBeenCalled();
    watchdog.checkHeap(40);
    watchdog.checkHeap(90);
    watchdog.checkHeap(100);
    expect(reload).not.toHaveBeenCalled();
    watchdog.checkHeap(101);
    expect(reload).toHaveBeenCalledTimes(1);
  });
});
