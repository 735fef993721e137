import { describe, expect, it } from 'vitest';
import { AcknowledgementHold } from '../../broker/AcknowledgementHold';
import { waitFor } from '../support/waitFor';

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (error: Error) => void } {
  const out = {} as { promise: Promise<void>; resolve: () => void; reject: (error: Error) => void };
  out.promise = new Promise<void>((resolve, reject) => Object.assign(out, { resolve, reject }));
  return out;
}

describe('AcknowledgementHold', () => {
  it('acknowledges at once when nothing is waiting', () => {
    const hold = new AcknowledgementHold<object>(() => undefined);
    const acked: number[] = [];
    hold.release({}, null, () => acked.push(1));
    expect(acked).toEqual([1]);
    expect(hold.held).toBe(0);
  });

  it('releases one connection in arrival order, whatever order durability comes in, and other connections independently', async () => {
    const hold = new AcknowledgementHold<object>(() => undefined);
    const a = {};
    const b = {};
    const acked: string[] = [];
    const first = deferred();
    const second = deferred();
    hold.release(a, first.promise, () => acked.push('a1'));
    hold.release(a, second.promise, () => acked.push('a2'));
    // Nothing to wait for of its own, but behind a1 and a2.
    hold.release(a, null, () => acked.push('a3'));
    hold.release(b, null, () => acked.push('b1'));
    expect(acked).toEqual(['b1']);
    expect(hold.held).toBe(3);
    second.resolve();
    await second.promise;
    await Promise.resolve();
    expect(acked).toEqual(['b1']);
    first.resolve();
    await waitFor(() => acked.length === 4);
    expect(acked).toEqual(['b1', 'a1', 'a2', 'a3']);
    expect(hold.held).toBe(0);
    // The chain is gone once empty: the next release is immediate again.
    hold.release(a, null, () => acked.push('a4'));
    expect(acked.at(-1)).toBe('a4');
  });

  it('acknowledges after a durability failure and reports it', async () => {
    const failures: unknown[] = [];
    const hold = new AcknowledgementHold<object>((error) => failures.push(error));
    const key = {};
    const acked: number[] = [];
    const failing = deferred();
    hold.release(key, failing.promise, () => acked.push(1));
    hold.release(key, Promise.resolve(), () => acked.push(2));
    failing.reject(new Error('ENOSPC'));
    await waitFor(() => acked.length === 2);
    expect(acked).toEqual([1, 2]);
    expect(failures).toHaveLength(1);
  });

  it('acknowledges in order when many share one durability wait, and when waits alternate', async () => {
    const hold = new AcknowledgementHold<object>(() => undefined);
    const key = {};
    const acked: string[] = [];
    const commit1 = deferred();
    const commit2 = deferred();
    // Three readings of one group commit, two of the next, then one more of the first (out of the usual order).
    for (const name of ['a', 'b', 'c']) hold.release(key, commit1.promise, () => acked.push(name));
    for (const name of ['d', 'e']) hold.release(key, commit2.promise, () => acked.push(name));
    hold.release(key, commit1.promise, () => acked.push('f'));
    expect(hold.held).toBe(6);
    commit2.resolve();
    await commit2.promise;
    await Promise.resolve();
    expect(acked).toEqual([]);
    commit1.resolve();
    await waitFor(() => acked.length === 6);
    expect(acked).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(hold.held).toBe(0);
    // A settled wait shared by later readings: those are new groups, still in order and immediate-ish.
    hold.release(key, commit1.promise, () => acked.push('g'));
    hold.release(key, commit1.promise, () => acked.push('h'));
    await waitFor(() => acked.length === 8);
    expect(acked.slice(6)).toEqual(['g', 'h']);
  });

  it('adds an acknowledgement to the waiting group, not to one already released', async () => {
    const hold = new AcknowledgementHold<object>(() => undefined);
    const key = {};
    const acked: string[] = [];
    const commit = deferred();
    hold.release(key, commit.promise, () => {
      acked.push('first');
      // Arrives while its group is being released: it must still be acknowledged.
      hold.release(key, commit.promise, () => acked.push('late'));
    });
    commit.resolve();
    await waitFor(() => acked.length === 2);
    expect(acked).toEqual(['first', 'late']);
    expect(hold.held).toBe(0);
  });
});
