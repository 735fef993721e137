import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { Component } from '../../server/lifecycle/Component';
import { ComponentRunner } from '../../server/lifecycle/ComponentRunner';

const log = pino({ level: 'silent' });

/** A component that writes what happens to it into `events`; `fail` makes that step throw. */
function recorded(name: string, events: string[], fail: { start?: boolean; close?: boolean } = {}): Component {
  return {
    name,
    async start() {
      await Promise.resolve();
      events.push(`start ${name}`);
      if (fail.start) throw new Error(`${name} cannot start`);
    },
    async close() {
      await Promise.resolve();
      events.push(`close ${name}`);
      if (fail.close) throw new Error(`${name} cannot close`);
    },
  };
}

describe('ComponentRunner', () => {
  it('starts in the start order and closes in reverse when the close order says so', async () => {
    const events: string[] = [];
    const runner = new ComponentRunner({ start: ['a', 'b', 'c'], close: ['c', 'b', 'a'] }, log);
    for (const name of ['a', 'b', 'c']) await runner.start(recorded(name, events));
    await runner.close();
    expect(events).toEqual(['start a', 'start b', 'start c', 'close c', 'close b', 'close a']);
  });

  it('closes in a declared order that is not start-up reversed, skipping parts never started', async () => {
    const events: string[] = [];
    const runner = new ComponentRunner({ start: ['store', 'broker', 'hub', 'http'], close: ['broker', 'hub', 'http', 'store'] }, log);
    await runner.start(recorded('broker', events));
    await runner.start(recorded('hub', events));
    await runner.start(recorded('http', events));
    await runner.close();
    expect(events).toEqual(['start broker', 'start hub', 'start http', 'close broker', 'close hub', 'close http']);
  });

  it('still closes the rest when a close throws, and throws every failure at the end', async () => {
    const events: string[] = [];
    const runner = new ComponentRunner({ start: ['a', 'b', 'c', 'd'], close: ['a', 'b', 'c', 'd'] }, log);
    await runner.start(recorded('a', events));
    await runner.start(recorded('b', events, { close: true }));
    await runner.start(recorded('c', events, { close: true }));
    await runner.start(recorded('d', events));
    const closed = runner.close();
    await expect(closed).rejects.toBeInstanceOf(AggregateError);
    await closed.catch((error: unknown) => {
      expect((error as AggregateError).errors.map((e: unknown) => (e as Error).message)).toEqual(['b cannot close', 'c cannot close']);
    });
    expect(events.filter((e) => e.startsWith('close'))).toEqual(['close a', 'close b', 'close c', 'close d']);
  });

  it('throws the one error itself when a single close fails', async () => {
    const events: string[] = [];
    const runner = new ComponentRunner({ start: ['a', 'b'], close: ['a', 'b'] }, log);
    await runner.start(recorded('a', events, { close: true }));
    await runner.start(recorded('b', events));
    await expect(runner.close()).rejects.toThrow('a cannot close');
    expect(events).toContain('close b');
  });

  it('closes each component once however often close is called', async () => {
    const events: string[] = [];
    const runner = new ComponentRunner({ start: ['a'], close: ['a'] }, log);
    await runner.start(recorded('a', events));
    await Promise.all([runner.close(), runner.close()]);
    await runner.close();
    expect(events).toEqual(['start a', 'close a']);
  });

  it('closes what had started when a start fails, and rethrows the start error', async () => {
    const events: string[] = [];
    const runner = new ComponentRunner({ start: ['a', 'b', 'c'], close: ['c', 'b', 'a'] }, log);
    await runner.start(recorded('a', events));
    await expect(runner.start(recorded('b', events, { start: true }))).rejects.toThrow('b cannot start');
    // b never finished starting, so it holds nothing to close; a does.
    expect(events).toEqual(['start a', 'start b', 'close a']);
  });

  it('refuses a component out of its declared start order or missing from it', async () => {
    const runner = new ComponentRunner({ start: ['a', 'b'], close: ['b', 'a'] }, log);
    await runner.start(recorded('b', []));
    await expect(runner.start(recorded('a', []))).rejects.toThrow('out of its declared order');
    await expect(runner.start(recorded('z', []))).rejects.toThrow('not in the start order');
  });

  it('refuses orders where a component starts but never closes, or is listed twice', () => {
    expect(() => new ComponentRunner({ start: ['a', 'b'], close: ['a'] }, log)).toThrow('no place in the close order');
    expect(() => new ComponentRunner({ start: ['a'], close: ['a', 'b'] }, log)).toThrow('no place in the start order');
    expect(() => new ComponentRunner({ start: ['a', 'a'], close: ['a'] }, log)).toThrow('listed twice');
  });
});
