import { setTimeout as delay } from 'node:timers/promises';
import { inspect } from 'node:util';

export interface WaitForOptions {
  /** Overall deadline, including the time the probe itself takes. Default 10 000. */
  timeoutMs?: number;
  /** Pause between probe calls. Default 50. */
  intervalMs?: number;
  /** Names the awaited condition in the timeout error. Default: the probe's source. */
  what?: string;
  /** Stops waiting early, e.g. when the process being probed has died. */
  signal?: AbortSignal;
}

export type Truthy<T> = Exclude<T, false | 0 | '' | null | undefined>;

/**
 * Polls `probe` until it returns a truthy value and returns that value.
 * A probe that throws or rejects is retried, so "not reachable yet" needs no
 * special handling. On timeout the error names `what` and the last value or
 * error seen, so a failing CI log says what was actually observed.
 *
 * For assertion-style probes (`() => expect(x).toBe(1)`, which return
 * undefined) use `eventually` instead.
 */
export async function waitFor<T>(probe: () => T | Promise<T>, options: WaitForOptions = {}): Promise<Truthy<T>> {
  return (await poll(probe, (value) => Boolean(value), options)) as Truthy<T>;
}

/**
 * Polls `assertion` until it completes without throwing and returns its result.
 * Meant for `expect(...)` blocks whose subject changes over time.
 */
export async function eventually<T>(assertion: () => T | Promise<T>, options: WaitForOptions = {}): Promise<T> {
  return poll(assertion, () => true, options);
}

type Observation = { kind: 'value'; value: unknown } | { kind: 'error'; error: unknown } | { kind: 'pending' };

const probeStillPending = Symbol('probe still pending at deadline');

async function poll<T>(
  probe: () => T | Promise<T>,
  isSatisfied: (value: T) => boolean,
  { timeoutMs = 10_000, intervalMs = 50, what, signal }: WaitForOptions,
): Promise<T> {
  const description = what ?? describeProbe(probe);
  const startedAt = Date.now();
  const deadline = startedAt + timeoutMs;
  let attempts = 0;
  let last: Observation | undefined;

  for (;;) {
    throwIfAborted(signal, description);
    attempts++;
    try {
      // A probe that hangs (e.g. a request to a stopped server) must not hold
      // the wait past its deadline.
      const value = await settleBefore(Promise.resolve().then(probe), deadline - Date.now());
      if (value === probeStillPending) {
        last = { kind: 'pending' };
      } else if (isSatisfied(value)) {
        return value;
      } else {
        last = { kind: 'value', value };
      }
    } catch (error) {
      last = { kind: 'error', error };
    }

    const remainingMs = deadline - Date.now();
    if (remainingMs <= 0) {
      throw new Error(
        `Timed out after ${Date.now() - startedAt} ms (limit ${timeoutMs} ms, ${attempts} attempts) ` +
          `waiting for ${description}; ${describeObservation(last)}`,
        last?.kind === 'error' ? { cause: last.error } : undefined,
      );
    }
    try {
      await delay(Math.min(intervalMs, remainingMs), undefined, signal ? { signal } : undefined);
    } catch {
      throwIfAborted(signal, description);
    }
  }
}

async function settleBefore<T>(work: Promise<T>, remainingMs: number): Promise<T | typeof probeStillPending> {
  const deadlineGuard = new AbortController();
  try {
    return await Promise.race([work, delay(Math.max(remainingMs, 0), probeStillPending, { signal: deadlineGuard.signal })]);
  } finally {
    deadlineGuard.abort();
  }
}

function throwIfAborted(signal: AbortSignal | undefined, description: string): void {
  if (signal?.aborted) {
    throw new Error(`Stopped waiting for ${description}: ${formatValue(signal.reason)}`, { cause: signal.reason });
  }
}

function describeProbe(probe: () => unknown): string {
  const source = probe.toString().replace(/\s+/g, ' ');
  return source.length > 120 ? `${source.slice(0, 117)}...` : source;
}

