/**
 * Profiles as a user has them, for the screenshots and the layout tests: realistic names, accounts
 * and MFA devices (`work` on `arn:aws:iam::123456789012:mfa/alice-phone`), never a test's random
 * suffix. Each test has its own engine (temp dir, keychain prefix), so the names need not be unique
 * across tests; every MFA device is, because the loopback STS refuses a time step used twice on one
 * device and the test files share one STS.
 */
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { StsUser } from '../support/sts-server';
import type { Windows } from '../support/windows';

export interface SeedProfile {
  readonly name: string;
  /** The IAM user, and the device's name after `mfa/`. */
  readonly user: string;
  readonly device: string;
  readonly account?: string;
  readonly totp?: boolean;
  readonly durationSeconds?: number;
  readonly region?: string;
  readonly targetSection?: string;
  /** The session to give it: a fresh one, one in its last minutes, or none. */
  readonly session?: 'valid' | 'expiring' | 'none';
}

/** The README's four: typed codes, generated codes, expiring soon, and no session yet. */
export const FOUR_PROFILES: readonly SeedProfile[] = [
  { name: 'work', user: 'alice', device: 'alice-phone', session: 'valid' },
  {
    name: 'prod-admin',
    user: 'alice',
    device: 'alice-prod-admin',
    account: '210987654321',
    totp: true,
    durationSeconds: 3600,
    targetSection: 'prod',
    session: 'valid',
  },
  { name: 'sandbox', user: 'alice', device: 'alice-sandbox', account: '345678901234', durationSeconds: 900, session: 'expiring' },
  { name: 'billing', user: 'alice', device: 'alice-billing', account: '456789012345', session: 'none' },
];

/** Twenty profiles across accounts, regions and states: the list a platform team lives with. */
export const TWENTY_PROFILES: readonly SeedProfile[] = [
  // 36 hours, the longest: its session ends on another day whatever the hour, so its state names a date.
  { name: 'work', user: 'bob', device: 'bob-phone', durationSeconds: 129_600, session: 'valid' },
  {
    name: 'prod-admin',
    user: 'bob',
    device: 'bob-prod-admin',
    account: '210987654321',
    totp: true,
    durationSeconds: 3600,
    targetSection: 'prod',
    session: 'valid',
  },
  { name: 'prod-readonly', user: 'bob', device: 'bob-prod-readonly', account: '210987654321', session: 'valid' },
  { name: 'staging', user: 'bob', device: 'bob-staging', account: '310987654321', session: 'expiring', durationSeconds: 3600 },
  { name: 'dev', user: 'bob', device: 'bob-dev', account: '410987654321', session: 'valid' },
  { name: 'sandbox', user: 'bob', device: 'bob-sandbox', account: '345678901234', durationSeconds: 900, session: 'none' },
  { name: 'billing', user: 'bob', device: 'bob-billing', account: '456789012345', session: 'none' },
  { name: 'security-audit', user: 'bob', device: 'bob-security-audit', account: '567890123456', durationSeconds: 28_800, session: 'valid' },
  { name: 'data-lake', user: 'bob', device: 'bob-data-lake', account: '678901234567', region: 'eu-west-1', session: 'valid' },
  { name: 'ml-training', user: 'bob', device: 'bob-ml-training', account: '789012345678', region: 'us-west-2', session: 'none' },
  { name: 'ci-deploy', user: 'bob', device: 'bob-ci-deploy', account: '890123456789', totp: true, durationSeconds: 3600, session: 'valid' },
  { name: 'networking', user: 'bob', device: 'bob-networking', account: '901234567890', session: 'none' },
  { name: 'logs-archive', user: 'bob', device: 'bob-logs-archive', account: '112233445566', session: 'none' },
  { name: 'shared-services', user: 'bob', device: 'bob-shared-services', account: '223344556677', session: 'valid' },
  { name: 'marketing-site', user: 'bob', device: 'bob-marketing-site', account: '334455667788', session: 'none' },
  { name: 'support-tools', user: 'bob', device: 'bob-support-tools', account: '445566778899', session: 'valid' },
  { name: 'backup', user: 'bob', device: 'bob-backup', account: '556677889900', session: 'none' },
  { name: 'eu-prod', user: 'bob', device: 'bob-eu-prod', account: '667788990011', region: 'eu-central-1', targetSection: 'eu', session: 'valid' },
  { name: 'ap-prod', user: 'bob', device: 'bob-ap-prod', account: '778899001122', region: 'ap-northeast-1', targetSection: 'ap', session: 'valid' },
  { name: 'personal', user: 'bob', device: 'bob-personal', account: '889900112233', session: 'none' },
];

