/**
 * Two processes refreshing at once, round after round, into one credentials file and one used-codes
 * record, against the loopback STS: two engines (the tray app twice, as it were), then an engine and
 * the command. Each round every process refreshes profiles of its own and one profile both refresh
 * at the same moment with the same code. At the end no update is lost: every profile's section
 * holds the session STS issued for it, the keychain caches the same, every other byte of the file is
 * as it was, and no code went to STS twice.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { SessionCredentials } from '../../main/common/model';
import { withoutSession } from '../../main/engine/files/credentials-file';
import { Engine } from '../../main/engine/engine';
import { ProfileSecrets } from '../../main/engine/keychain/profile-secrets';
import { cliBin, ensureCliBuilt } from '../support/cli';
import { EngineChild, type CallResult } from '../support/fault-engine';
import { botocoreProfiles, sdkProfiles } from '../support/fault-ini';
import { largeCredentialsFile } from '../support/fault-versions';
import { createTestKeychain, type TestKeychain } from '../support/keyring';
import { useStsServer, type StsUser } from '../support/sts-server';

const ROUNDS = 8;

const loopback = useStsServer();

/** One shared world: a credentials file with other people's profiles, a config folder, a keychain prefix. */
interface World {
  readonly dir: string;
  readonly env: Record<'HOME' | 'AWS_SHARED_CREDENTIALS_FILE' | 'AWS_CONFIG_FILE' | 'MFA_TRAY_CONFIG_DIR', string>;
  readonly keychain: TestKeychain;
  readonly engine: Engine;
  readonly original: string;
  readonly users: Map<string, StsUser>;
  close(): Promise<void>;
}

async function createWorld(): Promise<World> {
  const dir = await mkdtemp(join(tmpdir(), 'mfa-tray-two-'));
  const env = {
    HOME: dir,
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'aws', 'credentials'),
    AWS_CONFIG_FILE: join(dir, 'aws', 'config'),
    MFA_TRAY_CONFIG_DIR: join(dir, 'config'),
  };
  await mkdir(join(dir, 'aws'), { mode: 0o700 });
  const original = largeCredentialsFile(120);
  await writeFile(env.AWS_SHARED_CREDENTIALS_FILE, original, { mode: 0o600 });
  const keychain = createTestKeychain('two');
  const engine = new Engine({ env, configDir: env.MFA_TRAY_CONFIG_DIR, secretStore: keychain.store, stsEndpoint: loopback.sts.endpoint });
  return {
    dir,
    env,
    keychain,
    engine,
    original,
    users: new Map(),
    async close() {
      await keychain.cleanup();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Adds `name` as a profile of a fresh user with its own MFA device. */
async function addProfile(world: World, name: string): Promise<void> {
  const user = loopback.sts.registerUser({ name: `${name}-${randomUUID().slice(0, 6)}` });
  world.users.set(name, user);
  await world.engine.addProfile({
    name,
    mfaSerial: user.mfaSerial,
    accessKeyId: user.accessKeyId,
    secretAccessKey: user.secretAccessKey,
    durationSeconds: 3600,
  });
}

function engineChild(world: World): Promise<EngineChild> {
  return EngineChild.start({
    env: world.env,
    configDir: world.env.MFA_TRAY_CONFIG_DIR,
    keychainPrefix: world.keychain.prefix,
    stsEndpoint: loopback.sts.endpoint,
    stsTimeoutMs: 10_000,
  });
}

/** `mfa-tray refresh <profile> --code <code>` as a child process, in the world's environment. */
function cliRefresh(world: World, profile: string, code: string): Promise<CallResult> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env, ...world.env, MFA_TRAY_KEYCHAIN_SERVICE: world.keychain.prefix, ...loopback.sts.env(), NO_COLOR: '1' };
    delete env.AWS_ENDPOINT_URL;
    const child = spawn(process.execPath, [cliBin(), 'refresh', profile, '--code', code], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (status) =>
      resolve(status === 0 ? { ok: true, value: stdout } : { ok: false, error: { code: `exit ${status}`, message: stderr.trim() } }),
    );
  });
}

/** A refresh as one of the two processes makes it. */
type Refresher = (profile: string, code: string) => Promise<CallResult>;

interface RoundLog {
  readonly shared: string;
  readonly results: ReadonlyArray<{ readonly who: string; readonly profile: string; readonly result: CallResult }>;
}

/**
 * Runs the rounds: in each, A refreshes two profiles of its own, B two of its own, and both the
 * shared one with the same code, all at the same moment.
 */
async function runRounds(world: World, a: Refresher, b: Refresher): Promise<RoundLog[]> {
  const logs: RoundLog[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const names = { a: [`r${round}-a1`, `r${round}-a2`], b: [`r${round}-b1`, `r${round}-b2`], shared: `r${round}-both` };
    const code = (profile: string) => loopback.sts.currentCode(world.users.get(profile) as StsUser);
    const jobs = [
      ...names.a.map((p) => ({ who: 'A', profile: p, run: () => a(p, code(p)) })),
      ...names.b.map((p) => ({ who: 'B', profile: p, run: () => b(p, code(p)) })),
      { who: 'A', profile: names.shared, run: () => a(names.shared, code(names.shared)) },
      { who: 'B', profile: names.shared, run: () => b(names.shared, code(names.shared)) },
    ];
    const results = await Promise.all(jobs.map(async (job) => ({ who: job.who, profile: job.profile, result: await job.run() })));
    logs.push({ shared: names.shared, results });
  }
  return logs;
}

