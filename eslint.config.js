// One lint configuration for the whole monorepo. TypeScript sources are linted with type information
// (typescript-eslint's type-checked rules, through each package's tsconfig); plain JavaScript scripts get the
// untyped rules. Formatting is Prettier's job, so the stylistic rules it would fight are switched off last.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/dist-*/**',
      '**/coverage/**',
      '**/*.d.ts',
      'scripts/conformance/node_modules/**',
    ],
  },
  js.configs.recommended,
  {
    rules: {
      // Stripping control characters from untrusted text is what several sanitisers here exist to do.
      'no-control-regex': 'off',
    },
  },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Unused bindings are an error, except the deliberate `_name` ones (ignored arguments, rest omissions).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      // An async function that implements an async contract (a resolver, a resource reader) need not await
      // anything; the promise rules that matter (floating and misused promises) stay on.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Tests read protocol payloads and fake-API examples as loose JSON and assert their shape at run time;
    // vitest's asymmetric matchers (expect.stringContaining…) are typed `any`. The unsafe-any family would
    // only add casts there, so it is off for tests and on for everything that ships.
    files: ['**/test/**/*.ts', '**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // Tests cast SDK results to the shape under test for readability; whether the cast is needed depends on
      // which client overload resolves, so the rule's autofix breaks type checking here.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      '@typescript-eslint/prefer-promise-reject-errors': 'off',
    },
  },
  {
    // The MCP Apps views run in the host's iframe with the DOM library (their own tsconfig); the DOM's
    // querySelector answers Element, so the HTMLElement assertions before focus() are needed there.
    files: ['servers/*/app/**/*.ts'],
    rules: { '@typescript-eslint/no-unnecessary-type-assertion': 'off' },
  },
  {
    files: ['**/*.{js,mjs,cjs}'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { ...globals.node } },
    rules: {
      'no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  prettier,
);
