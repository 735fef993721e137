/**
 * The last line of defence for a kiosk nobody watches: on an uncaught error, a chunk that fails to
 * load after a redeploy, a heap past its ceiling, or animation frames that stopped while the page
 * is visible, the page reloads itself and comes back to the same scene. Each reload is counted in
 * localStorage and reported to the server in the next handshake, so technicians see it.
 * Bounded buffers are the first line; this is for what they did not foresee.
 */
import type { WallReloadReason, WallReport } from '../../contract/dashboard';

export type KeyValueStore = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export interface WatchdogOptions {
  /** usedJSHeapSize above which the page reloads; Chromium reports it, other browsers skip this check. */
  heapCeilingBytes: number;
  /** Survives the reload: which scene to resume and why we reloaded. */
  session: KeyValueStore;
  /** Survives the kiosk's lifetime: its id and reload count. */
  local: KeyValueStore;
  currentScene(): string | null;
  reload(): void;
}

const KEY_WALL_ID = 'showfloor.wall.id';
const KEY_RELOADS = 'showfloor.wall.reloads';
const KEY_LAST_RELOAD_AT = 'showfloor.wall.lastReloadAt';
const KEY_RESUME_SCENE = 'showfloor.wall.resumeScene';
const KEY_RELOAD_REASON = 'showfloor.wall.reloadReason';

/** A page that fails at once on every load must not reload in a tight loop. */
export const MIN_RELOAD_INTERVAL_MS = 60_000;
const CHECK_INTERVAL_MS = 5_000;
/** No animation frame for this long while visible means the rendering has stalled. */
const FROZEN_AFTER_MS = 30_000;
const REASONS: readonly WallReloadReason[] = ['error', 'preload-error', 'heap-ceiling', 'frozen'];

export class Watchdog {
  private pendingReload: ReturnType<typeof setTimeout> | undefined;
  private checkTimer: ReturnType<typeof setInterval> | undefined;
  private lastFrameAt = Date.now();
  /** Set once a reload is under way, so a burst of errors makes one reload. */
  private reloading = false;
  /**
   * Set once the heap has been seen under the ceiling. Just after a reload the previous page's heap
   * may not be collected yet; and a ceiling set below what the page needs at rest must not reload
   * it once a minute for ever.
   */
  private heapArmed = false;

  constructor(private readonly options: WatchdogOptions) {}

  start(win: Window): void {
    win.addEventListener('error', (event) => {
      // Chromium reports a ResizeObserver that needed two passes as an error; it is harmless.
      if (!/ResizeObserver loop/.test(event.message)) this.trigger('error');
    });
    win.addEventListener('unhandledrejection', () => this.trigger('error'));
    win.addEventListener('vite:preloadError', (event) => {
      event.preventDefault(); // Vite would rethrow; we reload instead
      this.trigger('preload-error');
    });
    const frame = (): void => {
      this.lastFrameAt = Date.now();
      win.requestAnimationFrame(frame);
    };
    win.requestAnimationFrame(frame);
    this.checkTimer = setInterval(() => this.check(win), CHECK_INTERVAL_MS);
  }

  trigger(reason: WallReloadReason, now = Date.now()): void {
    if (this.reloading) return;
    this.reloading = true;
    const delay = reloadDelay(readNumber(this.options.local, KEY_LAST_RELOAD_AT), now);
    const reload = (): void => {
      recordReload(this.options, reason, Date.now());
      this.options.reload();
    };
    if (delay === 0) reload();
    else this.pendingReload = setTimeout(reload, delay);
  }

  stop(): void {
    clearTimeout(this.pendingReload);
    clearInterval(this.checkTimer);
  }

  /** Public for tests: what one heap reading leads to. */
  checkHeap(heapUsedBytes: number, win?: Window): void {
    if (heapUsedBytes <= this.options.heapCeilingBytes) {
      if (!this.heapArmed && win) win.document.documentElement.dataset['heapWatch'] = 'armed'; // for technicians' tools and tests
      this.heapArmed = true;
    } else if (this.heapArmed) {
      this.trigger('heap-ceiling');
    }
  }

  private check(win: Window): void {
    const heap = (win.performance as Performance & { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize;
    if (heap !== undefined) this.checkHeap(heap, win);
    // Hidden tabs get no frames by design; a visible kiosk page must.
    if (win.document.visibilityState === 'visible' && Date.now() - this.lastFrameAt > FROZEN_AFTER_MS) this.trigger('frozen');
    else if (win.document.visibilityState !== 'visible') this.lastFrameAt = Date.now();
  }
}

/** How long to wait before reloading, given when the last watchdog reload happened. */
export function reloadDelay(lastReloadAt: number | null, now: number): number {
  if (lastReloadAt === null || lastReloadAt > now) return 0;
  return Math.max(0, lastReloadAt + MIN_RELOAD_INTERVAL_MS - now);
}

function recordReload(options: WatchdogOptions, reason: WallReloadReason, now: number): void {
  const { local, session } = options;
  write(local, KEY_RELOADS, String((readNumber(local, KEY_RELOADS) ?? 0) + 1));
  write(local, KEY_LAST_RELOAD_AT, String(now));
  write(session, KEY_RELOAD_REASON, reason);
  const scene = options.currentScene();
  if (scene !== null) write(session, KEY_RESUME_SCENE, scene);
}

/** The scene to come back to after a watchdog reload, read once: a manual reload later starts afresh. */
export function takeResumeScene(session: KeyValueStore): string | null {
  const scene = read(session, KEY_RESUME_SCENE);
  remove(session, KEY_RESUME_SCENE);
  return scene;
}

/**
 * Who this kiosk is, for the handshake. The reload reason is taken out of storage by the caller
 * once the server has it (`forgetReloadReason`), so a later reconnect does not count it again.
 */
export function wallReport(local: KeyValueStore, session: KeyValueStore, randomId: () => string): WallReport {
  let id = read(local, KEY_WALL_ID);
  if (id === null || !/^[A-Za-z0-9_-]{8,64}$/.test(id)) {
    id = randomId();
    write(local, KEY_WALL_ID, id);
  }
  const report: WallReport = { id, reloads: Math.min(readNumber(local, KEY_RELOADS) ?? 0, 1e9) };
  const reason = read(session, KEY_RELOAD_REASON);
  if (reason !== null && (REASONS as readonly string[]).includes(reason)) report.lastReloadReason = reason as WallReloadReason;
  return report;
}

export function forgetReloadReason(session: KeyValueStore): void {
  remove(session, KEY_RELOAD_REASON);
}

/** 16 hex digits; crypto.randomUUID needs a secure context, which a kiosk on http://10.0.0.5 is not. */
export function randomWallId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

// Storage throws in some locked-down kiosk profiles; the watchdog must work without it.
function read(store: KeyValueStore, key: string): string | null {
  try {
    return store.getItem(key);
  } catch {
    return null;
  }
}

function readNumber(store: KeyValueStore, key: string): number | null {
  const value = Number(read(store, key));
  return read(store, key) !== null && Number.isFinite(value) && value >= 0 ? value : null;
}

function write(store: KeyValueStore, key: string, value: string): void {
  try {
    store.setItem(key, value);
  } catch {
    // nothing to do: the reload still happens, uncounted
  }
}

function remove(store: KeyValueStore, key: string): void {
  try {
    store.removeItem(key);
  } catch {
    // as above
  }
}
