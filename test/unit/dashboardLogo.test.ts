import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_LOGO_BYTES, logoReference, readLogoFile } from '../../server/dashboard/dashboardLogo';
import { DashboardSource } from '../../server/dashboard/DashboardSource';

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);

describe('reading a logo file', () => {
  let folder: string;
  let outside: string;
  const read = (path: string) => {
    const reference = logoReference(path);
    if (typeof reference === 'string' || reference.kind !== 'file') throw new Error(`not a file reference: ${path}`);
    return readLogoFile(folder, reference);
  };

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'showfloor-logo-'));
    await mkdir(join(folder, 'logos'));
    await writeFile(join(folder, 'logos', 'acme.png'), PNG);
    await writeFile(join(folder, 'renamed.png'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    await writeFile(join(folder, 'huge.png'), Buffer.concat([PNG, Buffer.alloc(MAX_LOGO_BYTES)]));
    await mkdir(join(folder, 'folder.png'));
    outside = await mkdtemp(join(tmpdir(), 'showfloor-outside-'));
    await writeFile(join(outside, 'secret.png'), PNG);
    await symlink(join(outside, 'secret.png'), join(folder, 'link.png'));
  });
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
    await rm(outside, { recursive: true, force: true });
  });

  it('reads an image with its content type and a content hash', async () => {
    const logo = await read('logos/acme.png');
    expect(logo).toEqual({ bytes: PNG, contentType: 'image/png', hash: expect.stringMatching(/^[0-9a-f]{16}$/) as unknown });
  });

  it.each([
    ['missing.png', 'missing.png does not exist'],
    ['renamed.png', 'renamed.png is not an image/png file'],
    ['huge.png', `huge.png is ${PNG.length + MAX_LOGO_BYTES} bytes; a logo may be at most ${MAX_LOGO_BYTES} (1 MiB)`],
    ['folder.png', 'folder.png is not a file'],
    ['link.png', "link.png links to a file outside the dashboard file's folder"],
  ])('refuses %s', async (path, message) => {
    await expect(read(path)).rejects.toThrow(message);
  });
});

describe('the example dashboard', () => {
  it('loads with its logo, as the server would serve it', async () => {
    const source = await DashboardSource.open('examples/dashboard.yaml', pino({ level: 'silent' }));
    expect(source.current.source).toBe('file');
    expect(source.current.branding.logoUrl).toMatch(/^\/wall\/logo\?v=[0-9a-f]{16}$/);
    expect(source.logo?.contentType).toBe('image/svg+xml');
    expect(source.status.error).toBeNull();
    source.close();
  });
});
