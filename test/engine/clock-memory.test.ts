/**
 * The remembered clock offset, on real files: used while recent and while the clock has not been
 * set since; never when old, stepped, damaged or absent.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ClockMemory, OFFSET_MEMORY_MS } from '../../main/engine/clock/clock-memory';

let dir: string;
let n = 0;
const fresh = (): ClockMemory => new ClockMemory(join(dir, `c${(n += 1)}`, 'clock-offset.json'));

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mfa-tray-clock-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function edit(memory: ClockMemory, change: (json: Record<string, number>) => void): Promise<void> {
  const json = JSON.parse(await readFile(memory.path, 'utf8')) as Record<string, number>;
  change(json);
  await writeFile(memory.path, `${JSON.stringify(json)}\n`);
}

describe('ClockMemory', () => {
  it('remembers a measurement, private to the user, and calls it current', async () => {
    const memory = fresh();
    assert.equal(await memory.read(), undefined);
    await memory.write(-90_000);
    const read = await memory.read();
    assert.equal(read?.offsetMs, -90_000);
    assert.equal(read?.current, true);
    assert.ok(Math.abs((read?.measuredAt ?? 0) - Date.now()) < 5_000);
    assert.equal((await stat(memory.path)).mode & 0o777, 0o600);
  });

  it('an hour later it is still shown, but no longer current', async () => {
    const memory = fresh();
    await memory.write(30_000);
    await edit(memory, (json) => {
      json.measuredAt = (json.measuredAt as number) - OFFSET_MEMORY_MS - 1000;
      json.bootAt = (json.bootAt as number) - OFFSET_MEMORY_MS - 1000;
    });
    const read = await memory.read();
    assert.equal(read?.offsetMs, 30_000);
    assert.equal(read?.current, false);
  });

  it('after the clock was set (the boot time it implies moved), it is not current', async () => {
    const memory = fresh();
    await memory.write(30_000);
    await edit(memory, (json) => {
      json.bootAt = (json.bootAt as number) + 60_000;
    });
    assert.equal((await memory.read())?.current, false);
  });

  it('a damaged or foreign file counts as no measurement', async () => {
    const memory = fresh();
    await memory.write(1);
    for (const content of ['not json', '{"version":2,"offsetMs":1,"measuredAt":1,"bootAt":1}', '{"version":1,"offsetMs":"1"}', '[]']) {
      await writeFile(memory.path, content);
      assert.equal(await memory.read(), undefined, content);
    }
    await memory.write(5_000);
    assert.equal((await memory.read())?.offsetMs, 5_000, 'and is replaced by the next measurement');
  });
});
