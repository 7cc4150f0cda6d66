/**
 * Secrets audit: every flow (the engine, the bridge the windows use, and the command as child
 * processes), successful and failing, run with canary values for the long-lived secret, the TOTP
 * secret and (issued by the loopback STS) the session credentials. Then everything produced is
 * searched: output of every process, every error as it would be logged, every file left in the
 * config folder and next to the credentials file, every bridge payload and pushed event, and the
 * credentials file itself (which may hold sessions, never a long-lived or TOTP secret).
 */
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { BridgeOperation } from '../../main/common/bridge';
import { bindBridgeEvents, createBridgeHandlers } from '../../main/bridge/handlers';
import type { Engine } from '../../main/engine/engine';
import { EXPORT_FORMATS } from '../../main/engine/sessions/exports';
import { createCliSandbox, ensureCliBuilt, type CliResult, type CliSandbox } from '../support/cli';
import { createHarness, type Harness } from '../support/engine-harness';
import { useStsServer, type StsUser } from '../support/sts-server';
import { capturingOutput, errorText, filesUnder, findLeaks, LONG_SECRET, TOTP_SECRET, WRONG_SECRET, type Artifact } from './canaries';

const loopback = useStsServer();

/** A user whose secrets are the canaries. */
function canaryUser(): StsUser {
  return loopback.sts.registerUser({ secretAccessKey: LONG_SECRET, totpSecret: TOTP_SECRET });
}

/** A code the device does not show now (nor one step either side). */
function wrongCode(user: StsUser): string {
  const near = new Set([-1, 0, 1].map((s) => loopback.sts.currentCode(user, s)));
  for (let n = 123456; ; n += 1) if (!near.has(String(n))) return String(n);
}

function leaksIn(artifacts: readonly Artifact[]): string[] {
  return findLeaks(artifacts, loopback.sts.sessions);
}

