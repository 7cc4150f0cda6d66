/**
 * The security scan's wrapper bites: an insecure build fails it, bundles named .mjs/.cjs included
 * (which the scanner itself would skip), and it runs offline. (npm test runs it over the real build.)
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

describe('electronegativity wrapper', () => {
  it('fails an insecure main process and names the findings', async () => {
    const dist = await mkdtemp(join(tmpdir(), 'mfa-tray-insecure-'));
    try {
      await mkdir(join(dist, 'renderer'));
      await writeFile(
        join(dist, 'main.mjs'),
        [
          "import { BrowserWindow } from 'electron';",
          'class Window { #w = new BrowserWindow({ webPreferences: { contextIsolation: false, sandbox: false } }); get w() { return this.#w; } }',
          "new Window().w.loadURL('http://example.com/');",
        ].join('\n'),
      );
      await writeFile(join(dist, 'preload.cjs'), "require('electron');\n");
      await writeFile(join(dist, 'renderer', 'page.html'), '<!doctype html><title>x</title>\n');
      const run = spawnSync(process.execPath, ['scripts/electronegativity.mjs', '--dist', dist], { encoding: 'utf8', timeout: 120_000 });
      assert.equal(run.status, 1, run.stdout + run.stderr);
      assert.match(run.stdout, /offline/);
      for (const id of ['CONTEXT_ISOLATION_JS_CHECK', 'SANDBOX_JS_CHECK', 'HTTP_RESOURCES_JS_CHECK', 'LIMIT_NAVIGATION_GLOBAL_CHECK', 'CSP_GLOBAL_CHECK']) {
        assert.match(run.stdout, new RegExp(`UNJUSTIFIED  ${id}`), id);
      }
      assert.match(run.stderr, /without a justification/);
    } finally {
      await rm(dist, { recursive: true, force: true });
    }
  });
});
