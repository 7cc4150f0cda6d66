/**
 * The keeper's code sources over the real engine: a profile whose code comes from its
 * `mfa_process` command is self-refreshing (a session at start, unattended, with no person), and
 * the plan every surface shows says so.
 */
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { EngineNotice } from '../../main/engine/engine';
import { createHarness, type Harness } from '../support/engine-harness';
import { FakeClock } from '../support/fake-clock';
import { useStsServer } from '../support/sts-server';
import { until } from '../support/until';

const loopback = useStsServer();
let h: Harness;

beforeEach(async () => {
  h = await createHarness({ sts: loopback.sts });
});
afterEach(async () => {
  h.engine.stop();
  await h.close();
});

describe('code sources', () => {
  it('TOTP first, then mfa_process, then a person; a command-sourced profile without a session is refreshed at start', async () => {
    const user = await h.addUser('cmd');
    await h.addUser('typed');
    await h.addUser('generated', { totp: true });
    const codeFile = join(h.dir, 'code.txt');
    await mkdir(dirname(h.env.AWS_CONFIG_FILE), { recursive: true });
    // mfa_process on 'generated' too: the TOTP secret comes first.
    await writeFile(h.env.AWS_CONFIG_FILE, `[profile cmd]\nmfa_process = cat '${codeFile}'\n\n[profile generated]\nmfa_process = false\n`);
    assert.deepEqual(
      (await h.engine.status()).map((s) => [s.profile.name, s.plan.source, s.plan.selfRefreshing]),
      [
        ['cmd', 'command', true],
        ['typed', 'person', false],
        ['generated', 'totp', true],
      ],
    );

    await loopback.sts.avoidStepEdge(3000);
    await writeFile(codeFile, loopback.sts.currentCode(user));
    const notices: EngineNotice[] = [];
    h.engine.onNotice((n) => notices.push(n));
    await h.engine.start();
    await until(() => notices.some((n) => n.kind === 'refreshed' && n.profile === 'cmd'), 'the unattended refresh of cmd', 15_000);
    assert.deepEqual(
      notices.find((n) => n.kind === 'refreshed' && n.profile === 'cmd'),
      {
        kind: 'refreshed',
        profile: 'cmd',
        expiresAt: h.engine.state('cmd').kind === 'valid' ? (h.engine.state('cmd') as { expiresAt: number }).expiresAt : -1,
        unattended: true,
        source: 'command',
      },
    );
    // The person's profile is said to need a code; nobody was asked.
    assert.ok(notices.some((n) => n.kind === 'no-session' && n.profile === 'typed' && n.source === 'person'));
  });
});

describe('role sessions', () => {
  it('a role with a session is re-assumed before it ends with its source session, with no code; a role never used is left alone', async () => {
    const clock = new FakeClock(Date.now());
    const harness = await createHarness({ sts: loopback.sts, clock });
    try {
      const user = await harness.addUser('work', { durationSeconds: 43200 });
      const admin = loopback.sts.registerRole({ name: `keeper-admin-${Date.now()}`, trusts: [user], requireMfa: true });
      const spare = loopback.sts.registerRole({ name: `keeper-spare-${Date.now()}`, trusts: [user] });
      await mkdir(dirname(harness.env.AWS_CONFIG_FILE), { recursive: true });
      await writeFile(
        harness.env.AWS_CONFIG_FILE,
        `[profile admin]\nrole_arn = ${admin.arn}\nsource_profile = work\n\n[profile spare]\nrole_arn = ${spare.arn}\nsource_profile = work\n`,
      );
      await loopback.sts.avoidStepEdge();
      await harness.engine.refresh('work', { code: loopback.sts.currentCode(user) });
      const first = (await harness.engine.refreshRole('admin', {})).session;
      const codes = loopback.sts.count('GetSessionToken');
      const notices: EngineNotice[] = [];
      harness.engine.onNotice((n) => notices.push(n));
      await harness.engine.start();
      // The refresh lead (10 min) before the hour ends: move AWS's clock and ours together.
      const lead = first.expiresAt - clock.now() - 10 * 60_000;
      loopback.sts.setClockSkew(lead);
      clock.advance(lead);
      await until(() => notices.some((n) => n.kind === 'refreshed' && n.profile === 'admin'), 'the role re-assumed');
      await harness.engine.idle();
      const latest = await harness.engine.lastSession('admin');
      assert.ok(latest && latest.expiresAt > first.expiresAt, 'a new role session');
      assert.equal(loopback.sts.count('GetSessionToken'), codes, 'no code');
      assert.equal(await harness.engine.lastSession('spare'), undefined, 'an unused role is not assumed');
      assert.ok(!notices.some((n) => n.kind === 'refresh-failed'), JSON.stringify(notices));
    } finally {
      loopback.sts.setClockSkew(0);
      harness.engine.stop();
      await harness.close();
    }
  });
});