describe('the engine', () => {
  let h: Harness;
  const artifacts: Artifact[] = [];
  const output: string[] = [];

  /** Runs one engine call; its value (or its error as logged) becomes an artifact. */
  async function call(what: string, run: (engine: Engine) => Promise<unknown>, options: { sessionsAllowed?: boolean } = {}): Promise<unknown> {
    try {
      const value = await run(h.engine);
      artifacts.push({ where: `result of ${what}`, text: JSON.stringify(value) ?? '', sessionsAllowed: options.sessionsAllowed ?? false });
      return value;
    } catch (error) {
      artifacts.push({ where: `error of ${what}`, text: errorText(error) });
      return error;
    }
  }

  before(async () => {
    h = await createHarness({ sts: loopback.sts });
    const notices: unknown[] = [];
    h.engine.onNotice((notice) => notices.push(notice));
    h.engine.sessions.onState((profile, state) => notices.push({ profile, state }));
    const work = canaryUser();
    const legacy = canaryUser();
    await capturingOutput(async () => {
      await call('addProfile', (e) =>
        e.addProfile({ name: 'work', mfaSerial: work.mfaSerial, accessKeyId: work.accessKeyId, secretAccessKey: LONG_SECRET }, { totpSecret: TOTP_SECRET }),
      );
      await call('verify', (e) => e.verify('work'));
      await call('verifyKey', (e) => e.verifyKey({ accessKeyId: work.accessKeyId, secretAccessKey: LONG_SECRET }));
      await call('refresh (generated)', (e) => e.refresh('work', { generate: true }), { sessionsAllowed: true });
      await call('status', (e) => e.status());
      for (const format of EXPORT_FORMATS) await call(`export ${format}`, (e) => e.exportSession('work', format), { sessionsAllowed: true });
      await call('start', (e) => e.start());

      // import: the long-lived key in plaintext in the credentials file, moved into the keychain.
      await mkdir(dirname(h.credentialsPath), { recursive: true });
      const file = await readFile(h.credentialsPath, 'latin1').catch(() => '');
      await writeFile(h.credentialsPath, `${file}\n[legacy]\naws_access_key_id = ${legacy.accessKeyId}\naws_secret_access_key = ${LONG_SECRET}\n`);
      await writeFile(h.configPath, `[profile legacy]\nmfa_serial = ${legacy.mfaSerial}\nregion = eu-west-1\n`);
      await call('listLongLivedSections', (e) => e.credentials.listLongLivedSections());
      await call('importProfile', (e) => e.importProfile('imported', { fromSection: 'legacy', removePlaintext: true }));
      await call('setTotpSecret (otpauth URI)', (e) => e.setTotpSecret('imported', `otpauth://totp/AWS:legacy?secret=${TOTP_SECRET}&issuer=AWS`));
      await call('removeTotpSecret', (e) => e.removeTotpSecret('imported'));
      await loopback.sts.avoidStepEdge(8000);
      await call('refresh (typed)', (e) => e.refresh('imported', { code: loopback.sts.currentCode(legacy) }), { sessionsAllowed: true });

      // Failures, each with a secret nearby.
      await call('refresh with a wrong code', (e) => e.refresh('imported', { code: wrongCode(legacy) }));
      await call('refresh with the TOTP secret as the code', (e) => e.refresh('imported', { code: TOTP_SECRET }));
      await call('setLongLivedKey (wrong secret)', (e) => e.setLongLivedKey('imported', { accessKeyId: legacy.accessKeyId, secretAccessKey: WRONG_SECRET }));
      await call('verify with a wrong secret', (e) => e.verify('imported'));
      await call('refresh with a wrong secret', (e) => e.refresh('imported', { code: loopback.sts.currentCode(legacy, 1) }));
      await call('verifyKey with a wrong secret', (e) => e.verifyKey({ accessKeyId: legacy.accessKeyId, secretAccessKey: WRONG_SECRET }));
      await call('verifyKey with an unknown key id', (e) => e.verifyKey({ accessKeyId: 'AKIAQQQQQQQQQQQQQQQQ', secretAccessKey: LONG_SECRET }));
      for (const [what, fault] of [
        ['5xx', () => loopback.sts.failNext(1, 500)],
        ['garbage', () => loopback.sts.malformNext(1, 'truncated')],
        ['throttling', () => loopback.sts.throttleNext(1)],
        ['clock skew', () => loopback.sts.setClockSkew(10 * 60_000)],
      ] as const) {
        fault();
        await call(`verify with STS ${what}`, (e) => e.verify('work'));
        loopback.sts.clearFaults();
      }
      await call('TOTP secret as a TOTP secret with a bad character', (e) => e.setTotpSecret('work', `${TOTP_SECRET.slice(0, 20)}1${TOTP_SECRET.slice(21)}`));
      await call('TOTP secret in a HOTP URI', (e) => e.setTotpSecret('work', `otpauth://hotp/AWS:x?secret=${TOTP_SECRET}&counter=1`));
      await call('TOTP secret in an otpauth URI asking for SHA256', (e) =>
        e.setTotpSecret('work', `otpauth://totp/AWS:x?secret=${TOTP_SECRET}&algorithm=SHA256`),
      );
      await call('long-lived secret as the access key id', (e) =>
        e.addProfile({ name: 'pasted1', mfaSerial: work.mfaSerial, accessKeyId: LONG_SECRET, secretAccessKey: LONG_SECRET }),
      );
      await call('long-lived secret one character short', (e) =>
        e.addProfile({ name: 'pasted2', mfaSerial: work.mfaSerial, accessKeyId: work.accessKeyId, secretAccessKey: LONG_SECRET.slice(0, 39) }),
      );
      await call('long-lived secret with a bad character', (e) =>
        e.addProfile({ name: 'pasted3', mfaSerial: work.mfaSerial, accessKeyId: work.accessKeyId, secretAccessKey: `${LONG_SECRET.slice(0, 39)}!` }),
      );
      await call('TOTP secret as the duration', (e) =>
        e.addProfile({ name: 'pasted4', mfaSerial: work.mfaSerial, durationSeconds: TOTP_SECRET, accessKeyId: work.accessKeyId, secretAccessKey: LONG_SECRET }),
      );
      await call('long-lived secret as the region', (e) =>
        e.addProfile({ name: 'pasted5', mfaSerial: work.mfaSerial, region: LONG_SECRET, accessKeyId: work.accessKeyId, secretAccessKey: LONG_SECRET }),
      );
      await call('add an existing profile', (e) =>
        e.addProfile({ name: 'work', mfaSerial: work.mfaSerial, accessKeyId: work.accessKeyId, secretAccessKey: LONG_SECRET }),
      );

      await call('forgetSession', (e) => e.forgetSession('imported'));
      await call('removeProfile', (e) => e.removeProfile('imported', { forgetSession: true }));
      await call('status at the end', (e) => e.status());
      h.engine.stop();
    }, output);
    artifacts.push({ where: 'notices and state changes', text: JSON.stringify(notices) });
    artifacts.push({ where: "the test process's stdout/stderr", text: output.join('') });
  });
  after(() => h.close());

  test('no result, error (message, stack, cause), notice or output holds a secret', () => {
    assert.ok(artifacts.length > 40, `${artifacts.length} artifacts`);
    assert.deepEqual(leaksIn(artifacts), []);
  });

  test('no file in the config folder, next to the credentials file or anywhere in the sandbox holds one; the credentials file only sessions', async () => {
    const files = await filesUnder(h.dir, (path) => path === h.credentialsPath);
    assert.ok(files.some((f) => f.where.endsWith('settings.json')) && files.some((f) => f.where.endsWith('used-codes.json')));
    assert.deepEqual(leaksIn(files), []);
    assert.deepEqual(
      files.map((f) => f.where.slice(h.dir.length)).filter((p) => /\.tmp$|\.lock/.test(p)),
      [],
      'no temp or lock files left',
    );
  });
});

