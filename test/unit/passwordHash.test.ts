import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import * as passwordHash from '../../broker/passwordHash';
import { BoothPasswordVerifier } from '../../broker/BoothPasswordVerifier';

const { DEFAULT_SCRYPT_COST, hashPassword, hashPasswordSync, parsePasswordHash, verifyPassword } = passwordHash;
const CHEAP = { N: 1024, r: 8, p: 1 };

function parsed(text: string): passwordHash.PasswordHash {
  const hash = parsePasswordHash(text);
  if (typeof hash === 'string') throw new Error(hash);
  return hash;
}

describe('password hashes', () => {
  it('writes a self-describing scrypt line at N=16384 by default', async () => {
    const line = await hashPassword('a-long-random-secret');
    expect(line).toMatch(/^scrypt\$N=16384,r=8,p=1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/);
    expect(DEFAULT_SCRYPT_COST).toEqual({ N: 16384, r: 8, p: 1 });
    expect(await verifyPassword('a-long-random-secret', parsed(line))).toBe(true);
  });

  it('salts every hash, and verifies with the cost the line names', async () => {
    const a = hashPasswordSync('a-long-random-secret', CHEAP);
    const b = hashPasswordSync('a-long-random-secret', CHEAP);
    expect(a).not.toBe(b);
    expect(a.startsWith('scrypt$N=1024,r=8,p=1$')).toBe(true);
    expect(await verifyPassword('a-long-random-secret', parsed(a))).toBe(true);
    expect(await verifyPassword(Buffer.from('a-long-random-secret'), parsed(b))).toBe(true);
  });

  it('refuses wrong passwords, including prefixes and extensions of the right one', async () => {
    const hash = parsed(hashPasswordSync('a-long-random-secret', CHEAP));
    for (const wrong of ['', 'a-long-random-secre', 'a-long-random-secret ', 'A-long-random-secret']) {
      expect(await verifyPassword(wrong, hash), wrong).toBe(false);
    }
  });

  it('will not make a hash cheaper than N=1024', () => {
    expect(() => hashPasswordSync('a-long-random-secret', { N: 512, r: 8, p: 1 })).toThrow(/N must be at least 1024/);
  });

  const salt = Buffer.from('0123456789abcdef').toString('base64');
  const key = Buffer.from('0123456789abcdef0123456789abcdef').toString('base64');
  it.each([
    ['a-long-random-secret', /must look like scrypt\$N=16384,r=8,p=1\$<salt base64>\$<key base64>/],
    [`bcrypt$N=1024,r=8,p=1$${salt}$${key}`, /must look like/],
    [`scrypt$N=1024,r=8$${salt}$${key}`, /must look like/],
    [`scrypt$N=512,r=8,p=1$${salt}$${key}`, /N must be at least 1024/],
    [`scrypt$N=3000,r=8,p=1$${salt}$${key}`, /N must be a power of two/],
    [`scrypt$N=1024,r=0,p=1$${salt}$${key}`, /r must be at least 1/],
    [`scrypt$N=1024,r=8,p=17$${salt}$${key}`, /p must be between 1 and 16/],
    [`scrypt$N=1048576,r=8,p=1$${salt}$${key}`, /N × r is too large/],
    [`scrypt$N=1024,r=8,p=1$${salt.replace('==', '')}$${key}`, /the salt is not canonical base64/],
    [`scrypt$N=1024,r=8,p=1$AAAA$${key}`, /the salt must be 16 to 64 bytes/],
    [`scrypt$N=1024,r=8,p=1$${salt}$AAAA`, /the key must be 16 to 64 bytes/],
  ])('refuses %j saying why', (text, message) => {
    expect(parsePasswordHash(text)).toMatch(message);
  });

  it('reads what it writes', () => {
    const hash = parsed(`scrypt$N=2048,r=4,p=2$${salt}$${key}`);
    expect(hash.cost).toEqual({ N: 2048, r: 4, p: 2 });
    expect(hash.salt.toString()).toBe('0123456789abcdef');
    expect(hash.key).toHaveLength(32);
  });
});

