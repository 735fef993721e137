/**
 * Booth password hashes: scrypt, written as one self-describing line so the cost can be raised
 * later without breaking hashes already in a config file:
 *
 *   scrypt$N=16384,r=8,p=1$<salt base64>$<key base64>
 */
import { randomBytes, scrypt, scryptSync, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export interface ScryptCost {
  N: number;
  r: number;
  p: number;
}

export interface PasswordHash {
  cost: ScryptCost;
  salt: Buffer;
  key: Buffer;
}

/** What `npm run hash-password` writes: about 50 ms and 16 MiB per verification. */
export const DEFAULT_SCRYPT_COST: ScryptCost = { N: 16384, r: 8, p: 1 };
/** Below this a hash is cheap enough to brute-force if the config file leaks. */
export const MIN_SCRYPT_N = 1024;
/** A hash asking for more than this per verification would let a config line exhaust memory. */
const MAX_SCRYPT_MEMORY_BYTES = 64 * 1024 * 1024;
const MAX_SCRYPT_P = 16;
const SALT_BYTES = 16;
const KEY_BYTES = 32;
const MIN_ENCODED_BYTES = 16;
const MAX_ENCODED_BYTES = 64;

export const PASSWORD_HASH_FORMAT = 'scrypt$N=16384,r=8,p=1$<salt base64>$<key base64>';

const HASH_PATTERN = /^scrypt\$N=(\d{1,10}),r=(\d{1,3}),p=(\d{1,3})\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/;

function scryptMemoryBytes(cost: ScryptCost): number {
  return 128 * cost.N * cost.r;
}

function scryptOptions(cost: ScryptCost): ScryptOptions {
  // Node's default maxmem (32 MiB) is below what some accepted costs need; allow them with headroom.
  return { N: cost.N, r: cost.r, p: cost.p, maxmem: 2 * scryptMemoryBytes(cost) };
}

/** Why `cost` is not acceptable, or null when it is. */
function costProblem(cost: ScryptCost): string | null {
  if (cost.N < MIN_SCRYPT_N) return `N must be at least ${MIN_SCRYPT_N}`;
  if ((cost.N & (cost.N - 1)) !== 0) return 'N must be a power of two';
  if (cost.r < 1) return 'r must be at least 1';
  if (cost.p < 1 || cost.p > MAX_SCRYPT_P) return `p must be between 1 and ${MAX_SCRYPT_P}`;
  if (scryptMemoryBytes(cost) > MAX_SCRYPT_MEMORY_BYTES) return `N × r is too large (more than ${MAX_SCRYPT_MEMORY_BYTES / 1024 / 1024} MiB per verification)`;
  return null;
}

function decodeBase64(text: string, what: string): Buffer | string {
  const bytes = Buffer.from(text, 'base64');
  // Reject non-canonical text (wrong padding, stray bits): it usually means a line was cut or mistyped.
  if (bytes.toString('base64') !== text) return `${what} is not canonical base64`;
  if (bytes.length < MIN_ENCODED_BYTES || bytes.length > MAX_ENCODED_BYTES) return `${what} must be ${MIN_ENCODED_BYTES} to ${MAX_ENCODED_BYTES} bytes`;
  return bytes;
}

/** Reads a hash line; a string result says what is wrong with it. */
export function parsePasswordHash(text: string): PasswordHash | string {
  const match = HASH_PATTERN.exec(text);
  if (!match) return `must look like ${PASSWORD_HASH_FORMAT}`;
  const [, n, r, p, saltText, keyText] = match as unknown as [string, string, string, string, string, string];
  const cost = { N: Number(n), r: Number(r), p: Number(p) };
  const problem = costProblem(cost);
  if (problem) return problem;
  const salt = decodeBase64(saltText, 'the salt');
  if (typeof salt === 'string') return salt;
  const key = decodeBase64(keyText, 'the key');
  if (typeof key === 'string') return key;
  return { cost, salt, key };
}

function formatPasswordHash(cost: ScryptCost, salt: Buffer, key: Buffer): string {
  return `scrypt$N=${cost.N},r=${cost.r},p=${cost.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

function checkedCost(cost: ScryptCost): ScryptCost {
  const problem = costProblem(cost);
  if (problem) throw new RangeError(`scrypt cost: ${problem}`);
  return cost;
}

export async function hashPassword(password: string | Buffer, cost: ScryptCost = DEFAULT_SCRYPT_COST): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await scryptAsync(password, salt, KEY_BYTES, scryptOptions(checkedCost(cost)));
  return formatPasswordHash(cost, salt, key);
}

/** For callers that cannot wait (test fixtures built synchronously); blocks for the whole scrypt run. */
export function hashPasswordSync(password: string | Buffer, cost: ScryptCost = DEFAULT_SCRYPT_COST): string {
  const salt = randomBytes(SALT_BYTES);
  const key = scryptSync(password, salt, KEY_BYTES, scryptOptions(checkedCost(cost)));
  return formatPasswordHash(cost, salt, key);
}

/** Runs on the libuv thread pool, so the event loop keeps serving connected devices meanwhile. */
export async function verifyPassword(password: string | Buffer, hash: PasswordHash): Promise<boolean> {
  const derived = await scryptAsync(password, hash.salt, hash.key.length, scryptOptions(hash.cost));
  return timingSafeEqual(derived, hash.key);
}

function scryptAsync(password: string | Buffer, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keyLength, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}