describe('the bridge (what the windows receive)', () => {
  let h: Harness;
  const artifacts: Artifact[] = [];

  before(async () => {
    h = await createHarness({ sts: loopback.sts });
    const bridge = createBridgeHandlers(h.engine, { closeWindow: () => undefined, locale: () => 'en-US' });
    const events: unknown[] = [];
    const unbind = bindBridgeEvents(h.engine, (event, payload) => events.push({ event, payload }));
    const work = canaryUser();
    const legacy = canaryUser();
    const caller = { windowId: 1 };
    const invoke = async (operation: BridgeOperation, ...args: unknown[]) => {
      const result = await bridge[operation](args, caller);
      artifacts.push({ where: `bridge result of ${operation}(${artifacts.length})`, text: JSON.stringify(result) });
      return result;
    };

    await invoke('addProfile', { name: 'work', mfaSerial: work.mfaSerial }, { accessKeyId: work.accessKeyId, secretAccessKey: LONG_SECRET }, TOTP_SECRET);
    await invoke('listProfiles');
    await invoke('getPromptContext', 'work');
    await invoke('refreshNow', 'work');
    await invoke('verifyProfile', 'work');
    await invoke('verifyKey', { accessKeyId: work.accessKeyId, secretAccessKey: LONG_SECRET }, 'us-east-1');
    await invoke('verifyKey', { accessKeyId: work.accessKeyId, secretAccessKey: WRONG_SECRET }, 'us-east-1');
    await invoke('replaceLongLivedKey', 'work', { accessKeyId: work.accessKeyId, secretAccessKey: LONG_SECRET });
    await invoke('setTotpSecret', 'work', TOTP_SECRET);
    await invoke('setTotpSecret', 'work', `${TOTP_SECRET}1`);
    await invoke('updateProfile', 'work', { durationSeconds: 7200 });
    await invoke('getSettings');
    await invoke('updateSettings', { notifyBeforeMinutes: 5 });
    await invoke('getLocale');
    await invoke('closeWindow');

    await mkdir(dirname(h.credentialsPath), { recursive: true });
    await writeFile(
      h.credentialsPath,
      `${await readFile(h.credentialsPath, 'latin1').catch(() => '')}\n[legacy]\naws_access_key_id = ${legacy.accessKeyId}\naws_secret_access_key = ${LONG_SECRET}\n`,
    );
    await invoke('listImportableSections');
    await invoke('importProfile', { name: 'imported', fromSection: 'legacy', mfaSerial: legacy.mfaSerial, removePlaintext: true });
    await loopback.sts.avoidStepEdge(8000);
    await invoke('submitCode', 'imported', loopback.sts.currentCode(legacy));
    await invoke('submitCode', 'imported', wrongCode(legacy));
    await invoke('submitCode', 'imported', TOTP_SECRET);
    loopback.sts.failNext(1, 503);
    await invoke('verifyProfile', 'imported');

    // Malformed calls with a secret in the wrong place: refused, never echoed.
    await invoke(
      'addProfile',
      { name: 'x', mfaSerial: work.mfaSerial, secretAccessKey: LONG_SECRET },
      { accessKeyId: work.accessKeyId, secretAccessKey: LONG_SECRET },
      null,
    );
    await invoke(
      'addProfile',
      { name: 'x', mfaSerial: work.mfaSerial },
      { accessKeyId: work.accessKeyId, secretAccessKey: LONG_SECRET, totp: TOTP_SECRET },
      null,
    );
    await invoke('submitCode', 'work', LONG_SECRET);
    await invoke('setTotpSecret', 'work', 42, TOTP_SECRET);
    await invoke('replaceLongLivedKey', 'work', { accessKeyId: LONG_SECRET, secretAccessKey: LONG_SECRET });
    await invoke('verifyKey', { accessKeyId: work.accessKeyId, secretAccessKey: LONG_SECRET }, LONG_SECRET);
    await invoke('removeTotpSecret', 'work');
    await invoke('removeProfile', 'imported', true);
    await invoke('listProfiles');
    await new Promise((resolve) => setTimeout(resolve, 50));
    unbind();
    h.engine.stop();
    artifacts.push(...events.map((e, i) => ({ where: `pushed event ${i}`, text: JSON.stringify(e) })));
    assert.ok(events.length > 0, 'events were pushed');
  });
  after(() => h.close());

  test('no payload returned to a window, and no event pushed to one, holds a secret or a session credential', () => {
    assert.ok(artifacts.length > 30);
    assert.deepEqual(leaksIn(artifacts), []);
  });

  test('nothing left in the sandbox holds a secret; the credentials file only sessions', async () => {
    assert.deepEqual(leaksIn(await filesUnder(h.dir, (path) => path === h.credentialsPath)), []);
  });
});

