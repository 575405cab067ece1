// ESLint flat config: type-aware rules plus the layering rules of ARCHITECTURE.md.
import { resolve } from 'node:path';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import engineFolders from './eslint/engine-folder-cycles.js';

const noElectron = {
  group: ['electron', 'electron/*'],
  message:
    'This layer must run without Electron (ARCHITECTURE.md): only electron/main and electron/preload may import it.',
};
const noNode = {
  group: ['node:*'],
  message: 'This layer runs in a browser or both runtimes: no Node built-ins (ARCHITECTURE.md).',
};
const nodeBuiltins = [
  'fs',
  'fs/promises',
  'path',
  'os',
  'child_process',
  'crypto',
  'http',
  'https',
  'net',
  'stream',
  'zlib',
  'worker_threads',
  'url',
  'util',
  'events',
  'buffer',
  'process',
].map((name) => ({ name, message: noNode.message }));

export const layerRules = [
  {
    files: ['electron/engine/**/*.ts', 'electron/server/**/*.ts', 'electron/cli.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [noElectron] }] },
  },
  {
    files: ['electron/engine/**/*.ts'],
    plugins: { 'engine-folders': engineFolders },
    rules: {
      'engine-folders/engine-folder-cycles': [
        'error',
        { root: resolve(import.meta.dirname, 'electron/engine') },
      ],
    },
  },
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: nodeBuiltins, patterns: [noElectron, noNode] }],
    },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    rules: {
      'no-restricted-imports': ['error', { paths: nodeBuiltins, patterns: [noElectron, noNode] }],
    },
  },
];

/** One file, one purpose: a source file over 400 lines is split by what its parts do. */
export const MAX_SOURCE_LINES = 400;
export const fileSizeRules = [
  {
    files: [
      'electron/**/*.{ts,tsx,js,mjs,cjs}',
      'shared/**/*.{ts,tsx,js,mjs}',
      'renderer/src/**/*.{ts,tsx,js,mjs}',
    ],
    rules: {
      'max-lines': ['error', { max: MAX_SOURCE_LINES, skipBlankLines: false, skipComments: false }],
    },
  },
];

export default tseslint.config(
  {
    ignores: ['node_modules/', 'out/', 'dist/', 'test-results/', 'playwright-report/', '.tsbuild/'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
    },
  },
  ...layerRules,
  ...fileSizeRules,
);
