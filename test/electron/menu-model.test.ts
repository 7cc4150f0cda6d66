/**
 * The tray menu, icon look and tooltip as pure functions of a snapshot: what the user reads and
 * what each item does, for given states. Times are pinned to UTC.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SessionState } from '../../main/common/model';
import { formatClockTime, formatRemaining, inAppWords } from '../../main/electron/format';
import { EXPORT_CHOICES, buildTrayMenu, toMenuTemplate, type MenuHandlers, type MenuOptions } from '../../main/electron/menu-model';
import { TOOLTIP_MAX, trayLook, trayTooltip } from '../../main/electron/tray-look';
import type { TraySnapshot } from '../../main/electron/tray-snapshot';
import { findItem, labels } from './fakes';

const MIN = 60_000;
const HOUR = 60 * MIN;
const NOW = Date.UTC(2026, 10, 28, 17, 30, 0);
const options: MenuOptions = { now: NOW, timeZone: 'UTC', locale: 'en-US', offerCommandLineTool: false };

function snapshot(profiles: Array<[string, SessionState]>, extra: Partial<TraySnapshot> = {}): TraySnapshot {
  return {
    profiles: profiles.map(([name, state]) => ({ name, state })),
    launchAtLogin: false,
    expiringWithinMs: 15 * MIN,
    ...extra,
  };
}

/** Handlers that record every call. */
function recorder() {
  const calls: string[] = [];
  const handlers: MenuHandlers = {
    refresh: (p) => calls.push(`refresh ${p}`),
    copyExports: (p, f) => calls.push(`copy ${p} ${f}`),
    forgetSession: (p) => calls.push(`forget ${p}`),
    refreshAll: () => calls.push('refresh-all'),
    retryKeychain: () => calls.push('retry-keychain'),
    remedy: (r) => calls.push(`remedy ${r.action}`),
    manageProfiles: () => calls.push('profiles'),
    settings: () => calls.push('settings'),
    setLaunchAtLogin: (on) => calls.push(`launch-at-login ${on}`),
    installCommandLineTool: () => calls.push('install-cli'),
    about: () => calls.push('about'),
    quit: () => calls.push('quit'),
  };
  return { calls, handlers };
}

const valid = (ms: number): SessionState => ({ kind: 'valid', expiresAt: NOW + ms });

