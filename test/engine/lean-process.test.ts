/**
 * `runLean` (main/engine/lean-process.ts), which `watch` and the tray app call first: from then on
 * V8 runs JavaScript in its interpreter however hot a function turns. Asked of V8 itself
 * (`%ActiveTierIsIgnition`: any of the three compilers left on would move the loop's function to
 * its tier), in a Node process of its own, with and without it.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { ROOT } from '../support/cli';

/** Whether a function called three million times still runs in V8's interpreter, in a fresh process, lean or not. */
async function interpretedAfterHotLoop(lean: boolean): Promise<boolean> {
  const script = `
    import { setFlagsFromString } from 'node:v8';
    import { runLean } from ${JSON.stringify(join(ROOT, 'main', 'engine', 'lean-process.ts'))};
    if (${lean}) runLean();
    setFlagsFromString('--allow-natives-syntax');
    const hot = new Function('a', 'b', 'return a * b + 1;');
    let sum = 0;
    for (let i = 0; i < 3e6; i += 1) sum += hot(i, 2);
    const interpreted = new Function('f', 'return %ActiveTierIsIgnition(f);')(hot);
    console.log(JSON.stringify({ interpreted, sum: sum > 0 }));`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, timeout: 60_000 });
  return (JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as { interpreted: boolean }).interpreted;
}

test('runLean: a hot function leaves the interpreter without it, and stays there with it', async () => {
  assert.equal(await interpretedAfterHotLoop(false), false, 'the check can tell');
  assert.equal(await interpretedAfterHotLoop(true), true);
});
