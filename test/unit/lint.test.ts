/**
 * The linter bites: the project's own eslint.config.js, run through ESLint's Node API exactly as
 * `npm run lint` runs it, reports a promise nobody awaits and one handed to a callback that ignores
 * it. The scratch files sit under test/, inside tsconfig.json's `include`, because typescript-eslint's
 * project service type-checks only files a tsconfig claims (anything else is a parse error, not a pass).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const PROJECT_ROOT = join(import.meta.dirname, '../..');

/** A promise-returning function each scratch file calls; `export {}` makes the file a module, so top-level await is allowed. */
const PRELUDE = 'export {};\nfunction save(): Promise<void> {\n  return Promise.resolve();\n}\n';

const SCRATCH = {
  floating: `${PRELUDE}save();\n`,
  voided: `${PRELUDE}void save();\n`,
  awaited: `${PRELUDE}await save();\n`,
  // setTimeout ignores what its callback returns, so a rejection there is lost.
  misused: `${PRELUDE}setTimeout(async () => {\n  await save();\n}, 1);\n`,
};

describe('npm run lint (ESLint with typescript-eslint, type-aware)', () => {
  let folder: string;
  const results = new Map<keyof typeof SCRATCH, ESLint.LintResult>();

  beforeAll(async () => {
    folder = await mkdtemp(join(PROJECT_ROOT, 'test', 'lint-scratch-'));
    const files = await Promise.all(
      Object.entries(SCRATCH).map(async ([name, code]) => {
        const file = join(folder, `${name}.ts`);
        await writeFile(file, code);
        return [name as keyof typeof SCRATCH, file] as const;
      }),
    );
    // One lintFiles call: the project's type information is built once for all four files.
    const linted = await new ESLint({ cwd: PROJECT_ROOT }).lintFiles(files.map(([, file]) => file));
    for (const [name, file] of files)
      results.set(
        name,
        linted.find((result) => result.filePath === file)!,
      );
  }, 60_000);

  afterAll(async () => {
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  const reported = (name: keyof typeof SCRATCH) => results.get(name)?.messages.map((m) => `${m.line}: ${m.ruleId ?? 'fatal'}: ${m.message}`);

  it('reports a floating promise', () => {
    expect(reported('floating')).toEqual([expect.stringMatching(/^5: @typescript-eslint\/no-floating-promises: /)]);
  });

  it('reports an async callback where a void one is expected', () => {
    expect(reported('misused')).toEqual([expect.stringMatching(/^5: @typescript-eslint\/no-misused-promises: /)]);
  });

  it('passes the same call marked with void or awaited', () => {
    expect(reported('voided')).toEqual([]);
    expect(reported('awaited')).toEqual([]);
  });
});
