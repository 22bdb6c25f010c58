import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'bench/out/**', 'test/fixtures/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', TextDecoder: 'readonly', TextEncoder: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', performance: 'readonly', structuredClone: 'readonly', queueMicrotask: 'readonly', setImmediate: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' }],
      'no-empty': ['error', { allowEmptyCatch: false }],
      'no-control-regex': 'off',
    },
  },
  {
    files: ['src/core/**/*.ts'],
    ignores: ['src/core/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['node:*', 'fs', 'path', 'os', 'child_process', 'net', 'tls', 'http', 'https', 'undici', 'better-sqlite3', 'ssh2'], message: 'src/core is pure: no I/O, no node:* modules (see docs/architecture).' },
        { group: ['../../collect/*', '../../probe/*', '../../knowledge/*', '../../cli/*', '../../report/*', '../../pii/*'], message: 'src/core must not depend on outer layers.' },
      ] }],
      'no-restricted-globals': ['error', { name: 'process', message: 'src/core is pure: pass values in.' }, { name: 'Date', message: 'src/core is pure: pass now in.' }],
    },
  },
);