/**
 * The same profiles for another IAM user, on devices of their own (`alice-phone` → `carol-phone`):
 * for a second seeding in one test file, which the same devices would make within one time step.
 */
export function forUser(profiles: readonly SeedProfile[], user: string): SeedProfile[] {
  return profiles.map((p) => ({ ...p, device: p.device.replace(new RegExp(`^${p.user}`), user), user }));
}

/** Two sections with long-lived keys in the credentials file, for the import dialog. */
export async function seedCredentialsFile(w: Windows): Promise<void> {
  await mkdir(dirname(w.h.credentialsPath), { recursive: true });
  await writeFile(
    w.h.credentialsPath,
    [
      '[old-laptop]',
      'aws_access_key_id = AKIAIOSFODNN7EXAMPLE',
      'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      '',
      '[ci-bot]',
      'aws_access_key_id = AKIAI44QH8DHBEXAMPLE',
      'aws_secret_access_key = je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY',
      '',
    ].join('\n'),
  );
}

/** Adds the profiles to this test's engine, with their users on the loopback STS, and gives them their sessions. */
export async function seedProfiles(w: Windows, profiles: readonly SeedProfile[]): Promise<Map<string, StsUser>> {
  const users = new Map<string, StsUser>();
  for (const p of profiles) {
    const account = p.account ?? '123456789012';
    const user = w.sts.registerUser({ name: p.user, account, mfaSerial: `arn:aws:iam::${account}:mfa/${p.device}` });
    users.set(p.name, user);
    await w.h.engine.addProfile(
      {
        name: p.name,
        mfaSerial: user.mfaSerial,
        accessKeyId: user.accessKeyId,
        secretAccessKey: user.secretAccessKey,
        ...(p.durationSeconds ? { durationSeconds: p.durationSeconds } : {}),
        ...(p.region ? { region: p.region } : {}),
        ...(p.targetSection ? { targetSection: p.targetSection } : {}),
      },
      p.totp ? { totpSecret: user.totpSecret as string } : {},
    );
  }
  await w.sts.avoidStepEdge();
  let expiring = false;
  for (const p of profiles) {
    if ((p.session ?? 'none') === 'none') continue;
    const user = users.get(p.name) as StsUser;
    const session = await w.h.engine.refresh(p.name, p.totp ? { generate: true } : { code: w.sts.currentCode(user) });
    if (p.session === 'expiring') {
      // In the last quarter of its lifetime (the lead-time rule): "expiring soon".
      await w.h.engine.secrets.setSession(p.name, { ...session, expiresAt: Date.now() + 3 * 60_000 });
      expiring = true;
    }
  }
  if (expiring) await w.h.engine.sessions.load();
  return users;
}

/**
 * Two role profiles in the AWS config file with `source` (whose IAM user is `user`) as their
 * source: `admin` in the user's account, assumed when the source has a session, and
 * `org-readonly` in another account, asking for more than the hour a role assumed with an MFA
 * session gets, without a session yet.
 */
export async function seedRoles(w: Windows, source: string, user: StsUser): Promise<void> {
  const admin = w.sts.registerRole({ name: 'Admin', account: user.account, trusts: [user], requireMfa: true });
  const readonly = w.sts.registerRole({ name: 'ReadOnly', account: '210987654321', trusts: [user], requireMfa: true });
  await mkdir(dirname(w.h.configPath), { recursive: true });
  await appendFile(
    w.h.configPath,
    [
      '[profile admin]',
      `role_arn = ${admin.arn}`,
      `source_profile = ${source}`,
      '',
      '[profile org-readonly]',
      `role_arn = ${readonly.arn}`,
      `source_profile = ${source}`,
      'duration_seconds = 7200',
      '',
    ].join('\n'),
  );
  const current = await w.h.engine.sessionInUse(source);
  if (current && current.expiresAt > Date.now()) await w.h.engine.refreshRole('admin', {});
}
