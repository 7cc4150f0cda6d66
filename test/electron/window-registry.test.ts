/**
 * One window of each kind: one code prompt per profile; asking again brings the open one forward.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WindowRegistry } from '../../main/electron/window-registry';
import { FakeWindowOpener } from './fakes';

describe('window registry', () => {
  it('opens the prompt of a profile on its page, with the profile in the query', () => {
    const opener = new FakeWindowOpener();
    new WindowRegistry(opener).show({ page: 'prompt', profile: 'work' });
    assert.deepEqual(
      opener.opened.map((w) => [w.page, w.url]),
      [['prompt', 'app://mfa-tray/prompt.html?profile=work']],
    );
  });

  it('keeps one prompt per profile: a second request focuses it', () => {
    const opener = new FakeWindowOpener();
    const windows = new WindowRegistry(opener);
    const first = windows.show({ page: 'prompt', profile: 'work' });
    const second = windows.show({ page: 'prompt', profile: 'work' });
    assert.equal(second, first);
    assert.equal(opener.opened.length, 1);
    assert.equal(opener.opened[0]?.focused, 1);
  });

  it('gives each profile its own prompt', () => {
    const opener = new FakeWindowOpener();
    const windows = new WindowRegistry(opener);
    windows.show({ page: 'prompt', profile: 'work' });
    windows.show({ page: 'prompt', profile: 'personal' });
    assert.deepEqual(
      opener.opened.map((w) => w.url),
      ['app://mfa-tray/prompt.html?profile=work', 'app://mfa-tray/prompt.html?profile=personal'],
    );
  });

  it('opens a new prompt once the old one is closed', () => {
    const opener = new FakeWindowOpener();
    const windows = new WindowRegistry(opener);
    windows.show({ page: 'prompt', profile: 'work' }).close();
    assert.equal(windows.prompt('work'), undefined);
    windows.show({ page: 'prompt', profile: 'work' });
    assert.equal(opener.opened.length, 2);
  });

  it('keeps one profile manager and one settings window', () => {
    const opener = new FakeWindowOpener();
    const windows = new WindowRegistry(opener);
    windows.show({ page: 'profiles' });
    windows.show({ page: 'settings' });
    windows.show({ page: 'profiles' });
    windows.show({ page: 'settings' });
    assert.deepEqual(
      opener.opened.map((w) => w.page),
      ['profiles', 'settings'],
    );
  });

  it('knows which page each of its web contents shows, and no other web contents', () => {
    const opener = new FakeWindowOpener();
    const windows = new WindowRegistry(opener);
    const prompt = windows.show({ page: 'prompt', profile: 'work' });
    const settings = windows.show({ page: 'settings' });
    assert.equal(windows.pageOf(prompt.webContentsId), 'prompt');
    assert.equal(windows.pageOf(settings.webContentsId), 'settings');
    assert.equal(windows.pageOf(9999), undefined);
    settings.close();
    assert.equal(windows.pageOf(settings.webContentsId), undefined, 'a closed window is no longer trusted');
  });

  it('reports how many windows are open', () => {
    const windows = new WindowRegistry(new FakeWindowOpener());
    const counts: number[] = [];
    windows.onCountChange((n) => counts.push(n));
    const a = windows.show({ page: 'profiles' });
    windows.show({ page: 'prompt', profile: 'work' });
    a.close();
    windows.closeAll();
    assert.deepEqual(counts, [1, 2, 1, 0]);
  });
});
