/**
 * The layering rules live in eslint.config.js; these tests prove they bite: each forbidden import,
 * linted as if it sat in the folder that must not use it, is reported. (Those texts are not files of
 * the TypeScript project, so they are linted without type information.) The type-aware rules bite
 * too: a floating promise in a real file of the project is reported.
 */
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';

const eslint = new ESLint({ cwd: process.cwd(), overrideConfig: tseslint.configs.disableTypeChecked });

async function problems(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports').map((m) => m.message);
}

describe('layering rules', () => {
  it('reject electron in the engine', async () => {
    assert.ok((await problems('main/engine/example.ts', "import { app } from 'electron';\nexport const a = app;\n")).length > 0);
  });

  it('reject electron in the command', async () => {
    assert.ok((await problems('main/cli/example.ts', "import { shell } from 'electron';\nexport const s = shell;\n")).length > 0);
  });

  it('reject the bridge handlers in main/common and in the renderer', async () => {
    assert.ok(
      (await problems('main/common/example.ts', "import { createBridgeHandlers } from '../bridge/handlers';\nexport const c = createBridgeHandlers;\n"))
        .length > 0,
    );
    assert.ok(
      (await problems('renderer/example.ts', "import { createBridgeHandlers } from '../main/bridge/handlers';\nexport const c = createBridgeHandlers;\n"))
        .length > 0,
    );
  });

  it('reject electron in the bridge handlers', async () => {
    assert.ok((await problems('main/bridge/example.ts', "import { ipcMain } from 'electron';\nexport const i = ipcMain;\n")).length > 0);
  });

  it('reject the command in the engine', async () => {
    assert.ok((await problems('main/engine/example.ts', "import { EXIT } from '../cli/exit-codes';\nexport const e = EXIT;\n")).length > 0);
  });

  it('reject the Electron layer in the engine', async () => {
    assert.ok((await problems('main/engine/example.ts', "import { x } from '../electron/tray';\nexport const y = x;\n")).length > 0);
  });

  it('reject Node built-ins in main/common, which the renderer shares', async () => {
    assert.ok((await problems('main/common/example.ts', "import { readFile } from 'node:fs/promises';\nexport const r = readFile;\n")).length > 0);
  });

  it('reject Node, Electron and the engine in the renderer', async () => {
    assert.ok((await problems('renderer/example.ts', "import { readFile } from 'node:fs';\nexport const r = readFile;\n")).length > 0);
    assert.ok((await problems('renderer/example.ts', "import { ipcRenderer } from 'electron';\nexport const i = ipcRenderer;\n")).length > 0);
    assert.ok((await problems('renderer/example.ts', "import { Engine } from '../main/engine/engine';\nexport const e = Engine;\n")).length > 0);
  });

  it('allow the renderer to use main/common', async () => {
    assert.deepEqual(await problems('renderer/example.ts', "import { validateCode } from '../main/common/validation';\nexport const v = validateCode;\n"), []);
  });

  it('allow electron in the Electron layer', async () => {
    assert.deepEqual(await problems('main/electron/example.ts', "import { app } from 'electron';\nexport const a = app;\n"), []);
  });
});

describe('layering rules, more', () => {
  it('reject the engine in main/common', async () => {
    assert.ok((await problems('main/common/example.ts', "import { Engine } from '../engine/engine';\nexport const e = Engine;\n")).length > 0);
  });

  it('reject keytar in the renderer', async () => {
    assert.ok((await problems('renderer/example.ts', "import keytar from 'keytar';\nexport const k = keytar;\n")).length > 0);
  });
});

describe('type-aware rules', () => {
  it('report a floating promise', async () => {
    const file = join(process.cwd(), 'test', 'lint', `lint-probe-${process.pid}.ts`);
    await writeFile(file, 'async function work(): Promise<void> {}\nexport function start(): void {\n  work();\n}\n');
    try {
      const [result] = await new ESLint({ cwd: process.cwd() }).lintFiles([file]);
      assert.deepEqual(
        (result?.messages ?? []).map((m) => m.ruleId),
        ['@typescript-eslint/no-floating-promises'],
      );
    } finally {
      await rm(file, { force: true });
    }
  });
});
