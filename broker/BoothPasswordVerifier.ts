/**
 * Checks a booth's password against its scrypt hash, remembering outcomes for the process lifetime.
 * A scrypt verification costs tens of milliseconds of CPU; a hall of devices reconnecting after a
 * network blip would otherwise queue hundreds of them. The hashes are fixed once the process starts,
 * so an outcome never changes and can be remembered without expiry.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { parsePasswordHash, verifyPassword, type PasswordHash } from './passwordHash';

/** Wrong passwords remembered per booth: enough for a misconfigured fleet, bounded against guessers. */
const REMEMBERED_WRONG_PASSWORDS_PER_BOOTH = 32;

function digest(password: Buffer): Buffer {
  return createHash('sha256').update(password).digest();
}

export class BoothPasswordVerifier {
  private readonly hashes: Map<string, PasswordHash>;
  /** sha256 of the last password that verified, per booth; a digest, so the password is not kept. */
  private readonly verified = new Map<string, Buffer>();
  /** Digests (hex) of wrong passwords per booth, oldest first, so devices stuck on an old one stay cheap. */
  private readonly refused = new Map<string, Set<string>>();
  /** Verifications running now, by booth and digest, so a burst of identical logins costs one scrypt. */
  private readonly running = new Map<string, Promise<boolean>>();

  constructor(booths: readonly { id: string; passwordHash: string }[]) {
    this.hashes = new Map(
      booths.map((booth) => {
        const hash = parsePasswordHash(booth.passwordHash);
        if (typeof hash === 'string') throw new Error(`booth ${booth.id}: passwordHash ${hash}`);
        return [booth.id, hash];
      }),
    );
  }

  has(booth: string): boolean {
    return this.hashes.has(booth);
  }

  async verify(booth: string, password: Buffer): Promise<boolean> {
    const hash = this.hashes.get(booth);
    if (!hash) return false;
    const given = digest(password);
    const known = this.verified.get(booth);
    if (known && timingSafeEqual(known, given)) return true;
    const givenHex = given.toString('hex');
    if (this.refused.get(booth)?.has(givenHex)) return false;

    const key = `${booth}\0${givenHex}`;
    let outcome = this.running.get(key);
    if (!outcome) {
      outcome = verifyPassword(password, hash).finally(() => this.running.delete(key));
      this.running.set(key, outcome);
      outcome.then((ok) => this.remember(booth, given, ok), () => undefined);
    }
    return outcome;
  }

  private remember(booth: string, given: Buffer, ok: boolean): void {
    if (ok) {
      this.verified.set(booth, given);
      return;
    }
    let refused = this.refused.get(booth);
    if (!refused) this.refused.set(booth, (refused = new Set()));
    refused.add(given.toString('hex'));
    if (refused.size > REMEMBERED_WRONG_PASSWORDS_PER_BOOTH) refused.delete(refused.values().next().value!);
  }
}
