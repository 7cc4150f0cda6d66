/**
 * `mfa-tray watch` as a real long-running process against the loopback STS.
 *
 * STS's shortest session is 900 s, so "about to expire" is arranged rather than waited for: the
 * keychain's cached session is seeded to expire just after the refresh lead time. Lead times are at
 * most a quarter of the session (225 s of a 900 s profile), so a session expiring in 225 s + a few
 * seconds is refreshed a few seconds after watch starts; a profile without TOTP is asked for (or
 * reported) when its session enters the same 225 s.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { WATCH_PID_FILE } from '../../main/cli/watch-lock';
import { CliProcess, cliCommandLine, fakeSession, inTerminal, useCliSuite } from '../support/cli';
import { keychainCallLogger } from '../support/keyring';
import type { StsUser } from '../support/sts-server';

const LEAD_MS = 225_000; // a quarter of a 900 s session: the unattended refresh's lead for these profiles
const NOTIFY_MS = 225_000; // and the notice's (the settings' 15 minutes, scaled down by leadTimeMs)

const cli = useCliSuite('watch');

function watch(env: NodeJS.ProcessEnv = cli.sandbox.env): CliProcess {
  return cli.stopAfterTest(new CliProcess(['watch'], env));
}

async function withTotp(name: string, who: StsUser = cli.user): Promise<void> {
  await cli.sandbox.addProfile(name, who, ['--duration', '900']);
  assert.equal((await cli.sandbox.run(['totp', 'set', name], { input: who.totpSecret as string })).status, 0);
}

function credentials(): string {
  return existsSync(cli.sandbox.credentialsFile) ? readFileSync(cli.sandbox.credentialsFile, 'utf8') : '';
}

const LINE = /^\d\d:\d\d:\d\d \S/;

/** The processes whose parent is `pid` (from /proc). */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        // "pid (comm) state ppid …": the command name may hold spaces, so read after its ')'.
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
      } catch {
        return false; // ended meanwhile
      }
    })
    .map(Number);
}

/** The helper scripts `pid`'s children run, by file name, sorted. */
function helpersOf(pid: number): string[] {
  return childrenOf(pid)
    .map((child) => {
      try {
        return (
          readFileSync(`/proc/${child}/cmdline`, 'utf8')
            .split('\0')
            .find((part) => part.endsWith('-helper.cjs')) ?? '(other)'
        );
      } catch {
        return undefined; // ended meanwhile
      }
    })
    .filter((name) => name !== undefined)
    .map((path) => path.split('/').at(-1) as string)
    .sort();
}