function describeObservation(last: Observation | undefined): string {
  if (last === undefined) return 'the probe never ran';
  switch (last.kind) {
    case 'pending':
      return 'the last probe call had not settled';
    case 'error':
      return `last error: ${formatError(last.error)}`;
    case 'value':
      return last.value === undefined
        ? 'last value: undefined (an assertion-style probe needs eventually(), not waitFor())'
        : `last value: ${formatValue(last.value)}`;
  }
}

function formatError(error: unknown): string {
  if (!(error instanceof Error)) return formatValue(error);
  // fetch() failures hide the useful part (ECONNREFUSED...) in `cause`.
  const cause = error.cause instanceof Error ? ` (cause: ${error.cause.message})` : '';
  return `${error.name}: ${error.message}${cause}`;
}

function formatValue(value: unknown): string {
  const text = inspect(value, { depth: 3, breakLength: Infinity, maxArrayLength: 20, maxStringLength: 500 });
  return text.length > 1000 ? `${text.slice(0, 997)}...` : text;
}

/**
 * Anything with `on` and a way to remove a listener: Node emitters, socket.io
 * and mqtt clients, mqtt-packet's parser.
 */
export interface EventSource {
  on(event: EmitterParameter, listener: EmitterParameter): unknown;
  off?(event: EmitterParameter, listener: EmitterParameter): unknown;
  removeListener?(event: EmitterParameter, listener: EmitterParameter): unknown;
}

// Typed socket.io sockets accept only their declared event names and listener shapes, and
// mqtt-packet's parser only its two events: no signature narrower than `any` admits them all
// (`(event: string, listener: (...args: never[]) => void)` was tried and does not).
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
type EmitterParameter = any;

export interface WaitForEventOptions<Args extends unknown[]> {
  /** Default 10 000. */
  timeoutMs?: number;
  /** Only an emission whose arguments pass this resolves the wait. */
  filter?: (...args: Args) => boolean;
  /** Reject when the emitter emits 'error' meanwhile. Default true. */
  rejectOnError?: boolean;
  signal?: AbortSignal;
}

/**
 * Resolves with the arguments of the next matching `event` emission; rejects
 * after `timeoutMs` naming the event, so a missing message fails fast with a
 * clear reason instead of hitting the test timeout.
 */
export function waitForEvent<Args extends unknown[] = unknown[]>(
  emitter: EventSource,
  event: string,
  { timeoutMs = 10_000, filter, rejectOnError = true, signal }: WaitForEventOptions<Args> = {},
): Promise<Args> {
  return new Promise<Args>((resolve, reject) => {
    const removeListener = (name: string, listener: (...args: unknown[]) => void): void => {
      if (emitter.off) emitter.off(name, listener);
      else emitter.removeListener?.(name, listener);
    };
    const timer = setTimeout(() => {
      cleanUp();
      reject(new Error(`Timed out after ${timeoutMs} ms waiting for event '${event}'`));
    }, timeoutMs);
    // The emitter is untyped here; Args is what the caller says this event carries.
    const onEvent = (...received: unknown[]): void => {
      const args = received as Args;
      if (filter) {
        let matches: boolean;
        try {
          matches = filter(...args);
        } catch (error) {
          cleanUp();
          reject(error instanceof Error ? error : new Error(`The filter for event '${event}' threw ${formatValue(error)}`, { cause: error }));
          return;
        }
        if (!matches) return;
      }
      cleanUp();
      resolve(args);
    };
    const onError = (error: unknown): void => {
      cleanUp();
      reject(new Error(`'error' emitted while waiting for event '${event}': ${formatError(error)}`, { cause: error }));
    };
    const onAbort = (): void => {
      cleanUp();
      reject(new Error(`Stopped waiting for event '${event}': ${formatValue(signal?.reason)}`, { cause: signal?.reason }));
    };
    function cleanUp(): void {
      clearTimeout(timer);
      removeListener(event, onEvent);
      if (watchErrors) removeListener('error', onError);
      signal?.removeEventListener('abort', onAbort);
    }

    const watchErrors = rejectOnError && event !== 'error';
    if (signal?.aborted) {
      clearTimeout(timer);
      onAbort();
      return;
    }
    emitter.on(event, onEvent);
    if (watchErrors) emitter.on('error', onError);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