describe('tray menu', () => {
  it('lists each profile with its time left and local expiry, then its actions, then the app items', () => {
    const { handlers } = recorder();
    const menu = buildTrayMenu(
      snapshot([
        ['work', valid(11 * HOUR + 42 * MIN)],
        ['personal', { kind: 'expired', expiresAt: NOW - HOUR }],
      ]),
      handlers,
      options,
    );
    assert.deepEqual(labels(menu), [
      'work — 11h 42m left, until 05:12',
      'Refresh now',
      'Copy exports',
      'Forget session',
      '---',
      'personal — expired at 16:30',
      'Refresh now',
      'Copy exports',
      'Forget session',
      '---',
      'Refresh all',
      'Manage profiles…',
      'Settings…',
      '---',
      'Launch at login',
      'About MFA Tray',
      'Quit MFA Tray',
    ]);
  });

  it('offers bash/zsh, fish, PowerShell, cmd, .env and JSON exports, mapped to the AWS CLI formats', () => {
    const { calls, handlers } = recorder();
    const menu = buildTrayMenu(snapshot([['work', valid(2 * HOUR)]]), handlers, options);
    const copy = findItem(menu, 'profile:work:copy');
    assert.equal(copy?.type, 'submenu');
    assert.deepEqual(
      copy?.submenu?.map((i) => i.label),
      ['bash/zsh', 'fish', 'PowerShell', 'cmd', '.env file', 'JSON'],
    );
    for (const item of copy?.submenu ?? []) item.click?.();
    assert.deepEqual(calls, [
      'copy work env',
      'copy work fish',
      'copy work powershell',
      'copy work windows-cmd',
      'copy work env-no-export',
      'copy work process',
    ]);
    assert.deepEqual(
      EXPORT_CHOICES.map((c) => c.format),
      ['env', 'fish', 'powershell', 'windows-cmd', 'env-no-export', 'process'],
    );
  });

  it('shows the profile heading as a label, not a button', () => {
    const menu = buildTrayMenu(snapshot([['work', valid(HOUR)]]), recorder().handlers, options);
    assert.equal(findItem(menu, 'profile:work')?.enabled, false);
  });

  it('enables copying and forgetting only when there is a session to copy or forget', () => {
    const { handlers } = recorder();
    const menu = buildTrayMenu(
      snapshot([
        ['fresh', valid(HOUR)],
        ['none', { kind: 'none' }],
        ['old', { kind: 'expired', expiresAt: NOW - MIN }],
      ]),
      handlers,
      options,
    );
    assert.equal(findItem(menu, 'profile:fresh:copy')?.enabled, true);
    assert.equal(findItem(menu, 'profile:fresh:forget')?.enabled, true);
    assert.equal(findItem(menu, 'profile:none:copy')?.enabled, false);
    assert.equal(findItem(menu, 'profile:none:forget')?.enabled, false);
    assert.equal(findItem(menu, 'profile:old:copy')?.enabled, false, 'an expired session is not worth copying');
    assert.equal(findItem(menu, 'profile:old:forget')?.enabled, true);
  });

  it('disables Refresh now while a refresh runs, and says so', () => {
    const menu = buildTrayMenu(snapshot([['work', { kind: 'refreshing', expiresAt: NOW + HOUR }]]), recorder().handlers, options);
    assert.equal(findItem(menu, 'profile:work')?.label, 'work — refreshing…');
    assert.equal(findItem(menu, 'profile:work:refresh')?.enabled, false);
    assert.equal(findItem(menu, 'profile:work:forget')?.enabled, false);
  });

  it('shows a failed refresh with its reason, and the old session while it lasts', () => {
    const reason = 'Wrong code, or a code already used: enter the next code your MFA device shows.';
    const menu = buildTrayMenu(
      snapshot([['work', { kind: 'failed', reason, code: 'sts-invalid-code', expiresAt: NOW + 2 * HOUR + 3 * MIN }]]),
      recorder().handlers,
      options,
    );
    assert.equal(findItem(menu, 'profile:work')?.label, 'work — refresh failed; 2h 03m left, until 19:33');
    assert.equal(findItem(menu, 'profile:work:reason')?.label, 'Wrong code, or a code already used: enter the next code your MFA device shows.');
    assert.equal(findItem(menu, 'profile:work:reason')?.enabled, false);
    assert.equal(findItem(menu, 'profile:work:copy')?.enabled, true);
  });

  it('says a session the credentials file does not hold is not in it, in both languages, with the time it has left', () => {
    const state = {
      kind: 'failed',
      code: 'session-not-in-file',
      reason:
        'The session MFA Tray has for work (2 h 3 min left) is not in the credentials file /home/u/.aws/credentials: its [work] holds another key (ASIA…Q7RZ).',
      expiresAt: NOW + 2 * HOUR + 3 * MIN,
      remedies: [{ action: 'refresh', profile: 'work' }],
    } as const;
    const menu = buildTrayMenu(snapshot([['work', state]]), recorder().handlers, options);
    assert.equal(findItem(menu, 'profile:work')?.label, 'work — not in the credentials file; 2h 03m left, until 19:33');
    assert.equal(findItem(menu, 'profile:work:reason')?.label, 'AWS tools that read the credentials file do not get this session.');
    assert.equal(trayTooltip(snapshot([['work', state]]), NOW), 'work: not in the credentials file');
    assert.equal(trayLook(snapshot([['work', state]]), NOW), 'problem');
    const ja = buildTrayMenu(snapshot([['work', state]]), recorder().handlers, { ...options, language: 'ja' });
    assert.equal(findItem(ja, 'profile:work')?.label, 'work — 認証情報ファイルにない。残り 2 時間 03 分（19:33 まで）');
    assert.match(findItem(ja, 'profile:work:reason')?.label ?? '', /^このセッションは認証情報ファイルにありません。/);
  });

  it("shows a failure's facts, and its remedies as items that do them", () => {
    const reason = 'No access key is stored for profile "work".';
    const remedies = [
      { action: 'add-key', profile: 'work' },
      { action: 'import-key', profile: 'work' },
      { action: 'refresh', profile: 'work' },
    ] as const;
    const { handlers, calls } = recorder();
    const menu = buildTrayMenu(snapshot([['work', { kind: 'failed', reason, code: 'no-long-lived-key', remedies }]]), handlers, options);
    assert.equal(findItem(menu, 'profile:work:reason')?.label, reason);
    assert.equal(findItem(menu, 'profile:work:remedy:add-key')?.label, 'Store the key again…');
    assert.equal(findItem(menu, 'profile:work:remedy:import-key')?.label, 'Manage profiles…');
    // "Refresh now" is there anyway: no second item for it.
    assert.equal(findItem(menu, 'profile:work:remedy:refresh'), undefined);
    findItem(menu, 'profile:work:remedy:add-key')?.click?.();
    assert.deepEqual(calls, ['remedy add-key']);
  });

  it('shortens a long failure reason', () => {
    const menu = buildTrayMenu(snapshot([['work', { kind: 'failed', reason: 'x'.repeat(300), code: 'internal' }]]), recorder().handlers, options);
    const label = findItem(menu, 'profile:work:reason')?.label ?? '';
    assert.equal(label.length, 80);
    assert.ok(label.endsWith('…'));
    assert.equal(findItem(menu, 'profile:work')?.label, 'work — refresh failed');
  });

  it('names a failure by what it is, as the command and the windows do: a locked keychain is no failed refresh', () => {
    // Seen in review: "refresh failed" here where `status` said "keychain locked".
    const menu = buildTrayMenu(
      snapshot([
        ['a', { kind: 'failed', reason: 'locked', code: 'keychain-locked' }],
        ['b', { kind: 'failed', reason: 'damaged', code: 'keychain-entry-corrupt' }],
      ]),
      recorder().handlers,
      options,
    );
    assert.equal(findItem(menu, 'profile:a')?.label, 'a — keychain locked');
    assert.equal(findItem(menu, 'profile:b')?.label, 'b — keychain entry damaged');
  });

  it('reads a stored valid state against the clock: a session that ran out meanwhile shows as expired', () => {
    const menu = buildTrayMenu(snapshot([['work', valid(-5 * MIN)]]), recorder().handlers, options);
    assert.equal(findItem(menu, 'profile:work')?.label, 'work — expired at 17:25');
  });

  it('names the weekday when the expiry is a day or more away', () => {
    const menu = buildTrayMenu(snapshot([['long', valid(30 * HOUR)]]), recorder().handlers, options);
    assert.equal(findItem(menu, 'profile:long')?.label, 'long — 30h 00m left, until Sun 23:30');
  });

  it('checks Launch at login as the settings say, and clicking asks for the opposite', () => {
    for (const launchAtLogin of [false, true]) {
      const { calls, handlers } = recorder();
      const menu = buildTrayMenu(snapshot([], { launchAtLogin }), handlers, options);
      const item = findItem(menu, 'launch-at-login');
      assert.equal(item?.type, 'checkbox');
      assert.equal(item?.checked, launchAtLogin);
      item?.click?.();
      assert.deepEqual(calls, [`launch-at-login ${!launchAtLogin}`]);
    }
  });

  it('shows a role profile under its source: its own session, Refresh now and Copy exports, no Forget session', () => {
    const { handlers, calls } = recorder();
    const menu = buildTrayMenu(
      {
        profiles: [
          { name: 'work', state: valid(5 * 60 * MIN) },
          { name: 'admin', state: valid(42 * MIN), lifetimeMs: 60 * MIN, roleOf: 'work' },
        ],
        launchAtLogin: false,
        expiringWithinMs: 15 * MIN,
      },
      handlers,
      options,
    );
    const headings = labels(menu).filter((l) => l.includes(' — '));
    assert.deepEqual(
      headings.map((l) => l.split(' — ')[0]),
      ['work', 'admin (role, from work)'],
    );
    assert.match(findItem(menu, 'profile:admin')?.label ?? '', /^admin \(role, from work\) — 42m left, until /);
    assert.equal(findItem(menu, 'profile:admin:forget'), undefined);
    assert.equal(findItem(menu, 'profile:admin:copy')?.enabled, true);
    findItem(menu, 'profile:admin:refresh')?.click?.();
    assert.deepEqual(calls, ['refresh admin']);
  });

  it('says how to begin when there are no profiles, and cannot refresh all', () => {
    const menu = buildTrayMenu(snapshot([]), recorder().handlers, options);
    assert.equal(labels(menu)[0], 'No profiles yet: add one in Manage profiles…');
    assert.equal(findItem(menu, 'refresh-all')?.enabled, false);
  });

  it('names an unusable settings file at the top instead of the profiles', () => {
    const menu = buildTrayMenu(snapshot([], { problem: 'The settings file is corrupt; it was left as it was.' }), recorder().handlers, options);
    assert.equal(findItem(menu, 'problem')?.label, 'The settings file is corrupt; it was left as it was.');
    assert.equal(findItem(menu, 'problem')?.enabled, false);
  });

  it('offers the command line tool only when asked to', () => {
    const without = buildTrayMenu(snapshot([]), recorder().handlers, options);
    assert.equal(findItem(without, 'install-cli'), undefined);
    const { calls, handlers } = recorder();
    const menu = buildTrayMenu(snapshot([]), handlers, { ...options, offerCommandLineTool: true });
    assert.deepEqual(labels(menu).slice(-4), ['Launch at login', 'Install command line tool…', 'About MFA Tray', 'Quit MFA Tray']);
    findItem(menu, 'install-cli')?.click?.();
    assert.deepEqual(calls, ['install-cli']);
  });

  it('wires every item to its handler', () => {
    const { calls, handlers } = recorder();
    const menu = buildTrayMenu(snapshot([['work', valid(HOUR)]]), handlers, options);
    for (const id of ['profile:work:refresh', 'profile:work:forget', 'refresh-all', 'manage-profiles', 'settings', 'about', 'quit'])
      findItem(menu, id)?.click?.();
    assert.deepEqual(calls, ['refresh work', 'forget work', 'refresh-all', 'profiles', 'settings', 'about', 'quit']);
  });

  it('turns into an Electron template whose clicks reach the handlers', () => {
    const { calls, handlers } = recorder();
    const template = toMenuTemplate(buildTrayMenu(snapshot([['work', valid(HOUR)]]), handlers, options));
    const copy = template.find((i) => i.id === 'profile:work:copy');
    assert.ok(Array.isArray(copy?.submenu));
    const fish = (copy?.submenu as Array<{ id?: string; click?: () => void }>).find((i) => i.id === 'profile:work:copy:fish');
    fish?.click?.();
    assert.deepEqual(calls, ['copy work fish']);
    assert.equal(template.find((i) => i.id === 'profile:work')?.enabled, false);
  });
});