describe('watch keeps sessions fresh', () => {
  test('refreshes a TOTP profile before expiry, reports the others, one line per event; exits 0 on SIGTERM', async () => {
    await withTotp('dev');
    await cli.sandbox.addProfile('ops', cli.sts.registerUser(), ['--duration', '900']);
    const devExpiry = Date.now() + LEAD_MS + 4000;
    await cli.sandbox.seedSession('dev', fakeSession(devExpiry));
    await cli.sandbox.seedSession('ops', fakeSession(Date.now() + NOTIFY_MS + 4000, 'B'));

    const w = watch();
    await w.waitFor(/watching 2 profiles \(process \d+\); stop with Ctrl-C; no terminal to ask for codes on/);
    await w.waitFor(/dev: session expires .*; will be refreshed unattended before it expires \(TOTP secret registered\)/);
    await w.waitFor(/ops: session expires .*; needs a code from its MFA device before expiry/);
    assert.ok(existsSync(join(cli.sandbox.configDir, WATCH_PID_FILE)), 'the pid file is there');

    const refreshed = await w.waitFor(/dev: refreshed unattended \(TOTP\); expires (\d{4}-\d\d-\d\d \d\d:\d\d) local time \((\d+) min left\)/, {
      timeoutMs: 30_000,
    });
    assert.ok(Date.now() < devExpiry, 'refreshed before expiry');
    const issued = cli.sts.sessions.at(-1);
    assert.ok(issued && issued.user.accessKeyId === cli.user.accessKeyId);
    assert.ok(credentials().includes(issued.sessionToken), 'the new session is in the credentials file');
    assert.equal((await cli.sandbox.secrets.getSession('dev'))?.accessKeyId, issued.accessKeyId);
    assert.ok(Number(refreshed[2]) >= 14);

    await w.waitFor(/ops: session expires at .* \(in [34] min\); no TOTP secret and no terminal to ask on: run mfa-tray refresh ops/, { timeoutMs: 20_000 });

    const exit = await w.stop('SIGTERM');
    assert.deepEqual(exit, { status: 0, signal: null });
    assert.match(w.stdout, /stopped \(SIGTERM\)\n$/);
    for (const line of w.stdout.trimEnd().split('\n')) assert.match(line, LINE);
    assert.equal(w.stderr, '');
    assert.equal(existsSync(join(cli.sandbox.configDir, WATCH_PID_FILE)), false, 'the pid file is removed');
  });

  test('lists each kind of keychain entry once to start: the keeper takes what the first status read listed, brought up to date', async () => {
    // Every listing keeps ~5 KB of native memory per entry for good on Linux (keytar).
    await withTotp('dev');
    await cli.sandbox.addProfile('ops', cli.sts.registerUser(), ['--duration', '900']);
    await cli.sandbox.seedSession('dev', fakeSession(Date.now() + LEAD_MS + 4000));
    await cli.sandbox.seedSession('ops', fakeSession(Date.now() + 3600_000, 'B'));
    const log = join(cli.sandbox.dir, 'keychain-calls.txt');
    writeFileSync(log, '');
    const w = watch({ ...cli.sandbox.env, NODE_OPTIONS: keychainCallLogger(log).join(' ') });
    // The refresh that comes due a few seconds on: the keeper has started by then (and its refresh
    // and the re-read after it list nothing).
    await w.waitFor(/dev: refreshed unattended/, { timeoutMs: 30_000 });
    await w.stop('SIGTERM');
    const listings = readFileSync(log, 'utf8')
      .split('\n')
      .filter((call) => call.startsWith('findCredentials'));
    const service = (kind: string): string => `findCredentials ${cli.sandbox.keychain.prefix}: ${kind}`;
    assert.deepEqual(listings.sort(), [service('session'), service('totp-secret')], listings.join(', '));
  });

  // Seen (benchmark rows 4 and 4b): on Linux every keychain read keeps memory in the process that
  // made it, for good (libsecret's lookup, keytar's listing), and watch grew as long as it ran.
  test('makes its keychain and AWS calls in helpers that end when idle: keytar and libsecret never load into watch', async () => {
    await withTotp('dev');
    await cli.sandbox.seedSession('dev', fakeSession(Date.now() + LEAD_MS + 4000));
    const w = watch();
    const pid = Number((await w.waitFor(/watching 1 profile \(process (\d+)\)/))[1]);
    await w.waitFor(/dev: refreshed unattended/, { timeoutMs: 30_000 });
    const issued = cli.sts.sessions.at(-1);
    assert.equal((await cli.sandbox.secrets.getSession('dev'))?.accessKeyId, issued?.accessKeyId, 'the refresh read and wrote the keychain');
    const mapped = readFileSync(`/proc/${pid}/maps`, 'utf8')
      .split('\n')
      .filter((line) => /libsecret|keytar\.node/.test(line));
    assert.deepEqual(mapped, [], 'neither is mapped into watch');
    // The session was asked for by the AWS helper (aws-helper.cjs), which stays 30 s after its last
    // call (AWS_HELPER_IDLE_MS): the AWS SDK is never loaded into watch.
    assert.ok(helpersOf(pid).includes('aws-helper.cjs'), `the refresh was made in the AWS helper: ${helpersOf(pid).join(', ')}`);
    // Idle, the keychain helper ends (HELPER_IDLE_MS), and watch goes on without it.
    const deadline = Date.now() + 15_000;
    while (helpersOf(pid).includes('keychain-helper.cjs') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(helpersOf(pid), ['aws-helper.cjs'], 'no keychain helper left once idle');
    assert.deepEqual(await w.stop('SIGTERM'), { status: 0, signal: null });
    assert.equal(w.stderr, '');
  });

  test('a TOTP profile without a session is refreshed at start; SIGINT stops it too', async () => {
    await withTotp('dev');
    const w = watch();
    await w.waitFor(/dev: no session; will be refreshed unattended before it expires \(TOTP secret registered\)/);
    await w.waitFor(/dev: refreshed unattended \(TOTP\); expires .* \(14 min left\)/, { timeoutMs: 20_000 });
    assert.deepEqual(await w.stop('SIGINT'), { status: 0, signal: null });
    assert.match(w.stdout, /stopped \(SIGINT\)\n$/);
  });

  test('a config file that cannot be read: the start says where codes come from is not known, not that they are typed', async () => {
    await withTotp('dev');
    await cli.sandbox.addProfile('ops', cli.sts.registerUser(), ['--duration', '900']);
    await cli.sandbox.seedSession('ops', fakeSession(Date.now() + 600_000, 'B'));
    // A folder where the file should be: unreadable even as root.
    mkdirSync(cli.sandbox.configFile, { recursive: true });
    const w = watch();
    // Seen on landed main: "ops: … needs a code from its MFA device", though its mfa_process may be in that file.
    await w.waitFor(/ops: session expires .*; where its codes come from is not known: the AWS config file cannot be read$/m);
    await w.waitFor(
      /dev: session expires .*; will be refreshed unattended before it expires \(TOTP secret registered\)|dev: no session; will be refreshed unattended/,
    );
    assert.equal((await w.stop()).status, 0);
  });

  test('survives an STS outage: the refresh fails, is retried with backoff, and succeeds once STS is back', async () => {
    // STS behind a port that refuses connections until the "network" comes back.
    const port = await freePort();
    await withTotp('dev');
    await cli.sandbox.seedSession('dev', fakeSession(Date.now() + LEAD_MS + 2000));
    const w = watch({ ...cli.sandbox.env, AWS_ENDPOINT_URL_STS: `http://127.0.0.1:${port}` });
    await w.waitFor(/dev: unattended refresh failed: Could not reach STS at 127\.0\.0\.1:\d+: the connection was refused\..*; trying again automatically/, {
      timeoutMs: 30_000,
    });
    const proxy = await forward(port, new URL(cli.sts.endpoint).port);
    try {
      await w.waitFor(/dev: refreshed unattended \(TOTP\)/, { timeoutMs: 60_000 });
    } finally {
      await new Promise((resolve) => proxy.close(resolve));
    }
    assert.ok(credentials().includes(cli.sts.sessions.at(-1)?.sessionToken ?? '?'));
    assert.equal((await w.stop()).status, 0);
  });

  test('notices a pause (suspend, clock change) and picks up a session refreshed by another process', async () => {
    await cli.sandbox.addProfile('ops', cli.user, ['--duration', '900']);
    await cli.sandbox.seedSession('ops', fakeSession(Date.now() + 3600_000));
    const w = watch();
    await w.waitFor(/watching 1 profile/);
    await cli.sts.avoidStepEdge(3000);
    const refreshed = await cli.sandbox.run(['refresh', 'ops', '--code', cli.sts.currentCode(cli.user)]);
    assert.equal(refreshed.status, 0, refreshed.stderr);

    // Freeze the process for longer than the check's tolerance, as a suspend would.
    assert.ok(w.child.pid);
    process.kill(w.child.pid, 'SIGSTOP');
    await new Promise((resolve) => setTimeout(resolve, 12_000));
    process.kill(w.child.pid, 'SIGCONT');
    await w.waitFor(/the clock moved \d+ s further than expected \(the computer slept, or its clock was changed\): rechecking/);
    await w.waitFor(/ops: session changed elsewhere; expires .* \(14 min left\)/);
    assert.equal((await w.stop()).status, 0);
  });
});

describe('short sessions', () => {
  test('a fresh 900 s session of a profile without TOTP is not "about to expire": no question, no advice to refresh', async () => {
    await cli.sandbox.addProfile('ops', cli.user, ['--duration', '900']);
    await cli.sts.avoidStepEdge(3000);
    assert.equal((await cli.sandbox.run(['refresh', 'ops', '--code', cli.sts.currentCode(cli.user)])).status, 0);
    const w = watch();
    await w.waitFor(/ops: session expires .* \(1[45] min left\); needs a code from its MFA device before expiry/);
    // The catch-up runs right after the start lines; give it a moment, then nothing more may come.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.doesNotMatch(w.stdout, /run mfa-tray refresh ops/);
    assert.equal((await w.stop()).status, 0);
  });
});

describe('one watch at a time', () => {
  test('a second watch says so, in one line, and exits 3', async () => {
    const first = watch();
    await first.waitFor(/watching 0 profiles/);
    const second = await cli.sandbox.run(['watch']);
    assert.equal(second.status, 3);
    assert.equal(second.stdout, '');
    assert.match(
      second.stderr,
      new RegExp(
        `^mfa-tray watch: Another mfa-tray watch is already running \\(process ${first.child.pid}\\); one is enough\\. Stop it first \\(kill ${first.child.pid}\\) to start this one\\.\\n$`,
      ),
    );
    assert.equal((await first.stop()).status, 0);
  });

  test('a config folder that cannot be made: one line in plain words, exit 6', async () => {
    // Seen on landed main: "…: EACCES: permission denied, mkdir '…'" (an unwritable HOME); here a
    // link to a folder that is not there: the settings read finds no file, the folder cannot be made.
    symlinkSync(join(cli.sandbox.dir, 'nowhere', 'deeper'), join(cli.sandbox.dir, 'link'));
    const configDir = join(cli.sandbox.dir, 'link', 'config');
    const result = await cli.sandbox.run(['watch'], { env: { MFA_TRAY_CONFIG_DIR: configDir } });
    assert.equal(result.status, 6, result.stderr);
    assert.equal(
      result.stderr,
      `mfa-tray watch: Cannot create the config folder ${configDir}: it, or a folder on its path, does not exist. Nothing was changed.\n`,
    );
  });

  test('a pid file left by a watch that is gone is taken over', async () => {
    const gone = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
    mkdirSync(cli.sandbox.configDir, { recursive: true });
    writeFileSync(join(cli.sandbox.configDir, WATCH_PID_FILE), gone.stdout);
    const w = watch();
    await w.waitFor(/watching 0 profiles/);
    assert.equal(readFileSync(join(cli.sandbox.configDir, WATCH_PID_FILE), 'utf8').trim(), String(w.child.pid));
    assert.equal((await w.stop()).status, 0);
  });
});

describe('watch on a terminal', () => {
  test('asks for the code of a profile without TOTP ahead of expiry; Ctrl-C stops it', async () => {
    await cli.sandbox.addProfile('ops', cli.user, ['--duration', '900']);
    await cli.sandbox.seedSession('ops', fakeSession(Date.now() + NOTIFY_MS + 3000));
    const tty = cli.stopAfterTest(inTerminal(cliCommandLine(['watch']), cli.sandbox.env));
    await tty.waitFor(/ops: session expires at .* \(in [34] min\)\r?\n.*MFA code for profile ops \(device \S+\), Enter to skip: $/s, { timeoutMs: 20_000 });
    await cli.sts.avoidStepEdge(3000);
    tty.type(`${cli.sts.currentCode(cli.user)}\r`);
    await tty.waitFor(/ops: refreshed; expires .* \(14 min left\)/);
    tty.type('\u0003');
    assert.equal((await tty.exited).status, 0, tty.stdout);
    assert.match(tty.stdout, /stopped \(SIGINT\)/);
  });

  test('Ctrl-C at the question stops at once, with another profile waiting for its code: nothing asked or sent after it', async () => {
    // Seen (exploratory tester): "stopped (SIGINT)", then the next profile's question; a code typed
    // there went to AWS and into the file, and only then did watch exit.
    await cli.sandbox.addProfile('ops', cli.user, ['--duration', '900']);
    await cli.sandbox.addProfile('dev', cli.sts.registerUser(), ['--duration', '900']);
    const tty = cli.stopAfterTest(inTerminal(cliCommandLine(['watch']), cli.sandbox.env));
    await tty.waitFor(/MFA code for profile (ops|dev) .*Enter to skip: $/s, { timeoutMs: 20_000 });
    const sent = cli.sts.count('GetSessionToken');

    tty.type('\u0003');

    assert.equal((await tty.exited).status, 0, tty.stdout);
    assert.match(tty.stdout, /stopped \(SIGINT\)\s*$/);
    assert.equal(tty.stdout.match(/MFA code for profile/g)?.length, 1, `one question only: ${tty.stdout}`);
    assert.equal(cli.sts.count('GetSessionToken'), sent);
  });

  test('a line printed while a question is open goes above it, and the question is shown again with what was typed', async () => {
    // Seen (helper report): another profile's line landed after the open question, which was not shown again.
    await cli.sandbox.addProfile('ops', cli.user, ['--duration', '900']);
    const other = cli.sts.registerUser();
    await cli.sandbox.addProfile('gen', other);
    assert.equal((await cli.sandbox.run(['totp', 'set', 'gen'], { input: other.totpSecret as string })).status, 0);
    cli.sts.setLatency(2500); // gen's refresh at start answers once the question is open
    const tty = cli.stopAfterTest(inTerminal(cliCommandLine(['watch']), cli.sandbox.env));
    await tty.waitFor(/ops: no current session\r?\n.*MFA code for profile ops .*Enter to skip: $/s);
    tty.type('12');
    await tty.waitFor(/gen: refreshed/, { timeoutMs: 20_000 });
    await tty.waitFor(/gen: refreshed[^\n]*\r?\nMFA code for profile ops \(device \S+\), Enter to skip: 12$/);
    cli.sts.setLatency(0);
    tty.type('\u0003');
    assert.equal((await tty.exited).status, 0);
  });

  test('a wrong code: the failure in one sentence, then the question again after the next code step', async () => {
    await cli.sandbox.addProfile('ops', cli.user, ['--duration', '900']);
    const tty = cli.stopAfterTest(inTerminal(cliCommandLine(['watch']), cli.sandbox.env));
    await tty.waitFor(/MFA code for profile ops .*Enter to skip: $/s, { timeoutMs: 20_000 });
    tty.type('000000\r');
    await tty.waitFor(
      /ops: refresh failed: AWS rejected the MFA code: [^\n]*\. Type the next code below\.\r?\n[^\n]*ops: Waiting \d+ s for the next code[\s\S]*MFA code for profile ops .*Enter to skip: $/,
      {
        timeoutMs: 60_000,
      },
    );
    assert.doesNotMatch(tty.stdout, /\.;/);
    tty.type('\u0003');
    assert.equal((await tty.exited).status, 0);
  });

  test('Enter skips the question', async () => {
    await cli.sandbox.addProfile('ops', cli.user, ['--duration', '900']);
    const tty = cli.stopAfterTest(inTerminal(cliCommandLine(['watch']), cli.sandbox.env));
    await tty.waitFor(/ops: no current session\r?\n.*MFA code for profile ops .*Enter to skip: $/s);
    tty.type('\r');
    await tty.waitFor(/ops: skipped; run mfa-tray refresh ops when you are ready/);
    tty.type('\u0003');
    assert.equal((await tty.exited).status, 0);
  });
});

/** A TCP port nothing listens on (for now). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Forwards connections on `port` to `target` on 127.0.0.1: the network coming back. */
async function forward(port: number, target: string): Promise<Server> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    const upstream = connect(Number(target), '127.0.0.1');
    sockets.add(socket).add(upstream);
    socket.pipe(upstream).pipe(socket);
    const drop = (): void => {
      socket.destroy();
      upstream.destroy();
    };
    socket.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  const close = server.close.bind(server);
  server.close = (callback?: (error?: Error) => void) => {
    for (const socket of sockets) socket.destroy();
    return close(callback);
  };
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}
