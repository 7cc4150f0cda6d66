/**
 * The shared record of sent codes, on real files in a temp folder, with two instances and two
 * processes on one file.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { isMfaTrayError, type MfaTrayError } from '../../main/common/errors';
import { CODE_ALREADY_USED_MESSAGE, STEP_MEMORY_MS, TYPED_CODE_WINDOW_MS, UsedCodes } from '../../main/engine/codes/used-codes';
import { FakeClock } from '../support/fake-clock';

const root = fileURLToPath(new URL('../..', import.meta.url));
const usedCodesModule = pathToFileURL(fileURLToPath(new URL('../../main/engine/codes/used-codes.ts', import.meta.url))).href;

const DEVICE = 'arn:aws:iam::123456789012:mfa/alice';
const OTHER_DEVICE = 'arn:aws:iam::123456789012:mfa/bob';

let dir: string;
let fileNumber = 0;

/** A fresh file path (the file does not exist yet). */
function freshPath(): string {
  fileNumber += 1;
  return join(dir, `cfg-${fileNumber}`, 'used-codes.json');
}

function isReused(error: unknown): error is MfaTrayError {
  return isMfaTrayError(error, 'code-reused');
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mfa-tray-used-codes-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('UsedCodes.release', () => {
  it('gives a generated code and its step back: the same step can be claimed again', async () => {
    const used = new UsedCodes(freshPath(), { clock: new FakeClock() });
    await used.claimStep(DEVICE, 998, '111111');
    await used.claimStep(DEVICE, 1000, '123456');
    await used.release(DEVICE, '123456');
    await used.claimStep(DEVICE, 1000, '123456');
    await assert.rejects(used.claimStep(DEVICE, 998), isReused, 'a step sent before stays refused');
  });

  // Seen: a code made with a stale clock offset for a step minutes ahead, refused by AWS and given
  // back, left the record blocking every step until then ("the next usable code is 176 s away").
  it('gives back a step far ahead: the steps between the one before it and it are free again, in another process too', async () => {
    const path = freshPath();
    const used = new UsedCodes(path, { clock: new FakeClock() });
    await used.claimStep(DEVICE, 1000, '111111');
    await used.claimStep(DEVICE, 1005, '555555');
    await used.release(DEVICE, '555555');
    const other = new UsedCodes(path, { clock: new FakeClock() });
    assert.equal(await other.lastStep(DEVICE), 1000);
    await other.claimStep(DEVICE, 1001, '222222');
    await assert.rejects(other.claimStep(DEVICE, 1000), isReused);

    // An entry an older MFA Tray rewrote (no `before`, no `first`): only its own step is given back.
    const olderPath = freshPath();
    const older = new UsedCodes(olderPath, { clock: new FakeClock() });
    await older.claimStep(DEVICE, 3000, '300000');
    await older.claimStep(DEVICE, 3005, '300500');
    const text = JSON.parse(await readFile(olderPath, 'utf8')) as { devices: Record<string, { codes: Array<Record<string, unknown>> }> };
    for (const entry of text.devices[DEVICE]?.codes ?? []) {
      delete entry.before;
      delete entry.first;
    }
    await writeFile(olderPath, `${JSON.stringify(text)}\n`);
    await older.release(DEVICE, '300500');
    assert.equal(await older.lastStep(DEVICE), 3004);

    const fresh = new UsedCodes(freshPath(), { clock: new FakeClock() });
    await fresh.claimStep(DEVICE, 2005, '999999');
    await fresh.release(DEVICE, '999999');
    assert.equal(await fresh.lastStep(DEVICE), undefined, 'no step was sent before it');
    await fresh.claimStep(DEVICE, 2000, '000000');
  });

  it('gives a typed code back', async () => {
    const used = new UsedCodes(freshPath(), { clock: new FakeClock() });
    await used.claimTypedCode(DEVICE, '654321');
    await used.release(DEVICE, '654321');
    await used.claimTypedCode(DEVICE, '654321');
    await assert.rejects(used.claimTypedCode(DEVICE, '654321'), isReused);
  });

  it('keeps a later step another process claimed meanwhile', async () => {
    const path = freshPath();
    const mine = new UsedCodes(path, { clock: new FakeClock() });
    const theirs = new UsedCodes(path, { clock: new FakeClock() });
    await mine.claimStep(DEVICE, 1000, '123456');
    await theirs.claimStep(DEVICE, 1001, '222222');
    await mine.release(DEVICE, '123456');
    assert.equal(await mine.lastStep(DEVICE), 1001);
  });
});

describe('UsedCodes.claimStep', () => {
  it('records a step, so that claiming it again is refused', async () => {
    const used = new UsedCodes(freshPath(), { clock: new FakeClock() });

    await used.claimStep(DEVICE, 1000, '123456');

    await assert.rejects(used.claimStep(DEVICE, 1000), isReused);
  });

  it('refuses a step earlier than the last one claimed', async () => {
    const used = new UsedCodes(freshPath(), { clock: new FakeClock() });
    await used.claimStep(DEVICE, 1000);

    await assert.rejects(used.claimStep(DEVICE, 999), isReused);
  });

  it('accepts the next step', async () => {
    const used = new UsedCodes(freshPath(), { clock: new FakeClock() });
    await used.claimStep(DEVICE, 1000);

    await used.claimStep(DEVICE, 1001);

    assert.equal(await used.lastStep(DEVICE), 1001);
  });

  it('keeps each device on its own steps', async () => {
    const used = new UsedCodes(freshPath(), { clock: new FakeClock() });
    await used.claimStep(DEVICE, 1000);

    await used.claimStep(OTHER_DEVICE, 1000);

    assert.equal(await used.lastStep(OTHER_DEVICE), 1000);
  });

  it('refuses a step whose code the user typed for that device moments ago', async () => {
    const clock = new FakeClock();
    const used = new UsedCodes(freshPath(), { clock });
    await used.claimTypedCode(DEVICE, '654321', clock.now());

    await assert.rejects(used.claimStep(DEVICE, 1000, '654321'), (error) => isReused(error) && error.message === CODE_ALREADY_USED_MESSAGE);
  });

  it('knows no last step for a device never seen, nor when the file does not exist', async () => {
    const used = new UsedCodes(freshPath());

    assert.equal(await used.lastStep(DEVICE), undefined);
  });

  it('claims of many devices at once (refresh --all) are all recorded, and one step once only', async () => {
    const used = new UsedCodes(freshPath(), { clock: new FakeClock() });
    const devices = Array.from({ length: 8 }, (_, i) => `arn:aws:iam::123456789012:mfa/user-${i}`);

    // Written together (FileUpdates); each claim still decided on what the one before left.
    const results = await Promise.allSettled([...devices.map((device) => used.claimStep(device, 1000)), used.claimStep(devices[0] as string, 1000)]);

    assert.deepEqual(
      results.slice(0, 8).map((r) => r.status),
      Array(8).fill('fulfilled'),
    );
    const last = results[8];
    assert.ok(last?.status === 'rejected' && isReused(last.reason), 'the same step twice was not refused');
    for (const device of devices) assert.equal(await used.lastStep(device), 1000);
  });

  it('writes the file with mode 0600', async () => {
    const path = freshPath();
    const used = new UsedCodes(path, { clock: new FakeClock() });

    await used.claimStep(DEVICE, 1000);

    assert.equal((await stat(path)).mode & 0o777, 0o600);
  });
});

describe('UsedCodes.claimTypedCode', () => {
  it('refuses the same code for the same device within 90 s, with the message for the user', async () => {
    const clock = new FakeClock();
    const used = new UsedCodes(freshPath(), { clock });
    await used.claimTypedCode(DEVICE, '123456', clock.now());

    await assert.rejects(
      used.claimTypedCode(DEVICE, '123456', clock.now() + TYPED_CODE_WINDOW_MS - 1),
      (error) => isReused(error) && error.message === 'This code was already used; wait for the next one on your MFA device.',
    );
  });

  it('accepts the same code again after 90 s', async () => {
    const clock = new FakeClock();
    const used = new UsedCodes(freshPath(), { clock });
    await used.claimTypedCode(DEVICE, '123456', clock.now());

    await used.claimTypedCode(DEVICE, '123456', clock.now() + TYPED_CODE_WINDOW_MS);
  });

  it('accepts the same code for another device', async () => {
    const clock = new FakeClock();
    const used = new UsedCodes(freshPath(), { clock });
    await used.claimTypedCode(DEVICE, '123456', clock.now());

    await used.claimTypedCode(OTHER_DEVICE, '123456', clock.now());
  });

  it('refuses a code that was generated and sent for the device moments ago', async () => {
    const clock = new FakeClock();
    const used = new UsedCodes(freshPath(), { clock });
    await used.claimStep(DEVICE, 1000, '777777');

    await assert.rejects(used.claimTypedCode(DEVICE, '777777', clock.now() + 1000), isReused);
  });

  it('refuses anything but 6 digits, without touching the file', async () => {
    const path = freshPath();
    const used = new UsedCodes(path);

    await assert.rejects(used.claimTypedCode(DEVICE, '12345'), (error) => isMfaTrayError(error, 'invalid-input') && error.field === 'code');
    await assert.rejects(stat(path), { code: 'ENOENT' });
  });
});

describe('UsedCodes file', () => {
  it('treats a corrupt file as empty, reports it, and replaces it with a valid one', async () => {
    const path = freshPath();
    const clock = new FakeClock();
    await new UsedCodes(path, { clock }).claimStep(DEVICE, 1); // creates the folder
    await writeFile(path, '{ this is not json', { mode: 0o600 });
    const reasons: string[] = [];
    const used = new UsedCodes(path, { clock, onDiscard: (reason) => reasons.push(reason) });

    await used.claimStep(DEVICE, 1000);

    assert.equal(reasons.length, 1);
    assert.match(reasons[0] ?? '', /not valid JSON/);
    assert.equal(JSON.parse(await readFile(path, 'utf8')).devices[DEVICE].lastStep, 1000);
  });

  it('treats a file from another version as empty', async () => {
    const path = freshPath();
    const clock = new FakeClock();
    await new UsedCodes(path, { clock }).claimStep(DEVICE, 5000);
    await writeFile(path, JSON.stringify({ version: 99, devices: {} }));

    await new UsedCodes(path, { clock }).claimStep(DEVICE, 1000);

    assert.equal(await new UsedCodes(path).lastStep(DEVICE), 1000);
  });

  it('drops typed codes after 90 s and steps after an hour', async () => {
    const path = freshPath();
    const clock = new FakeClock();
    const used = new UsedCodes(path, { clock });
    await used.claimStep(DEVICE, 1000, '111111');
    await used.claimTypedCode(OTHER_DEVICE, '222222', clock.now());

    clock.jump(STEP_MEMORY_MS);
    await used.claimTypedCode('GAHT12345678', '333333', clock.now());

    const devices = JSON.parse(await readFile(path, 'utf8')).devices;
    assert.deepEqual(Object.keys(devices), ['GAHT12345678']);
  });

  it('lets exactly one of two instances on one file claim a step both want', async () => {
    const path = freshPath();
    const a = new UsedCodes(path);
    const b = new UsedCodes(path);

    const results = await Promise.allSettled([a, b, a, b, a, b].map((used) => used.claimStep(DEVICE, 2000)));

    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    assert.ok(results.every((r) => r.status === 'fulfilled' || isReused(r.reason)));
  });

  it('gives each step to exactly one of two processes claiming it at once', async () => {
    const path = freshPath();
    await new UsedCodes(path).claimStep(OTHER_DEVICE, 1); // creates the folder for both
    const startAt = Date.now() + 1500;
    const script = `
      const { UsedCodes } = await import(${JSON.stringify(usedCodesModule)});
      const used = new UsedCodes(${JSON.stringify(path)});
      while (Date.now() < ${startAt}) await new Promise((r) => setTimeout(r, 5));
      const won = [];
      for (let step = 1; step <= 20; step += 1) {
        // Both processes go for each step at about the same moment.
        while (Date.now() < ${startAt} + step * 40) await new Promise((r) => setTimeout(r, 1));
        try { await used.claimStep(${JSON.stringify(DEVICE)}, step); won.push(step); }
        catch (error) { if (error.code !== 'code-reused') throw error; }
      }
      console.log(JSON.stringify(won));`;
    const run = () => promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, timeout: 60_000 });

    const [first, second] = await Promise.all([run(), run()]);

    const wonByFirst = JSON.parse(first.stdout) as number[];
    const wonBySecond = JSON.parse(second.stdout) as number[];
    // Each step went to exactly one of them: whoever tried it first.
    assert.deepEqual(
      wonByFirst.filter((step) => wonBySecond.includes(step)),
      [],
    );
    assert.deepEqual(
      [...wonByFirst, ...wonBySecond].sort((a, b) => a - b),
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    assert.equal(await new UsedCodes(path).lastStep(DEVICE), 20);
  });
});