async function addRoundProfiles(world: World): Promise<void> {
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const suffix of ['a1', 'a2', 'b1', 'b2', 'both']) await addProfile(world, `r${round}-${suffix}`);
  }
}

/** The end state every scenario must reach. */
async function assertEndState(world: World, logs: readonly RoundLog[]): Promise<void> {
  // Every refresh of a profile of its own succeeded; of the shared one exactly one did, and the
  // other was refused before anything was sent (the code was already claimed).
  for (const { shared, results } of logs) {
    for (const { who, profile, result } of results.filter((r) => r.profile !== shared)) {
      assert.ok(result.ok, `${who} ${profile}: ${result.ok ? '' : result.error.message}`);
    }
    const both = results.filter((r) => r.profile === shared);
    assert.equal(both.filter((r) => r.result.ok).length, 1, `exactly one of A and B refreshed ${shared}: ${JSON.stringify(both)}`);
    const loser = both.find((r) => !r.result.ok)?.result;
    assert.ok(loser && !loser.ok && /already used/i.test(loser.error.message), `the other was told the code was already used: ${JSON.stringify(loser)}`);
  }

  // No code went to STS twice, and no request was wasted.
  const sent = loopback.sts.requests.filter((r) => r.action === 'GetSessionToken' && [...world.users.values()].some((u) => u.accessKeyId === r.accessKeyId));
  const keys = sent.map((r) => `${r.serialNumber}/${r.tokenCode}`);
  assert.equal(new Set(keys).size, keys.length, 'a code was sent twice');
  assert.equal(sent.length, world.users.size, 'one GetSessionToken per profile');
  assert.ok(
    sent.every((r) => r.outcome === 'ok'),
    JSON.stringify(sent.filter((r) => r.outcome !== 'ok')),
  );

  // Every section holds the one session STS issued for its user, and the keychain caches the same.
  const path = world.env.AWS_SHARED_CREDENTIALS_FILE;
  const sdk = await sdkProfiles(path);
  const [boto] = botocoreProfiles([path]);
  assert.equal(boto?.error, undefined);
  const secrets = new ProfileSecrets(world.keychain.store);
  for (const [name, user] of world.users) {
    const issued = loopback.sts.sessions.filter((s) => s.user.accessKeyId === user.accessKeyId);
    assert.equal(issued.length, 1, `${name}: one session issued`);
    const session = issued[0] as SessionCredentials;
    for (const [reader, profiles] of [
      ['JS SDK', sdk],
      ['botocore', boto?.profiles ?? {}],
    ] as const) {
      const section = profiles[name];
      assert.equal(section?.aws_access_key_id, session.accessKeyId, `${reader} [${name}]`);
      assert.equal(section?.aws_secret_access_key, session.secretAccessKey, `${reader} [${name}]`);
      assert.equal(section?.aws_session_token, session.sessionToken, `${reader} [${name}]`);
      assert.equal(section?.x_security_token_expires, new Date(session.expiresAt).toISOString().replace('.000Z', 'Z'), `${reader} [${name}]`);
    }
    const cached = await secrets.getSession(name);
    assert.equal(cached?.sessionToken, session.sessionToken, `${name}: the keychain caches the session in the file`);
  }

  // Every other byte is as it was: forgetting our sections gives back the original file.
  let text = (await readFile(path)).toString('latin1');
  for (const name of world.users.keys()) text = withoutSession(text, name).text;
  assert.equal(text, world.original, 'the other profiles, comments and order are as they were');
}

describe('two processes refreshing at once', () => {
  test(`two engines, ${ROUNDS} rounds of own and shared profiles`, { timeout: 120_000 }, async (t) => {
    const world = await createWorld();
    t.after(() => world.close());
    await addRoundProfiles(world);
    const a = await engineChild(world);
    const b = await engineChild(world);
    t.after(() => Promise.all([a.stop(), b.stop()]));

    const logs = await runRounds(
      world,
      (p, c) => a.call('refresh', p, { code: c }),
      (p, c) => b.call('refresh', p, { code: c }),
    );

    await assertEndState(world, logs);
  });

  test(`an engine and the command mfa-tray, ${ROUNDS} rounds of own and shared profiles`, { timeout: 180_000 }, async (t) => {
    await ensureCliBuilt();
    const world = await createWorld();
    t.after(() => world.close());
    await addRoundProfiles(world);
    const a = await engineChild(world);
    t.after(() => a.stop());

    const logs = await runRounds(
      world,
      (p, c) => a.call('refresh', p, { code: c }),
      (p, c) => cliRefresh(world, p, c),
    );

    await assertEndState(world, logs);
  });
});
