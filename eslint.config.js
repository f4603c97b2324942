// @ts-check
// ESLint 9 flat config. Type-aware rules for all TypeScript, plus import restrictions that keep Temporal
// workflow code deterministic. Run with `npx eslint .` (or `npm run lint`).
import { fileURLToPath } from 'node:url';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';
import { layersPlugin } from './eslint/layers.js';

const tsconfigRootDir = fileURLToPath(new URL('.', import.meta.url));

const TS_FILES = ['**/*.ts', '**/*.tsx', '**/*.mts', '**/*.cts'];

const WORKFLOW_DETERMINISM =
  'Workflow code must be deterministic: Temporal replays it from history, and it runs in a sandbox bundle ' +
  'without Node APIs or I/O. Do side effects (files, network, database, clock, randomness) in activities ' +
  'and call them via proxyActivities; use `import type` for their types.';

/** Node built-ins a workflow might reach for, by bare name (the `node:` form is covered by a pattern). */
const NODE_BUILTINS = [
  'fs',
  'path',
  'crypto',
  'http',
  'https',
  'http2',
  'net',
  'os',
  'child_process',
  'cluster',
  'worker_threads',
  'stream',
  'url',
  'util',
  'events',
  'dns',
  'tls',
  'dgram',
  'zlib',
  'timers',
  'process',
  'buffer',
  'async_hooks',
  'perf_hooks',
  'readline',
  'v8',
  'vm',
];

/** Escape for use inside a RegExp.
 * @param {string} s
 */
const re = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export default defineConfig(
  globalIgnores([
    'node_modules/',
    '.tools/',
    '.data/',
    '.git/',
    'db/migrations/',
    'test-results/',
    'coverage/',
    '**/*.js',
    '!eslint.config.js',
    '!eslint/*.js',
  ]),

  // Light base rule set (syntax-only rules; they also apply to this config file).
  tseslint.configs.recommended,
  {
    rules: {
      // A leading underscore marks a deliberately unused binding (e.g. an interface method's parameter).
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
        },
      ],
    },
  },

  // Type-aware rules for every TypeScript file, using the project's tsconfig.json.
  {
    files: TS_FILES,
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },

  // The layers of the house (eslint/layers.js, docs/architecture.md): imports point down, never up.
  {
    files: TS_FILES,
    plugins: { layers: layersPlugin },
    rules: { 'layers/imports': 'error' },
  },

  // Business rules are pure: no Node built-ins (randomness, files, network) in domain/, so workflows can use them.
  {
    files: ['domain/**/*.ts'],
    ignores: ['domain/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: NODE_BUILTINS.map((name) => ({ name, message: 'domain/ is pure: what needs a Node built-in is an operation (docs/architecture.md).' })),
          patterns: [{ regex: '^node:', message: 'domain/ is pure: what needs a Node built-in is an operation (docs/architecture.md).' }],
        },
      ],
    },
  },

  // Temporal workflow code (tests excluded: they run in Node and may use anything).
  // Tests read JSON answers of the API; typing every one of them would add noise, not safety.
  {
    files: ['test/**/*.ts', '**/*.test.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['workflows/**/*.ts'],
    ignores: ['workflows/**/*.test.ts'],
    rules: {
      // The TypeScript version of the rule understands `import type`, which is erased and therefore safe.
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            ...NODE_BUILTINS.map((name) => ({
              name,
              message: `Node built-in "${name}" is not available in workflows. ${WORKFLOW_DETERMINISM}`,
            })),
            ...['postgres', 'drizzle-orm'].map((name) => ({
              name,
              allowTypeImports: true,
              message: `Database access is not allowed in workflows. ${WORKFLOW_DETERMINISM}`,
            })),
            ...['@temporalio/client', '@temporalio/worker', '@temporalio/activity', '@temporalio/testing'].map(
              (name) => ({
                name,
                allowTypeImports: true,
                message: `"${name}" is not for workflow code; workflows import from "@temporalio/workflow". ${WORKFLOW_DETERMINISM}`,
              }),
            ),
          ],
          patterns: [
            {
              regex: '^node:',
              message: `Node built-ins are not available in workflows. ${WORKFLOW_DETERMINISM}`,
            },
            {
              // Sub-paths of bare built-ins: fs/promises, path/posix, stream/web, timers/promises, ...
              regex: `^(${NODE_BUILTINS.map(re).join('|')})/`,
              message: `Node built-ins are not available in workflows. ${WORKFLOW_DETERMINISM}`,
            },
            {
              regex: '^drizzle-orm/',
              allowTypeImports: true,
              message: `Database access is not allowed in workflows. ${WORKFLOW_DETERMINISM}`,
            },
            {
              // ../db, ../../db/schema, ../activities, ../activities/billing, ... (value imports only).
              regex: '^(\\.\\./)+(db|activities)(/|$)',
              allowTypeImports: true,
              message: `Workflows may only \`import type\` from db/ and activities/. ${WORKFLOW_DETERMINISM}`,
            },
          ],
        },
      ],
      // setTimeout/setInterval stay allowed: Temporal replaces them with deterministic timers.
      'no-restricted-globals': [
        'error',
        { name: 'process', message: `"process" is not available in workflows. ${WORKFLOW_DETERMINISM}` },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ImportExpression',
          message: `Dynamic import() is not supported in workflow bundles. ${WORKFLOW_DETERMINISM}`,
        },
      ],
    },
  },
);
