/**
 * The last-resort policy of server/main.ts: an exception nothing caught, or a rejection nobody
 * handled, is logged, close() is given a bounded time to flush, and the process exits 1 so that a
 * supervisor (examples/showfloor.service, Restart=on-failure) restarts it.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitForEvent } from '../support/waitFor';

const CHILD = join(import.meta.dirname, '../support/fatalErrorChild.ts');
const TSX = import.meta.resolve('tsx');

async function run(env: Record<string, string>): Promise<{ code: number | null; output: string; ms: number }> {
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', TSX, CHILD], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const [code] = await waitForEvent<[number | null]>(child, 'exit', { timeoutMs: 30_000 });
  return { code, output, ms: Date.now() - started };
}

describe('fatal errors', () => {
  it('an uncaught exception is logged, close() flushes, and the process exits 1', async () => {
    const { code, output } = await run({ FATAL: 'throw' });
    expect(code).toBe(1);
    expect(output).toMatch(/"level":60.*"kind":"uncaughtException".*a callback that threw/);
    expect(output).toContain('flushed');
  });

  it('an unhandled rejection is treated the same', async () => {
    const { code, output } = await run({ FATAL: 'reject' });
    expect(code).toBe(1);
    expect(output).toMatch(/"kind":"unhandledRejection".*a promise nobody awaited/);
    expect(output).toContain('flushed');
  });

  it('a close() that hangs does not keep the process up past its bound', async () => {
    const { code, output } = await run({ FATAL: 'throw', CLOSE: 'hangs', CLOSE_TIMEOUT_MS: '500' });
    expect(code).toBe(1);
    expect(output).toContain('close did not finish in time');
    expect(output).not.toContain('flushed');
  });
});
