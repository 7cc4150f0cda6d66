/**
 * `mfa-tray policy`: the two MFA policies as valid IAM policy JSON, filled in for the profile's
 * account, explained statement by statement in English and in Japanese.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useCliSuite } from '../support/cli';

const cli = useCliSuite('policy');

interface Statement {
  Sid: string;
  Effect: string;
  Action?: string | string[];
  NotAction?: string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string>>;
}

/** What IAM's grammar asks of a policy document (the parts these policies use). */
function assertIamPolicy(document: unknown): Statement[] {
  const policy = document as { Version: string; Statement: Statement[] };
  assert.deepEqual(Object.keys(policy), ['Version', 'Statement']);
  assert.equal(policy.Version, '2012-10-17');
  assert.ok(Array.isArray(policy.Statement) && policy.Statement.length > 0);
  const sids = new Set<string>();
  for (const statement of policy.Statement) {
    assert.match(statement.Sid, /^[A-Za-z0-9]+$/, 'Sid: letters and digits only');
    assert.ok(!sids.has(statement.Sid), 'Sids are unique');
    sids.add(statement.Sid);
    assert.ok(statement.Effect === 'Allow' || statement.Effect === 'Deny');
    assert.ok((statement.Action === undefined) !== (statement.NotAction === undefined), 'Action or NotAction, not both');
    for (const action of [statement.Action ?? statement.NotAction ?? []].flat()) assert.match(action, /^(\*|(iam|sts):[A-Za-z*]+)$/);
    for (const resource of [statement.Resource].flat()) assert.match(resource, /^(\*|arn:aws:iam::(\d{12}|\*):(user\/\$\{aws:username\}|mfa\/\*))$/);
    for (const [operator, values] of Object.entries(statement.Condition ?? {})) {
      assert.ok(['Bool', 'BoolIfExists'].includes(operator));
      assert.deepEqual(Object.keys(values), ['aws:MultiFactorAuthPresent']);
      assert.ok(['true', 'false'].includes(values['aws:MultiFactorAuthPresent'] as string), 'the value is the string "true" or "false"');
    }
  }
  return policy.Statement;
}

describe('policy', () => {
  test("--json: both documents parse as IAM policies; the self-service one is filled in with the profile's account", async () => {
    await cli.sandbox.addProfile('work', cli.user);
    const result = await cli.sandbox.run(['policy', 'work', '--json']);
    assert.equal(result.status, 0, result.stderr);
    const both = JSON.parse(result.stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(both), ['minimal', 'self-service']);
    const minimal = assertIamPolicy(both.minimal);
    assert.deepEqual(minimal, [
      { Sid: 'AllDenyWithoutMFA', Effect: 'Deny', Action: '*', Resource: '*', Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } } },
    ]);
    const selfService = assertIamPolicy(both['self-service']);
    assert.ok(JSON.stringify(selfService).includes('arn:aws:iam::123456789012:user/${aws:username}'));
    const block = selfService.find((s) => s.Sid === 'BlockMostAccessUnlessSignedInWithMFA');
    assert.ok(
      block?.NotAction?.includes('sts:GetSessionToken') &&
        block.NotAction.includes('iam:CreateVirtualMFADevice') &&
        block.NotAction.includes('iam:EnableMFADevice'),
    );
    // What enrol and unenrol call is allowed (with MFA for removing).
    const allowed = selfService.filter((s) => s.Effect === 'Allow').flatMap((s) => [s.Action ?? []].flat());
    for (const action of [
      'iam:CreateVirtualMFADevice',
      'iam:EnableMFADevice',
      'iam:ListMFADevices',
      'iam:ResyncMFADevice',
      'iam:DeactivateMFADevice',
      'iam:DeleteVirtualMFADevice',
    ]) {
      assert.ok(allowed.includes(action), action);
    }

    const one = await cli.sandbox.run(['policy', 'work', '--which', 'minimal', '--json']);
    assert.deepEqual(JSON.parse(one.stdout), both.minimal, 'the document alone, for put-user-policy');
  });

  test('explained line by line, in English and in Japanese; without a profile the account is "*"', async () => {
    const english = await cli.sandbox.run(['policy', '--language', 'en']);
    const japanese = await cli.sandbox.run(['policy'], { env: { LANG: 'ja_JP.UTF-8' } });
    for (const result of [english, japanese]) assert.equal(result.status, 0, result.stderr);
    assert.match(english.stdout, /^Account: \*\n/);
    assert.match(japanese.stdout, /^アカウント: \*\n/);
    assert.match(english.stdout, /sts:GetSessionToken still works with the long-lived key: it needs no permission/);
    assert.match(japanese.stdout, /sts:GetSessionToken は長期キーでも使えます/);
    for (const sid of ['AllDenyWithoutMFA', 'AllowUserToCreateVirtualMFADevice', 'BlockMostAccessUnlessSignedInWithMFA']) {
      assert.match(english.stdout, new RegExp(`^${sid}: [A-Z]`, 'm'));
      assert.match(japanese.stdout, new RegExp(`^${sid}: .*[\\u3040-\\u30ff\\u4e00-\\u9fff]`, 'm'));
    }
    assert.doesNotMatch(english.stdout, /[\u3040-\u30ff\u4e00-\u9fff]/, 'no Japanese in the English text');
    // The printed JSON blocks parse too.
    for (const block of english.stdout.split('\n\n').filter((b) => b.startsWith('{'))) assertIamPolicy(JSON.parse(block));
  });

  test('a bad option is one line', async () => {
    const result = await cli.sandbox.run(['policy', '--which', 'strict']);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /^mfa-tray policy: --which takes minimal or self-service, not "strict"/);
  });
});
