/**
 * Checks a booth's password against its scrypt hash, remembering outcomes for the process lifetime.
 * A scrypt verification costs tens of milliseconds of CPU; a hall of devices reconnecting after a
 * network blip would otherwise queue hundreds of them. The hashes are fixed once the process starts,
 * so an outcome never changes and can be remembered without expiry.
 *
 * A user name that is no booth is checked the same way, against a hash no password matches, and
 * its wrong passwords are remembered the same way: refusing it at once would tell a stranger in
 * 2 ms instead of 60 which booth ids exist.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { DEFAULT_SCRYPT_COST, parsePasswordHash, verifyPassword, type PasswordHash, type ScryptCost } from './passwordHash';

/** Wrong passwords remembered per booth: enough for a misconfigured fleet, bounded against guessers. */
const REMEMBERED_WRONG_PASSWORDS_PER_BOOTH = 32;
/** Unknown user names whose wrong passwords are remembered, least recently tried forgotten first. */
const REMEMBERED_UNKNOWN_USERS = 1024;

/** The cost most booths' hashes use, so a refused stranger waits as long as a wrong password usually takes. */
function usualCost(hashes: Iterable<PasswordHash>): ScryptCost {
  const counts = new Map<string, { cost: ScryptCost; n: number }>();
  for (const { cost } of hashes) {
    const key = `${cost.N},${cost.r},${cost.p}`;
    const entry = counts.get(key) ?? { cost, n: 0 };
    entry.n += 1;
    counts.set(key, entry);
  }
  let usual: { cost: ScryptCost; n: number } | undefined;
  for (const entry of counts.values()) if (!usual || entry.n > usual.n) usual = entry;
  return usual?.cost ?? DEFAULT_SCRYPT_COST;
}

function digest(password: Buffer): Buffer {
  return createHash('sha256').update(password).digest();
}

export class BoothPasswordVerifier {
  private readonly hashes: Map<string, PasswordHash>;
  /** sha256 of the last password that verified, per booth; a digest, so the password is not kept. */
  private readonly verified = new Map<string, Buffer>();
  /** Digests (hex) of wrong passwords per booth, oldest first, so devices stuck on an old one stay cheap. */
  private readonly refused = new Map<string, Set<string>>();
  /** The same for user names that are no booth; bounded by REMEMBERED_UNKNOWN_USERS, least recently tried first. */
  private readonly refusedUnknown = new Map<string, Set<string>>();
  /** What an unknown user's password is checked against: random, so nothing matches it. */
  private readonly nobody: PasswordHash;
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
    const sample = this.hashes.values().next().value;
    this.nobody = {
      cost: usualCost(this.hashes.values()),
      salt: randomBytes(sample?.salt.length ?? 16),
      key: randomBytes(sample?.key.length ?? 32),
    };
  }

  has(booth: string): boolean {
    return this.hashes.has(booth);
  }

  async verify(booth: string, password: Buffer): Promise<boolean> {
    const hash = this.hashes.get(booth);
    const given = digest(password);
    const known = this.verified.get(booth);
    if (known && timingSafeEqual(known, given)) return true;
    const givenHex = given.toString('hex');
    if (this.refusedBy(booth, hash !== undefined)?.has(givenHex)) return false;

    const key = `${booth}\0${givenHex}`;
    let outcome = this.running.get(key);
    if (!outcome) {
      // For an unknown user the scrypt run is the same work as for a booth; its outcome is always false.
      outcome = verifyPassword(password, hash ?? this.nobody)
        .then((ok) => ok && hash !== undefined)
        .finally(() => this.running.delete(key));
      this.running.set(key, outcome);
      outcome.then(
        (ok) => this.remember(booth, hash !== undefined, given, ok),
        () => undefined,
      );
    }
    return outcome;
  }

  /** Unknown user names currently remembered (bounded by REMEMBERED_UNKNOWN_USERS). */
  get rememberedUnknownUsers(): number {
    return this.refusedUnknown.size;
  }

  private refusedBy(user: string, isBooth: boolean): Set<string> | undefined {
    if (isBooth) return this.refused.get(user);
    const refused = this.refusedUnknown.get(user);
    if (refused) {
      // Re-inserted so the map's order is least recently tried first.
      this.refusedUnknown.delete(user);
      this.refusedUnknown.set(user, refused);
    }
    return refused;
  }

  private remember(user: string, isBooth: boolean, given: Buffer, ok: boolean): void {
    if (ok) {
      this.verified.set(user, given);
      return;
    }
    const remembered = isBooth ? this.refused : this.refusedUnknown;
    let refused = remembered.get(user);
    if (!refused) {
      remembered.set(user, (refused = new Set()));
      if (!isBooth && remembered.size > REMEMBERED_UNKNOWN_USERS) remembered.delete(remembered.keys().next().value!);
    }
    refused.add(given.toString('hex'));
    if (refused.size > REMEMBERED_WRONG_PASSWORDS_PER_BOOTH) refused.delete(refused.values().next().value!);
  }
}
