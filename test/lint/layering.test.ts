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

describe("the engine's public entry", () => {
  it("rejects reaching into the engine's rooms from the command, the bridge and the Electron layer", async () => {
    for (const [file, spec] of [
      ['main/cli/commands/example.ts', '../../engine/sessions/exports'],
      ['main/cli/example.ts', '../engine/engine'],
      ['main/bridge/example.ts', '../engine/keychain/profile-secrets'],
      ['main/electron/example.ts', '../engine/files/paths'],
      ['main/electron/example.ts', '../engine/fast-path'],
    ] as const) {
      assert.ok((await problems(file, `import { x } from '${spec}';\nexport const y = x;\n`)).length > 0, `${file} importing ${spec}`);
    }
  });

  it('allows the public entry, and the light entry in the command', async () => {
    assert.deepEqual(await problems('main/cli/commands/example.ts', "import { createEngine } from '../../engine';\nexport const c = createEngine;\n"), []);
    assert.deepEqual(await problems('main/electron/example.ts', "import { createEngine } from '../engine';\nexport const c = createEngine;\n"), []);
    assert.deepEqual(await problems('main/cli/example.ts', "import { SettingsStore } from '../engine/fast-path';\nexport const s = SettingsStore;\n"), []);
  });
});

describe('the engine as a facade', () => {
  async function reaches(filePath: string, code: string): Promise<number> {
    const [result] = await eslint.lintText(code, { filePath });
    return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-syntax').length;
  }

  it("rejects reaching into the engine's stores from the command, the bridge and the Electron layer", async () => {
    assert.equal(await reaches('main/cli/commands/example.ts', 'declare const engine: { secrets: unknown };\nexport const s = engine.secrets;\n'), 1);
    assert.equal(await reaches('main/bridge/example.ts', 'declare const engine: { sessions: unknown };\nexport const s = engine.sessions;\n'), 1);
    assert.equal(
      await reaches(
        'main/electron/example.ts',
        'export class A {\n  engine = { settings: 1 };\n  get s(): number {\n    return this.engine.settings;\n  }\n}\n',
      ),
      1,
    );
    assert.equal(await reaches('main/cli/example.ts', 'declare const engine: { profiles(): unknown };\nexport const p = engine.profiles();\n'), 0);
  });
});

describe('the preload', () => {
  it('uses only electron and main/common', async () => {
    assert.deepEqual(await problems('main/preload/example.ts', "import { contextBridge } from 'electron';\nexport const c = contextBridge;\n"), []);
    assert.deepEqual(await problems('main/preload/example.ts', "import { channelOf } from '../common/bridge';\nexport const c = channelOf;\n"), []);
    assert.ok((await problems('main/preload/example.ts', "import { createEngine } from '../engine';\nexport const c = createEngine;\n")).length > 0);
    assert.ok((await problems('main/preload/example.ts', "import { TrayApp } from '../electron/tray-app';\nexport const t = TrayApp;\n")).length > 0);
    assert.ok((await problems('main/preload/example.ts', "import { readFile } from 'node:fs';\nexport const r = readFile;\n")).length > 0);
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
