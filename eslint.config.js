// ESLint with typescript-eslint's type-aware rules; Prettier owns formatting (.prettierrc.json),
// so no stylistic rule is enabled here. `npm run lint` runs both; CI runs it through `npm test`.
//
// A rule that does not fit one line is disabled on that line, with the reason after `--`; unused
// disable comments are errors, so none outlives its reason. vitest types its asymmetric matchers
// (expect.any, expect.stringMatching, expect.closeTo) as `any`: inside an expected object, write
// `expect.any(Number) as unknown` so the no-unsafe-* rules see no `any` flowing into it. Type
// parsed JSON with the contract types (contract/) or test/support/publicApi.ts instead of `any`.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['dist/', 'test-artifacts/', 'data/'] },
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      // The project service type-checks each file with the tsconfig.json that includes it, so
      // every linted .ts file must be in tsconfig.json's `include`.
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // A promise nobody awaits loses its rejection: the bug class this linter is here for.
      // Both are in recommendedTypeChecked already; named here so turning them off is a visible change.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // `_name` marks a parameter a callback signature requires but this implementation does not use.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // This file is the only JavaScript; it is outside tsconfig.json, so it gets the untyped rules.
    files: ['**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
  },
);
