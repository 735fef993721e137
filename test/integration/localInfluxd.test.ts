import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { startLocalInfluxd, type LocalInfluxd } from '../../server/influxd/LocalInfluxd';
import { describeWithInfluxd } from '../support/influxd';
import { waitFor } from '../support/waitFor';

const repositoryRoot = resolve(import.meta.dirname, '../..');

async function queryRows(influxd: LocalInfluxd, influxql: string, db: string): Promise<unknown[][]> {
  const response = await fetch(`${influxd.url}/query`, { method: 'POST', body: new URLSearchParams({ q: influxql, db }) });
  const body = (await response.json()) as { results: Array<{ series?: Array<{ values: unknown[][] }> }> };
  return body.results.flatMap((result) => (result.series ?? []).flatMap((series) => series.values));
}

async function write(influxd: LocalInfluxd, db: string, lines: string): Promise<number> {
  const response = await fetch(`${influxd.url}/write?db=${db}&precision=ms`, { method: 'POST', body: lines });
  await response.body?.cancel();
  return response.status;
}

async function createDatabase(influxd: LocalInfluxd, name: string): Promise<void> {
  const response = await fetch(`${influxd.url}/query`, { method: 'POST', body: new URLSearchParams({ q: `CREATE DATABASE ${name}` }) });
  expect(response.status).toBe(200);
}

describeWithInfluxd('LocalInfluxd with a real influxd', () => {
  let scratch: string;
  const started: LocalInfluxd[] = [];

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'showfloor-local-influxd-'));
  });

  afterEach(async () => {
    await Promise.all(started.splice(0).map((influxd) => influxd.stop()));
  });

  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('keeps data in its directory for the next instance, which gets new ports', async () => {
    // Relative, as the demo passes ./data/influxdb.
    const directory = relative(process.cwd(), join(scratch, 'data', 'influxdb'));
    const first = await startLocalInfluxd(directory);
    started.push(first);
    expect(first.directory).toBe(resolve(directory));
    await createDatabase(first, 'demo');
    expect(await write(first, 'demo', 'reading,device=d1 value=1.5 1700000000000')).toBe(204);
    await first.stop();
    expect(existsSync(join(first.directory, 'influxd.pid'))).toBe(false);

    const second = await startLocalInfluxd(directory);
    started.push(second);
    expect(await queryRows(second, 'SELECT value FROM reading', 'demo')).toEqual([['2023-11-14T22:13:20Z', 1.5]]);
    expect(second.outputTail()).not.toContain('error');
  });

  it('lets its owner flush writes after Ctrl-C before stopping influxd', async () => {
    const directory = join(scratch, 'ctrl-c');
    // What the demo does on SIGINT: flush buffered readings, then stop influxd.
    const demoScript = join(scratch, 'ctrl-c-demo.mts');
    await writeFile(
      demoScript,
      `import { startLocalInfluxd } from ${JSON.stringify(join(repositoryRoot, 'server/influxd/LocalInfluxd.ts'))};
const influxd = await startLocalInfluxd(${JSON.stringify(directory)});
await fetch(influxd.url + '/query', { method: 'POST', body: new URLSearchParams({ q: 'CREATE DATABASE demo' }) });
process.once('SIGINT', async () => {
  const flushed = await fetch(influxd.url + '/write?db=demo&precision=ms', {
    method: 'POST',
    body: 'reading,device=d1 value=2 1700000000000',
  }).then((response) => String(response.status), (error) => error.cause?.code ?? String(error));
  console.log('flush ' + flushed);
  await influxd.stop();
  process.exit(0);
});
console.log('ready');
`,
    );
    // detached: its own process group, standing in for the terminal's foreground job.
    const demo = spawn(process.execPath, ['--import', 'tsx', demoScript], {
      cwd: repositoryRoot,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    demo.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    demo.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolveExit) => demo.once('close', (code) => resolveExit(code)));
    try {
      await waitFor(() => output.includes('ready'), { timeoutMs: 30_000, what: 'the demo script to start influxd' });
      // Ctrl-C signals the whole foreground process group.
      process.kill(-demo.pid!, 'SIGINT');
      expect(await exited).toBe(0);
    } finally {
      if (demo.exitCode === null && demo.signalCode === null) demo.kill('SIGKILL');
    }
    expect(output).toContain('flush 204');
    expect(existsSync(join(directory, 'influxd.pid'))).toBe(false);

    const after = await startLocalInfluxd(directory);
    started.push(after);
    expect(await queryRows(after, 'SELECT value FROM reading', 'demo')).toEqual([['2023-11-14T22:13:20Z', 2]]);
  });
});
