/**
 * Every word the tray shows outside its windows comes from the catalogs, in both languages: the
 * whole menu (every state, a failure with its remedies, the keychain problem, no profiles), the
 * tooltip, the notifications and the install dialog, rendered in Japanese, carry no English word
 * beyond names (profiles, the product, export formats, the command), times and ARNs.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { REMEDY_WORDS } from '../../main/common/catalog/remedies';
import { TRAY_WORDS, type TrayWords } from '../../main/common/catalog/tray';
import { languageOf } from '../../main/common/catalog/language';
import type { SessionState } from '../../main/common/model';
import { BY_ERROR_CODE } from '../../main/cli/exit-codes';
import { describeInstall } from '../../main/electron/command-line-tool';
import { buildTrayMenu, type MenuItemModel } from '../../main/electron/menu-model';
import { NotificationService } from '../../main/electron/notification-service';
import { trayTooltip } from '../../main/electron/tray-look';
import type { TraySnapshot } from '../../main/electron/tray-snapshot';
import { FakeClock } from '../support/fake-clock';
import { noopHandlers } from './fakes';

const MIN = 60_000;
const NOW = Date.UTC(2026, 11, 4, 9, 0);
const JAPANESE = /[\u3040-\u30ff\u3400-\u9fff]/;
/** What may stay in Latin letters in Japanese: names, formats, the command and its words. */
const NAMES =
  /\b(work|prod-admin|sandbox|billing|MFA Tray|mfa-tray|status|bash\/zsh|fish|PowerShell|cmd|JSON|\.env|AWS|STS|MFA|TOTP|ID|ASIA|PATH|AKIA|export)\b/g;

function englishLeft(text: string): string[] {
  const rest = text
    .replace(NAMES, '')
    .replace(/\.env/g, '')
    .replace(/\/[\w./-]+/g, '');
  return rest.match(/[A-Za-z]{2,}/g) ?? [];
}

/** Every string a catalog entry produces, with sample arguments. */
function texts(words: unknown, path = ''): Array<[string, string]> {
  if (typeof words === 'string') return [[path, words]];
  if (typeof words === 'function') return [[path, String((words as (...a: unknown[]) => unknown)('work', 5, 'x'))]];
  return Object.entries(words as Record<string, unknown>).flatMap(([key, value]) => texts(value, path ? `${path}.${key}` : key));
}

const noop = (): void => undefined;
const handlers = noopHandlers;

function allLabels(items: readonly MenuItemModel[]): string[] {
  return items.flatMap((item) => [...(item.label === undefined ? [] : [item.label]), ...allLabels(item.submenu ?? [])]);
}

const states: Array<[string, SessionState]> = [
  ['work', { kind: 'valid', expiresAt: NOW + 3 * 60 * MIN }],
  ['prod-admin', { kind: 'expiring', expiresAt: NOW + 10 * MIN }],
  ['sandbox', { kind: 'expired', expiresAt: NOW - MIN }],
  ['billing', { kind: 'refreshing' }],
  [
    'work',
    {
      kind: 'failed',
      code: 'no-long-lived-key',
      reason: 'No access key is stored for profile "work".',
      remedies: [
        { action: 'add-key', profile: 'work' },
        { action: 'import-key', profile: 'work' },
      ],
    },
  ],
  ['sandbox', { kind: 'failed', code: 'sts-unavailable', reason: 'Could not reach STS.', expiresAt: NOW + 30 * MIN }],
  ['billing', { kind: 'none' }],
];

