// ESLint: typescript-eslint's recommended type-checked rules, minus those that do not fit this
// codebase (each turned off with its reason). Formatting is Prettier's job. TypeScript only.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', '.prospector/', 'test-artifacts/', 'scratch/', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // `xs[0]!` states what the code knows; without noUncheckedIndexedAccess the rule would strip it.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      // Express hands req.body and req.query over as any, and some rows are still untyped; zod at
      // the edges and typed queries are the cure, not a lint error on every use.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // String(v ?? '') on untrusted query and jsonb values is the intended coercion.
      '@typescript-eslint/no-base-to-string': 'off',
      // An async method satisfying a Promise-returning interface need not await anything.
      '@typescript-eslint/require-await': 'off',
      // Express 5 and node:http take async handlers; Express forwards their rejections.
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      // `{ secret: _s, ...rest }` drops fields on purpose; `_` marks an argument kept for its position.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true, caughtErrors: 'none' },
      ],
    },
  },
);
