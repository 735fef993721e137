import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { findInfluxdBinary, LocalInfluxd, startLocalInfluxd, type LocalInfluxdTuning } from '../../server/influxd/LocalInfluxd';
import { freePorts } from '../support/ports';

/*
 * Lifecycle tests against small Node scripts standing in for influxd, so that
 * crashes, hangs and port clashes can be staged on any machine in milliseconds.
 * Real influxd is covered by test/integration/local-influxd.test.ts.
 */

type FakeBehaviour = 'serve' | 'ignore-sigterm' | 'crash' | 'address-in-use-once' | 'never-ready';

function fakeInfluxdSource(behaviour: FakeBehaviour): string {
  // A shell script, because Node's own startup could eat the short deadline the test uses.
  if (behaviour === 'never-ready') return '#!/bin/sh\necho "fake influxd opening shards forever"\nexec sleep 60\n';
  return `#!${process.execPath}
const { createServer } = require('node:http');
const { existsSync, readFileSync, writeFileSync, appendFileSync } = require('node:fs');
const { dirname, join } = require('node:path');
const configPath = process.argv[process.argv.indexOf('-config') + 1];
const config = readFileSync(configPath, 'utf8');
const httpSection = config.slice(config.indexOf('[http]'));
const port = Number(/bind-address = "127\\.0\\.0\\.1:(\\d+)"/.exec(httpSection)[1]);
const directory = dirname(configPath);
appendFileSync(join(directory, 'ports.log'), port + '\\n');
const behaviour = ${JSON.stringify(behaviour)};
if (behaviour === 'crash') {
  console.error('run: open server: open tsdb store: boom');
  process.exit(3);
}
if (behaviour === 'address-in-use-once' && !existsSync(join(directory, 'clashed'))) {
  writeFileSync(join(directory, 'clashed'), '');
  console.error('run: open server: open service: listen tcp 127.0.0.1:' + port + ': bind: address already in use');
  process.exit(1);
}
if (behaviour === 'ignore-sigterm') process.on('SIGTERM', () => console.log('ignoring SIGTERM'));
else process.on('SIGTERM', () => process.exit(0));
console.log('fake influxd listening on ' + port);
createServer((request, response) => {
  response.statusCode = request.url === '/ping' ? 204 : 404;
  response.end();
}).listen(port, '127.0.0.1');
`;
}

let scratch: string;
const fakes = {} as Record<FakeBehaviour, string>;
const started: LocalInfluxd[] = [];

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'showfloor-local-influxd-'));
  for (const behaviour of ['serve', 'ignore-sigterm', 'crash', 'address-in-use-once', 'never-ready'] as const) {
    const path = join(scratch, `fake-influxd-${behaviour}`);
    await writeFile(path, fakeInfluxdSource(behaviour));
    await chmod(path, 0o755);
    fakes[behaviour] = path;
  }
});

