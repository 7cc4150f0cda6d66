/**
 * doctor's findings as data (`Check.words`, main/common/diagnosis.ts), which a Japanese window words
 * (renderer/lib/diagnosis-ja.ts): in worlds that make most checks pass or fail, every fact a
 * finding carries is one its English message or fix states, so that the two languages say the same.
 */
import assert from 'node:assert/strict';
import { appendFile, chmod, mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DiagnosisWords } from '../../main/common/diagnosis';
import type { Check } from '../../main/engine/doctor';
import { createHarness, type Harness } from '../support/engine-harness';
import { useStsServer } from '../support/sts-server';

const loopback = useStsServer();

/** Every fact in `words` a person is told (strings, and the numbers said as numbers), with where it is. */
function facts(words: DiagnosisWords): Array<{ readonly at: string; readonly value: string }> {
  const found: Array<{ readonly at: string; readonly value: string }> = [];
  const walk = (value: unknown, at: string): void => {
    // Said otherwise than as their value: the id, an error's code, times left (worded as spans),
    // a user id (said as "root" for 0), and yes/no.
    if (/^(id|error\.code|leftMs|entries\.\d+\.uid)$/.test(at) || typeof value === 'boolean' || value === null) return;
    if (typeof value === 'string' || typeof value === 'number') found.push({ at, value: String(value) });
    else if (Array.isArray(value)) value.forEach((item, i) => walk(item, `${at}.${i}`));
    else if (typeof value === 'object' && value !== undefined) for (const [key, item] of Object.entries(value)) walk(item, at === '' ? key : `${at}.${key}`);
  };
  walk(words, '');
  return found;
}

describe("doctor's findings as data", () => {
  let h: Harness;
  before(async () => {
    h = await createHarness({ sts: loopback.sts });
  });
  after(() => h.close());

  it('say what the English says, in a world where most checks pass and in one where most fail', async () => {
    const work = await h.addUser('work');
    await h.addUser('second');
    await h.addUser('third');
    await loopback.sts.avoidStepEdge();
    await h.engine.refresh('work', { code: loopback.sts.currentCode(work) });
    await chmod(h.credentialsPath, 0o600);
    const checks: Check[] = [...(await h.engine.diagnose({ PATH: process.env.PATH })), ...(await h.engine.diagnose({}, 'nobody'))];

    // The other world: the environment, both AWS files and what they say of the profiles.
    await appendFile(h.credentialsPath, '\n[shared]\nregion = us-east-1\n\n[shared]\noutput = json\n\n[third]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n');
    await chmod(h.credentialsPath, 0o644);
    await mkdir(dirname(h.configPath), { recursive: true });
    await writeFile(
      h.configPath,
      '[profile work]\nmfa_serial = arn:aws:iam::123456789012:mfa/someone-else\n\n[profile second]\nrole_arn = arn:aws:iam::123456789012:role/r\n\n' +
        '[profile gone]\ncredential_process = mfa-tray-not-on-path credential-process gone\n\n[profile here]\ncredential_process = /bin/true mfa-tray\n\n' +
        '[profile orphan]\ncredential_process = /bin/true mfa-tray credential-process nobody\n\n' +
        '[profile unnamed]\ncredential_process = /bin/true mfa-tray credential-process\n',
    );
    checks.push(...(await h.engine.diagnose({ PATH: process.env.PATH, AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_PROFILE: 'prod' })));

    const ids = new Set(checks.map((c) => c.words.id));
    for (const id of [
      'environment-clear',
      'environment-shadowed',
      'aws-profile-set',
      'keychain-ok',
      'key-ok',
      'device-ok',
      'clock-ok',
      'files-ok',
      'section-twice',
      'credentials-readable-by-others',
      'long-lived-in-target',
      'config-serial-differs',
      'credentials-elsewhere',
      'credential-process-ok',
      'credential-process-missing',
      'credential-process-no-profile',
      'credential-process-unnamed',
      'session-valid',
      'session-none',
      'no-such-profile',
    ] as const)
      assert.ok(ids.has(id), `a finding ${id} among ${[...ids].join(', ')}`);
    for (const check of checks) {
      const english = `${check.message} ${check.fix ?? ''}`;
      for (const { at, value } of facts(check.words)) assert.ok(english.includes(value), `${check.words.id}: ${at} = ${value} is not in "${english}"`);
    }
  });
});