describe('booth password verifier', () => {
  const booths = [
    { id: 'booth-a', passwordHash: hashPasswordSync('password-a-123', CHEAP) },
    { id: 'booth-b', passwordHash: hashPasswordSync('password-b-456', CHEAP) },
  ];

  it("accepts each booth's own password only", async () => {
    const verifier = new BoothPasswordVerifier(booths);
    expect(await verifier.verify('booth-a', Buffer.from('password-a-123'))).toBe(true);
    expect(await verifier.verify('booth-b', Buffer.from('password-b-456'))).toBe(true);
    expect(await verifier.verify('booth-a', Buffer.from('password-b-456'))).toBe(false);
    expect(await verifier.verify('booth-a', Buffer.alloc(0))).toBe(false);
    expect(await verifier.verify('no-such-booth', Buffer.from('password-a-123'))).toBe(false);
    expect(verifier.has('booth-a')).toBe(true);
    expect(verifier.has('no-such-booth')).toBe(false);
  });

  it('runs scrypt once for a burst of reconnects and not again afterwards, right or wrong', async () => {
    const verify = vi.spyOn(passwordHash, 'verifyPassword');
    try {
      const verifier = new BoothPasswordVerifier(booths);
      const burst = await Promise.all(Array.from({ length: 50 }, () => verifier.verify('booth-a', Buffer.from('password-a-123'))));
      expect(burst.every(Boolean)).toBe(true);
      expect(await verifier.verify('booth-a', Buffer.from('password-a-123'))).toBe(true);
      expect(verify).toHaveBeenCalledTimes(1);

      expect(await verifier.verify('booth-a', Buffer.from('an-old-password'))).toBe(false);
      expect(await verifier.verify('booth-a', Buffer.from('an-old-password'))).toBe(false);
      expect(verify).toHaveBeenCalledTimes(2);
      // A remembered password belongs to its booth only.
      expect(await verifier.verify('booth-b', Buffer.from('password-a-123'))).toBe(false);
      expect(await verifier.verify('booth-a', Buffer.from('password-a-123'))).toBe(true);
      expect(verify).toHaveBeenCalledTimes(3);
    } finally {
      verify.mockRestore();
    }
  });

  it("checks an unknown user's password with scrypt at the booths' cost, and remembers its wrong passwords as for a booth", async () => {
    const verify = vi.spyOn(passwordHash, 'verifyPassword');
    try {
      const verifier = new BoothPasswordVerifier(booths);
      expect(await verifier.verify('no-such-booth', Buffer.from('password-a-123'))).toBe(false);
      expect(verify).toHaveBeenCalledTimes(1);
      expect(verify.mock.calls[0]![1].cost).toEqual(CHEAP);
      // Asked again, it is answered from memory, as a booth's remembered wrong password is.
      expect(await verifier.verify('no-such-booth', Buffer.from('password-a-123'))).toBe(false);
      expect(verify).toHaveBeenCalledTimes(1);
    } finally {
      verify.mockRestore();
    }
  });

  it('remembers a bounded number of unknown user names', async () => {
    const verifier = new BoothPasswordVerifier(booths);
    for (let i = 0; i < 1100; i++) await verifier.verify(`stranger-${i}`, Buffer.from('x'));
    expect(verifier.rememberedUnknownUsers).toBe(1024);
  }, 60_000);

  it('refuses to start with a malformed hash, naming the booth', () => {
    expect(() => new BoothPasswordVerifier([{ id: 'booth-a', passwordHash: 'plain' }])).toThrow(/booth booth-a: passwordHash must look like/);
  });
});

describe('npm run hash-password', () => {
  const CLI = join(import.meta.dirname, '../../server/config/hashPasswordCli.ts');
  const run = (args: string[], input: string) => spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], { input, encoding: 'utf8', timeout: 30_000 });

  it('prints the passwordHash line for a password read from stdin', async () => {
    const result = run([], 'a-long-random-secret\n');
    expect(result.status).toBe(0);
    const line = result.stdout.trim();
    const [, text] = /^passwordHash: "(.*)"$/.exec(line) ?? [];
    expect(text).toMatch(/^scrypt\$N=16384,r=8,p=1\$/);
    expect(await verifyPassword('a-long-random-secret', parsed(text!))).toBe(true);
    expect(result.stderr).not.toContain('warning');
  });

  it('takes the password as an argument with a warning about shell history', () => {
    const result = run(['a-long-random-secret'], '');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^passwordHash: "scrypt\$/);
    expect(result.stderr).toMatch(/warning: .*shell history/);
  });

  it('refuses passwords shorter than 12 characters', () => {
    const result = run([], 'elevenchars\n');
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('hash-password: the password must be at least 12 characters');
  });
});