describe('the command mfa-tray', () => {
  let sandbox: CliSandbox;
  const artifacts: Artifact[] = [];

  /** Exit statuses of the runs that must succeed, by what they did. */
  const statuses = new Map<string, number | null>();

  /** Runs the command; its stdout and stderr become artifacts. */
  async function run(args: readonly string[], options: { input?: string; sessionsOnStdout?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
    const result = await sandbox.run(args, { ...(options.input === undefined ? {} : { input: options.input }), ...(options.env ? { env: options.env } : {}) });
    const label = `mfa-tray ${args.map((a) => (a.length > 24 ? `${a.slice(0, 6)}…` : a)).join(' ')}${options.env?.MFA_TRAY_DEBUG ? ' (MFA_TRAY_DEBUG=1)' : ''}`;
    artifacts.push({ where: `stdout of ${label}`, text: result.stdout, sessionsAllowed: options.sessionsOnStdout ?? false });
    artifacts.push({ where: `stderr of ${label}`, text: result.stderr });
    return result;
  }

  before(async () => {
    await ensureCliBuilt();
    sandbox = createCliSandbox(loopback.sts, 'audit');
    const work = canaryUser();
    const legacy = canaryUser();

    const must = async (what: string, args: readonly string[], options: Parameters<typeof run>[1] = {}) => {
      const result = await run(args, options);
      statuses.set(`${what}: ${result.stderr.trim()}`, result.status);
    };
    await must('add --verify', ['add', 'work', '--mfa-serial', work.mfaSerial as string, '--access-key-id', work.accessKeyId, '--verify'], {
      input: `${LONG_SECRET}\n`,
    });
    await must('totp set', ['totp', 'set', 'work'], { input: `${TOTP_SECRET}\n` });
    await must('refresh (TOTP)', ['refresh', 'work']);
    await must('status', ['status']);
    await must('status --json', ['status', '--json']);
    for (const format of EXPORT_FORMATS) await must(`export ${format}`, ['export', 'work', '--format', format], { sessionsOnStdout: true });
    await must('credential-process', ['credential-process', 'work'], { sessionsOnStdout: true });

    await mkdir(dirname(sandbox.credentialsFile), { recursive: true });
    await writeFile(
      sandbox.credentialsFile,
      `${await readFile(sandbox.credentialsFile, 'latin1').catch(() => '')}\n[legacy]\naws_access_key_id = ${legacy.accessKeyId}\naws_secret_access_key = ${LONG_SECRET}\n`,
    );
    await writeFile(sandbox.configFile, `[profile legacy]\nmfa_serial = ${legacy.mfaSerial}\n`);
    await must('import --remove-plaintext', ['import', 'imported', '--from', 'legacy', '--remove-plaintext']);
    await loopback.sts.avoidStepEdge(8000);
    await must('refresh --code', ['refresh', 'imported', '--code', loopback.sts.currentCode(legacy)]);

    // Failures, with MFA_TRAY_DEBUG set (it adds stack traces for bug reports; the messages are the same).
    {
      const env = { MFA_TRAY_DEBUG: '1' };
      await run(['refresh', 'imported', '--code', wrongCode(legacy)], { env });
      await run(['refresh', 'imported', '--code', TOTP_SECRET], { env });
      await run(['add', 'again', '--mfa-serial', legacy.mfaSerial as string, '--access-key-id', legacy.accessKeyId, '--verify'], {
        input: `${WRONG_SECRET}\n`,
        env,
      });
      await run(['add', 'short', '--mfa-serial', legacy.mfaSerial as string, '--access-key-id', legacy.accessKeyId], {
        input: `${LONG_SECRET.slice(1)}\n`,
        env,
      });
      await run(['add', 'long', '--mfa-serial', legacy.mfaSerial as string, '--access-key-id', legacy.accessKeyId], {
        input: `${LONG_SECRET}\n${LONG_SECRET}\n`,
        env,
      });
      await run(['add', 'flag', '--mfa-serial', legacy.mfaSerial as string, '--access-key-id', legacy.accessKeyId, `--secret-access-key=${LONG_SECRET}`], {
        env,
      });
      await run(['add', 'flag2', '--mfa-serial', legacy.mfaSerial as string, '--access-key-id', LONG_SECRET], { input: `${LONG_SECRET}\n`, env });
      await run(['totp', 'set', 'work'], { input: `${TOTP_SECRET}1\n`, env });
      await run(['totp', 'set', 'work'], { input: `otpauth://hotp/x?secret=${TOTP_SECRET}\n`, env });
      loopback.sts.failNext(1, 500);
      await run(['refresh', 'imported', '--code', loopback.sts.currentCode(legacy, 1)], { env });
      loopback.sts.malformNext(1, 'html');
      await run(['add', 'verify-garbage', '--mfa-serial', legacy.mfaSerial as string, '--access-key-id', legacy.accessKeyId, '--verify'], {
        input: `${LONG_SECRET}\n`,
        env,
      });
      await run(['export', 'nobody'], { env });
      await run(['credential-process', 'imported', 'extra'], { env });
    }
    await must('totp remove', ['totp', 'remove', 'work']);
    await must('remove --forget-session', ['remove', 'imported', '--forget-session', '--yes']);
    await must('status at the end', ['status']);
  });
  after(() => sandbox.cleanup());

  test('every flow that should succeed did (else the audit would search too little)', () => {
    const failed = [...statuses].filter(([, status]) => status !== 0).map(([what, status]) => `${what} (exit ${status})`);
    assert.deepEqual(failed, []);
  });

  test('no stdout or stderr of any run holds a secret (sessions only where asked for: export, credential-process)', () => {
    assert.ok(artifacts.length > 40, `${artifacts.length} artifacts`);
    assert.deepEqual(leaksIn(artifacts), []);
  });

  test('a secret typed in the wrong place is not echoed: `mfa-tray totp <secret>` (set forgotten)', async () => {
    const result = await run(['totp', TOTP_SECRET]);
    assert.equal(result.status, 2);
    assert.deepEqual(leaksIn(artifacts.slice(-2)), []);
  });

  test('no file left in the sandbox holds a secret; the credentials file only sessions', async () => {
    assert.deepEqual(leaksIn(await filesUnder(sandbox.dir, (path) => path === sandbox.credentialsFile)), []);
  });
});