describe('tray icon look', () => {
  it('is ok when every session is fine or absent', () => {
    assert.equal(
      trayLook(
        snapshot([
          ['a', valid(HOUR)],
          ['b', { kind: 'none' }],
          ['c', { kind: 'refreshing' }],
        ]),
        NOW,
      ),
      'ok',
    );
  });

  it('is expiring when one session is within the notify lead time', () => {
    assert.equal(
      trayLook(
        snapshot([
          ['a', valid(HOUR)],
          ['b', valid(10 * MIN)],
        ]),
        NOW,
      ),
      'expiring',
    );
  });

  it('scales the lead time with a short session: a 900 s session with 10 min left is fine, with 3 min left expiring', () => {
    const short = (state: SessionState): TraySnapshot => ({ ...snapshot([]), profiles: [{ name: 's', state, lifetimeMs: 15 * MIN }] });
    assert.equal(trayLook(short(valid(10 * MIN)), NOW), 'ok');
    assert.equal(trayLook(short(valid(3 * MIN)), NOW), 'expiring');
  });

  it('is problem when one session expired or one refresh failed, whatever the others', () => {
    assert.equal(
      trayLook(
        snapshot([
          ['a', valid(10 * MIN)],
          ['b', { kind: 'expired', expiresAt: NOW - 1 }],
        ]),
        NOW,
      ),
      'problem',
    );
    assert.equal(
      trayLook(
        snapshot([
          ['a', valid(HOUR)],
          ['b', { kind: 'failed', reason: 'r', code: 'c', expiresAt: NOW + HOUR }],
        ]),
        NOW,
      ),
      'problem',
    );
    assert.equal(trayLook(snapshot([], { problem: 'broken settings' }), NOW), 'problem');
  });

  it('follows the clock: a valid state past its expiry is a problem', () => {
    assert.equal(trayLook(snapshot([['a', valid(-1)]]), NOW), 'problem');
  });
});

