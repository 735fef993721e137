/**
 * The web folders depend one way: web/wall and web/console may use web/shared, web/console never
 * reaches into web/wall, and web/shared uses neither page, so a change to one page cannot break the
 * other through a borrowed module.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function sourceFiles(folder: string): string[] {
  return readdirSync(join(root, folder), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts'))
    .map((name) => join(root, folder, name));
}

/** Every relative module a file imports or re-exports (static and dynamic), as a path from the repository root. */
function importedPaths(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g)].map((match) => match[1] ?? '');
  return specifiers.map((specifier) =>
    relative(root, resolve(dirname(file), specifier))
      .split('\\')
      .join('/'),
  );
}

function importsInto(folder: string, forbidden: readonly string[]): string[] {
  return sourceFiles(folder).flatMap((file) =>
    importedPaths(file)
      .filter((path) => forbidden.some((page) => path === page || path.startsWith(`${page}/`)))
      .map((path) => `${relative(root, file)} imports ${path}`),
  );
}

describe('web folders', () => {
  it('finds the imports it checks (the scan itself works)', () => {
    expect(importedPaths(join(root, 'web/console/ConsoleChart.ts'))).toContain('web/shared/PanelChart');
    expect(importsInto('web/wall', ['web/shared']).length).toBeGreaterThan(0);
  });

  it('web/console imports nothing from web/wall', () => {
    expect(importsInto('web/console', ['web/wall'])).toEqual([]);
  });

  it('web/shared imports nothing from either page', () => {
    expect(importsInto('web/shared', ['web/wall', 'web/console'])).toEqual([]);
  });
});
