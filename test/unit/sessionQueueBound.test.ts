/**
 * SessionQueueBound around Aedes's own in-memory persistence (the one the broker uses), so the
 * count it keeps is checked against the real queues.
 */
import { Aedes } from 'aedes';
import { afterEach, describe, expect, it } from 'vitest';
import { SessionQueueBound, type OutgoingQueues } from '../../broker/SessionQueueBound';

type Persistence = OutgoingQueues & { outgoingStream(client: { id: string }): AsyncIterable<{ messageId?: number; payload: Buffer }> };

let aedes: Aedes | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (aedes ? aedes.close(() => resolve()) : resolve()));
  aedes = undefined;
});

async function boundPersistence(max: number): Promise<{ persistence: Persistence; bound: SessionQueueBound; dropped: string[] }> {
  aedes = await Aedes.createBroker();
  const dropped: string[] = [];
  const bound = new SessionQueueBound(max, (clientId) => dropped.push(clientId));
  const persistence = bound.bind((aedes as Aedes & { persistence: Persistence }).persistence);
  return { persistence, bound, dropped };
}

let counter = 0;
const packet = (text: string) => ({
  cmd: 'publish',
  topic: 't',
  payload: Buffer.from(text),
  qos: 1,
  retain: false,
  dup: false,
  brokerId: 'b',
  brokerCounter: ++counter,
});

async function stored(persistence: Persistence, id: string): Promise<string[]> {
  const payloads: string[] = [];
  for await (const queued of persistence.outgoingStream({ id })) payloads.push(queued.payload.toString());
  return payloads;
}

describe('SessionQueueBound', () => {
  it('stores up to the limit per session, drops the newest past it and reports each drop', async () => {
    const { persistence, bound, dropped } = await boundPersistence(2);
    for (const text of ['1', '2', '3']) await persistence.outgoingEnqueueCombi([{ clientId: 'a' }, { clientId: 'b' }], packet(text));
    await persistence.outgoingEnqueue({ clientId: 'a' }, packet('4'));
    await persistence.outgoingEnqueue({ clientId: 'c' }, packet('5'));
    expect(await stored(persistence, 'a')).toEqual(['1', '2']);
    expect(await stored(persistence, 'b')).toEqual(['1', '2']);
    expect(await stored(persistence, 'c')).toEqual(['5']);
    expect(dropped).toEqual(['a', 'b', 'a']);
    expect(bound.queuedFor('a')).toBe(2);
  });

  it('frees a place for each message acknowledged, and forgets a session whose queue is empty', async () => {
    const { persistence, bound, dropped } = await boundPersistence(2);
    await persistence.outgoingEnqueueCombi([{ clientId: 'a' }], packet('1'));
    await persistence.outgoingEnqueueCombi([{ clientId: 'a' }], packet('2'));
    // Delivery gives each message a packet id; the acknowledgement names it.
    let messageId = 1;
    for await (const queued of persistence.outgoingStream({ id: 'a' })) await persistence.outgoingUpdate({ id: 'a' }, { ...queued, messageId: messageId++ });
    expect(await persistence.outgoingClearMessageId({ id: 'a' }, { messageId: 1 })).toMatchObject({ messageId: 1 });
    await persistence.outgoingEnqueueCombi([{ clientId: 'a' }], packet('3'));
    expect(await stored(persistence, 'a')).toEqual(['2', '3']);
    expect(dropped).toEqual([]);
    // An acknowledgement for a packet id that is not stored frees nothing.
    expect(await persistence.outgoingClearMessageId({ id: 'a' }, { messageId: 99 })).toBeUndefined();
    expect(bound.queuedFor('a')).toBe(2);

    await persistence.outgoingClearMessageId({ id: 'a' }, { messageId: 2 });
    for await (const queued of persistence.outgoingStream({ id: 'a' })) await persistence.outgoingClearMessageId({ id: 'a' }, queued);
    expect(await stored(persistence, 'a')).toEqual([]);
    expect(bound.trackedSessions).toBe(0);
  });

  it('keeps no state for clients that acknowledge without anything stored, however many', async () => {
    const { persistence, bound } = await boundPersistence(2);
    for (let i = 0; i < 1000; i++) expect(await persistence.outgoingClearMessageId({ id: `clean-${i}` }, { messageId: 1 })).toBeUndefined();
    expect(bound.trackedSessions).toBe(0);
  });

  it('lets a message that was not stored be updated for delivery instead of failing the connection', async () => {
    const { persistence } = await boundPersistence(1);
    await persistence.outgoingEnqueue({ clientId: 'a' }, packet('1'));
    const unstored = packet('2');
    await persistence.outgoingEnqueue({ clientId: 'a' }, unstored);
    await expect(persistence.outgoingUpdate({ id: 'a' }, { ...unstored, messageId: 7 })).resolves.toBeUndefined();
    await expect(persistence.outgoingUpdate({ id: 'a' }, { cmd: 'pubrel', messageId: 7 })).resolves.toBeUndefined();
    expect(await stored(persistence, 'a')).toEqual(['1']);
  });
});