describe('tray tooltip', () => {
  it('summarises every profile', () => {
    assert.equal(
      trayTooltip(
        snapshot([
          ['work', valid(3 * HOUR + 12 * MIN)],
          ['personal', { kind: 'expired', expiresAt: NOW - HOUR }],
        ]),
        NOW,
      ),
      'work: 3h 12m left · personal: expired',
    );
    assert.equal(
      trayTooltip(
        snapshot([
          ['a', { kind: 'none' }],
          ['b', { kind: 'failed', reason: 'r', code: 'c' }],
          ['c', { kind: 'refreshing' }],
        ]),
        NOW,
      ),
      'a: no session · b: refresh failed · c: refreshing',
    );
  });

  it("fits Windows' 127 characters", () => {
    const many = Array.from({ length: 12 }, (_, i) => [`profile-${i}`, valid(HOUR)] as [string, SessionState]);
    const tooltip = trayTooltip(snapshot(many), NOW);
    assert.equal(tooltip.length, TOOLTIP_MAX);
    assert.ok(tooltip.endsWith('…'));
  });

  it('says when there are no profiles', () => {
    assert.equal(trayTooltip(snapshot([]), NOW), 'MFA Tray: no profiles yet');
  });
});

describe('formats', () => {
  it('rounds time left down to the minute', () => {
    assert.equal(formatRemaining(11 * HOUR + 42 * MIN + 59_999), '11h 42m');
    assert.equal(formatRemaining(5 * MIN + 1), '5m');
    assert.equal(formatRemaining(59_999), 'less than 1m');
    assert.equal(formatRemaining(-5), 'less than 1m');
  });

  it("says failures in the app's language: English as the engine states the facts, Japanese from the catalog, each fitting a menu line", () => {
    assert.equal(inAppWords('sts-unavailable', 'STS could not be reached.'), 'STS could not be reached.');
    assert.equal(inAppWords('no-long-lived-key', 'No access key is stored for profile "work".', 'en'), 'No access key is stored for profile "work".');
    // A message that may name commands (the Secret Service's) is said shortly instead.
    assert.equal(inAppWords('keychain-locked', 'The keychain is locked; run: dbus-run-session …', 'en'), 'The keychain is locked.');
    assert.equal(inAppWords('no-long-lived-key', 'No access key is stored for profile "work".', 'ja'), 'アクセスキーが保存されていません。');
    for (const code of ['no-long-lived-key', 'keychain-entry-corrupt', 'long-lived-section', 'no-session', 'sts-invalid-code']) {
      const words = inAppWords(code, 'x', 'ja');
      assert.ok(words.length <= 80, `${code}: ${words.length} characters`);
    }
  });

  it('writes local times in 24 hours, in the given zone', () => {
    assert.equal(formatClockTime(Date.UTC(2026, 10, 29, 5, 12), NOW, { timeZone: 'UTC', locale: 'en-US' }), '05:12');
    assert.equal(formatClockTime(Date.UTC(2026, 10, 29, 5, 12), NOW, { timeZone: 'Asia/Tokyo', locale: 'en-US' }), '14:12');
  });
});
