import { describe, expect, it } from 'vitest';
import { ConnectionAdmission, type Admission, type ConnectionAdmissionOptions } from '../../broker/ConnectionAdmission';

function clock() {
  let t = 1_000_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

const roomy: ConnectionAdmissionOptions = {
  maxUnauthenticatedPerAddress: 1000,
  attemptsPerSecond: 100,
  attemptBurst: 100,
  maxTrackedAddresses: 10,
  maxConnectionsPerBooth: 1000,
};

function ticketOf(admission: Admission) {
  if (!admission.admitted) throw new Error(`refused: ${admission.refusal}`);
  return admission.ticket;
}

describe('ConnectionAdmission', () => {
  it('admits up to the per-address limit of unauthenticated connections and frees a place on release', () => {
    const admission = new ConnectionAdmission({ ...roomy, maxUnauthenticatedPerAddress: 2 });
    const a = ticketOf(admission.admit('10.0.0.1'));
    ticketOf(admission.admit('10.0.0.1'));
    expect(admission.admit('10.0.0.1')).toEqual({ admitted: false, refusal: 'too-many-connections' });
    expect(admission.admit('10.0.0.2').admitted).toBe(true); // another address has its own limit
    a.release();
    a.release(); // a second release must not free a second place
    expect(admission.unauthenticatedFrom('10.0.0.1')).toBe(1);
    expect(admission.admit('10.0.0.1').admitted).toBe(true);
    expect(admission.admit('10.0.0.1').admitted).toBe(false);
  });

  it('forgets an address once its last connection closes', () => {
    const admission = new ConnectionAdmission({ ...roomy, maxUnauthenticatedPerAddress: 5 });
    ticketOf(admission.admit('10.0.0.1')).release();
    expect(admission.unauthenticatedFrom('10.0.0.1')).toBe(0);
  });

  it('limits attempts per second, refused or not, and recovers after the window', () => {
    const c = clock();
    const admission = new ConnectionAdmission({ ...roomy, attemptsPerSecond: 5, attemptBurst: 5, now: c.now });
    const results = Array.from({ length: 50 }, () => admission.admit('10.0.0.1'));
    expect(results.filter((r) => r.admitted)).toHaveLength(5);
    expect(results.filter((r) => !r.admitted && r.refusal === 'connection-rate-limited')).toHaveLength(45);
    c.advance(1000);
    expect(admission.admit('10.0.0.1').admitted).toBe(true);
  });

  it('remembers the attempt rate of at most maxTrackedAddresses addresses', () => {
    const admission = new ConnectionAdmission({ ...roomy, maxUnauthenticatedPerAddress: 1, attemptsPerSecond: 1, attemptBurst: 1, maxTrackedAddresses: 50 });
    for (let i = 0; i < 5000; i++) {
      const admitted = admission.admit(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
      if (admitted.admitted) admitted.ticket.release();
    }
    expect(admission.trackedAddresses).toBe(50);
  });

  it('moves an authenticated connection from its address to its booth, so a booth behind one address is not held to the address limit', () => {
    const admission = new ConnectionAdmission({ ...roomy, maxUnauthenticatedPerAddress: 3, maxConnectionsPerBooth: 500 });
    const tickets = [];
    for (let i = 0; i < 500; i++) {
      const ticket = ticketOf(admission.admit('192.0.2.7'));
      expect(ticket.authenticated('booth-a')).toBe(true);
      tickets.push(ticket);
    }
    expect(admission.unauthenticatedFrom('192.0.2.7')).toBe(0);
    expect(admission.connectionsOf('booth-a')).toBe(500);
    // Closing gives the booth's place back, once.
    tickets[0]!.release();
    tickets[0]!.release();
    expect(admission.connectionsOf('booth-a')).toBe(499);
    expect(admission.unauthenticatedFrom('192.0.2.7')).toBe(0);
  });

  it('gives an attempt that authenticates back to its address, and charges every one that does not', () => {
    const c = clock();
    const admission = new ConnectionAdmission({ ...roomy, attemptsPerSecond: 20, attemptBurst: 40, now: c.now });
    // 500 devices of one booth, each proving its password before the next arrives: none waits for a refill.
    for (let i = 0; i < 500; i++) expect(ticketOf(admission.admit('192.0.2.7')).authenticated('booth-a')).toBe(true);
    // A guesser from the same address still has the burst of 40 and then 20 a second, as before.
    const guesses = Array.from({ length: 100 }, () => admission.admit('192.0.2.7'));
    expect(guesses.filter((g) => g.admitted)).toHaveLength(40);
    for (const guess of guesses) if (guess.admitted) guess.ticket.release(); // refused: wrong password
    c.advance(1000);
    const later = Array.from({ length: 100 }, () => admission.admit('192.0.2.7'));
    expect(later.filter((g) => g.admitted)).toHaveLength(20);
  });

  it('never gives back more than the burst, nor twice for one connection', () => {
    const c = clock();
    const admission = new ConnectionAdmission({ ...roomy, attemptsPerSecond: 1, attemptBurst: 2, now: c.now });
    const first = ticketOf(admission.admit('10.0.0.1'));
    expect(first.authenticated('booth-a')).toBe(true);
    expect(first.authenticated('booth-a')).toBe(true);
    expect(first.authenticated('booth-a')).toBe(true);
    // One token was given back, not three: the burst of 2 holds 2 again, then nothing.
    expect([1, 2, 3].map(() => admission.admit('10.0.0.1').admitted)).toEqual([true, true, false]);
  });

  it('refuses a booth past its budget of connections from any address, keeps counting it against its address, and frees a place on close', () => {
    const admission = new ConnectionAdmission({ ...roomy, maxUnauthenticatedPerAddress: 10, maxConnectionsPerBooth: 2 });
    const a = ticketOf(admission.admit('10.0.0.1'));
    const b = ticketOf(admission.admit('10.0.0.2'));
    expect(a.authenticated('booth-a') && b.authenticated('booth-a')).toBe(true);
    const third = ticketOf(admission.admit('10.0.0.3'));
    expect(third.authenticated('booth-a')).toBe(false);
    expect(admission.unauthenticatedFrom('10.0.0.3')).toBe(1);
    // Another booth has its own budget.
    expect(ticketOf(admission.admit('10.0.0.3')).authenticated('booth-b')).toBe(true);
    third.release();
    expect(admission.unauthenticatedFrom('10.0.0.3')).toBe(0);
    a.release();
    expect(admission.connectionsOf('booth-a')).toBe(1);
    expect(ticketOf(admission.admit('10.0.0.1')).authenticated('booth-a')).toBe(true);
  });

  it('lets a connection that takes over one of the same client id in at the booth maximum', () => {
    const admission = new ConnectionAdmission({ ...roomy, maxConnectionsPerBooth: 1 });
    const old = ticketOf(admission.admit('10.0.0.1'));
    expect(old.authenticated('booth-a')).toBe(true);
    const takeover = ticketOf(admission.admit('10.0.0.1'));
    expect(takeover.authenticated('booth-a', true)).toBe(true);
    old.release(); // the takeover closes the old connection
    expect(admission.connectionsOf('booth-a')).toBe(1);
    expect(ticketOf(admission.admit('10.0.0.1')).authenticated('booth-a')).toBe(false);
  });

  it('does not count a connection that closed before its password was proven', () => {
    const admission = new ConnectionAdmission(roomy);
    const ticket = ticketOf(admission.admit('10.0.0.1'));
    ticket.release();
    expect(ticket.authenticated('booth-a')).toBe(false);
    expect(admission.connectionsOf('booth-a')).toBe(0);
    expect(admission.unauthenticatedFrom('10.0.0.1')).toBe(0);
  });
});
