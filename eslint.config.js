// Lint configuration. The layering rules below are the project's architecture in executable form
// (after VS Code's code-layering rule and Signal's file-suffix rule): nobody has to remember them.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

/** The engine's inner stores, which only the engine itself (and tests) may touch. */
const ENGINE_INSIDES = '/^(settings|secrets|sessions|credentials|codes|sts|clockMemory|offset|keeper)$/';

/** The engine's rooms are its own: the command, the bridge and the Electron layer use its public entry (main/engine/index.ts). */
const engineInsides = {
  regex: '^(\\.\\./)+engine/(?!fast-path$).+$',
  message:
    'Use the engine through its public entry (main/engine/index.ts: import from ".../engine"); engine/fast-path is the light entry of the command\'s first steps (main.ts, fast-entry.ts, cached-session.ts).',
};

/** Import patterns that only the Electron layer may use. */
const electronOnly = [
  { group: ['electron', 'electron/*'], message: 'Only main/electron/ may import electron: keep the engine runnable in plain Node.' },
  { regex: '^(\\.\\.?/)+(.*/)?electron(/.*)?$', message: 'The engine must not depend on the Electron layer (main/electron/).' },
];

/**
 * Node 20's recursive mkdir (sync and async) never returns where a folder cannot be made in one
 * that exists (under /proc/self): folders are made with makeFolders (main/engine/files/make-folders.ts).
 */
const recursiveMkdir = {
  selector:
    "CallExpression:matches([callee.name=/^mkdir(Sync)?$/], [callee.property.name=/^mkdir(Sync)?$/]) > ObjectExpression > Property[key.name='recursive']",
  message: "Make folders with makeFolders (engine/files/make-folders.ts): Node's recursive mkdir never returns under /proc/self.",
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'app/**', 'dist/**', 'test-results/**', 'build/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  // With type information (the project's tsconfig.json, through the project service): floating
  // promises, unsafe `any`, throwing non-errors and the like are errors too.
  ...tseslint.configs.recommendedTypeChecked.map((config) => ({ ...config, files: ['**/*.ts'] })),
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // node:test's describe/it/test return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] },
          ],
        },
      ],
      // Errors caught as `unknown` are passed on as they are (rethrown, or rejected with).
      '@typescript-eslint/only-throw-error': ['error', { allowThrowingUnknown: true, allowThrowingAny: true }],
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true, allowThrowingAny: true }],
    },
  },
  {
    // Test fakes implement async interfaces with synchronous bodies, and tests look into parsed JSON.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
  {
    languageOptions: {
      globals: { console: 'readonly', process: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', Buffer: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    // The command's launcher is CommonJS (bin/package.json): see bin/mfa-tray.js.
    files: ['bin/**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The benchmark's helper that a bare `node -e` baseline requires (bench/rss-parts.cjs).
    files: ['bench/**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', process: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // The pure layer: runs in Node and in the browser alike, so no Node, no Electron, no engine.
    files: ['main/common/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'main/common/ runs in the renderer too: no Node built-ins.' })),
          patterns: [
            ...electronOnly,
            {
              regex: '^(\\.\\./)+(main/)?(engine|bridge|cli)(/.*)?$',
              message: 'main/common/ must not depend on the engine, the bridge handlers or the command.',
            },
          ],
        },
      ],
    },
  },
  {
    // The engine and the tests: plain Node, never Electron.
    files: ['main/engine/**/*.ts', 'test/**/*.ts', 'scripts/**/*.ts'],
    ignores: ['test/electron/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: electronOnly }],
    },
  },
  {
    // The command and the bridge: plain Node, and the engine only through its public entry.
    files: ['main/bridge/**/*.ts', 'main/cli/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [...electronOnly, engineInsides] }],
    },
  },
  {
    // The Electron layer: the engine only through its public entry, and never the light entry.
    files: ['main/electron/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ ...engineInsides, regex: '^(\\.\\./)+engine/.+$', message: 'Use the engine through its public entry (import from "../engine").' }] },
      ],
    },
  },
  {
    // The engine serves the command, the tray and the windows alike: it never depends on the command.
    files: ['main/engine/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            ...electronOnly,
            { regex: '^(\\.\\.?/)+(.*/)?cli(/.*)?$', message: 'The engine must not depend on the command (main/cli/): the tray and the windows use it too.' },
          ],
        },
      ],
    },
  },
  {
    // Folders are made through makeFolders (engine/files/make-folders.ts), never Node's recursive mkdir.
    files: ['main/**/*.ts'],
    ignores: ['main/cli/**', 'main/bridge/**', 'main/electron/**'],
    rules: { 'no-restricted-syntax': ['error', recursiveMkdir] },
  },
  {
    // The engine is a facade: its surfaces call its methods, never its inner stores.
    files: ['main/cli/**/*.ts', 'main/bridge/**/*.ts', 'main/electron/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        recursiveMkdir,
        {
          selector: `MemberExpression[object.name='engine'][property.name=${ENGINE_INSIDES}], MemberExpression[object.property.name='engine'][property.name=${ENGINE_INSIDES}]`,
          message: "Use the engine's public methods (profiles(), loadSettings(), state(), onState(), credentialsPath…), not its inner stores.",
        },
      ],
    },
  },
  {
    // The preload: Electron's contextBridge and ipcRenderer over the bridge contract, nothing else.
    files: ['main/preload/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'A sandboxed preload has no Node: only electron and main/common/.' })),
          patterns: [
            { regex: '^(\\.\\./)+(engine|bridge|cli|electron)(/.*)?$', message: 'The preload uses only electron and main/common/ (the bridge contract).' },
          ],
        },
      ],
    },
  },
  {
    // The renderer: browser only. It may use main/common/ (pure code and the bridge contract), nothing else of main/.
    files: ['renderer/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'The renderer never imports Node: go through the bridge.' })),
          patterns: [
            ...electronOnly,
            { regex: '^(\\.\\.?/)+main/(engine|bridge|cli|electron)(/.*)?$', message: 'The renderer reaches the main process only through the bridge.' },
            { group: ['keytar', '@aws-sdk/*', 'otplib'], message: 'The renderer reaches the main process only through the bridge.' },
          ],
        },
      ],
    },
  },
);
