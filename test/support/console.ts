/**
 * The technician console's API as a test uses it: a settings snippet with a known password, and a
 * client that logs in and carries its session cookie like a browser would.
 */
import { testPasswordHash } from './showfloor';

export const CONSOLE_PASSWORD = 'console-password-789';

/** YAML for a console login with CONSOLE_PASSWORD; append to TestShowfloorOptions.yaml. */
export function consoleYaml(sessionHours?: number): string {
  return `console:\n  passwordHash: ${JSON.stringify(testPasswordHash(CONSOLE_PASSWORD))}\n${sessionHours === undefined ? '' : `  sessionHours: ${sessionHours}\n`}`;
}

export interface ConsoleResponse<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

export class ConsoleClient {
  private cookie: string | undefined;

  constructor(private readonly httpUrl: string) {}

  /** The Set-Cookie line of the last login, as the server sent it. */
  setCookie: string | undefined;

  async login(name = 'Test Tech', password = CONSOLE_PASSWORD, headers: Record<string, string> = {}): Promise<ConsoleResponse> {
    const response = await this.request('POST', '/api/console/login', { name, password }, headers);
    if (response.status === 204) {
      this.setCookie = response.headers.getSetCookie()[0];
      this.cookie = this.setCookie?.split(';')[0];
    }
    return response;
  }

  /** T is the shape the test expects (contract/console.ts); the body is parsed, not checked. */
  get<T = unknown>(path: string): Promise<ConsoleResponse<T>> {
    return this.request<T>('GET', path);
  }

  post<T = unknown>(path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ConsoleResponse<T>> {
    return this.request<T>('POST', path, body, headers);
  }

  /** Forgets the cookie without telling the server, like a browser whose cookie expired. */
  dropCookie(): void {
    this.cookie = undefined;
  }

  private async request<T = unknown>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ConsoleResponse<T>> {
    const response = await fetch(`${this.httpUrl}${path}`, {
      method,
      headers: {
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: (text === '' ? undefined : JSON.parse(text)) as T, headers: response.headers };
  }
}