afterEach(async () => {
  await Promise.all(started.splice(0).map((influxd) => influxd.stop()));
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

async function freshDirectory(): Promise<string> {
  return mkdtemp(join(scratch, 'data-'));
}

async function newInfluxd(behaviour: FakeBehaviour, directory: string, extra: LocalInfluxdTuning = {}) {
  const [httpPort, rpcPort] = (await freePorts(2)) as [number, number];
  const influxd = new LocalInfluxd({ binary: fakes[behaviour], directory, httpPort, rpcPort, ...extra });
  started.push(influxd);
  return influxd;
}

describe('findInfluxdBinary', () => {
  it('uses only INFLUXD_BIN when it is set, even when it points nowhere', () => {
    const pathWithInfluxd = { PATH: scratch };
    expect(findInfluxdBinary({ ...pathWithInfluxd, INFLUXD_BIN: fakes.serve })).toBe(fakes.serve);
    expect(findInfluxdBinary({ ...pathWithInfluxd, INFLUXD_BIN: join(scratch, 'missing') })).toBeUndefined();
  });

  it('searches PATH in order when INFLUXD_BIN is unset or empty', async () => {
    const first = join(scratch, 'bin-a');
    const second = join(scratch, 'bin-b');
    await mkdir(first, { recursive: true });
    await mkdir(second, { recursive: true });
    await writeFile(join(first, 'influxd'), 'not executable');
    await writeFile(join(second, 'influxd'), '#!/bin/sh\n');
    await chmod(join(second, 'influxd'), 0o755);
    expect(findInfluxdBinary({ PATH: [first, second].join(delimiter), INFLUXD_BIN: '' })).toBe(join(second, 'influxd'));
  });
});

describe('LocalInfluxd with a fake influxd', () => {
  it('starts, reports running, and stops with SIGTERM', async () => {
    const influxd = await newInfluxd('serve', await freshDirectory());
    await influxd.start();
    expect(influxd.running).toBe(true);
    expect((await fetch(`${influxd.url}/ping`)).status).toBe(204);
    await influxd.stop();
    expect(influxd.running).toBe(false);
    await expect(fetch(`${influxd.url}/ping`)).rejects.toThrow();
  });

  it('creates a missing directory and writes the config with the chosen ports into it', async () => {
    const directory = join(await freshDirectory(), 'nested', 'influxdb');
    const influxd = await newInfluxd('serve', directory);
    await influxd.start();
    const config = await readFile(join(directory, 'influxd.toml'), 'utf8');
    expect(config).toContain(`bind-address = "127.0.0.1:${influxd.httpPort}"`);
    expect(config).toContain(`bind-address = "127.0.0.1:${influxd.rpcPort}"`);
    expect(config).toContain(`dir = ${JSON.stringify(join(directory, 'data'))}`);
  });

  it('rejects with the exit reason and the output tail when influxd dies during startup', async () => {
    const influxd = await newInfluxd('crash', await freshDirectory());
    const failure = influxd.start();
    await expect(failure).rejects.toThrow(/exited during startup \(exit code 3\)/);
    await expect(failure).rejects.toThrow(/open tsdb store: boom/);
    expect(influxd.running).toBe(false);
  });

  it('rejects with the output tail when /ping does not answer before the deadline', async () => {
    const influxd = await newInfluxd('never-ready', await freshDirectory(), { startTimeoutMs: 300 });
    await expect(influxd.start()).rejects.toThrow(/did not become ready: Timed out .*limit 300 ms.*ECONNREFUSED[^]*opening shards forever/);
    expect(influxd.running).toBe(false);
  });

  it('sends SIGKILL when influxd ignores SIGTERM past the stop deadline', async () => {
    const influxd = await newInfluxd('ignore-sigterm', await freshDirectory(), { stopTimeoutMs: 200 });
    await influxd.start();
    const stoppedAt = Date.now();
    await influxd.stop();
    expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(190);
    expect(influxd.running).toBe(false);
    expect(influxd.outputTail()).toContain('ignoring SIGTERM');
  });

  it('restarts on the same ports', async () => {
    const directory = await freshDirectory();
    const influxd = await newInfluxd('serve', directory);
    await influxd.start();
    await influxd.restart();
    expect((await fetch(`${influxd.url}/ping`)).status).toBe(204);
    const ports = (await readFile(join(directory, 'ports.log'), 'utf8')).trim().split('\n');
    expect(ports).toEqual([String(influxd.httpPort), String(influxd.httpPort)]);
  });

  it('refuses a directory that a running influxd holds, and takes over a stale lock', async () => {
    const directory = await freshDirectory();
    const first = await newInfluxd('serve', directory);
    await first.start();
    const second = await newInfluxd('serve', directory);
    await expect(second.start()).rejects.toThrow(/is in use by process \d+/);
    expect(first.running).toBe(true);

    await first.stop();
    // A lock left by an influxd that died with its parent: that pid no longer exists.
    await writeFile(join(directory, 'influxd.pid'), '2147483646\n');
    await second.start();
    expect(second.running).toBe(true);
  });

  it('takes over a lock whose pid now belongs to an unrelated process, as after a reboot', async () => {
    if (process.platform !== 'linux') return;
    const directory = await freshDirectory();
    const unrelated = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      await writeFile(join(directory, 'influxd.pid'), `${unrelated.pid}\n`);
      const influxd = await newInfluxd('serve', directory);
      await influxd.start();
      expect(influxd.running).toBe(true);
    } finally {
      unrelated.kill('SIGKILL');
    }
  });

  it('tells onUnexpectedExit when influxd dies after startup, but not on stop()', async () => {
    const exits: Error[] = [];
    const influxd = await newInfluxd('serve', await freshDirectory(), { onUnexpectedExit: (error) => exits.push(error) });
    await influxd.start();
    await influxd.stop();
    expect(exits).toEqual([]);

    await influxd.start();
    const pid = Number(await readFile(join(influxd.directory, 'influxd.pid'), 'utf8'));
    process.kill(pid, 'SIGKILL');
    await expect.poll(() => exits.length).toBe(1);
    expect(exits[0]?.message).toMatch(/exited unexpectedly \(signal SIGKILL\)/);
    expect(influxd.running).toBe(false);
  });

  it('runs influxd in its own process group unless told otherwise', async () => {
    if (process.platform !== 'linux') return;
    const processGroupOf = async (pid: number): Promise<number> => {
      // /proc/PID/stat: "pid (comm) state ppid pgrp ..."; comm may contain spaces, so split after ')'.
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
    };
    const ownPid = async (influxd: LocalInfluxd): Promise<number> => Number(await readFile(join(influxd.directory, 'influxd.pid'), 'utf8'));

    const separate = await newInfluxd('serve', await freshDirectory());
    await separate.start();
    expect(await processGroupOf(await ownPid(separate))).not.toBe(await processGroupOf(process.pid));

    const shared = await newInfluxd('serve', await freshDirectory(), { separateProcessGroup: false });
    await shared.start();
    expect(await processGroupOf(await ownPid(shared))).toBe(await processGroupOf(process.pid));
  });
});

describe('startLocalInfluxd', () => {
  it('retries on fresh ports when influxd reports address already in use', async () => {
    const directory = await freshDirectory();
    const influxd = await startLocalInfluxd(directory, { binary: fakes['address-in-use-once'] });
    started.push(influxd);
    const ports = (await readFile(join(directory, 'ports.log'), 'utf8')).trim().split('\n');
    expect(ports).toHaveLength(2);
    expect(ports[1]).toBe(String(influxd.httpPort));
    expect(ports[0]).not.toBe(ports[1]);
  });

  it('does not retry other startup failures', async () => {
    const directory = await freshDirectory();
    await expect(startLocalInfluxd(directory, { binary: fakes.crash })).rejects.toThrow(/boom/);
    expect((await readFile(join(directory, 'ports.log'), 'utf8')).trim().split('\n')).toHaveLength(1);
  });
});
