/**
 * Copied exports leave the clipboard after the configured time, only if they are still there.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ClipboardService } from '../../main/electron/clipboard-service';
import { FakeClock } from '../support/fake-clock';
import { FakeClipboard } from './fakes';

function setup() {
  const clock = new FakeClock();
  const clipboard = new FakeClipboard();
  return { clock, clipboard, service: new ClipboardService(clipboard, clock) };
}

describe('clipboard', () => {
  it('puts the text on the clipboard and clears it after the configured seconds', async () => {
    const { clock, clipboard, service } = setup();
    await service.copy('export AWS_SESSION_TOKEN=abc', 60);
    assert.equal(clipboard.text, 'export AWS_SESSION_TOKEN=abc');
    clock.advance(59_999);
    await service.whenIdle();
    assert.equal(clipboard.text, 'export AWS_SESSION_TOKEN=abc');
    clock.advance(1);
    await service.whenIdle();
    assert.equal(clipboard.text, '');
    assert.equal(clipboard.clears, 1);
  });

  it('leaves whatever the user copied since', async () => {
    const { clock, clipboard, service } = setup();
    await service.copy('secret exports', 60);
    clipboard.text = "something of the user's";
    clock.advance(60_000);
    await service.whenIdle();
    assert.equal(clipboard.text, "something of the user's");
    assert.equal(clipboard.clears, 0);
  });

  it('times a second copy from the second copy', async () => {
    const { clock, clipboard, service } = setup();
    await service.copy('first', 60);
    clock.advance(30_000);
    await service.copy('second', 60);
    clock.advance(30_000);
    await service.whenIdle();
    assert.equal(clipboard.text, 'second');
    clock.advance(30_000);
    await service.whenIdle();
    assert.equal(clipboard.text, '');
  });

  it('never clears with 0 seconds configured', async () => {
    const { clock, clipboard, service } = setup();
    await service.copy('kept', 0);
    clock.advance(24 * 3_600_000);
    await service.dispose();
    assert.equal(clipboard.text, 'kept');
    assert.equal(clock.pending, 0);
  });

  it('clears on resume when the deadline passed during a sleep (timers do not count a suspend)', async () => {
    const { clock, clipboard, service } = setup();
    await service.copy('secret exports', 60);
    clock.jump(10 * 60_000);
    assert.equal(clipboard.text, 'secret exports', 'no timer has fired yet');
    await service.recheck();
    assert.equal(clipboard.text, '');
  });

  it('clears our text on quit, before its time', async () => {
    const { clipboard, service, clock } = setup();
    await service.copy('secret exports', 60);
    await service.dispose();
    assert.equal(clipboard.text, '');
    assert.equal(clock.pending, 0);
  });
});
