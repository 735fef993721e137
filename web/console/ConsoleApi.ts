/**
 * Every request the console makes. Answers are JSON; a 401 from anything but the login means the
 * session is gone (expired, logged out elsewhere, server restarted), and the console goes back to
 * its login form instead of showing stale data with errors.
 */
import { CONSOLE_API, type ConsoleLogin, type ConsoleSession } from '../../contract/console';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export class UnauthorizedError extends ApiError {
  constructor() {
    super(401, 'Not logged in');
    this.name = 'UnauthorizedError';
  }
}

export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}

/** What a failed request says to the technician, short enough for a status line. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) return error.status === 0 ? error.message : `${error.message} (HTTP ${error.status})`;
  if (error instanceof TypeError) return 'Cannot reach the server';
  return error instanceof Error ? error.message : String(error);
}

type Fetch = (input: string, init: RequestInit) => Promise<Response>;

export class ConsoleApi {
  constructor(
    private readonly onUnauthorized: () => void,
    private readonly fetchFn: Fetch = (input, init) => fetch(input, init),
  ) {}

  async getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
    const response = await this.send(path, { method: 'GET', headers: { Accept: 'application/json' }, signal: signal ?? null });
    return (await response.json()) as T;
  }

  async post(path: string, body?: unknown, signal?: AbortSignal): Promise<void> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    await this.send(path, { method: 'POST', headers, body: body === undefined ? null : JSON.stringify(body), signal: signal ?? null });
  }

  /** A POST whose answer is JSON (a bulk acknowledgement's counts). */
  async postJson<T>(path: string, body: unknown, signal?: AbortSignal): Promise<T> {
    const headers = { Accept: 'application/json', 'Content-Type': 'application/json' };
    const response = await this.send(path, { method: 'POST', headers, body: JSON.stringify(body), signal: signal ?? null });
    return (await response.json()) as T;
  }

  /** 'ok' with the session cookie set, or 'refused' for a wrong name or password. */
  async login(login: ConsoleLogin): Promise<'ok' | 'refused'> {
    try {
      await this.post(CONSOLE_API.login, login);
      return 'ok';
    } catch (error) {
      if (error instanceof UnauthorizedError) return 'refused';
      throw error;
    }
  }

  /** The current session, or null when there is none (the normal state before logging in). */
  async session(): Promise<ConsoleSession | null> {
    const response = await this.fetchFn(CONSOLE_API.session, { method: 'GET', headers: { Accept: 'application/json' }, credentials: 'same-origin' });
    if (response.status === 401) return null;
    if (!response.ok) throw new ApiError(response.status, await errorMessage(response));
    return (await response.json()) as ConsoleSession;
  }

  private async send(path: string, init: RequestInit): Promise<Response> {
    const response = await this.fetchFn(path, { ...init, credentials: 'same-origin' });
    if (response.status === 401) {
      if (path !== CONSOLE_API.login) this.onUnauthorized();
      throw new UnauthorizedError();
    }
    if (!response.ok) throw new ApiError(response.status, await errorMessage(response));
    return response;
  }
}

async function errorMessage(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { error?: unknown };
    if (typeof body.error === 'string' && body.error !== '') return body.error;
  } catch {
    // Not JSON: a proxy's error page, say. The status says enough.
  }
  return response.statusText || 'Request failed';
}
