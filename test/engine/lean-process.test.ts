/**
 * `runLean` (main/engine/lean-process.ts), which `watch` and the tray app call first: from then on
 * V8 compiles nothing past its interpreter, however hot a function runs. Asked of V8 itself
 * (`%GetOptimizationStatus`), in a Node process of its own, with the same hot loop before and after.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { ROOT } from '../support/cli';

/** Whether V8 optimised a function called three million times, in a fresh process, lean or not. */
async function optimisedAfterHotLoop(lean: boolean): Promise<boolean> {
  const script = `
    import { setFlagsFromString } from 'node:v8';
    import { runLean } from ${JSON.stringify(join(ROOT, 'main', 'engine', 'lean-process.ts'))};
    if (${lean}) runLean();
    setFlagsFromString('--allow-natives-syntax');
    const hot = new Function('a', 'b', 'return a * b + 1;');
    let sum = 0;
    for (let i = 0; i < 3e6; i += 1) sum += hot(i, 2);
    const status = new Function('f', 'return %GetOptimizationStatus(f);')(hot);
    // V8's OptimizationStatus: bit 4 (16) is "optimized" (TurboFan or Maglev).
    console.log(JSON.stringify({ optimised: (status & 16) !== 0, sum: sum > 0 }));`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, timeout: 60_000 });
  return (JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as { optimised: boolean }).optimised;
}

test('runLean: V8 optimises a hot function without it, and does not with it', async () => {
  assert.equal(await optimisedAfterHotLoop(false), true, 'the check can tell');
  assert.equal(await optimisedAfterHotLoop(true), false);
});