describe('the catalogs', () => {
  it('have every tray entry in Japanese, in Japanese', () => {
    const en = texts(TRAY_WORDS.en);
    const ja = new Map(texts(TRAY_WORDS.ja));
    for (const [path] of en) {
      if (path.startsWith('failures.')) continue;
      const text = ja.get(path);
      assert.ok(text !== undefined, `${path} has no Japanese`);
      assert.match(text, JAPANESE, `${path} is not Japanese: ${text}`);
    }
  });

  it('say every failure in Japanese, and every remedy in both languages', () => {
    for (const code of Object.keys(BY_ERROR_CODE)) {
      assert.match(TRAY_WORDS.ja.failures[code as keyof TrayWords['failures']] ?? '', JAPANESE, `failure ${code}`);
    }
    for (const [action, words] of Object.entries(REMEDY_WORDS.ja)) {
      assert.match(words.label, JAPANESE, `remedy ${action}`);
      assert.match(words.phrase, JAPANESE, `remedy ${action}`);
      assert.ok(REMEDY_WORDS.en[action as keyof typeof REMEDY_WORDS.en].label.length > 0);
    }
  });

  it('follow the setting, else the OS locale', () => {
    assert.equal(languageOf('auto', 'ja-JP'), 'ja');
    assert.equal(languageOf('auto', 'ja'), 'ja');
    assert.equal(languageOf('auto', 'en-US'), 'en');
    assert.equal(languageOf('en', 'ja-JP'), 'en');
    assert.equal(languageOf('ja', 'de-DE'), 'ja');
    assert.equal(languageOf(undefined, undefined), 'en');
  });
});

describe('the tray in Japanese', () => {
  const options = { now: NOW, timeZone: 'Asia/Tokyo', locale: 'ja-JP', language: 'ja', offerCommandLineTool: true } as const;
  const snapshot = (profiles: Array<[string, SessionState]>, extra: Partial<TraySnapshot> = {}): TraySnapshot => ({
    profiles: profiles.map(([name, state]) => ({ name, state })),
    launchAtLogin: false,
    expiringWithinMs: 15 * MIN,
    ...extra,
  });

  it('menu: every label, in every state, with remedies and the keychain problem', () => {
    const withRole: TraySnapshot = {
      ...snapshot(states),
      profiles: [...snapshot(states).profiles, { name: 'prod-admin', state: { kind: 'valid', expiresAt: NOW + 40 * MIN }, roleOf: 'work' }],
    };
    const menus = [
      buildTrayMenu(withRole, handlers, options),
      buildTrayMenu(snapshot([], { keychainProblem: { code: 'keychain-locked', message: 'The keychain is locked.' } }), handlers, options),
    ];
    const labels = menus.flatMap(allLabels);
    assert.ok(labels.includes('キーを保存し直す…'), 'the remedy is an item');
    assert.ok(labels.includes('再試行'), 'the keychain problem offers to try again');
    for (const label of labels) assert.deepEqual(englishLeft(label), [], `English in "${label}"`);
  });

  it('tooltip', () => {
    for (const text of [trayTooltip(snapshot(states), NOW, options), trayTooltip(snapshot([]), NOW, options)]) {
      assert.deepEqual(englishLeft(text), [], `English in "${text}"`);
    }
  });

  it('notifications: expiring, expired, failed', async () => {
    const shown: Array<{ title: string; body: string }> = [];
    const service = new NotificationService({
      factory: {
        isSupported: () => true,
        create: (content) => {
          shown.push({ ...content });
          return { show: noop, close: noop };
        },
      },
      clock: new FakeClock(NOW),
      timeFormat: () => options,
      activate: noop,
    });
    const person = { source: 'person', selfRefreshing: false } as const;
    await service.handle({ kind: 'expiring', profile: 'work', expiresAt: NOW + 10 * MIN, ...person });
    await service.handle({ kind: 'expired', profile: 'sandbox', expiresAt: NOW - MIN, ...person });
    await service.handle({
      kind: 'refresh-failed',
      profile: 'billing',
      code: 'sts-unavailable',
      reason: 'Could not reach STS.',
      unattended: true,
      willRetry: true,
    });
    assert.equal(shown.length, 3);
    for (const { title, body } of shown) {
      assert.deepEqual(englishLeft(title), [], `English in "${title}"`);
      assert.deepEqual(englishLeft(body), [], `English in "${body}"`);
    }
  });

  it('the install dialog', () => {
    for (const onPath of [true, false]) {
      const { message, detail } = describeInstall({ path: '/home/u/.local/bin/mfa-tray', alreadyInstalled: false, onPath }, 'ja');
      assert.deepEqual(englishLeft(`${message} ${detail}`), [], `${message} ${detail}`);
    }
  });
});
